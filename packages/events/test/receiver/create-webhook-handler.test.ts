import { connect } from 'node:net';
import { schemes } from '@hookwire/signatures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMemoryDedupe,
  createRouter,
  createWebhookHandler,
  type WebhookProblem,
} from '../../src/receiver/index.js';
import { envelope, nextId, OTHER_SECRET, SECRET, signedHeaders } from './fixtures.js';
import { serveFetch } from './serve.js';

const received: { type: string; id: string | undefined; data: unknown }[] = [];
const logged: unknown[] = [];
let failNext = false;
let server: Awaited<ReturnType<typeof serveFetch>>;

const handler = createWebhookHandler({
  secret: SECRET,
  maxBodyBytes: 64 * 1024,
  logger: { error: (_message, error) => logged.push(error) },
  handler: (event) => {
    if (failNext) {
      failNext = false;
      throw new Error('database down');
    }
    received.push({ type: event.type, id: event.id, data: event.data });
  },
});

beforeAll(async () => {
  server = await serveFetch(handler);
});
afterAll(() => server.close());

async function post(
  body: string | Uint8Array<ArrayBuffer>,
  headers: Record<string, string>,
): Promise<Response> {
  return fetch(`${server.url}/webhooks`, { method: 'POST', body, headers });
}

async function problem(response: Response): Promise<WebhookProblem> {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return (await response.json()) as WebhookProblem;
}

