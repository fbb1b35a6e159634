export {
  base64Decode,
  base64Encode,
  hexDecode,
  hexEncode,
  isRawBody,
  toBytes,
  type WebhookBody,
} from './bytes.js';
export type { CryptoBackend } from './crypto/backend.js';
export { defaultCryptoBackend } from './crypto/default.js';
export { nodeCryptoBackend } from './crypto/node.js';
export { webCryptoBackend } from './crypto/web.js';
export {
  isWebhookVerificationError,
  type VerificationErrorCode,
  verificationErrorCodes,
  WebhookConfigError,
  WebhookVerificationError,
} from './errors.js';
export { getHeader, type HeadersInput } from './headers.js';
export {
  derivePublicKey,
  type Ed25519KeyPair,
  generateKeyPair,
  generateSecret,
  type Secret,
  type SecretsInput,
} from './keys.js';
export {
  MAX_SIGNATURES,
  parseStandardSignatureHeader,
  type StandardSignatureEntry,
} from './parse-standard-signature-header.js';
export {
  parseTimestampedSignatureHeader,
  type TimestampedSignatureHeader,
} from './parse-timestamped-signature-header.js';
export type { HmacOptions } from './schemes/hmac.js';
export { fromConfig, schemes } from './schemes/index.js';
export type { HmacScheme, Scheme, StandardScheme, TimestampedScheme, TokenScheme } from './schemes/scheme.js';
export { generateMessageId, type StandardOptions } from './schemes/standard.js';
export type { TimestampedOptions } from './schemes/timestamped.js';
export type { TokenOptions } from './schemes/token.js';
export { type SignOptions, sign, signUrl } from './sign.js';
export { timingSafeEqual } from './timing-safe-equal.js';
export { type VerifyOptions, type VerifyResult, verify, verifyMaybeSync } from './verify.js';
