/**
 * The few primitives the schemes need. Two implementations exist: `node:crypto` (synchronous, fastest on Node)
 * and Web Crypto (`crypto.subtle`, every runtime). A signed message is always `head + body + tail`, so no
 * implementation has to concatenate the body into a new buffer.
 */
export interface CryptoBackend {
  /** `'node:crypto'` or `'webcrypto'`. */
  readonly name: string;
  /** HMAC-SHA256 of `head + body + tail` (strings are UTF-8). */
  hmacSha256(
    key: Uint8Array,
    head: string,
    body: string | Uint8Array,
    tail: string,
  ): Uint8Array | Promise<Uint8Array>;
  /**
   * Optional fast path: the same HMAC, already encoded (standard padded base64 or lower-case hex). node:crypto
   * encodes natively, so verifiers compare strings instead of decoding every presented signature into bytes.
   */
  hmacSha256Text?(
    key: Uint8Array,
    head: string,
    body: string | Uint8Array,
    tail: string,
    encoding: 'base64' | 'hex',
  ): string;
  /** SHA-256 of bytes. */
  sha256(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** Ed25519 signature of `head + body + tail` with a 32-byte seed. */
  ed25519Sign(
    seed: Uint8Array,
    head: string,
    body: string | Uint8Array,
    tail: string,
  ): Uint8Array | Promise<Uint8Array>;
  /** Ed25519 verification against a 32-byte raw public key. */
  ed25519Verify(
    publicKey: Uint8Array,
    head: string,
    body: string | Uint8Array,
    tail: string,
    signature: Uint8Array,
  ): boolean | Promise<boolean>;
  /** The 32-byte raw public key of a 32-byte seed. */
  ed25519PublicKey(seed: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** Constant-time comparison (equal lengths only matter; different lengths return false). */
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
}

/** DER prefixes that turn a raw Ed25519 seed / public key into PKCS#8 / SPKI (RFC 8410). */
export const PKCS8_ED25519_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
export const SPKI_ED25519_PREFIX = new Uint8Array([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) {
    n += p.byteLength;
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/**
 * A cache keyed by a byte array's identity that also checks the bytes still match, so a caller mutating a
 * `Uint8Array` secret after first use can never get a stale key. Comparing a secret with its own copy leaks
 * nothing.
 */
export class KeyCache<T> {
  readonly #map = new WeakMap<Uint8Array, { copy: Uint8Array; value: T }>();

  get(key: Uint8Array, create: (key: Uint8Array) => T): T {
    const hit = this.#map.get(key);
    if (hit !== undefined && (internalKeys.has(key) || sameBytes(hit.copy, key))) {
      return hit.value;
    }
    const copy = key.slice();
    const value = create(copy);
    this.#map.set(key, { copy, value });
    return value;
  }
}

/* Key arrays decoded from string secrets by keys.ts: never handed out, never mutated, so no need to re-check. */
const internalKeys = new WeakSet<Uint8Array>();

/** Marks a key array as owned by this package (see KeyCache). */
export function markInternalKey(key: Uint8Array): Uint8Array {
  internalKeys.add(key);
  return key;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) {
    return false;
  }
  for (let i = 0; i < a.byteLength; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}
