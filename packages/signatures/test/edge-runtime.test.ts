import { readFileSync } from 'node:fs';
import { EdgeVM } from '@edge-runtime/vm';
import { describe, expect, it } from 'vitest';
import { vectors } from './vectors.js';

/*
 * Runs the BUILT bundle (dist/index.cjs, as published) inside @edge-runtime/vm, the Vercel Edge emulator:
 * no process, no node:crypto, only Web APIs. Build first (turbo's test task depends on build).
 */
const bundle = readFileSync(new URL('../dist/index.cjs', import.meta.url), 'utf8');

describe('edge runtime (@edge-runtime/vm) with the built bundle', () => {
  const vm = new EdgeVM();
  vm.evaluate(
    `var module = { exports: {} }; var exports = module.exports;\n${bundle}\n;globalThis.sig = module.exports;`,
  );

  it('has no process and falls back to Web Crypto', () => {
    expect(vm.evaluate('typeof process')).toBe('undefined');
    expect(vm.evaluate('sig.nodeCryptoBackend === undefined && sig.defaultCryptoBackend.name')).toBe(
      'webcrypto',
    );
  });

  it('passes every known-answer vector (sign and verify)', async () => {
    vm.context.vectorsJson = JSON.stringify(vectors);
    const failures: string[] = await vm.evaluate(`(async () => {
      const failures = [];
      const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      for (const { name, given, want } of JSON.parse(vectorsJson)) {
        const body = given.body === undefined ? given.parsedBody : bytes(given.body);
        if (want.signedHeaders) {
          const h = await sig.sign(given.scheme, { secrets: given.signingSecrets ?? given.secrets, body, id: given.id,
            timestamp: given.timestamp && new Date(given.timestamp) });
          if (JSON.stringify(h) !== JSON.stringify(want.signedHeaders)) failures.push('sign: ' + name);
        }
        try {
          const r = await sig.verify(given.scheme, { secrets: given.secrets, body, headers: given.headers, url: given.url,
            now: new Date(given.now), toleranceSeconds: given.toleranceSeconds, maxBodyBytes: given.maxBodyBytes });
          if (want.error || r.id !== want.id || r.timestamp?.toISOString() !== want.timestamp) failures.push('verify: ' + name);
        } catch (e) {
          if (!sig.isWebhookVerificationError(e) || e.code !== want.error) failures.push('verify: ' + name + ': ' + e);
        }
      }
      return failures;
    })()`);
    expect(failures).toEqual([]);
  });

  it('generates secrets and Ed25519 key pairs', async () => {
    const out = await vm.evaluate(`(async () => {
      const { secretKey, publicKey } = await sig.generateKeyPair();
      const scheme = sig.schemes.standard({ asymmetric: true });
      const headers = await sig.sign(scheme, { secret: secretKey, body: 'edge' });
      const r = await sig.verify(scheme, { secret: publicKey, body: 'edge', headers: new Headers(headers) });
      return [sig.generateSecret().slice(0, 6), r.id === headers['webhook-id']];
    })()`);
    expect(out).toEqual(['whsec_', true]);
  });
});
