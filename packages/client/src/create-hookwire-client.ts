import createClient, { type Client } from 'openapi-fetch';
import { createResilientFetch, type RetryOptions } from './create-resilient-fetch.js';
import { apiErrorFromResponse } from './errors.js';
import type { paths } from './generated/schema.js';
import { type Page, PageIterator } from './page-iterator.js';
import type { EventMapOf, PublishInput } from './publish-types.js';
import type {
  ApiKey,
  ApiKeyCreate,
  ApiKeyCreated,
  DateInput,
  Delivery,
  DeliveryDetail,
  DeliveryListParams,
  EventCreate,
  EventListParams,
  EventType,
  EventTypeCreate,
  EventTypeListParams,
  EventTypeUpdate,
  Health,
  Message,
  MessageDetail,
  PageParams,
  Plan,
  PortalLink,
  PortalLinkCreate,
  PublishResult,
  ReplayResult,
  SecretRotate,
  SecretRotation,
  Source,
  SourceCreate,
  SourceCreated,
  SourceUpdate,
  Tenant,
  TenantCreate,
  TenantUpdate,
  TestEventCreate,
  TestResult,
  TokenRotate,
  Webhook,
  WebhookCreate,
  WebhookCreated,
  WebhookListParams,
  WebhookStats,
  WebhookStatsParams,
  WebhookUpdate,
} from './types.js';

/** Options of {@link createHookwireClient}. */
export interface HookwireClientOptions<C = undefined> {
  /** Where the server listens, e.g. `https://hooks.internal.example`. */
  baseUrl: string;
  /** A tenant API key (`hwk_…`), or the admin key for tenant management. */
  apiKey: string;
  /** A `fetch` implementation (default `globalThis.fetch`): for proxies, tests or custom agents. */
  fetch?: (input: Request) => Promise<Response>;
  /** Deadline per attempt, including the response body. Default 30 000 ms; 0 disables it. */
  timeoutMs?: number;
  /** Retries of idempotent requests and publishes: a count, a policy, or `false`. Default 2 retries. */
  retries?: number | false | RetryOptions;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** An event catalog: types `events.publish()` by event name. Only its type is used. */
  catalog?: C;
}

/** Per-call options. */
export interface RequestOptions {
  /** Cancels the call (and its retries); the abort reason is thrown as is. */
  signal?: AbortSignal;
  /** Extra headers for this call. */
  headers?: Record<string, string>;
}

/** Per-call options of publishing. */
export interface PublishOptions extends RequestOptions {
  /**
   * The `Idempotency-Key`. Default: a fresh UUID per call, reused on every retry of that call, so a publish
   * whose answer was lost is applied once. Pass your own to make a repeated call (e.g. a job re-run) idempotent.
   */
  idempotencyKey?: string;
}

type Init = { signal?: AbortSignal; headers?: Record<string, string> };
type Outcome<T> = { data?: T; error?: unknown; response: Response };

const init = (options: RequestOptions | undefined): Init => {
  const out: Init = {};
  if (options?.signal) {
    out.signal = options.signal;
  }
  if (options?.headers) {
    out.headers = options.headers;
  }
  return out;
};

const iso = (d: DateInput | undefined): string | undefined => (d instanceof Date ? d.toISOString() : d);

function withIsoDates<T extends { since?: DateInput; until?: DateInput }>(
  params: T | undefined,
): Omit<T, 'since' | 'until'> & { since?: string; until?: string } {
  const { since, until, ...rest } = params ?? ({} as T);
  const out: Omit<T, 'since' | 'until'> & { since?: string; until?: string } = rest;
  if (since !== undefined) {
    out.since = iso(since);
  }
  if (until !== undefined) {
    out.until = iso(until);
  }
  return out;
}

function newIdempotencyKey(): string {
  // Web Crypto's randomUUID exists on Node 19+, Deno, Bun, edge runtimes and browsers (secure contexts).
  return globalThis.crypto.randomUUID();
}

async function unwrap<T>(method: string, pending: Promise<Outcome<T>>): Promise<T> {
  const { data, error, response } = await pending;
  if (!response.ok) {
    throw apiErrorFromResponse(response, error, method);
  }
  return data as T;
}

async function unwrapVoid(method: string, pending: Promise<Outcome<unknown>>): Promise<void> {
  await unwrap(method, pending);
}

