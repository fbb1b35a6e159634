import { timingSafeEqual } from '../timing-safe-equal.js';
import {
  type CryptoBackend,
  concatBytes,
  KeyCache,
  PKCS8_ED25519_PREFIX,
  SPKI_ED25519_PREFIX,
} from './backend.js';

/*
 * The slice of node:crypto we use, typed here so the published types never depend on @types/node.
 * Node's createHmac over a KeyObject is synchronous and hashes a string without first copying it into a
 * buffer: about 30x faster than crypto.subtle for a 4 KiB body because there is no promise and no thread hop.
 */
interface NodeHmac {
  update(data: string | Uint8Array, encoding?: 'utf8'): NodeHmac;
  digest(): Uint8Array;
  digest(encoding: 'base64' | 'hex'): string;
}
interface NodeKeyObject {
  export(options: { format: 'der'; type: 'spki' }): Uint8Array;
}
interface NodeCrypto {
  createHmac(algorithm: 'sha256', key: NodeKeyObject): NodeHmac;
  createHash(algorithm: 'sha256'): NodeHmac;
  createSecretKey(key: Uint8Array): NodeKeyObject;
  createPrivateKey(options: { key: Uint8Array; format: 'der'; type: 'pkcs8' }): NodeKeyObject;
  createPublicKey(options: NodeKeyObject | { key: Uint8Array; format: 'der'; type: 'spki' }): NodeKeyObject;
  sign(algorithm: null, data: Uint8Array, key: NodeKeyObject): Uint8Array;
  verify(algorithm: null, data: Uint8Array, key: NodeKeyObject, signature: Uint8Array): boolean;
}

/**
 * `node:crypto`, found synchronously through `process.getBuiltinModule` (Node >= 20.16, Bun, Deno 2) so the
 * module stays loadable on edge runtimes, where this returns `undefined`.
 */
export function loadNodeCrypto(
  proc: { getBuiltinModule?: (id: string) => unknown } | null | undefined = (
    globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
  ).process,
): NodeCrypto | undefined {
  try {
    const mod =
      typeof proc?.getBuiltinModule === 'function' ? proc.getBuiltinModule('node:crypto') : undefined;
    return mod as NodeCrypto | undefined;
  } catch {
    // Next.js's Edge runtime defines `process` as a guard whose unsupported members throw
    // ("A Node.js API is used (process.getBuiltinModule) which is not supported in the Edge Runtime").
    return undefined;
  }
}

const enc = new TextEncoder();

function messageBytes(head: string, body: string | Uint8Array, tail: string): Uint8Array {
  if (typeof body === 'string') {
    return enc.encode(head + body + tail);
  }
  return head === '' && tail === '' ? body : concatBytes(enc.encode(head), body, enc.encode(tail));
}

/** Builds the node:crypto backend around a loaded module. */
export function createNodeCryptoBackend(nc: NodeCrypto): CryptoBackend {
  const hmacKeys = new KeyCache<NodeKeyObject>();
  const privateKeys = new KeyCache<NodeKeyObject>();
  const publicKeys = new KeyCache<NodeKeyObject>();
  const privateKey = (seed: Uint8Array) =>
    privateKeys.get(seed, (copy) =>
      nc.createPrivateKey({ key: concatBytes(PKCS8_ED25519_PREFIX, copy), format: 'der', type: 'pkcs8' }),
    );
  // Made once: an arrow written inline below would be a new closure on every HMAC.
  const createSecretKey = (copy: Uint8Array) => nc.createSecretKey(copy);
  const hmacOf = (key: Uint8Array, head: string, body: string | Uint8Array, tail: string): NodeHmac => {
    const h = nc.createHmac('sha256', hmacKeys.get(key, createSecretKey));
    if (head !== '') {
      h.update(head, 'utf8');
    }
    if (typeof body === 'string') {
      h.update(body, 'utf8');
    } else {
      h.update(body);
    }
    if (tail !== '') {
      h.update(tail, 'utf8');
    }
    return h;
  };
  return {
    name: 'node:crypto',
    hmacSha256(key, head, body, tail) {
      return hmacOf(key, head, body, tail).digest();
    },
    hmacSha256Text(key, head, body, tail, encoding) {
      return hmacOf(key, head, body, tail).digest(encoding);
    },
    sha256(data) {
      return nc.createHash('sha256').update(data).digest();
    },
    ed25519Sign(seed, head, body, tail) {
      return nc.sign(null, messageBytes(head, body, tail), privateKey(seed));
    },
    ed25519Verify(publicKey, head, body, tail, signature) {
      const key = publicKeys.get(publicKey, (copy) =>
        nc.createPublicKey({ key: concatBytes(SPKI_ED25519_PREFIX, copy), format: 'der', type: 'spki' }),
      );
      return nc.verify(null, messageBytes(head, body, tail), key, signature);
    },
    // The JS loop beats node:crypto's timingSafeEqual for 32 bytes (no argument validation or C++ call).
    timingSafeEqual,
    ed25519PublicKey(seed) {
      const spki = nc.createPublicKey(privateKey(seed)).export({ format: 'der', type: 'spki' });
      return spki.subarray(SPKI_ED25519_PREFIX.length);
    },
  };
}

const loaded = loadNodeCrypto();

/** The node:crypto backend, or `undefined` where node:crypto is not available (edge runtimes, browsers). */
export const nodeCryptoBackend: CryptoBackend | undefined = loaded
  ? createNodeCryptoBackend(loaded)
  : undefined;
