import type { AddressInfo } from 'node:net';
import { schemes, sign } from '@hookwire/signatures';
import express5, { type NextFunction, type Request, type Response } from 'express';
import express4 from 'express4';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter, createWebhookMiddleware, rawBody } from '../src/index.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let counter = 0;
function nextId(): string {
  counter += 1;
  return `msg_express${Date.now().toString(36)}${counter}`;
}

function envelope(type: string, data: unknown, id = nextId()): string {
  return JSON.stringify({
    metadata: { id, apiVersion: '2026-02-09', eventType: type, eventTime: '2026-11-23T10:00:00.000Z' },
    data,
  });
}

async function signed(body: string, options: { id?: string; timestamp?: Date } = {}) {
  const headers = await sign(schemes.standard(), {
    secret: SECRET,
    body,
    id: options.id ?? nextId(),
    timestamp: options.timestamp ?? new Date(),
  });
  return { 'content-type': 'application/json', ...headers };
}

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
])('%s', (_name, express) => {
  const seen: { route: string; id: string | undefined; data: unknown }[] = [];
  const errors: unknown[] = [];
  const logged: string[] = [];
  let failNextRoute = false;
  let server: ReturnType<ReturnType<typeof express5>['listen']>;
  let base = '';

  beforeAll(async () => {
    const app = express();
    const webhook = createWebhookMiddleware({
      secret: SECRET,
      maxBodyBytes: 8 * 1024,
      logger: { error: (message) => logged.push(message) },
    });

    app.post('/plain', webhook, (req: Request, res: Response) => {
      if (failNextRoute) {
        failNextRoute = false;
        res.status(503).json({ busy: true });
        return;
      }
      seen.push({ route: 'plain', id: req.webhook?.id, data: req.webhook?.data });
      res.json({ ok: true });
    });

    const router = createRouter()
      .on('link.click', (event) => void seen.push({ route: 'router', id: event.id, data: event.data }))
      .on('link.broken', () => {
        throw new Error('handler exploded');
      });
    app.post('/routed', createWebhookMiddleware({ secret: SECRET, handler: router }));

    app.post('/raw', express.raw({ type: 'application/json' }), webhook, (req: Request, res: Response) => {
      seen.push({ route: 'raw', id: req.webhook?.id, data: req.webhook?.data });
      res.json({ ok: true });
    });

    const parsed = express.Router();
    parsed.use(express.json());
    parsed.post('/', webhook, (_req: Request, res: Response) => void res.json({ ok: true }));
    app.use('/parsed', parsed);

    const kept = express.Router();
    kept.use(express.json({ verify: rawBody }));
    kept.post('/', webhook, (req: Request, res: Response) => {
      seen.push({ route: 'kept', id: req.webhook?.id, data: req.webhook?.data });
      res.json({ ok: true });
    });
    app.use('/kept', kept);

    app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      errors.push(error);
      res.status(500).json({ error: 'from the app error handler' });
    });

    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${base}${path}`, { method: 'POST', body, headers });

  it('sets req.webhook and calls next() for a request signed by @hookwire/signatures', async () => {
    const id = nextId();
    const body = envelope('link.click', { country: 'FR' }, id);
    const response = await post('/plain', body, await signed(body, { id }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(seen.filter((e) => e.id === id)).toEqual([{ route: 'plain', id, data: { country: 'FR' } }]);
  });

  it('accepts a request signed by the third-party standardwebhooks package', async () => {
    const id = nextId();
    const body = envelope('link.click', { country: 'DE' }, id);
    const now = new Date();
    const signature = new Webhook(SECRET).sign(id, now, body);
    const response = await post('/plain', body, {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    });
    expect(response.status).toBe(200);
    expect(seen.filter((e) => e.id === id)).toHaveLength(1);
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
      'not JSON',
      async () => {
        const body = 'nope';
        return { body, headers: await signed(body) };
      },
      400,
      'invalid_json',
    ],
  ])('answers a %s request with problem+json and never calls the route', async (_n, make, status, code) => {
    const before = seen.length;
    const { body, headers } = await make();
    const response = await post('/plain', body, headers);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status, code });
    expect(seen.length).toBe(before);
  });

  it('answers a redelivery 200 duplicate and releases the id when the route fails', async () => {
    const id = nextId();
    const body = envelope('link.click', {}, id);
    const headers = await signed(body, { id });
    failNextRoute = true;
    expect((await post('/plain', body, headers)).status).toBe(503);
    expect((await post('/plain', body, headers)).status).toBe(200);
    const again = await post('/plain', body, headers);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    expect(seen.filter((e) => e.id === id)).toHaveLength(1);
  });

  it('answers 500 body_already_parsed naming the fix when express.json() ran first (#15)', async () => {
    const body = envelope('link.click', {});
    const response = await post('/parsed', body, await signed(body));
    expect(response.status).toBe(500);
    const problem = (await response.json()) as { code: string; detail: string };
    expect(problem.code).toBe('body_already_parsed');
    expect(problem.detail).toContain('rawBody');
    // Our own misconfiguration, so it is logged (4xx rejections are not).
    expect(logged).toContain('Hookwire receiver: body_already_parsed');
  });

  it('verifies after express.json({ verify: rawBody }) and after express.raw()', async () => {
    for (const path of ['/kept', '/raw']) {
      const id = nextId();
      // Whitespace that re-serialisation would lose: only the raw bytes verify.
      const body = envelope('link.click', { spaced: 'a  b' }, id).replace('{', '{ ');
      const response = await post(path, body, await signed(body, { id }));
      expect(response.status).toBe(200);
      expect(seen.filter((e) => e.id === id)).toEqual([
        { route: path.slice(1), id, data: { spaced: 'a  b' } },
      ]);
    }
  });

  it('answers with the typed router and reports unrouted types as handled:false', async () => {
    const id = nextId();
    const body = envelope('link.click', { r: 1 }, id);
    const response = await post('/routed', body, await signed(body, { id }));
    expect(await response.json()).toEqual({ received: true });
    expect(seen.filter((e) => e.id === id)).toEqual([{ route: 'router', id, data: { r: 1 } }]);
    const other = envelope('link.created', {});
    const unrouted = await post('/routed', other, await signed(other));
    expect(unrouted.status).toBe(200);
    expect(await unrouted.json()).toEqual({ received: true, handled: false });
  });

  it("passes a throwing handler's error to Express's error path", async () => {
    const body = envelope('link.broken', {});
    const response = await post('/routed', body, await signed(body));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'from the app error handler' });
    expect(errors.some((e) => e instanceof Error && e.message === 'handler exploded')).toBe(true);
  });
});