/**
 * Creates a typed client for a Hookwire server. Runs wherever `fetch` does (Node 20+, browsers, Deno, Bun,
 * edge runtimes).
 *
 * @example
 * const hw = createHookwireClient({ baseUrl: 'http://localhost:8080', apiKey: process.env.HOOKWIRE_API_KEY! });
 * const { secret } = await hw.webhooks.create({ url: 'https://example.org/hooks', events: ['link.click'] });
 * await hw.events.publish({ type: 'link.click', data: { linkId: 'lnk_1', country: 'FR' } });
 *
 * @example Typed by a catalog: unknown event names and wrong `data` fields are compile errors.
 * const hw = createHookwireClient<{ 'link.click': { linkId: string } }>({ baseUrl, apiKey });
 *
 * @throws {TypeError} when `baseUrl` is not an absolute http(s) URL or `apiKey` is empty.
 */
export function createHookwireClient<C = undefined>(options: HookwireClientOptions<C>): HookwireClient<C> {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw new TypeError(
      `createHookwireClient: baseUrl must be an absolute URL, got ${JSON.stringify(options.baseUrl)}`,
    );
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError(
      `createHookwireClient: baseUrl must be http(s), got ${JSON.stringify(options.baseUrl)}`,
    );
  }
  if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
    throw new TypeError('createHookwireClient: apiKey is required (a tenant key hwk_… or the admin key)');
  }

  const retries = options.retries;
  const policy: RetryOptions =
    typeof retries === 'object' ? retries : { max: retries === false ? 0 : retries };
  const userFetch = options.fetch;
  const fetchImpl = createResilientFetch({
    // Resolve the global at call time (polyfills, test interceptors) and call it unbound-safe.
    fetch: userFetch ?? ((input: Request) => globalThis.fetch(input)),
    timeoutMs: options.timeoutMs ?? 30_000,
    retry: {
      max: policy.max ?? 2,
      baseDelayMs: policy.baseDelayMs ?? 250,
      maxDelayMs: policy.maxDelayMs ?? 8_000,
      maxRetryAfterMs: policy.maxRetryAfterMs ?? 60_000,
      onRetry: policy.onRetry,
    },
  });

  const raw = createClient<paths>({
    baseUrl: options.baseUrl,
    fetch: fetchImpl,
    headers: { ...options.headers, Authorization: `Bearer ${options.apiKey}` },
  });

  const page = <T>(load: (cursor: string | undefined) => Promise<Page<T>>, cursor?: string) =>
    new PageIterator<T>(load, cursor);

  const webhooks: WebhooksApi = {
    create: (body, o) => unwrap('POST', raw.POST('/api/webhooks', { body, ...init(o) })),
    list: (params, o) =>
      page(
        (cursor) =>
          unwrap('GET', raw.GET('/api/webhooks', { params: { query: { ...params, cursor } }, ...init(o) })),
        params?.cursor,
      ),
    get: (webhookId, o) =>
      unwrap('GET', raw.GET('/api/webhooks/{webhookId}', { params: { path: { webhookId } }, ...init(o) })),
    update: (webhookId, body, o) =>
      unwrap(
        'PATCH',
        raw.PATCH('/api/webhooks/{webhookId}', { params: { path: { webhookId } }, body, ...init(o) }),
      ),
    delete: (webhookId, o) =>
      unwrapVoid(
        'DELETE',
        raw.DELETE('/api/webhooks/{webhookId}', { params: { path: { webhookId } }, ...init(o) }),
      ),
    rotateSecret: (webhookId, body, o) =>
      unwrap(
        'POST',
        raw.POST('/api/webhooks/{webhookId}/rotate-secret', {
          params: { path: { webhookId } },
          body,
          ...init(o),
        }),
      ),
    sendTest: (webhookId, body, o) =>
      unwrap(
        'POST',
        raw.POST('/api/webhooks/{webhookId}/test', { params: { path: { webhookId } }, body, ...init(o) }),
      ),
    replay: (webhookId, window, o) =>
      unwrap(
        'POST',
        raw.POST('/api/webhooks/{webhookId}/replay', {
          params: { path: { webhookId } },
          body: {
            since: iso(window.since) as string,
            ...(window.until === undefined ? {} : { until: iso(window.until) }),
          },
          ...init(o),
        }),
      ),
    stats: (webhookId, params, o) =>
      unwrap(
        'GET',
        raw.GET('/api/webhooks/{webhookId}/stats', {
          params: { path: { webhookId }, query: { ...params } },
          ...init(o),
        }),
      ),
  };

  const publishHeaders = (o: PublishOptions | undefined): Record<string, string> => ({
    ...o?.headers,
    'Idempotency-Key': o?.idempotencyKey ?? newIdempotencyKey(),
  });

  const events: EventsApi<EventMapOf<C>> = {
    publish: (event, o) =>
      unwrap(
        'POST',
        raw.POST('/api/events', {
          body: event as unknown as EventCreate,
          ...init(o),
          headers: publishHeaders(o),
        }),
      ),
    publishBatch: async (list, o) => {
      const result = await unwrap(
        'POST',
        raw.POST('/api/events/batch', {
          body: { events: list as readonly unknown[] as EventCreate[] },
          ...init(o),
          headers: publishHeaders(o),
        }),
      );
      return result.data;
    },
    get: (eventId, o) =>
      unwrap('GET', raw.GET('/api/events/{eventId}', { params: { path: { eventId } }, ...init(o) })),
    list: (params, o) =>
      page(
        (cursor) =>
          unwrap(
            'GET',
            raw.GET('/api/events', { params: { query: { ...withIsoDates(params), cursor } }, ...init(o) }),
          ),
        params?.cursor,
      ),
  };

  const deliveries: DeliveriesApi = {
    list: (params, o) =>
      page(
        (cursor) =>
          unwrap(
            'GET',
            raw.GET('/api/deliveries', {
              params: { query: { ...withIsoDates(params), cursor } },
              ...init(o),
            }),
          ),
        params?.cursor,
      ),
    get: (deliveryId, o) =>
      unwrap(
        'GET',
        raw.GET('/api/deliveries/{deliveryId}', { params: { path: { deliveryId } }, ...init(o) }),
      ),
    redeliver: (deliveryId, o) =>
      unwrap(
        'POST',
        raw.POST('/api/deliveries/{deliveryId}/redeliver', { params: { path: { deliveryId } }, ...init(o) }),
      ),
  };

  const eventTypes: EventTypesApi = {
    list: (params, o) =>
      page(
        (cursor) =>
          unwrap(
            'GET',
            raw.GET('/api/event-types', { params: { query: { ...params, cursor } }, ...init(o) }),
          ),
        params?.cursor,
      ),
    create: (body, o) => unwrap('POST', raw.POST('/api/event-types', { body, ...init(o) })),
    get: (name, o) =>
      unwrap('GET', raw.GET('/api/event-types/{name}', { params: { path: { name } }, ...init(o) })),
    update: (name, body, o) =>
      unwrap('PATCH', raw.PATCH('/api/event-types/{name}', { params: { path: { name } }, body, ...init(o) })),
    delete: (name, o) =>
      unwrapVoid('DELETE', raw.DELETE('/api/event-types/{name}', { params: { path: { name } }, ...init(o) })),
  };

  const sources: SourcesApi = {
    create: (body, o) => unwrap('POST', raw.POST('/api/sources', { body, ...init(o) })),
    list: (params, o) =>
      page(
        (cursor) =>
          unwrap('GET', raw.GET('/api/sources', { params: { query: { ...params, cursor } }, ...init(o) })),
        params?.cursor,
      ),
    get: (sourceId, o) =>
      unwrap('GET', raw.GET('/api/sources/{sourceId}', { params: { path: { sourceId } }, ...init(o) })),
    update: (sourceId, body, o) =>
      unwrap(
        'PATCH',
        raw.PATCH('/api/sources/{sourceId}', { params: { path: { sourceId } }, body, ...init(o) }),
      ),
    delete: (sourceId, o) =>
      unwrapVoid(
        'DELETE',
        raw.DELETE('/api/sources/{sourceId}', { params: { path: { sourceId } }, ...init(o) }),
      ),
    rotateToken: (sourceId, body, o) =>
      unwrap(
        'POST',
        raw.POST('/api/sources/{sourceId}/rotate-token', {
          params: { path: { sourceId } },
          body,
          ...init(o),
        }),
      ),
  };

  const tenants: TenantsApi = {
    create: (body, o) => unwrap('POST', raw.POST('/api/tenants', { body, ...init(o) })),
    list: (params, o) =>
      page(
        (cursor) =>
          unwrap('GET', raw.GET('/api/tenants', { params: { query: { ...params, cursor } }, ...init(o) })),
        params?.cursor,
      ),
    get: (tenantId, o) =>
      unwrap('GET', raw.GET('/api/tenants/{tenantId}', { params: { path: { tenantId } }, ...init(o) })),
    update: (tenantId, body, o) =>
      unwrap(
        'PATCH',
        raw.PATCH('/api/tenants/{tenantId}', { params: { path: { tenantId } }, body, ...init(o) }),
      ),
    delete: (tenantId, o) =>
      unwrapVoid(
        'DELETE',
        raw.DELETE('/api/tenants/{tenantId}', { params: { path: { tenantId } }, ...init(o) }),
      ),
    createPortalLink: (tenantId, body, o) =>
      unwrap(
        'POST',
        raw.POST('/api/tenants/{tenantId}/portal-links', {
          params: { path: { tenantId } },
          body,
          ...init(o),
        }),
      ),
  };

  const apiKeys: ApiKeysApi = {
    create: (tenantId, body, o) =>
      unwrap(
        'POST',
        raw.POST('/api/tenants/{tenantId}/api-keys', { params: { path: { tenantId } }, body, ...init(o) }),
      ),
    list: (tenantId, params, o) =>
      page(
        (cursor) =>
          unwrap(
            'GET',
            raw.GET('/api/tenants/{tenantId}/api-keys', {
              params: { path: { tenantId }, query: { ...params, cursor } },
              ...init(o),
            }),
          ),
        params?.cursor,
      ),
    delete: (tenantId, keyId, o) =>
      unwrapVoid(
        'DELETE',
        raw.DELETE('/api/tenants/{tenantId}/api-keys/{keyId}', {
          params: { path: { tenantId, keyId } },
          ...init(o),
        }),
      ),
  };

  const plans: PlansApi = {
    list: async (o) => (await unwrap('GET', raw.GET('/api/plans', { ...init(o) }))).data,
  };

  return {
    webhooks,
    events,
    deliveries,
    eventTypes,
    sources,
    tenants,
    apiKeys,
    plans,
    health: (o) => unwrap('GET', raw.GET('/healthz', { ...init(o) })),
    raw,
  };
}

