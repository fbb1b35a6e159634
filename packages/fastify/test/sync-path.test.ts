import { EventEmitter } from 'node:events';
import { generateKeyPair, type Scheme, schemes, sign } from '@hookwire/signatures';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DedupeStore, hookwire } from '../src/index.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
// Ed25519 keys import through a promise even on node:crypto: the scheme that still takes the promise path.
const async = schemes.standard({ asymmetric: true });
const keys = await generateKeyPair();
const timestamped = schemes.timestamped({ header: 'x-signature' });
let counter = 0;

function envelope(data: unknown = {}): { id: string; body: string } {
  counter += 1;
  const id = `msg_sync${Date.now().toString(36)}${counter}`;
  const body = JSON.stringify({
    metadata: {
      id,
      apiVersion: '2026-02-09',
      eventType: 'link.click',
      eventTime: '2026-11-23T10:00:00.000Z',
    },
    data,
  });
  return { id, body };
}

async function signed(body: string, scheme: Scheme = schemes.standard(), id?: string) {
  const secret = scheme === async ? keys.secretKey : SECRET;
  const headers = await sign(scheme, { secret, body, id, timestamp: new Date() });
  return { 'content-type': 'application/json', ...headers };
}

/**
 * A request body stream whose `end` we emit ourselves: a route handler that runs while `end` is being emitted
 * proves the body parser called `done` synchronously (Fastify reads the body, then parses, in that event).
 */
class ControlledBody extends EventEmitter {
  insideEnd = false;
  private readonly bytes: Buffer;
  constructor(bytes: Buffer) {
    super();
    this.bytes = bytes;
  }
  resume(): this {
    setImmediate(() => {
      this.emit('data', this.bytes);
      this.insideEnd = true;
      this.emit('end');
      this.insideEnd = false;
    });
    return this;
  }
}

