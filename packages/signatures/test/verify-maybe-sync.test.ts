import { describe, expect, it } from 'vitest';
import {
  generateKeyPair,
  isWebhookVerificationError,
  nodeCryptoBackend,
  type Scheme,
  schemes,
  sign,
  type VerifyOptions,
  type VerifyResult,
  verify,
  verifyMaybeSync,
  webCryptoBackend,
} from '../src/index.js';
import { backends } from './backends.js';
import { type VectorCase, vectors } from './vectors.js';

function options(given: VectorCase['given'], crypto: VerifyOptions['crypto']): VerifyOptions {
  return {
    secrets: given.secrets,
    body: (given.body === undefined
      ? given.parsedBody
      : new Uint8Array(Buffer.from(given.body, 'base64'))) as Uint8Array,
    headers: given.headers,
    url: given.url,
    now: new Date(given.now),
    toleranceSeconds: given.toleranceSeconds,
    maxBodyBytes: given.maxBodyBytes,
    crypto,
  };
}

type Outcome = { sync: boolean; value?: VerifyResult; error?: unknown };

/** Runs `verifyMaybeSync` and records whether it answered in the call, and with what. */
async function outcome(scheme: Scheme, opts: VerifyOptions): Promise<Outcome> {
  let result: VerifyResult | Promise<VerifyResult>;
  try {
    result = verifyMaybeSync(scheme, opts);
  } catch (error) {
    return { sync: true, error };
  }
  if (result instanceof Promise) {
    return result.then(
      (value) => ({ sync: false, value }),
      (error: unknown) => ({ sync: false, error }),
    );
  }
  return { sync: true, value: result };
}

/** The schemes whose verifier runs synchronously on node:crypto: all but Ed25519 (keys import through a promise). */
function syncOnNode(scheme: Scheme): boolean {
  return !(scheme.kind === 'standard' && scheme.asymmetric);
}

describe.each(backends)('verifyMaybeSync over test-vectors/signatures.json with %s', (name, backend) => {
  it.each(vectors.map((c) => [c.name, c] as const))(
    '%s: same answer as verify',
    async (_n, { given, want }) => {
      const got = await outcome(given.scheme, options(given, backend));
      const reference = await verify(given.scheme, options(given, backend)).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      if ('error' in want) {
        expect(isWebhookVerificationError(got.error), String(got.error)).toBe(true);
        expect(got.error).toMatchObject({ code: want.error });
        expect(got.error).toEqual((reference as { error: unknown }).error);
      } else {
        expect(got.error).toBeUndefined();
        expect(got.value?.id).toBe(want.id);
        expect(got.value?.timestamp?.toISOString()).toBe(want.timestamp);
        expect(got.value).toEqual((reference as { value: VerifyResult }).value);
      }
      if (backend.name === 'webcrypto') {
        // Web Crypto is asynchronous: only checks that fail before any cryptography answer in the call.
        if (!got.sync) {
          expect(got.value ?? got.error).toBeDefined();
        }
        return;
      }
      if (name.startsWith('node:crypto') && syncOnNode(given.scheme)) {
        expect(got.sync).toBe(true);
      }
    },
  );
});