/** `hw.webhooks`: endpoints, their secrets, test sends and replays. */
export interface WebhooksApi {
  /**
   * Registers an endpoint. The result's `secret` is shown this once.
   * @throws {HookwireApiError} `INVALID_EVENTS`, `INSECURE_URL`, `BLOCKED_URL`, `INVALID_HEADER`, `QUOTA_EXCEEDED`, `VALIDATION_FAILED`.
   */
  create(input: WebhookCreate, options?: RequestOptions): Promise<WebhookCreated>;
  /** Every endpoint, newest first; iterate with `for await` or call `.firstPage()`. */
  list(params?: WebhookListParams, options?: RequestOptions): PageIterator<Webhook>;
  get(webhookId: string, options?: RequestOptions): Promise<Webhook>;
  /** Changes the given fields. `enabled: true` re-enables an endpoint disabled by failures or a 410. */
  update(webhookId: string, patch: WebhookUpdate, options?: RequestOptions): Promise<Webhook>;
  /** Deletes the endpoint; its pending deliveries are cancelled. */
  delete(webhookId: string, options?: RequestOptions): Promise<void>;
  /** New signing secret (shown once); the previous one keeps signing for `overlapSeconds` (default 24 h). */
  rotateSecret(webhookId: string, input?: SecretRotate, options?: RequestOptions): Promise<SecretRotation>;
  /** Sends a test event now and returns the attempt (`succeeded`, status, duration, response preview). */
  sendTest(webhookId: string, input?: TestEventCreate, options?: RequestOptions): Promise<TestResult>;
  /** Re-queues every failed delivery created since `since` (until `until` or now); returns the count. */
  replay(
    webhookId: string,
    window: { since: DateInput; until?: DateInput },
    options?: RequestOptions,
  ): Promise<ReplayResult>;
  /** Deliveries per hour by outcome over the last `hours` (1–168, default 24), and the success rate. */
  stats(webhookId: string, params?: WebhookStatsParams, options?: RequestOptions): Promise<WebhookStats>;
}

