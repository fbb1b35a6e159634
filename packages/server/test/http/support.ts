import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { Dispatcher } from '../../src/dispatcher/dispatcher.js';
import { type AppOptions, buildApp } from '../../src/http/app.js';
import { createSpecAjv, type SpecOperation, specOperations } from '../../src/http/spec.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';

export const ADMIN_KEY = 'admin-key-for-tests-0123456789';
export const operations = specOperations();
const byId = new Map(operations.map((op) => [op.operationId, op]));
const ajv = createSpecAjv();
const validators = new Map<string, ReturnType<typeof ajv.compile>>();

/** Plans of the test server: `tiny` allows 2 webhooks and small events. */
export const TEST_PLANS: AppOptions['plans'] = {
  default: { description: 'Unlimited', retryScheduleMs: [5000, 300_000] },
  tiny: { description: 'Two endpoints', maxEndpoints: 2, retryScheduleMs: [1000], maxPayloadBytes: 1024 },
  throttled: { maxEndpoints: 5, publishRateLimitPerSecond: 1 },
};

export interface CallOptions {
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
  body?: unknown;
  /** Sent as is (with `contentType`, default application/json). */
  rawBody?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** Bearer key; null = no Authorization header. */
  auth?: string | null;
}

export interface CallResult {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked against the spec, then read freely
  body: any;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
}

function validatorFor(schema: Record<string, unknown>) {
  const key = JSON.stringify(schema);
  let fn = validators.get(key);
  if (!fn) {
    fn = ajv.compile(schema);
    validators.set(key, fn);
  }
  return fn;
}

/**
 * Checks a response against the spec: the status is declared for the operation, the content type matches,
 * the body validates against the response schema, and `X-Request-Id` is set (and equals the problem's).
 */
export function expectMatchesSpec(operationId: string, res: CallResult): void {
  const op = byId.get(operationId);
  expect(op, `unknown operation ${operationId}`).toBeDefined();
  const declared =
    op!.responses.find((r) => r.status === String(res.status)) ??
    op!.responses.find((r) => r.status === 'default');
  expect(
    declared,
    `${operationId} answered ${res.status}, which the spec does not declare: ${res.text}`,
  ).toBeDefined();
  expectResponseShape(declared!.contentType, declared!.schema, res, operationId);
}

/** The same checks for a response that belongs to no operation (unknown routes): a Problem. */
export function expectProblem(res: CallResult, code: string, status?: number): void {
  expect(res.body?.code, res.text).toBe(code);
  if (status !== undefined) {
    expect(res.status).toBe(status);
  }
  expectResponseShape('application/problem+json', { $ref: '#/components/schemas/Problem' }, res, 'problem');
}

function expectResponseShape(
  contentType: string | undefined,
  schema: Record<string, unknown> | undefined,
  res: CallResult,
  what: string,
): void {
  const requestId = res.headers['x-request-id'];
  expect(typeof requestId, 'every response carries X-Request-Id').toBe('string');
  if (contentType === undefined) {
    expect(res.text, `${what} ${res.status} has no body`).toBe('');
    return;
  }
  expect(String(res.headers['content-type'])).toContain(contentType);
  if (contentType === 'application/problem+json') {
    expect(res.body.requestId).toBe(requestId);
    expect(res.body.status).toBe(res.status);
    expect(res.body.type).toBe(
      `https://hookwire.dev/problems/${String(res.body.code).toLowerCase().replaceAll('_', '-')}`,
    );
  }
  if (schema) {
    const validate = validatorFor(schema);
    const value = contentType.includes('json') ? res.body : res.text;
    expect(
      validate(value),
      `${what} ${res.status} body does not match the spec: ${JSON.stringify(validate.errors)}\n${res.text.slice(0, 500)}`,
    ).toBe(true);
  }
}

export function urlOf(
  op: SpecOperation,
  params: Record<string, string> = {},
  query: CallOptions['query'] = {},
): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const v = params[name];
    if (v === undefined) {
      throw new Error(`missing path parameter ${name} for ${op.operationId}`);
    }
    return encodeURIComponent(v);
  });
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
  return qs ? `${path}?${qs}` : path;
}

