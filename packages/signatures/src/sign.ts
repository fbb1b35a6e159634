import { assertRawBody, toHashable, type WebhookBody } from './bytes.js';
import type { CryptoBackend } from './crypto/backend.js';
import { defaultCryptoBackend } from './crypto/default.js';
import { WebhookConfigError } from './errors.js';
import { collectSecrets, type SecretsInput } from './keys.js';
import { signHmac } from './schemes/hmac.js';
import type { Scheme } from './schemes/scheme.js';
import { signStandard } from './schemes/standard.js';
import { signTimestamped } from './schemes/timestamped.js';
import { signToken, tokenText } from './schemes/token.js';

/** Input of `sign`. */
export interface SignOptions extends SecretsInput {
  /** The exact bytes that will be sent (a string is sent as UTF-8). */
  body: WebhookBody;
  /** Message id (`standard` only); default a fresh `msg_…`. Must not contain `.`. Keep it across retries. */
  id?: string;
  /** Attempt time; default now. Refresh it for every retry. */
  timestamp?: Date;
  /** Crypto implementation; default node:crypto on Node, Web Crypto elsewhere. */
  crypto?: CryptoBackend;
}

/**
 * Signs a webhook and returns the headers to send. Several `secrets` (rotation, newest first) put several
 * signatures in the header where the scheme allows it (`standard`, `timestamped`); `hmac` and `token` use the
 * first secret.
 *
 * @throws {WebhookVerificationError} `invalid_secret` or `body_already_parsed`.
 * @throws {WebhookConfigError} for an id containing `.` or an invalid date.
 * @example
 * const headers = await sign(schemes.standard(), { secret, body: '{"type":"link.click"}', id: 'msg_1' });
 * // { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': 'v1,…' }
 */
export async function sign(scheme: Scheme, options: SignOptions): Promise<Record<string, string>> {
  assertRawBody(options.body);
  const secrets = collectSecrets(options);
  const timestampMs = options.timestamp === undefined ? Date.now() : options.timestamp.getTime();
  if (!Number.isFinite(timestampMs) || timestampMs < 0) {
    throw new WebhookConfigError('sign: `timestamp` must be a valid Date after 1970');
  }
  const ctx = {
    secrets,
    body: toHashable(options.body),
    id: options.id,
    timestampMs,
    backend: options.crypto ?? defaultCryptoBackend,
  };
  switch (scheme.kind) {
    case 'standard':
      return signStandard(scheme, ctx);
    case 'timestamped':
      return signTimestamped(scheme, ctx);
    case 'hmac':
      return signHmac(scheme, ctx);
    case 'token':
      return signToken(scheme, ctx);
    default:
      throw unknownKind(scheme);
  }
}

export function unknownKind(scheme: unknown): WebhookConfigError {
  return new WebhookConfigError(
    `unknown scheme ${JSON.stringify((scheme as { kind?: unknown } | null)?.kind)}: build one with schemes.*`,
  );
}

/**
 * The URL to deliver to for a `token` scheme with a `query` parameter: `url` with the token set (replacing any
 * existing value). Other schemes return `url` unchanged.
 *
 * @example signUrl(schemes.token(), { url: 'https://api.activly.example/hooks', secret: 'tok_123' })
 * // 'https://api.activly.example/hooks?token=tok_123'
 */
export function signUrl(scheme: Scheme, options: { url: string | URL } & SecretsInput): string {
  const secrets = collectSecrets(options);
  if (scheme.kind !== 'token' || scheme.query === undefined) {
    return String(options.url);
  }
  const url = new URL(options.url);
  url.searchParams.set(scheme.query, tokenText(secrets[0]!));
  return url.toString();
}
