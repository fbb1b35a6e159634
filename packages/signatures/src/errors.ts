/**
 * Every way a verification can fail. Codes are stable: branch on them, never on the message.
 */
export type VerificationErrorCode =
  | 'missing_header'
  | 'malformed_header'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'no_matching_signature'
  | 'invalid_secret'
  | 'body_too_large'
  | 'body_already_parsed';

/** All codes, in documentation order (handy for exhaustive tests and problem+json mappers). */
export const verificationErrorCodes: readonly VerificationErrorCode[] = [
  'missing_header',
  'malformed_header',
  'timestamp_too_old',
  'timestamp_too_new',
  'no_matching_signature',
  'invalid_secret',
  'body_too_large',
  'body_already_parsed',
];

/**
 * Thrown by `verify` (and by `sign` for an invalid secret or body). The `code` says what failed;
 * the message says what to do about it.
 *
 * @example
 * try { await verify(scheme, input); } catch (e) {
 *   if (isWebhookVerificationError(e) && e.code === 'timestamp_too_old') { ... }
 * }
 */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  readonly code: VerificationErrorCode;

  constructor(code: VerificationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Type guard that recognises a `WebhookVerificationError` by name, so it still works when two copies of
 * this package are installed (an `instanceof` check would fail across copies; see tRPC #4848).
 */
export function isWebhookVerificationError(e: unknown): e is WebhookVerificationError {
  return (
    e instanceof Error &&
    e.name === 'WebhookVerificationError' &&
    typeof (e as { code?: unknown }).code === 'string'
  );
}

/**
 * Thrown when a scheme configuration (from `schemes.*` or `schemes.fromConfig`) or a signing input (an id
 * containing `.`, an invalid date) is invalid. A programming or configuration error, never a bad request.
 */
export class WebhookConfigError extends TypeError {
  override readonly name = 'WebhookConfigError';
  readonly code = 'invalid_config' as const;
}
