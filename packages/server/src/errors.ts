/** Stable codes carried by every {@link HookwireServerError}. */
export type ServerErrorCode =
  | 'BLOCKED_URL'
  | 'INSECURE_URL'
  | 'BLOCKED_ADDRESS'
  | 'INVALID_HEADER'
  | 'INVALID_INPUT'
  | 'INVALID_CURSOR'
  | 'IDEMPOTENCY_CONFLICT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'QUOTA_EXCEEDED'
  | 'ENDPOINT_DISABLED'
  | 'ENCRYPTION_KEY_MISSING'
  | 'ENCRYPTION_KEY_MISMATCH'
  /** The database cannot be reached (PostgreSQL down, restarting, or out of connections); retry later. */
  | 'DATABASE_UNAVAILABLE';

/**
 * The one error class of the delivery server. Callers branch on `code`, never on the message; the message
 * says what to do.
 *
 * @example
 * try { assertSafeUrl(url) } catch (e) { if (isHookwireServerError(e) && e.code === 'BLOCKED_URL') ... }
 */
export class HookwireServerError extends Error {
  override readonly name = 'HookwireServerError';
  readonly code: ServerErrorCode;
  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Type guard that survives duplicate installs of the package (compares the name, not the prototype). */
export const isHookwireServerError = (e: unknown): e is HookwireServerError =>
  e instanceof Error && e.name === 'HookwireServerError';
