import { base64Encode, hexEncode } from '../bytes.js';
import {
  anyHmacTextMatches,
  isCanonicalSignature,
  malformed,
  noMatch,
  requireHeader,
  type SignContext,
  thenMaybe,
  type VerifyContext,
} from '../context.js';
import { WebhookConfigError } from '../errors.js';
import { getHeader, HEADER_NAME } from '../headers.js';
import { utf8SecretKey } from '../keys.js';
import type { HmacScheme } from './scheme.js';

/** Options of `schemes.hmac()`. */
export interface HmacOptions {
  /** Header name, e.g. `'x-acturity-signature'`, `'x-awsys-signature'`, `'x-hub-signature-256'`. */
  header: string;
  /** Literal text before the signature: `'sha256='` (Acturity, GitHub) or `''` (default; AWSYS.CO). */
  prefix?: string;
  /** `'hex'` (default, lower case) or `'base64'`. */
  encoding?: 'hex' | 'base64';
}

const PREFIX = /^[\x21-\x2b\x2d-\x7e]{0,32}$/;

/**
 * `<header>: <prefix><HMAC-SHA256(body)>`, keyed by the secret's UTF-8 bytes. The body alone is signed, so a
 * captured request can be replayed forever: a legacy scheme, supported for the products that use it.
 * With several secrets, the first one signs (the header has one slot); the verifier accepts any.
 *
 * @throws {WebhookConfigError} for an invalid header name, prefix or encoding.
 * @example schemes.hmac({ header: 'x-acturity-signature', prefix: 'sha256=' })
 */
export function hmac(options: HmacOptions): HmacScheme {
  const header = String(options?.header ?? '').toLowerCase();
  if (!HEADER_NAME.test(header)) {
    throw new WebhookConfigError(`hmac: invalid header name ${JSON.stringify(options?.header)}`);
  }
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new WebhookConfigError(`hmac: invalid prefix ${JSON.stringify(prefix)}`);
  }
  const encoding = options.encoding ?? 'hex';
  if (encoding !== 'hex' && encoding !== 'base64') {
    throw new WebhookConfigError(`hmac: encoding must be 'hex' or 'base64', got ${JSON.stringify(encoding)}`);
  }
  return { kind: 'hmac', header, prefix, encoding };
}

export async function signHmac(scheme: HmacScheme, ctx: SignContext): Promise<Record<string, string>> {
  const mac = await ctx.backend.hmacSha256(utf8SecretKey(ctx.secrets[0]!), '', ctx.body, '');
  return {
    [scheme.header]: scheme.prefix + (scheme.encoding === 'hex' ? hexEncode(mac) : base64Encode(mac)),
  };
}

export function verifyHmac(
  scheme: HmacScheme,
  ctx: VerifyContext,
): Record<string, never> | Promise<Record<string, never>> {
  const keys = ctx.secrets.map(utf8SecretKey);
  const value = requireHeader(getHeader(ctx.headers, scheme.header), scheme.header);
  if (!value.startsWith(scheme.prefix)) {
    throw malformed(`${scheme.header}: expected "${scheme.prefix}<${scheme.encoding} signature>"`);
  }
  const text = value.slice(scheme.prefix.length);
  if (!isCanonicalSignature(text, scheme.encoding)) {
    throw malformed(
      `${scheme.header}: the signature after "${scheme.prefix}" is not ${scheme.encoding === 'hex' ? 'lower-case hex' : 'padded base64'}`,
    );
  }
  return thenMaybe(
    anyHmacTextMatches(ctx.backend, keys, '', ctx.body, '', scheme.encoding, [text]),
    (matched) => {
      if (!matched) {
        throw noMatch(
          `${scheme.header}: the signature does not match the body with the configured secret(s). Verify the raw body bytes (not re-serialised JSON) and check the secret`,
        );
      }
      return {};
    },
  );
}