describe('@hookwire/fastify: synchronous body parser, promise fallback', () => {
  let app: FastifyInstance;
  let current: ControlledBody | undefined;
  /** Per route: whether its handler last ran while the body stream was emitting `end`. */
  const ranInsideEnd = new Map<string, boolean>();
  const claims = new Set<string>();
  const asyncStore: DedupeStore = {
    claim: async (id) => {
      if (claims.has(id)) {
        return 'completed';
      }
      claims.add(id);
      return 'claimed';
    },
    complete: async () => undefined,
    release: async (id) => {
      claims.delete(id);
    },
  };
  const route = (path: string, webhook: object) =>
    app.post(
      path,
      {
        config: { webhook },
        preParsing: (_request, _reply, payload, done) => {
          const chunks: Buffer[] = [];
          payload.on('data', (c: Buffer) => chunks.push(c));
          payload.on('end', () => {
            current = new ControlledBody(Buffer.concat(chunks));
            done(null, current as never);
          });
        },
      },
      async (request) => {
        ranInsideEnd.set(path, current?.insideEnd ?? false);
        return { id: request.webhook?.id };
      },
    );

  beforeAll(async () => {
    app = Fastify();
    await app.register(hookwire, { secret: SECRET });
    route('/sync', { dedupe: false });
    route('/sync-memory-dedupe', {});
    route('/async-dedupe', { dedupe: asyncStore });
    route('/sync-timestamped', { scheme: timestamped, dedupe: false });
    route('/async-scheme', { scheme: async, secret: keys.publicKey, dedupe: false });
    app.post(
      '/store-throws',
      {
        config: {
          webhook: {
            dedupe: {
              claim: () => {
                throw new Error('store down');
              },
              complete: () => undefined,
              release: () => undefined,
            },
          },
        },
      },
      async () => ({}),
    );
    app.post(
      '/store-rejects',
      {
        config: {
          webhook: {
            dedupe: {
              claim: () => Promise.reject(new Error('store down')),
              complete: () => undefined,
              release: () => undefined,
            },
          },
        },
      },
      async () => ({}),
    );
    app.post('/this', { config: { webhook: { dedupe: false } } }, function (this: FastifyInstance, request) {
      return { same: this === app, id: request.webhook?.id };
    });
    await app.ready();
  });
  afterAll(() => app.close());

  const post = (url: string, payload: string, headers: Record<string, string>) =>
    app.inject({ method: 'POST', url, payload, headers });

  it.each(['/sync', '/sync-memory-dedupe'])(
    'runs %s to the handler inside the body stream end',
    async (path) => {
      const { id, body } = envelope();
      const response = await post(path, body, await signed(body, schemes.standard(), id));
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ id });
      expect(ranInsideEnd.get(path)).toBe(true);
    },
  );

  it('runs a timestamped-scheme route to the handler inside the body stream end too (#3)', async () => {
    const { id, body } = envelope();
    const response = await post('/sync-timestamped', body, await signed(body, timestamped));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id });
    expect(ranInsideEnd.get('/sync-timestamped')).toBe(true);
  });

  it('calls the route handler with the Fastify instance as `this`, and refuses other content types first', async () => {
    const { id, body } = envelope();
    const ok = await post('/this', body, await signed(body, schemes.standard(), id));
    expect(ok.json()).toEqual({ same: true, id });
    const plain = await post('/this', body, { ...(await signed(body)), 'content-type': 'text/plain' });
    expect(plain.statusCode).toBe(415);
    expect(plain.json()).toMatchObject({ code: 'unsupported_media_type' });
  });

  it('falls back to a promise for an asynchronous dedupe store, and still dedupes', async () => {
    const { id, body } = envelope();
    const headers = await signed(body, schemes.standard(), id);
    const first = await post('/async-dedupe', body, headers);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ id });
    expect(ranInsideEnd.get('/async-dedupe')).toBe(false);
    const again = await post('/async-dedupe', body, headers);
    expect(again.json()).toEqual({ received: true, duplicate: true });
  });

  it('falls back to a promise for a scheme that verifies asynchronously', async () => {
    const { id, body } = envelope();
    const response = await post('/async-scheme', body, await signed(body, async));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id });
    expect(ranInsideEnd.get('/async-scheme')).toBe(false);
  });

  it.each<
    [string, (scheme: Scheme) => Promise<{ body: string; headers: Record<string, string> }>, number, string]
  >([
    [
      'tampered',
      async (scheme) => {
        const { body } = envelope({ n: 1 });
        return { body: body.replace('1', '2'), headers: await signed(body, scheme) };
      },
      401,
      'no_matching_signature',
    ],
    [
      'unsigned',
      async () => ({ body: envelope().body, headers: { 'content-type': 'application/json' } }),
      401,
      'missing_header',
    ],
    [
      'not an envelope',
      async (scheme) => ({ body: '{"x":1}', headers: await signed('{"x":1}', scheme) }),
      400,
      'invalid_envelope',
    ],
    [
      'not JSON',
      async (scheme) => ({ body: 'nope', headers: await signed('nope', scheme) }),
      400,
      'invalid_json',
    ],
  ])('answers a %s request alike on the synchronous and the promise path', async (_n, make, status, code) => {
    const answers = [];
    for (const [path, scheme] of [
      ['/sync', schemes.standard()],
      ['/async-scheme', async],
    ] as const) {
      const { body, headers } = await make(scheme);
      const response = await post(path, body, headers);
      answers.push({
        status: response.statusCode,
        type: response.headers['content-type'],
        code: response.json().code,
      });
    }
    expect(answers[0]).toEqual({ status, type: expect.stringMatching(/^application\/problem\+json/), code });
    expect(answers[1]).toEqual(answers[0]);
  });

  it.each(['/store-throws', '/store-rejects'])(
    'answers a dedupe store failure (%s) with a 500 and never calls the route',
    async (path) => {
      const { id, body } = envelope();
      const response = await post(path, body, await signed(body, schemes.standard(), id));
      expect(response.statusCode).toBe(500);
      expect(response.json()).toMatchObject({ message: 'store down' });
    },
  );
});