describe('createWebhookHandler over real HTTP', () => {
  it('accepts a signed event, runs the handler once and answers 200 { received: true }', async () => {
    const id = nextId();
    const body = envelope('link.click', { linkId: 'lnk_1', country: 'FR' }, id);
    const response = await post(body, await signedHeaders(body, { id }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true });
    expect(received.filter((e) => e.id === id)).toEqual([
      { type: 'link.click', id, data: { linkId: 'lnk_1', country: 'FR' } },
    ]);
  });

  it('answers a replay of the same signed request 200 duplicate without running the handler (#13)', async () => {
    const id = nextId();
    const body = envelope('link.click', { n: 1 }, id);
    const headers = await signedHeaders(body, { id });
    expect((await post(body, headers)).status).toBe(200);
    const again = await post(body, headers);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    expect(received.filter((e) => e.id === id)).toHaveLength(1);
  });

  it.each([
    [
      'tampered body (#1)',
      async () => {
        const body = envelope('link.click', { n: 1 });
        return { body: body.replace('"n":1', '"n":2'), headers: await signedHeaders(body) };
      },
      'no_matching_signature',
    ],
    [
      'wrong secret (#2)',
      async () => {
        const body = envelope('link.click', {});
        return { body, headers: await signedHeaders(body, { secret: OTHER_SECRET }) };
      },
      'no_matching_signature',
    ],
    [
      'stale timestamp (#3)',
      async () => {
        const body = envelope('link.click', {});
        return { body, headers: await signedHeaders(body, { timestamp: new Date(Date.now() - 301_000) }) };
      },
      'timestamp_too_old',
    ],
    [
      'future timestamp (#4)',
      async () => {
        const body = envelope('link.click', {});
        return { body, headers: await signedHeaders(body, { timestamp: new Date(Date.now() + 3_600_000) }) };
      },
      'timestamp_too_new',
    ],
    [
      'missing headers (#7)',
      async () => ({
        body: envelope('link.click', {}),
        headers: { 'content-type': 'application/json' },
      }),
      'missing_header',
    ],
    [
      'malformed signature header (#8)',
      async () => {
        const body = envelope('link.click', {});
        return { body, headers: { ...(await signedHeaders(body)), 'webhook-signature': 'v1,' } };
      },
      'malformed_header',
    ],
    [
      'trailing newline stripped by a proxy (#17)',
      async () => {
        const body = `${envelope('link.click', {})}\n`;
        return { body: body.slice(0, -1), headers: await signedHeaders(body) };
      },
      'no_matching_signature',
    ],
  ])('answers %s with 401 problem+json and never runs the handler', async (_name, make, code) => {
    const before = received.length;
    const { body, headers } = await make();
    const response = await post(body, headers);
    expect(response.status).toBe(401);
    const p = await problem(response);
    expect(p).toMatchObject({ status: 401, code, type: `https://hookwire.dev/problems/${code}` });
    expect(p.title).toBeTruthy();
    expect(p.detail).toBeTruthy();
    expect(received.length).toBe(before);
  });

  it('answers signed invalid JSON with 400 invalid_json', async () => {
    const body = '{"metadata": ';
    const response = await post(body, await signedHeaders(body));
    expect(response.status).toBe(400);
    expect((await problem(response)).code).toBe('invalid_json');
  });

  it('answers a signed body that is not an envelope with 400 invalid_envelope', async () => {
    const body = JSON.stringify({ hello: 'world' });
    const response = await post(body, await signedHeaders(body));
    expect(response.status).toBe(400);
    expect((await problem(response)).code).toBe('invalid_envelope');
  });

  it('verifies non-UTF-8 bytes as sent, then rejects them as JSON, not as a signature (#16)', async () => {
    const body = new Uint8Array([
      ...new TextEncoder().encode('{"a":"'),
      0xff,
      0xfe,
      ...new TextEncoder().encode('"}'),
    ]);
    const response = await post(body, await signedHeaders(body));
    expect(response.status).toBe(400);
    expect((await problem(response)).code).toBe('invalid_json');
  });

  it('verifies a body with a UTF-8 BOM over the exact bytes (#17)', async () => {
    const id = nextId();
    const json = new TextEncoder().encode(envelope('link.bom', { bom: true }, id));
    const body = new Uint8Array([0xef, 0xbb, 0xbf, ...json]);
    const response = await post(body, await signedHeaders(body, { id }));
    // The signature matched the BOM-carrying bytes; what the JSON step thinks of a BOM is not a 401.
    expect(response.status).not.toBe(401);
  });

  it('answers 413 before verifying a declared-too-large body, even with no signature (#18)', async () => {
    const body = 'x'.repeat(64 * 1024 + 1);
    const response = await post(body, { 'content-type': 'application/json' });
    expect(response.status).toBe(413);
    expect((await problem(response)).code).toBe('body_too_large');
  });

  it('answers 413 for a chunked body that grows past the limit while streaming (#18)', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Bounded: 8 chunks = 128 KiB, twice the limit.
        if (sent === 8) {
          controller.close();
          return;
        }
        sent += 1;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(`${server.url}/webhooks`, {
      method: 'POST',
      body: stream,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect((await problem(response)).code).toBe('body_too_large');
  });

  it('answers 500 handler_failed when the handler throws, logs the error, and lets the retry run it', async () => {
    const id = nextId();
    const body = envelope('link.click', { retry: true }, id);
    const headers = await signedHeaders(body, { id });
    failNext = true;
    const first = await post(body, headers);
    expect(first.status).toBe(500);
    expect((await problem(first)).code).toBe('handler_failed');
    expect(logged.some((e) => e instanceof Error && e.message === 'database down')).toBe(true);
    const retry = await post(body, headers);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ received: true });
    expect(received.filter((e) => e.id === id)).toHaveLength(1);
  });

  it('answers GET with 405 and an Allow header', async () => {
    const response = await fetch(`${server.url}/webhooks`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('joins duplicate webhook-signature lines like Node and still finds the valid entry (#20)', async () => {
    const id = nextId();
    const body = envelope('link.click', { dup: true }, id);
    const headers = await signedHeaders(body, { id });
    const raw = [
      'POST /webhooks HTTP/1.1',
      `Host: ${new URL(server.url).host}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      `webhook-id: ${headers['webhook-id']}`,
      `webhook-timestamp: ${headers['webhook-timestamp']}`,
      'webhook-signature: v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      `webhook-signature: ${headers['webhook-signature']}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n');
    const reply = await rawRequest(raw);
    expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(received.filter((e) => e.id === id)).toHaveLength(1);
  });

  it('never reaches the handler with CR injected into a header value: Node rejects it (#20)', async () => {
    const before = received.length;
    const body = envelope('link.click', {});
    const raw = [
      'POST /webhooks HTTP/1.1',
      `Host: ${new URL(server.url).host}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      'webhook-id: msg_1\rwebhook-signature: v1,AAAA',
      'Connection: close',
      '',
      body,
    ].join('\r\n');
    const reply = await rawRequest(raw);
    expect(reply.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 400/);
    expect(received.length).toBe(before);
  });
});

describe('createWebhookHandler called directly', () => {
  it('answers 500 body_already_parsed with the fix when the body was read first (#15)', async () => {
    const body = envelope('link.click', {});
    const request = new Request('http://127.0.0.1/webhooks', {
      method: 'POST',
      body,
      headers: await signedHeaders(body),
    });
    await request.json();
    const response = await handler(request);
    expect(response.status).toBe(500);
    const p = await problem(response);
    expect(p.code).toBe('body_already_parsed');
    expect(p.detail).toMatch(/request\.json\(\)/);
  });

  it('rejects a missing secret at creation, not on the first delivery', () => {
    expect(() => createWebhookHandler({ handler: () => undefined })).toThrow(/secret/);
    expect(() => createWebhookHandler({ secret: '', handler: () => undefined })).toThrow(/secret/);
  });

  it('answers 500 invalid_secret for an unusable secret, and logs it', async () => {
    const errors: unknown[] = [];
    const h = createWebhookHandler({
      secret: 'whsec_%%%',
      logger: { error: (_m, e) => errors.push(e) },
      handler: () => undefined,
    });
    const body = envelope('link.click', {});
    const response = await h(
      new Request('http://127.0.0.1/', { method: 'POST', body, headers: await signedHeaders(body) }),
    );
    expect(response.status).toBe(500);
    expect((await problem(response)).code).toBe('invalid_secret');
    expect(errors).toHaveLength(1);
  });

  it('accepts any of several secrets during a rotation', async () => {
    const h = createWebhookHandler({
      secrets: [OTHER_SECRET, SECRET],
      dedupe: false,
      handler: () => undefined,
    });
    const body = envelope('link.click', {});
    const response = await h(
      new Request('http://127.0.0.1/', { method: 'POST', body, headers: await signedHeaders(body) }),
    );
    expect(response.status).toBe(200);
  });

  it('answers 409 duplicate_in_progress while the same id is still being handled', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let runs = 0;
    const h = createWebhookHandler({
      secret: SECRET,
      handler: async () => {
        runs += 1;
        await gate;
      },
    });
    const id = nextId();
    const body = envelope('link.click', {}, id);
    const headers = await signedHeaders(body, { id });
    const make = () => new Request('http://127.0.0.1/', { method: 'POST', body, headers });
    const first = h(make());
    const second = await h(make());
    expect(second.status).toBe(409);
    expect((await problem(second)).code).toBe('duplicate_in_progress');
    expect(second.headers.get('retry-after')).toBe('5');
    release();
    expect((await first).status).toBe(200);
    expect((await h(make())).status).toBe(200);
    expect(runs).toBe(1);
  });

  it('does not dedupe when the store is off: the handler runs for each delivery', async () => {
    let runs = 0;
    const h = createWebhookHandler({
      secret: SECRET,
      dedupe: false,
      handler: () => {
        runs += 1;
      },
    });
    const id = nextId();
    const body = envelope('link.click', {}, id);
    const headers = await signedHeaders(body, { id });
    for (let i = 0; i < 2; i += 1) {
      expect((await h(new Request('http://127.0.0.1/', { method: 'POST', body, headers }))).status).toBe(200);
    }
    expect(runs).toBe(2);
  });

  it('never trusts an unsigned id: with a token scheme the envelope id does not dedupe', async () => {
    let runs = 0;
    const token = 'tok_0123456789abcdef0123456789';
    const h = createWebhookHandler({
      secret: token,
      scheme: schemes.token({ query: 'token' }),
      dedupe: createMemoryDedupe(),
      handler: () => {
        runs += 1;
      },
    });
    const body = envelope('link.click', {}, 'msg_same');
    for (let i = 0; i < 2; i += 1) {
      const response = await h(
        new Request(`http://127.0.0.1/hook?token=${token}`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', 'webhook-id': 'msg_same' },
        }),
      );
      expect(response.status).toBe(200);
    }
    expect(runs).toBe(2);
  });

  it('answers 200 handled:false for a type the router has no handler for', async () => {
    const seen: string[] = [];
    const router = createRouter()
      .on('link.click', (event) => void seen.push(`click:${event.type}`))
      .onAny((event) => void seen.push(`any:${event.type}`));
    const h = createWebhookHandler({ secret: SECRET, handler: router });
    const send = async (type: string) => {
      const body = envelope(type, {});
      return h(
        new Request('http://127.0.0.1/', { method: 'POST', body, headers: await signedHeaders(body) }),
      );
    };
    expect(await (await send('link.click')).json()).toEqual({ received: true });
    expect(seen).toEqual(['click:link.click', 'any:link.click']);
    const bare = createWebhookHandler({
      secret: SECRET,
      handler: createRouter().on('link.click', () => undefined),
    });
    const body = envelope('link.deleted', {});
    const response = await bare(
      new Request('http://127.0.0.1/', { method: 'POST', body, headers: await signedHeaders(body) }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, handled: false });
  });
});

