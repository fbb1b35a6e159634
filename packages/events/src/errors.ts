import type { ValidationIssue } from './types.js';

/** Every way reading an event can fail. Codes are stable: branch on them, never on the message. */
export type EnvelopeErrorCode = 'invalid_json' | 'invalid_envelope' | 'invalid_data' | 'unknown_event_type';

/** All envelope error codes, in documentation order. */
export const envelopeErrorCodes: readonly EnvelopeErrorCode[] = [
  'invalid_json',
  'invalid_envelope',
  'invalid_data',
  'unknown_event_type',
];

/**
 * Thrown when a body is not JSON (`invalid_json`), matches no envelope shape (`invalid_envelope`), or its
 * `data` fails the catalog (`invalid_data`, `unknown_event_type`). Receivers answer these with 400.
 *
 * @example
 * try { parseEnvelope(parseJson(body)); } catch (e) {
 *   if (isEnvelopeError(e) && e.code === 'invalid_json') { ... }
 * }
 */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
  readonly code: EnvelopeErrorCode;
  /** Every validation issue, for `invalid_data`. */
  readonly issues?: ValidationIssue[];

  constructor(
    code: EnvelopeErrorCode,
    message: string,
    options?: { cause?: unknown; issues?: ValidationIssue[] },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.issues) {
      this.issues = options.issues;
    }
  }
}

/**
 * Recognises an `EnvelopeError` by name and code rather than `instanceof`, so it works across duplicate
 * installs and across this package's separately bundled entry points.
 */
export function isEnvelopeError(e: unknown): e is EnvelopeError {
  return (
    e instanceof Error &&
    e.name === 'EnvelopeError' &&
    envelopeErrorCodes.includes((e as { code?: unknown }).code as EnvelopeErrorCode)
  );
}

/**
 * Thrown for event names that are malformed (short names like `click`) or unknown, like the `INVALID_EVENTS`
 * error a webhook API returns when an endpoint subscribes to them.
 */
export class InvalidEventsError extends Error {
  override readonly name = 'InvalidEventsError';
  readonly code = 'INVALID_EVENTS';
  /** The offending names, as given (non-strings are JSON-encoded). */
  readonly invalid: string[];

  constructor(invalid: string[], message: string) {
    super(message);
    this.invalid = invalid;
  }
}

/** Recognises an `InvalidEventsError` by name and code (see {@link isEnvelopeError} for why). */
export function isInvalidEventsError(e: unknown): e is InvalidEventsError {
  return (
    e instanceof Error &&
    e.name === 'InvalidEventsError' &&
    (e as { code?: unknown }).code === 'INVALID_EVENTS'
  );
}