describe('verifyMaybeSync', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const body = '{"type":"link.click"}';

  it('returns a plain result, not a promise, on node:crypto', async () => {
    const headers = await sign(schemes.standard(), { secret, body, id: 'msg_1' });
    const result = verifyMaybeSync(schemes.standard(), { secret, body, headers, crypto: nodeCryptoBackend });
    expect(result).not.toBeInstanceOf(Promise);
    expect((result as VerifyResult).id).toBe('msg_1');
  });

  it('throws synchronously on node:crypto and rejects on Web Crypto, with the same error', async () => {
    const headers = await sign(schemes.standard(), { secret, body, id: 'msg_2' });
    const tampered = `${body} `;
    let thrown: unknown;
    try {
      verifyMaybeSync(schemes.standard(), { secret, body: tampered, headers, crypto: nodeCryptoBackend });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'no_matching_signature' });
    const pending = verifyMaybeSync(schemes.standard(), {
      secret,
      body: tampered,
      headers,
      crypto: webCryptoBackend,
    });
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toEqual(thrown);
  });

  it('returns a promise for Web Crypto and for Ed25519 keys', async () => {
    const headers = await sign(schemes.standard(), { secret, body, id: 'msg_3' });
    const web = verifyMaybeSync(schemes.standard(), { secret, body, headers, crypto: webCryptoBackend });
    expect(web).toBeInstanceOf(Promise);
    expect((await web).id).toBe('msg_3');
    const { secretKey, publicKey } = await generateKeyPair();
    const ed25519 = schemes.standard({ asymmetric: true });
    const signed = await sign(ed25519, { secret: secretKey, body, id: 'msg_4' });
    const pending = verifyMaybeSync(ed25519, {
      secret: publicKey,
      body,
      headers: signed,
      crypto: nodeCryptoBackend,
    });
    expect(pending).toBeInstanceOf(Promise);
    expect((await pending).id).toBe('msg_4');
  });
});

describe('verifyMaybeSync: timestamped and token (#3)', () => {
  const body = '{"type":"link.click"}';
  const now = new Date('2026-11-23T10:00:00Z');

  it('timestamped answers in the call on node:crypto and through a promise on Web Crypto', async () => {
    const scheme = schemes.timestamped({ header: 'stripe-signature' });
    const headers = await sign(scheme, { secret: 'sk_test', body, timestamp: now });
    const opts = { secret: 'sk_test', body, headers, now };
    const sync = verifyMaybeSync(scheme, { ...opts, crypto: nodeCryptoBackend });
    expect(sync).not.toBeInstanceOf(Promise);
    expect((sync as VerifyResult).timestamp).toEqual(now);
    const web = verifyMaybeSync(scheme, { ...opts, crypto: webCryptoBackend });
    expect(web).toBeInstanceOf(Promise);
    expect(await web).toEqual(sync);
    expect(() => verifyMaybeSync(scheme, { ...opts, body: `${body} `, crypto: nodeCryptoBackend })).toThrow(
      expect.objectContaining({ code: 'no_matching_signature' }),
    );
  });

  it('token answers in the call on node:crypto and through a promise on Web Crypto', async () => {
    const scheme = schemes.token({ header: 'x-token' });
    const opts = { secrets: ['old-token', 'new-token'], body, headers: { 'x-token': 'new-token' } };
    const sync = verifyMaybeSync(scheme, { ...opts, crypto: nodeCryptoBackend });
    expect(sync).toEqual({});
    const web = verifyMaybeSync(scheme, { ...opts, crypto: webCryptoBackend });
    expect(web).toBeInstanceOf(Promise);
    expect(await web).toEqual({});
    expect(() =>
      verifyMaybeSync(scheme, { ...opts, headers: { 'x-token': 'other' }, crypto: nodeCryptoBackend }),
    ).toThrow(expect.objectContaining({ code: 'no_matching_signature' }));
  });

  it('token: a hash that turns asynchronous part-way still compares every configured token', async () => {
    const node = nodeCryptoBackend!;
    // The presented token hashes synchronously, every configured one through a promise.
    const halfAsync = (): typeof node => {
      let calls = 0;
      return {
        ...node,
        sha256: (data) => (calls++ === 0 ? node.sha256(data) : Promise.resolve(node.sha256(data))),
      };
    };
    const scheme = schemes.token({ header: 'x-token' });
    const secrets = ['first', 'second', 'third'];
    const hit = verifyMaybeSync(scheme, {
      secrets,
      body,
      headers: { 'x-token': 'third' },
      crypto: halfAsync(),
    });
    expect(hit).toBeInstanceOf(Promise);
    expect(await hit).toEqual({});
    const miss = verifyMaybeSync(scheme, {
      secrets,
      body,
      headers: { 'x-token': 'fourth' },
      crypto: halfAsync(),
    });
    await expect(miss).rejects.toMatchObject({ code: 'no_matching_signature' });
  });
});
