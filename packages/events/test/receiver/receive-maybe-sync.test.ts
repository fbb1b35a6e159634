import { generateKeyPair, schemes } from '@hookwire/signatures';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { links } from '../../src/catalogs/links.js';
import { type AnyCatalog, defineCatalog } from '../../src/index.js';
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

/** `link.click` with a required `link_id`, in zod and valibot: both validate synchronously. */
const zodLinks = defineCatalog({ 'link.click': z.object({ link_id: z.string(), country: z.string() }) });
const valibotLinks = defineCatalog({ 'link.click': v.object({ link_id: v.string(), country: v.string() }) });

/** The same contract behind an async refinement: zod's `~standard.validate` then answers with a promise. */
const asyncLinks = defineCatalog({
  'link.click': z
    .object({ link_id: z.string(), country: z.string().optional() })
    .refine(async () => true, 'never fails'),
});

describe('receiveMaybeSync: the receiver without promises on a synchronous path', () => {
  it.each<[string, WebhookReceiverOptions<AnyCatalog | undefined>]>([
    ['dedupe off', { dedupe: false }],
    ['the in-memory dedupe store', {}],
    ['a catalog without validation', { catalog: links, validate: false }],
    ['a JSON Schema catalog (links)', { catalog: links }],
    ['a zod catalog', { catalog: zodLinks }],
    ['a valibot catalog', { catalog: valibotLinks }],
    ['the hmac scheme', { scheme: schemes.hmac({ header: 'x-signature' }) }],
    ['the timestamped scheme', { scheme: schemes.timestamped({ header: 'x-signature' }) }],
    ['the token scheme', { scheme: schemes.token({ header: 'x-token' }) }],
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
    const options = (catalog: AnyCatalog) => ({
      secret: SECRET,
      logger: quietLogger,
      maxBodyBytes: 512,
      catalog,
      onError: (_error: unknown, response: { code: string }) => codes.push(response.code),
    });
    const reference = await createWebhookReceiver(options(links)).receive(input);
    expect(reference.ok ? undefined : reference.response).toMatchObject({ status });
    expect(JSON.parse(reference.ok ? '{}' : reference.response.body)).toMatchObject({ status, code });
    // Synchronous validators (JSON Schema, zod): no promise at all. An async refinement: the promise fallback.
    const sync = await settle(() => createWebhookReceiver(options(links)).receiveMaybeSync(input));
    const syncZod = await settle(() => createWebhookReceiver(options(zodLinks)).receiveMaybeSync(input));
    const async = await settle(() => createWebhookReceiver(options(asyncLinks)).receiveMaybeSync(input));
    expect(sync.sync).toBe(true);
    expect(syncZod.sync).toBe(true);
    for (const got of [sync, syncZod, async]) {
      expect(got.thrown).toBeUndefined();
      const response = got.value?.ok === false ? got.value.response : undefined;
      expect(response?.status).toBe(status);
      if (code !== 'invalid_data') {
        // The issues come from each validator; everything else must be byte for byte the same.
        expect(response).toEqual(reference.ok ? undefined : reference.response);
      }
    }
    expect(codes).toEqual([code, code, code, code]);
  });

  it('falls back to a promise for an asynchronous catalog validator, and still accepts', async () => {
    const receiver = createWebhookReceiver({ secret: SECRET, logger: quietLogger, catalog: asyncLinks });
    const result = receiver.receiveMaybeSync(await signedInput());
    expect(result).toBeInstanceOf(Promise);
    const settled = await result;
    expect(settled.ok ? settled.event.data : undefined).toEqual({ link_id: 'lnk_1', country: 'FR' });
  });

  it('falls back to a promise for a scheme that verifies asynchronously, with the same answers', async () => {
    // Ed25519 keys import through a promise, even on node:crypto.
    const scheme = schemes.standard({ asymmetric: true });
    const { secretKey, publicKey } = await generateKeyPair();
    const receiver = createWebhookReceiver({ secret: publicKey, logger: quietLogger, scheme, dedupe: false });
    const body = envelope('link.click', {});
    const headers = await signedHeaders(body, { scheme, secret: secretKey });
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
