import { schemes } from '@hookwire/signatures';
import { describe, expect, it } from 'vitest';
import { links } from '../../src/catalogs/links.js';
import type { ValidationResult } from '../../src/index.js';
import {
  createWebhookReceiver,
  type DedupeStore,
  type RawWebhookRequest,
  type ReceiveResult,
  type WebhookReceiverOptions,
} from '../../src/receiver/index.js';
import { envelope, nextId, SECRET, signedHeaders } from './fixtures.js';

const quietLogger = { error: () => undefined };
const encode = (text: string) => new TextEncoder().encode(text);

async function signedInput(
  body = envelope('link.click', { link_id: 'lnk_1', country: 'FR' }),
): Promise<RawWebhookRequest> {
  return { body: encode(body), headers: await signedHeaders(body) };
}

/** What a call gave back, and whether it answered without a promise. */
async function settle<T>(
  call: () => T | Promise<T>,
): Promise<{ sync: boolean; value?: T; thrown?: unknown }> {
  let result: T | Promise<T>;
  try {
    result = call();
  } catch (thrown) {
    return { sync: true, thrown };
  }
  if (result instanceof Promise) {
    return result.then(
      (value) => ({ sync: false, value }),
      (thrown: unknown) => ({ sync: false, thrown }),
    );
  }
  return { sync: true, value: result };
}

/** The parts of a result that must not depend on the path taken (`settle` is a fresh closure each time). */
function comparable<E>(result: ReceiveResult<E> | undefined) {
  return result?.ok ? { ok: true, event: result.event } : result;
}

/** The `links` catalog answering synchronously, as a hand-written catalog may (the type says Promise). */
const syncLinks: typeof links = Object.assign(Object.create(links) as typeof links, {
  validate: ((type: string, data: unknown): ValidationResult =>
    type === 'link.click' && typeof (data as { link_id?: unknown }).link_id === 'string'
      ? { ok: true, value: data }
      : {
          ok: false,
          issues: [{ message: 'link_id is required', path: ['link_id'] }],
        }) as unknown as (typeof links)['validate'],
});

