import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import type { Counter, Registry } from 'prom-client';
import { Dispatcher } from '../dispatcher/dispatcher.js';
import { DEFAULT_RETRY_SCHEDULE_MS } from '../dispatcher/retry-policy.js';
import { TokenBucket } from '../dispatcher/token-bucket.js';
import { isHookwireServerError } from '../errors.js';
import { randomHex } from '../random-pool.js';
import type { Store } from '../store/store.js';
import { authenticate, type Principal } from './auth.js';
import type {
  Handler,
  HandlerDeps,
  PlanConfig,
  RequestContext,
  ResolvedPlan,
  TestSender,
} from './context.js';
import { adminHandlers } from './handlers/admin.js';
import { eventTypeHandlers } from './handlers/event-types.js';
import { eventHandlers } from './handlers/events.js';
import { opsHandlers } from './handlers/ops.js';
import { portalLinkHandlers } from './handlers/portal-links.js';
import { sourceHandlers } from './handlers/sources.js';
import { webhookStatsHandlers } from './handlers/webhook-stats.js';
import { webhookHandlers } from './handlers/webhooks.js';
import type { JsonObject } from './json.js';
import { jsonDepth, MAX_JSON_DEPTH } from './json-depth.js';
import { ApiError, problemBody, validationFailed } from './problem.js';
import { createSpecAjv, type FieldError, type SpecOperation, specOperations, toFieldErrors } from './spec.js';
import { registerUi } from './ui.js';
import { UserSchemas } from './user-schemas.js';

export type { PlanConfig, TestSender } from './context.js';

/** Options of {@link buildApp}. */
export interface AppOptions {
  store: Store;
  /** Woken after every publish. Absent in an API-only process (deliveries are still queued). */
  dispatcher?: Dispatcher;
  /** Called after every publish instead of `dispatcher.notify()` (the dispatcher runs on another thread). */
  notify?: () => void;
  /** Sends `POST /api/webhooks/{id}/test`; default the dispatcher, else a private one that only sends tests. */
  sender?: TestSender;
  /** The admin bearer key (at least 16 characters), compared in constant time. */
  adminKey: string;
  /** Allows http:// and loopback endpoint URLs. */
  dev: boolean;
  plans: Record<string, PlanConfig>;
  defaultPlan: string;
  /** Request body limit and default per-event `data` limit. Default 256 KiB. */
  maxPayloadBytes?: number;
  /** Body limit of `POST /api/events/batch`. Default max(1 MiB, 4 × maxPayloadBytes). */
  maxBatchBytes?: number;
  /** How long a rotated endpoint secret keeps signing by default. Default 24 h. */
  secretOverlapMs?: number;
  /** Origin used in source URLs (`https://hooks.example.com`); default the request's own origin. */
  publicBaseUrl?: string;
  /** `GET /metrics` serves `registry`; `published` counts accepted messages. */
  metrics?: { registry: Registry; published: Counter<string> };
  /** Extra readiness check for `GET /readyz` (the dispatcher runs, not shutting down). */
  readiness?: () => Promise<boolean>;
  /** A pino logger, or true for Fastify's default one. Request URLs are logged without their query. */
  logger?: Logger | boolean;
  /** Per-key request rate limit (token bucket, burst = one second). Off by default. */
  rateLimit?: { perSecond: number } | false;
  /** Origins besides this one that may frame the `/ui` dashboard (CSP `frame-ancestors`). */
  uiFrameAncestors?: string[];
  /** Reported by `GET /healthz`. */
  version?: string;
  /** Clock (tests). */
  now?: () => Date;
}

const KiB = 1024;
const DEFAULT_MAX_PAYLOAD = 256 * KiB;
const DAY_MS = 86_400_000;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const MAX_BUCKETS = 10_000;

