import type { EnvelopeFormat } from '@hookwire/events';
/**
 * The storage contract of the delivery server. `SqliteStore` is the embedded default; a `PostgresStore` for
 * many processes on one database implements the same interface and passes the same conformance suite
 * (`test/store-conformance.ts`).
 *
 * Every read and write of tenant data takes the tenant id: there is no way to reach another tenant's rows
 * through this interface. The queue operations (`claimDue`, `recordAttempt`, `release`) are keyed by
 * delivery id and worker id because the dispatcher serves every tenant.
 */

export type DeliveryStatus = 'pending' | 'in_flight' | 'succeeded' | 'failed' | 'cancelled';

export type AttemptErrorKind =
  | 'none'
  | 'timeout'
  | 'network'
  | 'http_status'
  | 'blocked'
  | 'tls'
  | 'redirect';

/** The body format an endpoint receives (see `@hookwire/events` `wrap`). */
export type EnvelopeVersion = EnvelopeFormat;

/** What caused an attempt: the retry schedule, a manual redelivery, a replay, or a test send. */
export type AttemptTrigger = 'scheduled' | 'manual' | 'replay' | 'test';

/** How requests to an endpoint are signed; mirrors the schemes of `@hookwire/signatures`. */
export interface SignatureConfig {
  scheme: 'standard' | 'timestamped' | 'hmac';
  /** Header name (timestamped, hmac). */
  header?: string;
  /** Prefix in front of the hex digest (hmac), e.g. `sha256=`. */
  prefix?: string;
  /** Timestamp unit (timestamped): seconds or milliseconds. */
  unit?: 's' | 'ms';
  /** Version label in the header (timestamped), e.g. `v1`. */
  version?: string;
  /** Signed content template (timestamped), default `{t}.{body}`. */
  content?: string;
  /** Header name prefix (standard): `webhook` (default) or `svix`. */
  headerPrefix?: 'webhook' | 'svix';
  /** Digest encoding (hmac): `hex` (default) or `base64`. */
  encoding?: 'hex' | 'base64';
}

export interface Tenant {
  id: string;
  name: string;
  plan: string;
  /** Extra keys merged into the v2 envelope's `metadata` (e.g. `accountId`). */
  context: Record<string, unknown>;
  /** The operator's own labels (CRM ids); never sent to receivers. */
  metadata: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
}

export interface TenantInput {
  name: string;
  plan?: string;
  context?: Record<string, unknown>;
  metadata?: Record<string, string>;
}

export interface ApiKey {
  id: string;
  tenantId: string;
  name: string;
  /** The public part used to find the row; the rest of the key is only stored as a SHA-256 hash. */
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** When the key stops working; null = never. */
  expiresAt: Date | null;
}

export interface ApiKeyRecord extends ApiKey {
  /** Hex SHA-256 of the whole presented key. */
  hash: string;
}

export interface PreviousSecret {
  secret: string;
  expiresAt: Date;
}

export interface EndpointSecrets {
  current: string;
  previous: PreviousSecret[];
}