/** `hw.events`: publishing, and reading messages. */
export interface EventsApi<M> {
  /**
   * Publishes one event; `202` means stored and queued. Carries an automatic `Idempotency-Key`, so retries are safe.
   * @throws {HookwireApiError} `INVALID_EVENTS` (type not in the catalog), `VALIDATION_FAILED` (data vs. schema), `PAYLOAD_TOO_LARGE`, `IDEMPOTENCY_CONFLICT`.
   */
  publish(event: PublishInput<M>, options?: PublishOptions): Promise<PublishResult>;
  /** Publishes up to 100 events, all or nothing; one result per event, in order. */
  publishBatch(events: readonly PublishInput<M>[], options?: PublishOptions): Promise<PublishResult[]>;
  /** A message and its deliveries. */
  get(eventId: string, options?: RequestOptions): Promise<MessageDetail>;
  /** Published messages, newest first. */
  list(params?: EventListParams, options?: RequestOptions): PageIterator<Message>;
}

/** `hw.deliveries`: the delivery log. */
export interface DeliveriesApi {
  /** Deliveries, newest first, filtered by endpoint, message, event type, status and time. */
  list(params?: DeliveryListParams, options?: RequestOptions): PageIterator<Delivery>;
  /** A delivery with its payload and every attempt. */
  get(deliveryId: string, options?: RequestOptions): Promise<DeliveryDetail>;
  /** Delivers again now (whatever the status). @throws {HookwireApiError} `CONFLICT` while in flight, `ENDPOINT_DISABLED`. */
  redeliver(deliveryId: string, options?: RequestOptions): Promise<Delivery>;
}

