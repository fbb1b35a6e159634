import { type CryptoBackend, nodeCryptoBackend, webCryptoBackend } from '../src/index.js';

if (nodeCryptoBackend === undefined) {
  throw new Error('node:crypto must be available to the test suite (Node >= 20.16)');
}

/** Every suite that touches crypto runs once per implementation (STYLE #18). */
export const backends: [string, CryptoBackend][] = [
  ['node:crypto', nodeCryptoBackend],
  ['webcrypto', webCryptoBackend],
];