describe('server timeouts protect the receiver from slow senders (#19)', () => {
  it('keeps Node defaults non-zero and answers 408 to a stalled body without running the handler', async () => {
    let runs = 0;
    const errors: unknown[] = [];
    const slow = await serveFetch(
      createWebhookHandler({
        logger: { error: (_message, error) => errors.push(error) },
        secret: SECRET,
        handler: () => {
          runs += 1;
        },
      }),
      (s) => {
        expect(s.headersTimeout).toBeGreaterThan(0);
        expect(s.requestTimeout).toBeGreaterThan(0);
        s.requestTimeout = 300;
        s.headersTimeout = 300;
        // Node checks the timeouts on this interval (default 30 s).
        (s as unknown as { connectionsCheckingInterval: number }).connectionsCheckingInterval = 50;
      },
    );
    try {
      const raw = [
        'POST /webhooks HTTP/1.1',
        `Host: ${new URL(slow.url).host}`,
        'Content-Length: 100',
        '',
        '{"metadata":',
      ].join('\r\n');
      const reply = await rawRequest(raw, slow.url, false);
      expect(reply).toMatch(/^HTTP\/1\.1 408/);
      expect(runs).toBe(0);
      // The aborted body read is the sender's doing (400 request_aborted), not an error worth logging.
      expect(errors).toEqual([]);
    } finally {
      await slow.close();
    }
  });
});

/** Sends raw bytes over TCP (to produce what fetch refuses to send) and returns the raw reply. */
function rawRequest(raw: string, base = server.url, end = true): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      if (end) {
        socket.end(raw);
      } else {
        socket.write(raw);
      }
    });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
  });
}
