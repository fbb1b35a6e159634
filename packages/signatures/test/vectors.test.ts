import { describe, expect, it } from 'vitest';
import { isWebhookVerificationError, sign, verificationErrorCodes, verify } from '../src/index.js';
import { backends } from './backends.js';
import { type VectorCase, vectors } from './vectors.js';

function body(given: VectorCase['given']): unknown {
  return given.body === undefined ? given.parsedBody : new Uint8Array(Buffer.from(given.body, 'base64'));
}

describe.each(backends)('test-vectors/signatures.json with %s', (_name, backend) => {
  it('has cases for every scheme and every error code', () => {
    const kinds = new Set(vectors.map((c) => c.given.scheme.kind));
    expect([...kinds].sort()).toEqual(['hmac', 'standard', 'timestamped', 'token']);
    const codes = new Set(vectors.flatMap((c) => ('error' in c.want ? [c.want.error] : [])));
    expect([...codes].sort()).toEqual([...verificationErrorCodes].sort());
  });

  const signing = vectors.filter((c) => 'ok' in c.want && c.want.signedHeaders !== undefined);
  it.each(signing.map((c) => [c.name, c] as const))('sign: %s', async (_n, { given, want }) => {
    const headers = await sign(given.scheme, {
      secrets: given.signingSecrets ?? given.secrets,
      body: body(given) as Uint8Array,
      id: given.id,
      timestamp: given.timestamp === undefined ? undefined : new Date(given.timestamp),
      crypto: backend,
    });
    expect(headers).toEqual((want as { signedHeaders: Record<string, string> }).signedHeaders);
  });

  it.each(vectors.map((c) => [c.name, c] as const))('verify: %s', async (_n, { given, want }) => {
    const run = verify(given.scheme, {
      secrets: given.secrets,
      body: body(given) as Uint8Array,
      headers: given.headers,
      url: given.url,
      now: new Date(given.now),
      toleranceSeconds: given.toleranceSeconds,
      maxBodyBytes: given.maxBodyBytes,
      crypto: backend,
    });
    if ('error' in want) {
      const error = await run.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isWebhookVerificationError(error), String(error)).toBe(true);
      expect(error).toMatchObject({ code: want.error });
      return;
    }
    const result = await run;
    expect(result.id).toBe(want.id);
    expect(result.timestamp?.toISOString()).toBe(want.timestamp);
  });
});