/** Maps the store and dispatcher's typed errors, Fastify's own errors and anything else to a problem. */
function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) {
    return err;
  }
  if (isHookwireServerError(err)) {
    switch (err.code) {
      case 'BLOCKED_URL':
      case 'BLOCKED_ADDRESS':
        return new ApiError('BLOCKED_URL', err.message, { cause: err });
      case 'INSECURE_URL':
      case 'INVALID_HEADER':
      case 'INVALID_CURSOR':
      case 'IDEMPOTENCY_CONFLICT':
      case 'NOT_FOUND':
      case 'CONFLICT':
      case 'QUOTA_EXCEEDED':
      case 'ENDPOINT_DISABLED':
        return new ApiError(err.code, err.message, { cause: err });
      case 'DATABASE_UNAVAILABLE':
        // Never a false 2xx: the caller retries (a publish with its Idempotency-Key) once the store is back.
        return new ApiError('SERVICE_UNAVAILABLE', 'The store is unreachable; retry shortly.', {
          headers: { 'retry-after': '1' },
          cause: err,
        });
      case 'INVALID_INPUT':
        return validationFailed([
          { path: /signature/i.test(err.message) ? '/signature' : '', message: err.message },
        ]);
      default:
        return new ApiError(
          'INTERNAL_ERROR',
          'An unexpected error occurred; quote the requestId when reporting it.',
          {
            cause: err,
          },
        );
    }
  }
  // A busy or locked database is transient: tell the caller to come back rather than calling it a bug.
  const dbCode = (err as { code?: unknown } | null)?.code;
  if (dbCode === 'SQLITE_BUSY' || dbCode === 'SQLITE_LOCKED' || dbCode === 'ECONNREFUSED') {
    return new ApiError('SERVICE_UNAVAILABLE', 'The store is busy or unreachable; retry shortly.', {
      headers: { 'retry-after': '1' },
      cause: err,
    });
  }
  const fe = err as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Send Content-Type: application/json.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(
        'PAYLOAD_TOO_LARGE',
        'The request body exceeds the server limit. Send thin events (ids).',
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return validationFailed([{ path: '', message: 'the body does not match its Content-Length' }]);
    default:
      break;
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return validationFailed([{ path: '', message: fe.message ?? 'is invalid' }]);
  }
  return new ApiError(
    'INTERNAL_ERROR',
    'An unexpected error occurred; quote the requestId when reporting it.',
    {
      cause: err,
    },
  );
}

const pathOf = (url: string) => url.split('?')[0] ?? url;

/** Turns Fastify's own request log off (`logController` since 5.8; the older option before). */
function quietRequestLog(): Record<string, unknown> {
  const LogController = (Fastify as unknown as { LogController?: new (o: object) => unknown }).LogController;
  return LogController
    ? { logController: new LogController({ disableRequestLogging: true }) }
    : { disableRequestLogging: true };
}

type OperationValidator = (req: FastifyRequest) => {
  query: JsonObject;
  headers: Record<string, string | undefined>;
  body: unknown;
};

