import { HookwireServerError, isHookwireServerError } from '../errors.js';

/** Socket-level failures: nothing reached PostgreSQL, or the connection broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * SQLSTATEs that mean "the server is going away or cannot take this connection": class 08 (connection
 * exception), admin/crash shutdown, cannot connect now (starting up / recovering), too many connections.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** node-postgres reports some connection losses only by message (no code). */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
];

/** Whether `err` says the database is unreachable (as opposed to a bad query or a constraint). */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) {
    return false;
  }
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code))) {
    return true;
  }
  if (typeof code === 'string' && /^08[0-9A-Z]{3}$/.test(code)) {
    return true;
  }
  return UNAVAILABLE_MESSAGES.some((m) => err.message.includes(m));
}

/**
 * The store's error for a failed database call: connection failures become `DATABASE_UNAVAILABLE` (the HTTP
 * layer answers 503 with Retry-After, so a publish during an outage is never acknowledged), everything else
 * is passed through unchanged.
 */
export function toStoreError(err: unknown): unknown {
  if (isHookwireServerError(err) || !isConnectionError(err)) {
    return err;
  }
  return new HookwireServerError(
    'DATABASE_UNAVAILABLE',
    `PostgreSQL is unreachable (${(err as Error).message}); retry once it is back`,
    { cause: err },
  );
}