export interface Endpoint {
  id: string;
  tenantId: string;
  url: string;
  description: string;
  /** Subscribed event types; empty = all. `link.*` matches every `link.<action>`. */
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  envelope: EnvelopeVersion;
  signature: SignatureConfig;
  headers: Record<string, string>;
  rateLimitPerSecond: number | null;
  metadata: Record<string, string>;
  secrets: EndpointSecrets;
  /** Start of the current run of consecutive failures; null after any success. */
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface EndpointInput {
  url: string;
  description?: string;
  events?: string[];
  enabled?: boolean;
  envelope?: EnvelopeVersion;
  signature?: SignatureConfig;
  headers?: Record<string, string>;
  rateLimitPerSecond?: number | null;
  metadata?: Record<string, string>;
  /** The signing secret; the caller generates it (`generateEndpointSecret`). */
  secret: string;
}

export type EndpointPatch = Partial<Omit<EndpointInput, 'secret'>>;

export interface EventType {
  name: string;
  description: string;
  /** JSON Schema of `data`, or null for an unchecked type. */
  schema: Record<string, unknown> | null;
  archived: boolean;
  /** Display group (`Links`), or null. */
  category: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface EventTypeInput {
  name: string;
  description?: string;
  schema?: Record<string, unknown> | null;
  archived?: boolean;
  category?: string | null;
}

export interface Message {
  id: string;
  tenantId: string;
  eventType: string;
  data: unknown;
  /** When the event happened (envelope `eventTime`). */
  timestamp: Date;
  /** Snapshot of the tenant's context at publish time, so a later edit doesn't rewrite history. */
  context: Record<string, unknown>;
  customData: Record<string, unknown> | null;
  /** The publisher's own id for the event, or null. A repeat within 24 h is a duplicate. */
  externalId: string | null;
  createdAt: Date;
}

export interface MessageInput {
  eventType: string;
  data: unknown;
  timestamp?: Date;
  customData?: Record<string, unknown> | null;
  /** Extra envelope metadata for this event, merged over the tenant's context. */
  context?: Record<string, unknown>;
  /** The publisher's id: a repeat within 24 h returns the first message with `duplicate: true`. */
  externalId?: string;
}

export interface Delivery {
  id: string;
  tenantId: string;
  messageId: string;
  endpointId: string;
  /** The message's event type (copied, so the log filters by type cheaply). */
  eventType: string;
  status: DeliveryStatus;
  /** Attempts ever made for this delivery. */
  attemptCount: number;
  /** Attempts since the delivery was last (re)scheduled; drives the retry schedule. */
  cycleAttempts: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Attempt {
  id: string;
  tenantId: string;
  deliveryId: string;
  endpointId: string;
  trigger: AttemptTrigger;
  /** Where the attempt went, credentials redacted ('' for attempts recorded before this was kept). */
  url: string;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  errorKind: AttemptErrorKind;
  error: string | null;
  /** First bytes of the response (at most 1 KiB of UTF-8). */
  responsePreview: string;
  requestHeaders: Record<string, string>;
  nextRetryAt: Date | null;
}

export type AttemptInput = Omit<
  Attempt,
  'id' | 'tenantId' | 'deliveryId' | 'endpointId' | 'nextRetryAt' | 'trigger' | 'url'
> & {
  url?: string;
  /** Default: what the delivery was scheduled by (`scheduled`, or `manual`/`replay` after a redelivery). */
  trigger?: AttemptTrigger;
};

/** What the dispatcher decided after an attempt. */
export type AttemptOutcome =
  | { kind: 'succeeded' }
  | { kind: 'retry'; nextAttemptAt: Date }
  | { kind: 'failed' };

export interface RecordAttemptInput {
  deliveryId: string;
  workerId: string;
  attempt: AttemptInput;
  outcome: AttemptOutcome;
  /** Whether this attempt counts towards the endpoint's failure streak (false for test sends). */
  trackHealth?: boolean;
  /**
   * The delivery as this worker claimed it, with `attempt.trigger` set: a store may then write without
   * reading the row first and build the result from it (it still updates only under the worker's lease).
   */
  claimed?: Delivery;
}

export interface RecordAttemptResult {
  attempt: Attempt;
  /** The delivery after the update. */
  delivery: Delivery;
  /** False when the lease was lost (reclaimed by another worker, or the delivery was cancelled meanwhile). */
  applied: boolean;
  /** The endpoint's failure streak start after this attempt. */
  endpointFailingSince: Date | null;
}

/** A leased delivery with everything needed to send it. */
export interface ClaimedDelivery {
  delivery: Delivery;
  message: Message;
  leaseExpiresAt: Date;
  /** What this attempt is for: the schedule, a redelivery (`manual`), a replay or a test send. */
  trigger?: AttemptTrigger;
}

/** Picks the event type from a payload field: `map[value at pointer]`. */
export interface EventTypeMapping {
  /** JSON Pointer into the payload (`/event`). */
  pointer: string;
  map: Record<string, string>;
}

export interface Source {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  /** A disabled source rejects every inbound request. */
  enabled: boolean;
  /** JSON Schema the inbound payload must satisfy, or null. */
  schema: Record<string, unknown> | null;
  /** Event type of every payload, or the fallback when `eventTypeMapping` has no entry. */
  eventType: string | null;
  eventTypeMapping: EventTypeMapping | null;
  /** While a token rotation overlaps, when the previous token stops working. */
  previousTokenExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SourceInput {
  name: string;
  description?: string | null;
  enabled?: boolean;
  schema?: Record<string, unknown> | null;
  eventType?: string | null;
  eventTypeMapping?: EventTypeMapping | null;
  /** Hex SHA-256 of the URL token; the token itself is shown once and never stored. */
  tokenHash: string;
}

export type SourcePatch = Partial<Omit<SourceInput, 'tokenHash'>>;

export interface SourceRecord extends Source {
  tokenHash: string;
  /** Hash of the previous token while the rotation overlap lasts (check `previousTokenExpiresAt`). */
  previousTokenHash: string | null;
}

export interface PageRequest {
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string | null;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface DeliveryFilter extends PageRequest {
  endpointId?: string;
  messageId?: string;
  status?: DeliveryStatus;
  eventType?: string;
  /** Created at or after. */
  since?: Date;
  /** Created before. */
  until?: Date;
}

export interface MessageFilter extends PageRequest {
  eventType?: string;
  since?: Date;
  until?: Date;
}

export interface EndpointFilter extends PageRequest {
  enabled?: boolean;
  /** Endpoints that would receive this type (including those subscribed to everything). */
  eventType?: string;
}

export interface IdempotencyInput {
  key: string;
  /** A hash of the request body: same key + same hash => same result; different hash => conflict. */
  requestHash: string;
}

export interface PublishResult {
  message: Message;
  /** Number of deliveries created (0 when no enabled endpoint subscribes). */
  deliveries: number;
  /** True when the idempotency key was seen before and the original result is returned. */
  duplicate: boolean;
  /** Set on an idempotency replay: what the first request answered (its own `duplicate`). */
  replayed?: { duplicate: boolean };
}

export interface QueueStats {
  /** Deliveries waiting (pending), due or not. */
  pending: number;
  /** Pending deliveries whose time has come. */
  due: number;
  inFlight: number;
  /** Age of the oldest due delivery in ms (0 when none is due): the dispatcher's lag. */
  oldestDueAgeMs: number;
}

export interface RetentionResult {
  messages: number;
  deliveries: number;
  attempts: number;
  idempotencyKeys: number;
}

/** One non-empty (bucket, status) cell of `Store.countDeliveriesByBucket`. */
export interface DeliveryBucketCount {
  /** 0-based bucket index: the delivery was created in `[since + i × bucketMs, since + (i + 1) × bucketMs)`. */
  bucket: number;
  status: DeliveryStatus;
  count: number;
}

export interface Store {
  /** Applies pending schema migrations; idempotent. Returns the versions applied by this call. */
  migrate(): Promise<number[]>;
  close(): Promise<void>;