/** The operation a request addresses (literal path segments win over templates). */
export function operationFor(method: string, pathname: string): SpecOperation | undefined {
  const candidates = operations.filter((op) => {
    if (op.method !== method.toUpperCase()) {
      return false;
    }
    const pattern = new RegExp(`^${op.path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return pattern.test(pathname);
  });
  return candidates.sort((a, b) => a.path.split('{').length - b.path.split('{').length)[0];
}

/** A `fetch` for clients under test: every response is checked against the spec like `h.call`'s. */
export function specCheckingFetch(checked: string[]): (req: Request) => Promise<Response> {
  return async (req) => {
    const res = await fetch(req);
    const op = operationFor(req.method, new URL(req.url).pathname);
    expect(op, `${req.method} ${req.url} is no operation of the spec`).toBeDefined();
    const text = await res.clone().text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    expectMatchesSpec(op!.operationId, {
      status: res.status,
      body,
      text,
      headers: Object.fromEntries(res.headers.entries()),
    });
    checked.push(op!.operationId);
    return res;
  };
}

export interface Harness {
  app: FastifyInstance;
  store: SqliteStore;
  dispatcher: Dispatcher;
  dir: string;
  /** Calls an operation through `app.inject()` and checks the response against the spec. */
  call(operationId: string, opts?: CallOptions): Promise<CallResult>;
  /** A raw inject (for routes outside the spec); the caller checks the response. */
  raw(method: string, url: string, opts?: CallOptions): Promise<CallResult>;
  /** A tenant with an API key (admin-created through the API). */
  tenant(opts?: { plan?: string; name?: string }): Promise<{ id: string; key: string; keyId: string }>;
  /** Adds event types to a tenant's catalog through the API. */
  eventTypes(key: string, names: string[], schema?: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function createHarness(over: Partial<AppOptions> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'hookwire-http-'));
  const store = new SqliteStore({ filename: join(dir, 'hookwire.db') });
  await store.migrate();
  // Not started: tests that need background delivery call `h.dispatcher.start()` and only register
  // endpoints on 127.0.0.1 (other tests use example.com URLs that must never be contacted).
  const dispatcher = new Dispatcher({ store, dev: true, idleIntervalMs: 20, timeoutMs: 3000 });
  const app = await buildApp({
    store,
    dispatcher,
    adminKey: ADMIN_KEY,
    dev: true,
    plans: TEST_PLANS,
    defaultPlan: 'default',
    publicBaseUrl: 'http://hookwire.test',
    ...over,
  });

  const raw = async (method: string, url: string, opts: CallOptions = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.auth) {
      headers.authorization = `Bearer ${opts.auth}`;
    }
    let payload: string | Buffer | undefined;
    if (opts.rawBody !== undefined) {
      payload = opts.rawBody;
      headers['content-type'] = opts.contentType ?? 'application/json';
    } else if (opts.body !== undefined) {
      payload = JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? 'application/json';
    }
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload !== undefined ? { payload } : {}),
    });
    let body: unknown;
    try {
      body = res.body === '' ? undefined : JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, body, headers: res.headers, text: res.body };
  };

  const call = async (operationId: string, opts: CallOptions = {}): Promise<CallResult> => {
    const op = byId.get(operationId);
    if (!op) {
      throw new Error(`unknown operation ${operationId}`);
    }
    const res = await raw(op.method, urlOf(op, opts.params, opts.query), opts);
    expectMatchesSpec(operationId, res);
    return res;
  };

  const harness: Harness = {
    app,
    store,
    dispatcher,
    dir,
    call,
    raw,
    async tenant(opts = {}) {
      const t = await call('createTenant', {
        auth: ADMIN_KEY,
        body: { name: opts.name ?? 'Acme', ...(opts.plan ? { plan: opts.plan } : {}) },
      });
      expect(t.status).toBe(201);
      const k = await call('createApiKey', {
        auth: ADMIN_KEY,
        params: { tenantId: t.body.id },
        body: { name: 'tests' },
      });
      expect(k.status).toBe(201);
      return { id: t.body.id as string, key: k.body.key as string, keyId: k.body.id as string };
    },
    async eventTypes(key, names, schema) {
      for (const name of names) {
        const r = await call('createEventType', { auth: key, body: { name, ...(schema ? { schema } : {}) } });
        expect(r.status, r.text).toBe(201);
      }
    },
    async close() {
      await app.close();
      await dispatcher.stop({ deadlineMs: 2000 });
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP receiver on 127.0.0.1 that records requests and answers with `status`. */
export async function startReceiver(status = 200): Promise<{
  url: string;
  received: ReceivedRequest[];
  setStatus(s: number): void;
  /** Resolves when `n` requests have arrived (bounded by the test timeout). */
  waitFor(n: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}> {
  let current = status;
  const received: ReceivedRequest[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res
        .writeHead(current, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok: current < 300 }));
      for (const w of waiters.splice(0)) {
        if (received.length >= w.n) {
          w.resolve();
        } else {
          waiters.push(w);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    setStatus(s) {
      current = s;
    },
    waitFor(n) {
      if (received.length >= n) {
        return Promise.resolve(received.slice());
      }
      return new Promise((resolve) => waiters.push({ n, resolve: () => resolve(received.slice()) }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