describe('receiveMaybeSync: the receiver without promises on a synchronous path', () => {
  it.each<[string, WebhookReceiverOptions<typeof links | undefined>]>([
    ['dedupe off', { dedupe: false }],
    ['the in-memory dedupe store', {}],
    ['a catalog without validation', { catalog: links, validate: false }],
    ['a synchronous catalog validator', { catalog: syncLinks }],
    ['the hmac scheme', { scheme: schemes.hmac({ header: 'x-signature' }) }],
  ])('answers in the call with %s, as receive() does', async (_n, extra) => {
    const receiver = createWebhookReceiver({ secret: SECRET, logger: quietLogger, ...extra });
    const other = createWebhookReceiver({ secret: SECRET, logger: quietLogger, ...extra });
    const body = envelope('link.click', { link_id: 'lnk_1', country: 'FR' });
    const input: RawWebhookRequest = {
      body: encode(body),
      headers: await signedHeaders(body, { scheme: extra.scheme }),
    };
    const result = receiver.receiveMaybeSync(input);
    expect(result).not.toBeInstanceOf(Promise);
    expect((result as ReceiveResult<unknown>).ok).toBe(true);
    expect(comparable(result as ReceiveResult<unknown>)).toEqual(comparable(await other.receive(input)));
  });

  it('answers a redelivery (in-memory dedupe) in the call too', async () => {
    const receiver = createWebhookReceiver({ secret: SECRET, logger: quietLogger });
    const input = await signedInput();
    const first = receiver.receiveMaybeSync(input) as ReceiveResult<unknown>;
    expect(first.ok).toBe(true);
    const inProgress = receiver.receiveMaybeSync(input) as ReceiveResult<unknown>;
    expect(inProgress.ok ? undefined : inProgress.response.status).toBe(409);
    if (first.ok) {
      await first.settle('completed');
    }
    const duplicate = receiver.receiveMaybeSync(input) as ReceiveResult<unknown>;
    expect(duplicate.ok ? undefined : duplicate.response.body).toBe('{"received":true,"duplicate":true}');
  });

  const failures: [string, () => Promise<RawWebhookRequest>, number, string][] = [
    [
      'a tampered body',
      async () => ({ ...(await signedInput()), body: encode('{"tampered":true}') }),
      401,
      'no_matching_signature',
    ],
    [
      'no signature',
      async () => ({ body: encode(envelope('link.click', {})), headers: {} }),
      401,
      'missing_header',
    ],
    [
      'a stale timestamp',
      async () => {
        const body = envelope('link.click', {});
        return {
          body: encode(body),
          headers: await signedHeaders(body, { timestamp: new Date(Date.now() - 6e5) }),
        };
      },
      401,
      'timestamp_too_old',
    ],
    [
      'a body over maxBodyBytes',
      async () => signedInput(envelope('link.click', { pad: 'x'.repeat(600) })),
      413,
      'body_too_large',
    ],
    ['a body that is not JSON', async () => signedInput('nope'), 400, 'invalid_json'],
    ['JSON that is no envelope', async () => signedInput('{"x":1}'), 400, 'invalid_envelope'],
    [
      'a type outside the catalog',
      async () => signedInput(envelope('link.clicked', {})),
      400,
      'unknown_event_type',
    ],
    [
      'data the catalog refuses',
      async () => signedInput(envelope('link.click', { country: 'FR' })),
      400,
      'invalid_data',
    ],
  ];

  it.each(failures)('maps %s exactly as receive() does, on every path', async (_n, make, status, code) => {
    const input = await make();
    const codes: string[] = [];
    const options = (catalog: typeof links) => ({
      secret: SECRET,
      logger: quietLogger,
      maxBodyBytes: 512,
      catalog,
      onError: (_error: unknown, response: { code: string }) => codes.push(response.code),
    });
    const reference = await createWebhookReceiver(options(links)).receive(input);
    expect(reference.ok ? undefined : reference.response).toMatchObject({ status });
    expect(JSON.parse(reference.ok ? '{}' : reference.response.body)).toMatchObject({ status, code });
    // Synchronous validator: no promise at all. Async validator (the real `links`): the promise fallback.
    const sync = await settle(() => createWebhookReceiver(options(syncLinks)).receiveMaybeSync(input));
    const async = await settle(() => createWebhookReceiver(options(links)).receiveMaybeSync(input));
    expect(sync.sync).toBe(true);
    for (const got of [sync, async]) {
      expect(got.thrown).toBeUndefined();
      const response = got.value?.ok === false ? got.value.response : undefined;
      expect(response?.status).toBe(status);
      if (code !== 'invalid_data') {
        // The issues come from each validator; everything else must be byte for byte the same.
        expect(response).toEqual(reference.ok ? undefined : reference.response);
      }
    }
    expect(codes).toEqual([code, code, code]);
  });

  it('falls back to a promise for an asynchronous catalog validator, and still accepts', async () => {
    const receiver = createWebhookReceiver({ secret: SECRET, logger: quietLogger, catalog: links });
    const result = receiver.receiveMaybeSync(await signedInput());
    expect(result).toBeInstanceOf(Promise);
    const settled = await result;
    expect(settled.ok ? settled.event.data : undefined).toEqual({ link_id: 'lnk_1', country: 'FR' });
  });

  it('falls back to a promise for a scheme that verifies asynchronously, with the same answers', async () => {
    const scheme = schemes.timestamped({ header: 'x-signature' });
    const receiver = createWebhookReceiver({ secret: SECRET, logger: quietLogger, scheme, dedupe: false });
    const body = envelope('link.click', {});
    const headers = await signedHeaders(body, { scheme });
    const ok = receiver.receiveMaybeSync({ body: encode(body), headers });
    expect(ok).toBeInstanceOf(Promise);
    expect((await ok).ok).toBe(true);
    const bad = receiver.receiveMaybeSync({ body: encode(`${body} `), headers });
    const reference = await receiver.receive({ body: encode(`${body} `), headers });
    expect(bad).toBeInstanceOf(Promise);
    expect(await bad).toEqual(reference);
    expect(reference.ok ? undefined : reference.response.status).toBe(401);
  });

  it('falls back to a promise for an asynchronous dedupe store', async () => {
    const claimed = new Set<string>();
    const dedupe: DedupeStore = {
      claim: async (id) => {
        if (claimed.has(id)) {
          return 'in_progress';
        }
        claimed.add(id);
        return 'claimed';
      },
      complete: async () => undefined,
      release: async (id) => {
        claimed.delete(id);
      },
    };
    const receiver = createWebhookReceiver({ secret: SECRET, logger: quietLogger, dedupe });
    const input = await signedInput(envelope('link.click', {}, nextId()));
    const first = receiver.receiveMaybeSync(input);
    expect(first).toBeInstanceOf(Promise);
    expect((await first).ok).toBe(true);
    const second = await receiver.receiveMaybeSync(input);
    expect(second.ok ? undefined : second.response.status).toBe(409);
  });

  it('throws a synchronous dedupe store failure and rejects an asynchronous one, as receive() rejects', async () => {
    const failing = (claim: DedupeStore['claim']) =>
      createWebhookReceiver({
        secret: SECRET,
        logger: quietLogger,
        dedupe: { claim, complete: () => undefined, release: () => undefined },
      });
    const input = await signedInput();
    const throwing = failing(() => {
      throw new Error('store down');
    });
    expect(() => throwing.receiveMaybeSync(input)).toThrow('store down');
    await expect(throwing.receive(input)).rejects.toThrow('store down');
    const rejecting = failing(() => Promise.reject(new Error('store down')));
    const pending = rejecting.receiveMaybeSync(input);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toThrow('store down');
  });

  it('keeps receive() a promise on the synchronous path', async () => {
    const receiver = createWebhookReceiver({ secret: SECRET, logger: quietLogger, dedupe: false });
    const pending = receiver.receive(await signedInput());
    expect(pending).toBeInstanceOf(Promise);
    expect((await pending).ok).toBe(true);
  });
});
