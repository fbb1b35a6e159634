import type { CryptoBackend } from './backend.js';
import { nodeCryptoBackend } from './node.js';
import { webCryptoBackend } from './web.js';

/** node:crypto when the runtime has it, Web Crypto otherwise. */
export const defaultCryptoBackend: CryptoBackend = nodeCryptoBackend ?? webCryptoBackend;
