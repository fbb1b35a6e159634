import { base64Decode, hexDecode, isCanonicalBase64 } from './bytes.js';
import type { CryptoBackend } from './crypto/backend.js';
import { WebhookVerificationError } from './errors.js';
import type { HeadersInput } from './headers.js';
import type { Secret } from './keys.js';
import { timingSafeEqualString } from './timing-safe-equal.js';

/** What every scheme's verifier receives once the common checks have passed. */
export interface VerifyContext {
  readonly secrets: readonly Secret[];
  readonly body: string | Uint8Array;
  readonly headers: HeadersInput;
  readonly url: string | URL | undefined;
  readonly nowMs: number;
  readonly toleranceSeconds: number;
  readonly backend: CryptoBackend;
}

/** What every scheme's signer receives. */
export interface SignContext {
  readonly secrets: readonly Secret[];
  readonly body: string | Uint8Array;
  readonly id: string | undefined;
  readonly timestampMs: number;
  readonly backend: CryptoBackend;
}

/**
 * `/^(?:0|[1-9][0-9]{0,15})$/` as a scan: every verification checks a timestamp, and a regex call costs more
 * than the loop (test/unit.test.ts checks the two agree).
 */
export function isStrictInteger(text: string): boolean {
  const n = text.length;
  if (n === 0 || n > 16) {
    return false;
  }
  if (text.charCodeAt(0) === 0x30 /* 0 */) {
    return n === 1;
  }
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) {
      return false;
    }
  }
  return true;
}

/**
 * Parses a strict decimal timestamp (no sign, spaces, fraction, exponent or leading zero) and checks it
 * against `now` in both directions; exactly `toleranceSeconds` away still passes.
 *
 * @returns the timestamp in milliseconds since the epoch.
 */
export function checkTimestamp(
  text: string,
  unit: 's' | 'ms',
  nowMs: number,
  toleranceSeconds: number,
  header: string,
): number {
  if (!isStrictInteger(text)) {
    throw new WebhookVerificationError(
      'malformed_header',
      `${header}: the timestamp must be a whole number of ${unit === 's' ? 'seconds' : 'milliseconds'} since the epoch, got ${JSON.stringify(text.slice(0, 40))}`,
    );
  }
  const value = Number(text);
  // Seconds compare at whole-second precision, as the reference libraries do.
  const now = unit === 's' ? Math.floor(nowMs / 1000) : nowMs;
  const tolerance = unit === 's' ? toleranceSeconds : toleranceSeconds * 1000;
  if (now - value > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_old',
      `${header}: the timestamp is more than ${toleranceSeconds} s old: a replay, or a clock far behind. Check the server clock (NTP)`,
    );
  }
  if (value - now > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_new',
      `${header}: the timestamp is more than ${toleranceSeconds} s in the future${unit === 's' && value > 1e11 ? ' (it looks like milliseconds; this scheme uses seconds)' : ''}. Check the server clock (NTP)`,
    );
  }
  return unit === 's' ? value * 1000 : value;
}

/** The header value, or `missing_header` when it is absent or empty. */
export function requireHeader(value: string | undefined, name: string): string {
  if (value === undefined || value === '') {
    throw new WebhookVerificationError('missing_header', `the ${name} header is missing or empty`);
  }
  return value;
}

export function malformed(message: string): WebhookVerificationError {
  return new WebhookVerificationError('malformed_header', message);
}

export function noMatch(message: string): WebhookVerificationError {
  return new WebhookVerificationError('no_matching_signature', message);
}

function matchesAny(backend: CryptoBackend, mac: Uint8Array, candidates: readonly Uint8Array[]): boolean {
  let found = false;
  for (let i = 0; i < candidates.length; i++) {
    // Every candidate is compared, even after a match.
    found = backend.timingSafeEqual(mac, candidates[i]!) || found;
  }
  return found;
}

/**
 * Whether any key's HMAC of `head + body + tail` equals any candidate signature. Stays synchronous when the
 * backend is (node:crypto), so a verification costs no extra promise hops.
 */
export function anyHmacMatches(
  backend: CryptoBackend,
  keys: readonly Uint8Array[],
  head: string,
  body: string | Uint8Array,
  tail: string,
  candidates: readonly Uint8Array[],
): boolean | Promise<boolean> {
  for (let i = 0; i < keys.length; i++) {
    const r = backend.hmacSha256(keys[i]!, head, body, tail);
    if (!(r instanceof Uint8Array)) {
      return finishAsync(r, i, backend, keys, head, body, tail, candidates);
    }
    if (matchesAny(backend, r, candidates)) {
      return true;
    }
  }
  return false;
}

async function finishAsync(
  pending: Promise<Uint8Array>,
  index: number,
  backend: CryptoBackend,
  keys: readonly Uint8Array[],
  head: string,
  body: string | Uint8Array,
  tail: string,
  candidates: readonly Uint8Array[],
): Promise<boolean> {
  if (matchesAny(backend, await pending, candidates)) {
    return true;
  }
  for (let i = index + 1; i < keys.length; i++) {
    if (matchesAny(backend, await backend.hmacSha256(keys[i]!, head, body, tail), candidates)) {
      return true;
    }
  }
  return false;
}

/** Applies `then` to a value or a promise of it, staying synchronous for a plain value. */
export function thenMaybe<T, U>(value: T | Promise<T>, then: (v: T) => U): U | Promise<U> {
  return value instanceof Promise ? value.then(then) : then(value);
}

/** How a scheme writes its signatures in the header. */
export type SignatureEncoding = 'base64' | 'hex';

const LOWER_HEX = /^(?:[0-9a-f]{2})+$/;

/**
 * Whether a presented signature is non-empty canonical base64 or lower-case hex: exactly the texts the strict
 * decoders accept. A canonical text is the only spelling of its bytes, so comparing texts compares bytes.
 */
export function isCanonicalSignature(text: string, encoding: SignatureEncoding): boolean {
  return encoding === 'hex' ? LOWER_HEX.test(text) : isCanonicalBase64(text);
}

/**
 * Whether any key's HMAC of `head + body + tail` equals any presented signature text (already checked with
 * {@link isCanonicalSignature}). With a backend that encodes natively (node:crypto) the encoded MAC is compared
 * with each text in constant time and nothing is decoded; otherwise the texts are decoded and bytes compared.
 */
export function anyHmacTextMatches(
  backend: CryptoBackend,
  keys: readonly Uint8Array[],
  head: string,
  body: string | Uint8Array,
  tail: string,
  encoding: SignatureEncoding,
  texts: readonly string[],
): boolean | Promise<boolean> {
  if (backend.hmacSha256Text === undefined) {
    const candidates = texts.map((t) => (encoding === 'hex' ? hexDecode(t) : base64Decode(t, true))!);
    return anyHmacMatches(backend, keys, head, body, tail, candidates);
  }
  let found = false;
  for (let k = 0; k < keys.length && !found; k++) {
    const mac = backend.hmacSha256Text(keys[k]!, head, body, tail, encoding);
    for (let i = 0; i < texts.length; i++) {
      // Every candidate is compared, even after a match.
      found = timingSafeEqualString(mac, texts[i]!) || found;
    }
  }
  return found;
}
