import { utf8 } from '../bytes.js';
import { malformed, noMatch, requireHeader, type SignContext, type VerifyContext } from '../context.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { WebhookConfigError, WebhookVerificationError } from '../errors.js';
import { getHeader, HEADER_NAME } from '../headers.js';
import { utf8SecretKey } from '../keys.js';
import { timingSafeEqual } from '../timing-safe-equal.js';
import type { TokenScheme } from './scheme.js';

/** Options of `schemes.token()`. Give `query`, `header` or both (either is accepted); default `{ query: 'token' }`. */
export interface TokenOptions {
  /** Query parameter carrying the token (Activly: the account's URL carries it). */
  query?: string;
  /** Header carrying the token. */
  header?: string;
}

/**
 * A shared secret token, sent in the URL query string or a header, compared in constant time. The body is
 * not signed, so keep the URL secret and HTTPS-only (Activly inbound URLs).
 *
 * @throws {WebhookConfigError} for an invalid query parameter or header name.
 * @example schemes.token({ query: 'token' })
 */
export function token(options: TokenOptions = {}): TokenScheme {
  const query = options.query ?? (options.header === undefined ? 'token' : undefined);
  if (query !== undefined && (typeof query !== 'string' || query === '' || query.length > 64)) {
    throw new WebhookConfigError(`token: invalid query parameter name ${JSON.stringify(query)}`);
  }
  const header = options.header?.toLowerCase();
  if (header !== undefined && !HEADER_NAME.test(header)) {
    throw new WebhookConfigError(`token: invalid header name ${JSON.stringify(options.header)}`);
  }
  return { kind: 'token', ...(query !== undefined && { query }), ...(header !== undefined && { header }) };
}

export function signToken(scheme: TokenScheme, ctx: SignContext): Record<string, string> {
  if (scheme.header === undefined) {
    return {}; // The token travels in the URL: see signUrl().
  }
  return { [scheme.header]: tokenText(ctx.secrets[0]!) };
}

export function tokenText(secret: string | Uint8Array): string {
  utf8SecretKey(secret);
  return typeof secret === 'string' ? secret : new TextDecoder().decode(secret);
}

function presentedToken(scheme: TokenScheme, ctx: VerifyContext): string {
  if (scheme.header !== undefined) {
    const value = getHeader(ctx.headers, scheme.header);
    if (value !== undefined && value !== '') {
      return value;
    }
  }
  if (scheme.query === undefined) {
    return requireHeader(undefined, scheme.header!);
  }
  if (ctx.url === undefined) {
    throw new WebhookVerificationError(
      'missing_header',
      `token: the token is in the ?${scheme.query}= query parameter: pass the request URL as \`url\``,
    );
  }
  let params: URLSearchParams;
  try {
    params = new URL(ctx.url, 'http://localhost').searchParams;
  } catch (cause) {
    throw new WebhookVerificationError('malformed_header', 'token: the request URL does not parse', {
      cause,
    });
  }
  const values = params.getAll(scheme.query);
  if (values.length > 1) {
    throw malformed(`token: the ${scheme.query} query parameter appears ${values.length} times`);
  }
  return requireHeader(values[0], `${scheme.query} query parameter`);
}

/**
 * Not `async`: with a synchronous `sha256` (node:crypto) the comparison runs in this call and returns or throws,
 * so `verifyMaybeSync` callers pay no promise hop; otherwise the rest runs in a promise.
 */
export function verifyToken(
  scheme: TokenScheme,
  ctx: VerifyContext,
): Record<string, never> | Promise<Record<string, never>> {
  const keys = ctx.secrets.map(utf8SecretKey);
  const presented = presentedToken(scheme, ctx);
  // Hash both sides so the comparison is constant-time and does not reveal the token's length.
  const seen = ctx.backend.sha256(utf8(presented));
  if (!(seen instanceof Uint8Array)) {
    return seen.then((digest) => matchTokenAsync(ctx.backend, digest, keys, 0, undefined));
  }
  for (let i = 0; i < keys.length; i++) {
    const expected = ctx.backend.sha256(keys[i]!);
    if (!(expected instanceof Uint8Array)) {
      return matchTokenAsync(ctx.backend, seen, keys, i, expected);
    }
    if (timingSafeEqual(seen, expected)) {
      return {};
    }
  }
  throw tokenMismatch();
}

/** The rest of {@link verifyToken} once a hash came back as a promise: from key `index` on. */
async function matchTokenAsync(
  backend: CryptoBackend,
  seen: Uint8Array,
  keys: readonly Uint8Array[],
  index: number,
  pending: Promise<Uint8Array> | undefined,
): Promise<Record<string, never>> {
  for (let i = index; i < keys.length; i++) {
    const expected = i === index && pending !== undefined ? await pending : await backend.sha256(keys[i]!);
    if (timingSafeEqual(seen, expected)) {
      return {};
    }
  }
  throw tokenMismatch();
}

function tokenMismatch(): WebhookVerificationError {
  return noMatch('token: the token does not match the configured token(s)');
}
