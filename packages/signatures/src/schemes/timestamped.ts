import { hexEncode } from '../bytes.js';
import {
  anyHmacTextMatches,
  checkTimestamp,
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
import { parseTimestampedSignatureHeader } from '../parse-timestamped-signature-header.js';
import type { TimestampedScheme } from './scheme.js';

/** Options of `schemes.timestamped()`. */
export interface TimestampedOptions {
  /** Header name, e.g. `'stripe-signature'`, `'x-linka-factory-signature'`, `'aktify-signature'`. */
  header: string;
  /** Unit of `t`: `'s'` (default; Stripe, Linka Factory) or `'ms'` (Aktify). */
  unit?: 's' | 'ms';
  /** Signature key: `'v1'` (default) or e.g. `'v2'` (Aktify v2). */
  version?: string;
  /** Signed content: `'{t}.{body}'` (default) or `'{body}'` (Aktify v1: the timestamp is not signed). */
  content?: string;
}

const VERSION = /^[a-z][a-z0-9_]*$/;

/**
 * Stripe-style `<header>: t=<timestamp>,<version>=<hex>` with HMAC-SHA256 keyed by the secret's UTF-8 bytes.
 *
 * @throws {WebhookConfigError} for an invalid header name, version, unit or content template.
 * @example schemes.timestamped({ header: 'stripe-signature' })
 * @example schemes.timestamped({ header: 'aktify-signature', unit: 'ms', version: 'v2' })
 */
export function timestamped(options: TimestampedOptions): TimestampedScheme {
  const header = String(options?.header ?? '').toLowerCase();
  if (!HEADER_NAME.test(header)) {
    throw new WebhookConfigError(`timestamped: invalid header name ${JSON.stringify(options?.header)}`);
  }
  const unit = options.unit ?? 's';
  if (unit !== 's' && unit !== 'ms') {
    throw new WebhookConfigError(`timestamped: unit must be 's' or 'ms', got ${JSON.stringify(unit)}`);
  }
  const version = options.version ?? 'v1';
  if (!VERSION.test(version) || version === 't') {
    throw new WebhookConfigError(`timestamped: invalid version ${JSON.stringify(version)} (e.g. 'v1')`);
  }
  const content = options.content ?? '{t}.{body}';
  const rest = content.split('{body}');
  if (rest.length !== 2 || /[{}]/.test(rest.join('').replaceAll('{t}', ''))) {
    throw new WebhookConfigError(
      `timestamped: content must contain {body} once and no placeholder but {t}, got ${JSON.stringify(content)}`,
    );
  }
  return { kind: 'timestamped', header, unit, version, content };
}

function template(scheme: TimestampedScheme, t: string): [head: string, tail: string] {
  const [head, tail] = scheme.content.split('{body}') as [string, string];
  return [head.replaceAll('{t}', t), tail.replaceAll('{t}', t)];
}

export async function signTimestamped(
  scheme: TimestampedScheme,
  ctx: SignContext,
): Promise<Record<string, string>> {
  const t = String(scheme.unit === 's' ? Math.floor(ctx.timestampMs / 1000) : Math.floor(ctx.timestampMs));
  const [head, tail] = template(scheme, t);
  let value = `t=${t}`;
  for (const secret of ctx.secrets) {
    value += `,${scheme.version}=${hexEncode(await ctx.backend.hmacSha256(utf8SecretKey(secret), head, ctx.body, tail))}`;
  }
  return { [scheme.header]: value };
}

/**
 * Not `async`: on a synchronous backend (node:crypto) the whole check runs in this call and returns or throws,
 * so `verifyMaybeSync` callers pay no promise hop; on Web Crypto it returns a promise.
 */
export function verifyTimestamped(
  scheme: TimestampedScheme,
  ctx: VerifyContext,
): { timestamp: Date } | Promise<{ timestamp: Date }> {
  const keys = ctx.secrets.map(utf8SecretKey);
  const value = requireHeader(getHeader(ctx.headers, scheme.header), scheme.header);
  const parsed = parseTimestampedSignatureHeader(value, scheme.header);
  const timestampMs = checkTimestamp(
    parsed.timestamp,
    scheme.unit,
    ctx.nowMs,
    ctx.toleranceSeconds,
    scheme.header,
  );
  const texts: string[] = [];
  for (const entry of parsed.signatures) {
    if (entry.version !== scheme.version) {
      continue; // v0 (Stripe test mode) and unknown versions are ignored, as stripe-node does.
    }
    if (!isCanonicalSignature(entry.signature, 'hex')) {
      throw malformed(`${scheme.header}: the ${scheme.version} signature is not lower-case hex`);
    }
    texts.push(entry.signature);
  }
  if (texts.length === 0) {
    const found = parsed.signatures.map((e) => e.version).join(', ') || 'none';
    throw noMatch(`${scheme.header}: no ${scheme.version}= signature (found: ${found})`);
  }
  const [head, tail] = template(scheme, parsed.timestamp);
  return thenMaybe(anyHmacTextMatches(ctx.backend, keys, head, ctx.body, tail, 'hex', texts), (matched) => {
    if (!matched) {
      throw noMatch(
        `${scheme.header}: no signature matches the body with the configured secret(s). Verify the raw body bytes (not re-serialised JSON) and check the secret`,
      );
    }
    return { timestamp: new Date(timestampMs) };
  });
}
