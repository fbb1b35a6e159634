import { schemes, sign } from '@hookwire/signatures';
import Fastify, { type FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hookwire, { hookwire as named } from '../src/index.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ROUTE_SECRET = 'whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXkhIQ==';
let counter = 0;
function nextId(): string {
  counter += 1;
  return `msg_fastify${Date.now().toString(36)}${counter}`;
}

function envelope(type: string, data: unknown, id = nextId()): string {
  return JSON.stringify({
    metadata: { id, apiVersion: '2026-02-09', eventType: type, eventTime: '2026-11-23T10:00:00.000Z' },
    data,
  });
}

async function signed(body: string, options: { id?: string; timestamp?: Date; secret?: string } = {}) {
  const headers = await sign(schemes.standard(), {
    secret: options.secret ?? SECRET,
    body,
    id: options.id ?? nextId(),
    timestamp: options.timestamp ?? new Date(),
  });
  return { 'content-type': 'application/json', ...headers };
}

describe('@hookwire/fastify', () => {
  const seen: { route: string; id: string | undefined; data: unknown; body: unknown }[] = [];
  let failNext = false;
  const preHandlerSaw: (string | null)[] = [];
  let app: FastifyInstance;
  let base = '';

  beforeAll(async () => {
    app = Fastify();
    await app.register(hookwire, { secret: SECRET, maxBodyBytes: 8 * 1024 });
    app.post('/webhooks', { config: { webhook: true } }, async (request) => {
      if (failNext) {
        failNext = false;
        throw new Error('route failed');
      }
      seen.push({
        route: 'webhooks',
        id: request.webhook?.id,
        data: request.webhook?.data,
        body: request.body,
      });
      return { ok: true };
    });
    app.post('/other-secret', { config: { webhook: { secret: ROUTE_SECRET } } }, async (request) => {
      seen.push({ route: 'other', id: request.webhook?.id, data: request.webhook?.data, body: request.body });
      return { ok: true };
    });
    app.post(
      '/guarded',
      {
        config: { webhook: true },
        // A route's own preHandler must only ever run on verified requests.
        preHandler: (request, _reply, done) => {
          preHandlerSaw.push(request.webhook?.id ?? null);
          done();
        },
      },
      async (request) => ({ id: request.webhook?.id }),
    );
    app.post('/json', async (request) => ({ echo: request.body, webhook: request.webhook }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => app.close());

  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${base}${path}`, { method: 'POST', body, headers });

  it('exports the plugin as default and named', () => {
    expect(named).toBe(hookwire);
  });

  it('verifies an opted-in route and hands the typed event to the handler', async () => {
    const id = nextId();
    const body = envelope('link.click', { country: 'FR' }, id);
    const response = await post('/webhooks', body, await signed(body, { id }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(seen.filter((e) => e.id === id)).toEqual([
      { route: 'webhooks', id, data: { country: 'FR' }, body: JSON.parse(body) },
    ]);
  });

  it('accepts a request signed by the third-party standardwebhooks package', async () => {
    const id = nextId();
    const body = envelope('link.click', {}, id);
    const now = new Date();
    const response = await post('/webhooks', body, {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(SECRET).sign(id, now, body),
    });
    expect(response.status).toBe(200);
  });

  it('uses per-route options over the plugin options', async () => {
    const body = envelope('link.click', {});
    expect((await post('/other-secret', body, await signed(body))).status).toBe(401);
    const good = envelope('link.click', {});
    expect((await post('/other-secret', good, await signed(good, { secret: ROUTE_SECRET }))).status).toBe(
      200,
    );
  });

  it('leaves JSON parsing of other routes untouched, including its errors', async () => {
    const ok = await post('/json', '{"a": [1, 2]}', { 'content-type': 'application/json' });
    expect(await ok.json()).toEqual({ echo: { a: [1, 2] }, webhook: null });
    const poisoned = await post('/json', '{"__proto__": {"x": 1}}', { 'content-type': 'application/json' });
    expect(poisoned.status).toBe(400);
    const broken = await post('/json', '{', { 'content-type': 'application/json' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { code: string }).code).toBe('FST_ERR_CTP_INVALID_JSON_BODY');
  });

  it.each([
    [
      'tampered',
      async () => {
        const body = envelope('link.click', { n: 1 });
        return { body: body.replace('1', '2'), headers: await signed(body) };
      },
      401,
      'no_matching_signature',
    ],
    [
      'stale',
      async () => {
        const body = envelope('link.click', {});
        return { body, headers: await signed(body, { timestamp: new Date(Date.now() - 600_000) }) };
      },
      401,
      'timestamp_too_old',
    ],
    [
      'unsigned',
      async () => ({ body: envelope('link.click', {}), headers: { 'content-type': 'application/json' } }),
      401,
      'missing_header',
    ],
    [
      'too large',
      async () => {
        const body = envelope('link.click', { pad: 'x'.repeat(9000) });
        return { body, headers: await signed(body) };
      },
      413,
      'body_too_large',
    ],
    [
      'not an envelope',
      async () => {
        const body = '{"x":1}';
        return { body, headers: await signed(body) };
      },
      400,
      'invalid_envelope',
    ],
    [
      'not JSON',
      async () => {
        const body = 'nope';
        return { body, headers: await signed(body) };
      },
      400,
      'invalid_json',
    ],
    [
      'text/plain',
      async () => {
        const body = envelope('link.click', {});
        return { body, headers: { ...(await signed(body)), 'content-type': 'text/plain' } };
      },
      415,
      'unsupported_media_type',
    ],
  ])('answers a %s request with problem+json and never calls the route', async (_n, make, status, code) => {
    const before = seen.length;
    const { body, headers } = await make();
    const response = await post('/webhooks', body, headers);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ status, code });
    expect(seen.length).toBe(before);
  });

  it.each(['/webhooks', '/guarded'])(
    'refuses an unverified content type on %s before the route (handler or own preHandler) runs',
    async (path) => {
      const before = { seen: seen.length, pre: preHandlerSaw.length };
      const body = envelope('link.click', {});
      const response = await post(path, body, { ...(await signed(body)), 'content-type': 'text/plain' });
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ code: 'unsupported_media_type' });
      expect(seen.length).toBe(before.seen);
      expect(preHandlerSaw.length).toBe(before.pre);
    },
  );

  it("runs a route's own preHandler after verification, with the event", async () => {
    const id = nextId();
    const body = envelope('link.click', {}, id);
    const response = await post('/guarded', body, await signed(body, { id }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id });
    expect(preHandlerSaw.at(-1)).toBe(id);
  });

  it('answers a redelivery 200 duplicate, and lets a retry run after the route threw', async () => {
    const id = nextId();
    const body = envelope('link.click', {}, id);
    const headers = await signed(body, { id });
    failNext = true;
    const failed = await post('/webhooks', body, headers);
    expect(failed.status).toBe(500);
    expect(((await failed.json()) as { message: string }).message).toBe('route failed');
    expect((await post('/webhooks', body, headers)).status).toBe(200);
    const again = await post('/webhooks', body, headers);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    expect(seen.filter((e) => e.id === id)).toHaveLength(1);
  });

  it('verifies the raw bytes: whitespace, a big integer and \\u escapes that a JSON round trip would change (#15)', async () => {
    const id = nextId();
    // JSON.parse + JSON.stringify would drop the spaces, round the integer and unescape "\u00e9": any of them
    // breaks the signature, so this only passes when the plugin hands the exact bytes to the verifier.
    const body = `{ "metadata": { "id": "${id}", "apiVersion": "2026-02-09", "eventType": "link.click", "eventTime": "2026-11-23T10:00:00.000Z" },\n  "data": { "big": 12345678901234567890, "s": "\\u00e9" } }\n`;
    expect(JSON.stringify(JSON.parse(body))).not.toBe(body);
    const response = await post('/webhooks', body, await signed(body, { id }));
    expect(response.status).toBe(200);
    expect(seen.filter((e) => e.id === id).map((e) => e.data)).toEqual([
      { big: JSON.parse('12345678901234567890'), s: 'é' },
    ]);
  });

  it('refuses to start when an opted-in route has no secret', async () => {
    const bare = Fastify();
    await bare.register(hookwire, {});
    expect(() => bare.post('/x', { config: { webhook: true } }, async () => ({}))).toThrow(/secret/);
    await bare.close();
  });
});
