import { type CryptoBackend, nodeCryptoBackend, webCryptoBackend } from '../src/index.js';

if (nodeCryptoBackend === undefined) {
  throw new Error('node:crypto must be available to the test suite (Node >= 20.16)');
}

/*
 * node:crypto without its encoded-HMAC fast path: verifiers then decode the presented signatures and compare
 * bytes synchronously. Running every vector through it proves both comparison paths accept and reject alike.
 */
const { hmacSha256Text: _fastPath, ...nodeBytesOnly } = nodeCryptoBackend;

/** Every suite that touches crypto runs once per implementation (STYLE #18). */
export const backends: [string, CryptoBackend][] = [
  ['node:crypto', nodeCryptoBackend],
  ['node:crypto (byte comparison)', { ...nodeBytesOnly, name: 'node:crypto-bytes' }],
  ['webcrypto', webCryptoBackend],
];