  // Tenants
  createTenant(input: TenantInput): Promise<Tenant>;
  getTenant(tenantId: string): Promise<Tenant | null>;
  listTenants(page?: PageRequest): Promise<Page<Tenant>>;
  updateTenant(tenantId: string, patch: Partial<TenantInput>): Promise<Tenant>;
  /** Deletes the tenant and everything it owns. */
  deleteTenant(tenantId: string): Promise<void>;

  // API keys (hashed)
  createApiKey(
    tenantId: string,
    input: { name: string; prefix: string; hash: string; expiresAt?: Date | null },
  ): Promise<ApiKey>;
  /** Finds a key by its public prefix, with the hash to compare in constant time. Not tenant-scoped: it is
   * how a request finds its tenant. */
  findApiKeyByPrefix(prefix: string): Promise<ApiKeyRecord | null>;
  listApiKeys(tenantId: string, page?: PageRequest): Promise<Page<ApiKey>>;
  revokeApiKey(tenantId: string, keyId: string, now?: Date): Promise<void>;
  touchApiKey(keyId: string, now: Date): Promise<void>;

  // Endpoints
  /** @throws HookwireServerError `QUOTA_EXCEEDED` when `maxEndpoints` would be exceeded. */
  createEndpoint(tenantId: string, input: EndpointInput, opts?: { maxEndpoints?: number }): Promise<Endpoint>;
  getEndpoint(tenantId: string, endpointId: string): Promise<Endpoint | null>;
  listEndpoints(tenantId: string, page?: EndpointFilter): Promise<Page<Endpoint>>;
  countEndpoints(tenantId: string): Promise<number>;
  /** Disabling through a patch cancels the endpoint's pending deliveries. */
  updateEndpoint(tenantId: string, endpointId: string, patch: EndpointPatch): Promise<Endpoint>;
  /** Disables with a reason and cancels pending and in-flight deliveries; returns how many were cancelled. */
  disableEndpoint(tenantId: string, endpointId: string, reason: string): Promise<number>;
  /** Soft-deletes (the delivery log stays readable) and cancels its deliveries. */
  deleteEndpoint(tenantId: string, endpointId: string): Promise<void>;
  /** Makes `secret` current; the old one keeps signing until `now + overlapMs`. At most 10 old secrets. */
  rotateEndpointSecret(
    tenantId: string,
    endpointId: string,
    secret: string,
    overlapMs: number,
    now?: Date,
  ): Promise<Endpoint>;

  // Event types (catalog)
  upsertEventType(tenantId: string, input: EventTypeInput): Promise<EventType>;
  getEventType(tenantId: string, name: string): Promise<EventType | null>;
  listEventTypes(
    tenantId: string,
    page?: PageRequest & { includeArchived?: boolean; category?: string },
  ): Promise<Page<EventType>>;
  /** @throws HookwireServerError `CONFLICT` while an endpoint subscribes to the type by name. */
  deleteEventType(tenantId: string, name: string): Promise<void>;

