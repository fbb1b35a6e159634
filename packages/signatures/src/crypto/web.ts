import { utf8 } from '../bytes.js';
import { timingSafeEqual } from '../timing-safe-equal.js';
import { type CryptoBackend, concatBytes, KeyCache, PKCS8_ED25519_PREFIX } from './backend.js';

/* Web Crypto wants BufferSource; TypeScript 5.9 narrows that to ArrayBuffer-backed views. */
type Source = Uint8Array<ArrayBuffer>;

function message(head: string, body: string | Uint8Array, tail: string): Source {
  if (typeof body === 'string') {
    return utf8(head + body + tail) as Source;
  }
  if (head === '' && tail === '') {
    return (body.buffer instanceof ArrayBuffer ? body : body.slice()) as Source;
  }
  return concatBytes(utf8(head), body, utf8(tail)) as Source;
}

function subtle(): SubtleCrypto {
  return globalThis.crypto.subtle;
}

const hmacKeys = new KeyCache<Promise<CryptoKey>>();
const signKeys = new KeyCache<Promise<CryptoKey>>();
const verifyKeys = new KeyCache<Promise<CryptoKey>>();

/** Web Crypto (`crypto.subtle`): Node, Deno, Bun, browsers, Cloudflare Workers, Vercel Edge. */
export const webCryptoBackend: CryptoBackend = {
  name: 'webcrypto',
  timingSafeEqual,
  async hmacSha256(key, head, body, tail) {
    const k = await hmacKeys.get(key, (copy) =>
      subtle().importKey('raw', copy as Source, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
    );
    return new Uint8Array(await subtle().sign('HMAC', k, message(head, body, tail)));
  },
  async sha256(data) {
    return new Uint8Array(await subtle().digest('SHA-256', message('', data, '')));
  },
  async ed25519Sign(seed, head, body, tail) {
    const k = await signKeys.get(seed, (copy) =>
      subtle().importKey(
        'pkcs8',
        concatBytes(PKCS8_ED25519_PREFIX, copy) as Source,
        { name: 'Ed25519' },
        false,
        ['sign'],
      ),
    );
    return new Uint8Array(await subtle().sign('Ed25519', k, message(head, body, tail)));
  },
  async ed25519Verify(publicKey, head, body, tail, signature) {
    const k = await verifyKeys.get(publicKey, (copy) =>
      subtle().importKey('raw', copy as Source, { name: 'Ed25519' }, false, ['verify']),
    );
    return subtle().verify('Ed25519', k, signature as Source, message(head, body, tail));
  },
  async ed25519PublicKey(seed) {
    const k = await subtle().importKey(
      'pkcs8',
      concatBytes(PKCS8_ED25519_PREFIX, seed) as Source,
      { name: 'Ed25519' },
      true,
      ['sign'],
    );
    const jwk = await subtle().exportKey('jwk', k);
    const x = (jwk.x ?? '').replace(/-/g, '+').replace(/_/g, '/');
    return Uint8Array.from(atob(x), (c) => c.charCodeAt(0));
  },
};