/** Compiles the operation's parameter and body schemas (from the spec, `$ref`s resolved by ajv). */
function compileOperation(
  op: SpecOperation,
  ajvs: { plain: ReturnType<typeof createSpecAjv>; coercing: ReturnType<typeof createSpecAjv> },
): OperationValidator {
  const objectOf = (where: 'path' | 'query' | 'header') => {
    const ps = op.parameters.filter((p) => p.in === where);
    if (ps.length === 0) {
      return undefined;
    }
    return {
      names: ps.map((p) => p.name),
      schema: {
        type: 'object',
        properties: Object.fromEntries(ps.map((p) => [p.name, p.schema])),
        required: ps.filter((p) => p.required).map((p) => p.name),
      },
    };
  };
  const path = objectOf('path');
  const query = objectOf('query');
  const header = objectOf('header');
  const validatePath = path && ajvs.plain.compile(path.schema);
  // Query strings are text: coerce to the declared integer/boolean types (openapi/README.md).
  const validateQuery = query && ajvs.coercing.compile(query.schema);
  const validateHeaders = header && ajvs.plain.compile(header.schema);
  const validateBody = op.requestBody && ajvs.plain.compile(op.requestBody.schema);

  return (req) => {
    const errors: FieldError[] = [];
    if (validatePath && !validatePath(req.params)) {
      errors.push(...toFieldErrors(validatePath.errors, '/path'));
    }
    const q = { ...(req.query as JsonObject) };
    if (validateQuery && !validateQuery(q)) {
      errors.push(...toFieldErrors(validateQuery.errors, '/query'));
    }
    // ajv's coercion turns "1e400" and "Infinity" into Infinity, which passes `type: integer` and
    // `maximum`; a handler would then loop or throw (test/security/bad-input.test.ts).
    for (const [name, value] of Object.entries(q)) {
      if (typeof value === 'number' && !Number.isFinite(value)) {
        errors.push({ path: `/query/${name}`, message: 'must be a finite number' });
      }
    }
    const headers: Record<string, string | undefined> = {};
    if (header && validateHeaders) {
      const h: JsonObject = {};
      for (const name of header.names) {
        const v = req.headers[name.toLowerCase()];
        if (v !== undefined) {
          h[name] = v;
          headers[name.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
        }
      }
      if (!validateHeaders(h)) {
        errors.push(...toFieldErrors(validateHeaders.errors, '/header'));
      }
    }
    if (op.requestBody && validateBody) {
      if (req.body === undefined) {
        if (op.requestBody.required) {
          errors.push({ path: '', message: 'is required (send a JSON body)' });
        }
      } else if (!validateBody(req.body)) {
        errors.push(...toFieldErrors(validateBody.errors));
      }
    }
    if (errors.length > 0) {
      throw validationFailed(errors);
    }
    return { query: q, headers, body: req.body };
  };
}

/**
 * Builds the HTTP management API of the delivery server from `openapi/hookwire.yaml`: one route per
 * operation, requests validated against the document's schemas, every failure an
 * `application/problem+json` with a stable `code`, and `X-Request-Id` on every response. Not listening yet.
 *
 * @example
 * const app = await buildApp({ store, dispatcher, adminKey, dev: false, plans: DEFAULT_PLANS, defaultPlan: 'default' });
 * await app.listen({ host: '0.0.0.0', port: 8080 });
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  if (typeof options.adminKey !== 'string' || options.adminKey.length < 16) {
    throw new Error('adminKey must be at least 16 characters');
  }
  const now = options.now ?? (() => new Date());
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD;
  const plans = new Map<string, ResolvedPlan>(
    Object.entries(options.plans).map(([name, p]) => [
      name,
      {
        name,
        description: p.description ?? null,
        maxEndpoints: p.maxEndpoints ?? null,
        retryScheduleMs: p.retryScheduleMs ?? p.retrySchedule ?? DEFAULT_RETRY_SCHEDULE_MS,
        requestTimeoutMs: p.requestTimeoutMs ?? 10_000,
        maxPayloadBytes: p.maxPayloadBytes ?? maxPayloadBytes,
        publishRateLimitPerSecond: p.publishRateLimitPerSecond ?? null,
      },
    ]),
  );
  if (!plans.has(options.defaultPlan)) {
    throw new Error(
      `defaultPlan ${options.defaultPlan} is not one of the plans (${[...plans.keys()].join(', ')})`,
    );
  }

  const buckets = new Map<string, TokenBucket>();
  const take = (key: string, perSecond: number, what: string) => {
    let bucket = buckets.get(key);
    if (!bucket || bucket.ratePerSecond !== perSecond) {
      if (buckets.size >= MAX_BUCKETS) {
        buckets.clear();
      }
      bucket = new TokenBucket(perSecond, now().getTime());
      buckets.set(key, bucket);
    }
    const r = bucket.take(now().getTime());
    if (!r.ok) {
      const seconds = Math.max(1, Math.ceil(r.waitMs / 1000));
      throw new ApiError(
        'RATE_LIMITED',
        `Too many ${what}; retry in ${seconds} second${seconds === 1 ? '' : 's'}.`,
        {
          headers: { 'retry-after': String(seconds) },
        },
      );
    }
  };

  const deps: HandlerDeps = {
    store: options.store,
    notify: options.notify ?? (() => options.dispatcher?.notify()),
    sender:
      options.sender ?? options.dispatcher ?? new Dispatcher({ store: options.store, dev: options.dev }),
    dev: options.dev,
    plans,
    defaultPlan: options.defaultPlan,
    maxPayloadBytes,
    secretOverlapMs: options.secretOverlapMs ?? DAY_MS,
    publicBaseUrl: options.publicBaseUrl,
    userSchemas: new UserSchemas(),
    now,
    version: options.version ?? '0.0.0',
    metrics: options.metrics,
    readiness: options.readiness,
    takePublishToken: (tenantId, perSecond) => {
      if (perSecond !== null) {
        take(`publish:${tenantId}`, perSecond, 'publishes for this tenant');
      }
    },
  };
  const handlers: Record<string, Handler> = {
    ...adminHandlers(deps),
    ...webhookHandlers(deps),
    ...eventTypeHandlers(deps),
    ...eventHandlers(deps),
    ...sourceHandlers(deps),
    ...opsHandlers(deps),
    ...portalLinkHandlers(deps, options.adminKey),
    ...webhookStatsHandlers(deps),
  };

  const app = Fastify({
    ...(typeof options.logger === 'object'
      ? { loggerInstance: options.logger as FastifyBaseLogger }
      : { logger: options.logger ?? false }),
    bodyLimit: maxPayloadBytes,
    // The default request log prints the URL, query included: inbound source tokens would land in logs.
    ...quietRequestLog(),
    // Our own hook answers 503 while closing, as a problem document with Retry-After.
    return503OnClosing: false,
    // Errors Fastify raises before routing (a URL that does not decode) get the same problem format.
    frameworkErrors: (err, req, rawReply) => {
      const reply = rawReply as FastifyReply;
      const problem = new ApiError('VALIDATION_FAILED', `The URL is invalid: ${err.message}.`, {
        errors: [{ path: '', message: 'is not a valid URL (check its percent-encoding)' }],
      });
      reply.header('x-request-id', req.id);
      return reply
        .code(400)
        .type('application/problem+json')
        .send(problemBody(problem, req.id, undefined));
    },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : `req_${randomHex(12)}`;
    },
  });

  app.removeAllContentTypeParsers();
  const parseJson = (
    _req: unknown,
    body: string | Buffer,
    done: (err: Error | null, body?: unknown) => void,
  ) => {
    const text = body.toString();
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    if (jsonDepth(text) > MAX_JSON_DEPTH) {
      done(
        validationFailed(
          [{ path: '', message: `nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels` }],
          'The body',
        ),
      );
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(
        validationFailed(
          [{ path: '', message: `is not valid JSON (${(err as Error).message})` }],
          'The body',
        ),
      );
    }
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson);
  app.addContentTypeParser(/^application\/[\w.-]+\+json$/i, { parseAs: 'string' }, parseJson);

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async () => {
    if (closing) {
      throw new ApiError('SERVICE_UNAVAILABLE', 'The server is shutting down; retry shortly.', {
        headers: { 'retry-after': '5', connection: 'close' },
      });
    }
  });
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-request-id', req.id);
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      {
        method: req.method,
        path: pathOf(req.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  app.setErrorHandler((err, req, reply) => {
    const problem = toApiError(err);
    if (problem.status >= 500) {
      req.log.error({ err }, 'request failed');
    }
    for (const [name, value] of Object.entries(problem.headers)) {
      reply.header(name, value);
    }
    return reply
      .code(problem.status)
      .type('application/problem+json')
      .send(problemBody(problem, req.id, pathOf(req.url)));
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .type('application/problem+json')
      .send(
        problemBody(
          new ApiError(
            'NOT_FOUND',
            `There is no route ${req.method} ${pathOf(req.url)}. See GET /openapi.json.`,
          ),
          req.id,
          pathOf(req.url),
        ),
      ),
  );

  const ajvs = { plain: createSpecAjv(), coercing: createSpecAjv(undefined, { coerce: true }) };
  const principals = new WeakMap<FastifyRequest, Principal>();
  const rateLimit = options.rateLimit || undefined;
  const batchLimit = options.maxBatchBytes ?? Math.max(1024 * KiB, 4 * maxPayloadBytes);

  for (const op of specOperations()) {
    const handler = handlers[op.operationId];
    if (!handler) {
      throw new Error(`no handler for operation ${op.operationId}`);
    }
    const validate = compileOperation(op, ajvs);
    app.route({
      method: op.method as 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
      url: op.path.replace(/\{([^}]+)\}/g, ':$1'),
      ...(op.operationId === 'publishEventBatch' ? { bodyLimit: batchLimit } : {}),
      // Auth runs before the body is read, so 401/403 win over 415/413/400 (openapi/README.md order).
      onRequest: async (req) => {
        const params = req.params as Record<string, string | undefined>;
        const query = req.query as Record<string, unknown>;
        const headerToken = req.headers['x-hookwire-token'];
        const principal = await authenticate(
          {
            security: op.security,
            operationId: op.operationId,
            authorization: req.headers.authorization,
            pathTenantId: params.tenantId,
            sourceId: params.sourceId,
            sourceToken:
              typeof query.token === 'string'
                ? query.token
                : typeof headerToken === 'string'
                  ? headerToken
                  : undefined,
          },
          { store: options.store, adminKey: options.adminKey, now },
        );
        principals.set(req, principal);
        if (rateLimit) {
          const key =
            principal.kind === 'tenant'
              ? `key:${principal.keyId}`
              : principal.kind === 'source'
                ? `source:${principal.source.id}`
                : principal.kind === 'admin'
                  ? 'admin'
                  : undefined;
          if (key) {
            take(key, rateLimit.perSecond, 'requests for this key');
          }
        }
      },
      handler: async (req, reply) => {
        const input = validate(req);
        const ctx: RequestContext = {
          principal: principals.get(req) ?? { kind: 'public' },
          params: req.params as Record<string, string>,
          query: input.query,
          headers: input.headers,
          body: input.body,
          request: req,
        };
        const result = await handler(ctx);
        reply.code(result.status);
        for (const [name, value] of Object.entries(result.headers ?? {})) {
          reply.header(name, value);
        }
        if (result.body === undefined) {
          return reply.send();
        }
        if (result.contentType) {
          reply.type(result.contentType);
        }
        return reply.send(result.body);
      },
    });
  }
  await registerUi(app, { frameAncestors: options.uiFrameAncestors });
  return app;
}