/** `hw.eventTypes`: the tenant's event catalog. */
export interface EventTypesApi {
  list(params?: EventTypeListParams, options?: RequestOptions): PageIterator<EventType>;
  create(input: EventTypeCreate, options?: RequestOptions): Promise<EventType>;
  get(name: string, options?: RequestOptions): Promise<EventType>;
  update(name: string, patch: EventTypeUpdate, options?: RequestOptions): Promise<EventType>;
  delete(name: string, options?: RequestOptions): Promise<void>;
}

/** `hw.sources`: inbound token URLs. */
export interface SourcesApi {
  /** Creates an inbound URL; the result's `url` and `token` carry the token, shown once. */
  create(input: SourceCreate, options?: RequestOptions): Promise<SourceCreated>;
  list(params?: PageParams, options?: RequestOptions): PageIterator<Source>;
  get(sourceId: string, options?: RequestOptions): Promise<Source>;
  update(sourceId: string, patch: SourceUpdate, options?: RequestOptions): Promise<Source>;
  delete(sourceId: string, options?: RequestOptions): Promise<void>;
  /** New token (shown once); the old one works for `overlapSeconds` more (default 0). */
  rotateToken(sourceId: string, input?: TokenRotate, options?: RequestOptions): Promise<SourceCreated>;
}

/** `hw.tenants`: needs the admin key (a tenant key may `get` its own tenant). */
export interface TenantsApi {
  create(input: TenantCreate, options?: RequestOptions): Promise<Tenant>;
  list(params?: PageParams, options?: RequestOptions): PageIterator<Tenant>;
  get(tenantId: string, options?: RequestOptions): Promise<Tenant>;
  update(tenantId: string, patch: TenantUpdate, options?: RequestOptions): Promise<Tenant>;
  /** Deletes the tenant and everything it owns. */
  delete(tenantId: string, options?: RequestOptions): Promise<void>;
  /**
   * A signed dashboard link for the tenant (`<origin>/ui#token=hwp_…`), valid 15 minutes unless
   * `expiresInSeconds` says otherwise (60 s–24 h). Admin key, or a key of the same tenant.
   */
  createPortalLink(tenantId: string, input?: PortalLinkCreate, options?: RequestOptions): Promise<PortalLink>;
}

/** `hw.apiKeys`: a tenant's keys (admin key, or a key of the same tenant). */
export interface ApiKeysApi {
  /** Creates a key; the result's `key` is shown once. */
  create(tenantId: string, input: ApiKeyCreate, options?: RequestOptions): Promise<ApiKeyCreated>;
  list(tenantId: string, params?: PageParams, options?: RequestOptions): PageIterator<ApiKey>;
  /** Revokes the key at once. */
  delete(tenantId: string, keyId: string, options?: RequestOptions): Promise<void>;
}

/** `hw.plans`: the server's plans. */
export interface PlansApi {
  list(options?: RequestOptions): Promise<Plan[]>;
}

/** The client returned by {@link createHookwireClient}. */
export interface HookwireClient<C = undefined> {
  webhooks: WebhooksApi;
  events: EventsApi<EventMapOf<C>>;
  deliveries: DeliveriesApi;
  eventTypes: EventTypesApi;
  sources: SourcesApi;
  tenants: TenantsApi;
  apiKeys: ApiKeysApi;
  plans: PlansApi;
  /** Liveness (`GET /healthz`). */
  health(options?: RequestOptions): Promise<Health>;
  /** The underlying openapi-fetch client, for any operation by path (`hw.raw.GET('/readyz')`). */
  raw: Client<paths>;
}
