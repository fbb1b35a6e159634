import { assertRawBody, byteLength, toHashable, type WebhookBody } from './bytes.js';
import type { VerifyContext } from './context.js';
import type { CryptoBackend } from './crypto/backend.js';
import { defaultCryptoBackend } from './crypto/default.js';
import { WebhookConfigError, WebhookVerificationError } from './errors.js';
import type { HeadersInput } from './headers.js';
import { collectSecrets, type SecretsInput } from './keys.js';
import { verifyHmac } from './schemes/hmac.js';
import type { Scheme } from './schemes/scheme.js';
import { verifyStandard } from './schemes/standard.js';
import { verifyTimestamped } from './schemes/timestamped.js';
import { verifyToken } from './schemes/token.js';
import { unknownKind } from './sign.js';

/** Input of `verify`. */
export interface VerifyOptions extends SecretsInput {
  /** The raw body exactly as received: string, Buffer, Uint8Array or ArrayBuffer. Never parsed JSON. */
  body: WebhookBody;
  /** Request headers: a fetch `Headers` or Node's `req.headers`. Names match case-insensitively. */
  headers: HeadersInput;
  /** Request URL (absolute, or a path such as Node's `req.url`); needed for `token` in the query string. */
  url?: string | URL;
  /** Allowed clock difference in both directions, in seconds. Default 300; exactly 300 passes. */
  toleranceSeconds?: number;
  /** The current time (tests); default `new Date()`. */
  now?: Date;
  /** Reject bodies larger than this many bytes with `body_too_large`, before any cryptography. */
  maxBodyBytes?: number;
  /** Crypto implementation; default node:crypto on Node, Web Crypto elsewhere. */
  crypto?: CryptoBackend;
}

/** What a verified request tells you. */
export interface VerifyResult {
  /** The signed message id (`standard`): dedupe on it. */
  id?: string;
  /** The signed timestamp (`standard`, `timestamped`). */
  timestamp?: Date;
}

/**
 * Verifies a webhook over its raw body. Resolves with the signed id/timestamp, or rejects: never returns a
 * boolean that is easy to ignore.
 *
 * @throws {WebhookVerificationError} with `code` one of `missing_header`, `malformed_header`,
 *   `timestamp_too_old`, `timestamp_too_new`, `no_matching_signature`, `invalid_secret`, `body_too_large`,
 *   `body_already_parsed`.
 * @example
 * const { id } = await verify(schemes.standard(), { secret: process.env.WEBHOOK_SECRET!, body: rawBody, headers: req.headers });
 */
export function verify(scheme: Scheme, options: VerifyOptions): Promise<VerifyResult> {
  // Not `async`: on node:crypto the whole check runs synchronously and settles one promise, with no extra hops.
  try {
    const result = verifyMaybeSync(scheme, options);
    return result instanceof Promise ? result : Promise.resolve(result);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * {@link verify} without the promise when none is needed: with a synchronous crypto backend (node:crypto, the
 * default on Node) and the `standard` (HMAC), `timestamped`, `hmac` or `token` scheme, the check runs to the
 * end in this call and returns the result or throws. Otherwise (Web Crypto, Ed25519 keys) it returns a promise
 * that resolves or rejects the same way, though checks made before the cryptography (`body_too_large`,
 * `body_already_parsed`, the options, missing or malformed headers) may still throw. For framework adapters whose hot path
 * pays for every promise hop; everyone else should use {@link verify}.
 *
 * Handle both outcomes: a thrown error and a rejected promise carry the same {@link WebhookVerificationError}s.
 *
 * @throws {WebhookVerificationError} the same codes as {@link verify}, synchronously when the check was synchronous.
 * @example
 * let result: VerifyResult | Promise<VerifyResult>;
 * try {
 *   result = verifyMaybeSync(schemes.standard(), { secret, body: rawBody, headers: req.headers });
 * } catch (error) {
 *   return reject(error);
 * }
 * if (result instanceof Promise) {
 *   return result.then(accept, reject);
 * }
 * return accept(result);
 */
export function verifyMaybeSync(
  scheme: Scheme,
  options: VerifyOptions,
): VerifyResult | Promise<VerifyResult> {
  assertRawBody(options.body);
  const body = toHashable(options.body);
  if (options.maxBodyBytes !== undefined && byteLength(body) > options.maxBodyBytes) {
    throw new WebhookVerificationError(
      'body_too_large',
      `the body is larger than maxBodyBytes (${options.maxBodyBytes}): reject it before reading further`,
    );
  }
  const toleranceSeconds = options.toleranceSeconds ?? 300;
  if (!(toleranceSeconds >= 0)) {
    throw new WebhookConfigError('verify: toleranceSeconds must be a number >= 0');
  }
  const ctx: VerifyContext = {
    // A non-empty `secrets` alone (what receivers pass) is used as given, without a copy per request: every
    // scheme reads it once, synchronously, before anything else.
    secrets:
      options.secret === undefined && Array.isArray(options.secrets) && options.secrets.length > 0
        ? options.secrets
        : collectSecrets(options),
    body,
    headers: options.headers,
    url: options.url,
    nowMs: options.now === undefined ? Date.now() : options.now.getTime(),
    toleranceSeconds,
    backend: options.crypto ?? defaultCryptoBackend,
  };
  switch (scheme.kind) {
    case 'standard':
      return verifyStandard(scheme, ctx);
    case 'timestamped':
      return verifyTimestamped(scheme, ctx);
    case 'hmac':
      return verifyHmac(scheme, ctx);
    case 'token':
      return verifyToken(scheme, ctx);
    default:
      throw unknownKind(scheme);
  }
}
