import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { ADMIN_KEY, createHarness, expectMatchesSpec, expectProblem, type Harness } from './support.js';

let h: Harness;
let t: { id: string; key: string };
beforeAll(async () => {
  h = await createHarness();
  t = await h.tenant();
  await h.eventTypes(t.key, ['link.click']);
}, 60_000);
afterAll(async () => {
  await h.close();
}, 60_000);

describe('problem+json for everything', () => {
  it('unknown routes and methods are 404 NOT_FOUND', async () => {
    for (const [method, url] of [
      ['GET', '/nope'],
      ['GET', '/api/webhooks/wh_00000000000000000000000000/nope'],
      ['PUT', '/api/webhooks'],
    ] as const) {
      const r = await h.raw(method, url, { auth: t.key });
      expectProblem(r, 'NOT_FOUND', 404);
    }
  });

  it('a URL that does not decode is 400 VALIDATION_FAILED with a request id', async () => {
    const r = await h.raw('GET', '/api/webhooks/%zz', { auth: t.key });
    expectProblem(r, 'VALIDATION_FAILED', 400);
  });

  it('malformed JSON is 400 VALIDATION_FAILED', async () => {
    const r = await h.raw('POST', '/api/events', { auth: t.key, rawBody: '{"type": "link.click", ' });
    expectMatchesSpec('publishEvent', r);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('VALIDATION_FAILED');
    expect(r.body.errors[0].message).toContain('not valid JSON');
  });

  it('a body that is not JSON is 415, checked after auth', async () => {
    const r = await h.raw('POST', '/api/events', {
      auth: t.key,
      rawBody: 'type=link.click',
      contentType: 'application/x-www-form-urlencoded',
    });
    expectMatchesSpec('publishEvent', r);
    expect(r.status).toBe(415);
    expect(r.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const text = await h.raw('POST', '/api/webhooks', {
      auth: t.key,
      rawBody: 'hello',
      contentType: 'text/plain',
    });
    expect(text.status).toBe(415);
    const unauth = await h.raw('POST', '/api/events', { rawBody: 'x', contentType: 'text/plain' });
    expect(unauth.status).toBe(401);
    // +json media types are JSON.
    const vendor = await h.raw('POST', '/api/events', {
      auth: t.key,
      rawBody: JSON.stringify({ type: 'link.click', data: {} }),
      contentType: 'application/vnd.hookwire+json',
    });
    expect(vendor.status).toBe(202);
  });

  it('an oversized body is 413 PAYLOAD_TOO_LARGE before it is parsed', async () => {
    const r = await h.raw('POST', '/api/webhooks', {
      auth: t.key,
      rawBody: `{"url":"${'x'.repeat(300 * 1024)}"}`,
    });
    expectMatchesSpec('createWebhook', r);
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a required body that is missing is VALIDATION_FAILED', async () => {
    const r = await h.call('createWebhook', { auth: t.key });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ path: '', message: 'is required (send a JSON body)' }]);
    expect(r.body.detail).toBe('The request is invalid: the body is required (send a JSON body).');
    const notObject = await h.call('createWebhook', { auth: t.key, body: [] });
    expect(notObject.body.errors).toEqual([{ path: '', message: 'must be object' }]);
    const proto = await h.call('createTenant', {
      auth: ADMIN_KEY,
      rawBody: '{"name":"x","__proto__":{"plan":"tiny"}}',
    });
    expect(proto.body.errors).toEqual([{ path: '/__proto__', message: 'is not allowed' }]);
    const twice = await h.call('listWebhooks', { auth: t.key, query: { limit: 1 }, headers: {} });
    expect(twice.status).toBe(200);
  });

  it('echoes a valid X-Request-Id and generates one otherwise', async () => {
    const mine = await h.call('listWebhooks', { auth: t.key, headers: { 'x-request-id': 'trace-123' } });
    expect(mine.headers['x-request-id']).toBe('trace-123');
    const bad = await h.call('listWebhooks', {
      auth: null,
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(bad.headers['x-request-id']).toMatch(/^req_[0-9a-f]{24}$/);
    expect(bad.body.requestId).toBe(bad.headers['x-request-id']);
  });

  it('unexpected errors are 500 INTERNAL_ERROR with the request id, logged, without internals', async () => {
    const logged: unknown[] = [];
    const broken = new Proxy(h.store, {
      get(target, prop, receiver) {
        if (prop === 'listEndpoints') {
          return async () => {
            throw new Error('disk on fire at /var/lib/secret');
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as Store;
    const pino = (await import('pino')).default;
    const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    const h2 = await createHarness({ store: broken, logger });
    try {
      const r = await h2.raw('GET', '/api/webhooks', { auth: t.key });
      expectProblem(r, 'INTERNAL_ERROR', 500);
      expect(r.text).not.toContain('disk on fire');
      expect(JSON.stringify(logged)).toContain('disk on fire');
    } finally {
      await h2.close();
    }
  });
});

describe('SERVICE_UNAVAILABLE', { timeout: 30_000 }, () => {
  it('a request that reaches a closing server gets 503 with Retry-After', async () => {
    const closing = await createHarness();
    const u = await closing.tenant();
    // A receiver that holds the test send open, so a request is in flight while close() starts.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived: () => void = () => {};
    const reached = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const slow = createServer((_req, res) => {
      arrived();
      void held.then(() => res.end('ok'));
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    await closing.app.listen({ host: '127.0.0.1', port: 0 });
    const origin = `http://127.0.0.1:${(closing.app.server.address() as AddressInfo).port}`;
    const client = new Client(origin, { pipelining: 2 });
    try {
      const w = await closing.call('createWebhook', {
        auth: u.key,
        body: { url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/` },
      });
      const headers = { authorization: `Bearer ${u.key}` };
      const first = client.request({ method: 'POST', path: `/api/webhooks/${w.body.id}/test`, headers });
      await reached;
      const closed = closing.app.close();
      await new Promise((r) => setTimeout(r, 50));
      // Pipelined on the busy connection: it is read after close() began.
      const second = client.request({
        method: 'POST',
        path: '/api/events',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'link.click', data: {} }),
      });
      release();
      expect((await first).statusCode).toBe(200);
      const r = await second;
      const text = await r.body.text();
      const res = {
        status: r.statusCode,
        body: JSON.parse(text),
        text,
        headers: r.headers as Record<string, string>,
      };
      expectMatchesSpec('publishEvent', res);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
      expect(res.headers['retry-after']).toBe('5');
      await closed;
    } finally {
      release();
      await client.close();
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
      await closing.close();
    }
  });

  it('a busy store is 503, not a bug', async () => {
    const busy = new Proxy(h.store, {
      get(target, prop, receiver) {
        if (prop === 'listEndpoints') {
          return async () => {
            throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as Store;
    const h2 = await createHarness({ store: busy });
    try {
      const r = await h2.raw('GET', '/api/webhooks', { auth: t.key });
      expectProblem(r, 'SERVICE_UNAVAILABLE', 503);
      expect(r.headers['retry-after']).toBe('1');
    } finally {
      await h2.close();
    }
  });
});

describe('rate limiting per API key', () => {
  it('429 RATE_LIMITED with Retry-After once the bucket is empty; other keys are unaffected', async () => {
    let now = new Date('2030-01-01T00:00:00.000Z');
    const limited = await createHarness({ rateLimit: { perSecond: 2 }, now: () => now });
    try {
      // The admin key has its own bucket: two calls per tenant, then wait a second.
      const a = await limited.tenant();
      now = new Date(now.getTime() + 1000);
      const b = await limited.tenant();
      expect((await limited.call('listWebhooks', { auth: a.key })).status).toBe(200);
      expect((await limited.call('listWebhooks', { auth: a.key })).status).toBe(200);
      const r = await limited.call('listWebhooks', { auth: a.key });
      expect(r.status).toBe(429);
      expect(r.body.code).toBe('RATE_LIMITED');
      expect(r.headers['retry-after']).toBe('1');
      expect((await limited.call('listWebhooks', { auth: b.key })).status).toBe(200);
      now = new Date(now.getTime() + 1000);
      expect((await limited.call('listWebhooks', { auth: a.key })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('probes and metrics', () => {
  it('healthz, readyz (with a failing readiness check), metrics', async () => {
    expect((await h.call('getHealth')).body).toEqual({ status: 'ok', version: '0.0.0' });
    expect((await h.call('getReadiness')).body).toEqual({
      status: 'ready',
      checks: { store: 'ok', server: 'ok' },
    });
    const empty = await h.call('getMetrics');
    expect(empty.text).toBe('');

    const registry = new Registry();
    const published = new Counter({
      name: 'hookwire_published_total',
      help: 'Messages published.',
      registers: [registry],
    });
    let ready = true;
    const h2 = await createHarness({
      metrics: { registry, published },
      readiness: async () => ready,
      version: '9.9.9',
    });
    try {
      const u = await h2.tenant();
      await h2.eventTypes(u.key, ['link.click']);
      await h2.call('publishEvent', { auth: u.key, body: { type: 'link.click', data: {} } });
      await h2.call('publishEventBatch', {
        auth: u.key,
        body: {
          events: [
            { type: 'link.click', data: {} },
            { type: 'link.click', data: {} },
          ],
        },
      });
      const m = await h2.call('getMetrics');
      expect(m.status).toBe(200);
      expect(m.text).toContain('hookwire_published_total 3');
      expect((await h2.call('getHealth')).body.version).toBe('9.9.9');
      ready = false;
      const nr = await h2.call('getReadiness');
      expect(nr.status).toBe(503);
      expect(nr.body).toEqual({ status: 'unavailable', checks: { store: 'ok', server: 'failing' } });
      expect(nr.headers['retry-after']).toBe('5');
    } finally {
      await h2.close();
    }
  });

  it('the admin key is required to be long enough and the default plan must exist', async () => {
    await expect(createHarness({ adminKey: 'short' })).rejects.toThrow(/16 characters/);
    await expect(createHarness({ defaultPlan: 'gold' })).rejects.toThrow(/defaultPlan/);
    expect(ADMIN_KEY.length).toBeGreaterThanOrEqual(16);
  });
});