  // Messages and the queue
  /**
   * One transaction: the message plus one pending delivery per enabled endpoint whose filter matches.
   * @throws HookwireServerError `IDEMPOTENCY_CONFLICT` when the key was used with a different request.
   */
  publish(
    tenantId: string,
    input: MessageInput,
    idempotency?: IdempotencyInput,
    now?: Date,
  ): Promise<PublishResult>;
  /** Publishes many messages in one transaction (all or none); the idempotency key covers the whole batch. */
  publishBatch(
    tenantId: string,
    inputs: MessageInput[],
    now?: Date,
    idempotency?: IdempotencyInput,
  ): Promise<PublishResult[]>;
  /** A message with a delivery to one endpoint, leased to `workerId` right away (test sends). */
  createDirectDelivery(
    tenantId: string,
    endpointId: string,
    input: MessageInput,
    workerId: string,
    leaseMs: number,
    now?: Date,
  ): Promise<ClaimedDelivery>;
  getMessage(tenantId: string, messageId: string): Promise<Message | null>;
  listMessages(tenantId: string, page?: MessageFilter): Promise<Page<Message>>;
  getDelivery(tenantId: string, deliveryId: string): Promise<Delivery | null>;
  listDeliveries(tenantId: string, filter?: DeliveryFilter): Promise<Page<Delivery>>;
  listAttempts(tenantId: string, deliveryId: string, page?: PageRequest): Promise<Page<Attempt>>;

  /**
   * Leases up to `limit` due deliveries (pending and due, or in flight with an expired lease) to `workerId`
   * until `now + leaseMs`. Two workers never get the same delivery while a lease is live.
   */
  claimDue(workerId: string, limit: number, leaseMs: number, now?: Date): Promise<ClaimedDelivery[]>;
  /** Earliest `nextAttemptAt` among pending deliveries, so an idle dispatcher knows how long to sleep. */
  nextDueAt(): Promise<Date | null>;
  /** One transaction: writes the attempt, moves the delivery, updates the endpoint's failure streak. */
  recordAttempt(input: RecordAttemptInput): Promise<RecordAttemptResult>;
  /**
   * Optional: several `recordAttempt`s in one transaction, results in input order; all or nothing (a failing
   * input fails the batch, and the dispatcher then records them one by one). Saves one commit per attempt.
   */
  recordAttempts?(inputs: RecordAttemptInput[]): Promise<RecordAttemptResult[]>;
  /**
   * Gives leases back (pending again, due at `at`, default now). Without `deliveryIds`, every lease the
   * worker holds. Returns how many were released.
   */
  release(workerId: string, opts?: { deliveryIds?: string[]; at?: Date }): Promise<number>;
  /**
   * Schedules one delivery again now, with a fresh retry budget.
   * @throws HookwireServerError `CONFLICT` while an attempt is in flight, `ENDPOINT_DISABLED`, `NOT_FOUND`.
   */
  redeliver(tenantId: string, deliveryId: string, now?: Date): Promise<Delivery>;
  /** Reschedules every failed delivery of the endpoint created in `[since, until)`; returns the count. */
  replayFailedSince(
    tenantId: string,
    endpointId: string,
    since: Date,
    now?: Date,
    until?: Date,
  ): Promise<number>;
  /** Retention: removes messages (with deliveries and attempts) older than `days` whose deliveries are all
   * finished, and idempotency keys older than `days`. */
  deleteOlderThan(days: number, now?: Date): Promise<RetentionResult>;
  queueStats(now?: Date): Promise<QueueStats>;
  /**
   * Optional: calls `listener` when deliveries may have become due in any process sharing the store
   * (publish, redeliver, replay, released leases), so an idle dispatcher wakes at once instead of polling.
   * Returns the unsubscribe function. Stores without it leave the dispatcher to its idle interval.
   */
  onWorkAvailable?(listener: () => void): () => void;
  /**
   * Optional (the dashboard's chart; the HTTP layer falls back to paging `listDeliveries`): deliveries of one
   * endpoint created in `[since, until)`, counted per `bucketMs` bucket and current status. Only non-empty
   * cells are returned, in any order. Soft-deleted endpoints count too.
   */
  countDeliveriesByBucket?(
    tenantId: string,
    endpointId: string,
    window: { since: Date; until: Date; bucketMs: number },
  ): Promise<DeliveryBucketCount[]>;

  // Inbound sources
  createSource(tenantId: string, input: SourceInput): Promise<Source>;
  getSource(tenantId: string, sourceId: string): Promise<Source | null>;
  /** For the inbound route: finds a source by id with its token hash (the URL carries the id). */
  findSourceForIngest(sourceId: string): Promise<SourceRecord | null>;
  listSources(tenantId: string, page?: PageRequest): Promise<Page<Source>>;
  updateSource(tenantId: string, sourceId: string, patch: SourcePatch): Promise<Source>;
  /** Makes `tokenHash` current; the previous token keeps working until `now + overlapMs` (default 0). */
  rotateSourceToken(
    tenantId: string,
    sourceId: string,
    tokenHash: string,
    overlapMs?: number,
    now?: Date,
  ): Promise<Source>;
  deleteSource(tenantId: string, sourceId: string): Promise<void>;
}
