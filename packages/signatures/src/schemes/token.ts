import { malformed, noMatch, requireHeader, type SignContext, type VerifyContext } from '../context.js';
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

export async function verifyToken(scheme: TokenScheme, ctx: VerifyContext): Promise<Record<string, never>> {
  const keys = ctx.secrets.map(utf8SecretKey);
  const presented = presentedToken(scheme, ctx);
  // Hash both sides so the comparison is constant-time and does not reveal the token's length.
  const seen = await ctx.backend.sha256(new TextEncoder().encode(presented));
  for (const key of keys) {
    if (timingSafeEqual(seen, await ctx.backend.sha256(key))) {
      return {};
    }
  }
  throw noMatch('token: the token does not match the configured token(s)');
}
