import { base64Decode, base64Encode } from '../bytes.js';
import {
  anyHmacTextMatches,
  checkTimestamp,
  isCanonicalSignature,
  malformed,
  noMatch,
  requireHeader,
  type SignContext,
  type VerifyContext,
} from '../context.js';
import { WebhookConfigError, type WebhookVerificationError } from '../errors.js';
import { getHeader } from '../headers.js';
import { ed25519PublicKey, ed25519Seed, randomBytes, standardSecretKey } from '../keys.js';
import {
  parseStandardSignatureHeader,
  type StandardSignatureEntry,
} from '../parse-standard-signature-header.js';
import type { StandardScheme } from './scheme.js';

/** Options of `schemes.standard()`. */
export interface StandardOptions {
  /** Sign with Ed25519 (`v1a`, `whsk_` keys) and verify against pinned `whpk_` keys. Default `false` (HMAC `v1`). */
  asymmetric?: boolean;
  /** Header name prefix: `'webhook'` (default, the standard) or `'svix'` for `svix-id`/`svix-timestamp`/`svix-signature`. */
  headerPrefix?: 'webhook' | 'svix' | (string & {});
}

const PREFIX = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Standard Webhooks (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` (unix seconds) and
 * `webhook-signature: v1,<base64> [v1,<base64> …]` over `<id>.<timestamp>.<body>`. Also what Svix sends.
 *
 * @throws {WebhookConfigError} for an invalid `headerPrefix`.
 * @example const scheme = schemes.standard(); // or schemes.standard({ asymmetric: true })
 */
export function standard(options: StandardOptions = {}): StandardScheme {
  const headerPrefix = (options.headerPrefix ?? 'webhook').toLowerCase();
  if (!PREFIX.test(headerPrefix)) {
    throw new WebhookConfigError(`standard: invalid headerPrefix ${JSON.stringify(options.headerPrefix)}`);
  }
  return { kind: 'standard', asymmetric: options.asymmetric === true, headerPrefix };
}

/* A signed id never contains '.'; a received one may (the verifier cannot tell, see HARDENING #22). */
const SIGNED_ID = /^[\x21-\x2d\x2f-\x7e]{1,256}$/;

/**
 * `/^[\x21-\x7e]{1,256}$/` (visible ASCII, 1-256 characters) as a scan: it runs on every verification, where a
 * regex call costs more than the loop (test/unit.test.ts checks the two agree).
 */
export function isReceivedId(id: string): boolean {
  const n = id.length;
  if (n === 0 || n > 256) {
    return false;
  }
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) {
      return false;
    }
  }
  return true;
}
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh message id: `msg_` + 24 random alphanumerics (never a `.`; see spec on id/timestamp collisions). */
export function generateMessageId(): string {
  let id = 'msg_';
  for (const b of randomBytes(24)) {
    id += ID_ALPHABET[b % 62];
  }
  return id;
}

export async function signStandard(
  scheme: StandardScheme,
  ctx: SignContext,
): Promise<Record<string, string>> {
  const id = ctx.id ?? generateMessageId();
  if (!SIGNED_ID.test(id)) {
    // A '.' in the id would let its tail move into the signed payload (spec: ids must not contain '.').
    throw new WebhookConfigError(
      `standard: the webhook id must be 1-256 visible ASCII characters without "." or spaces, got ${JSON.stringify(id.slice(0, 40))}`,
    );
  }
  const ts = String(Math.floor(ctx.timestampMs / 1000));
  const head = `${id}.${ts}.`;
  const signatures: string[] = [];
  for (const secret of ctx.secrets) {
    if (scheme.asymmetric) {
      const sig = await ctx.backend.ed25519Sign(ed25519Seed(secret), head, ctx.body, '');
      signatures.push(`v1a,${base64Encode(sig)}`);
    } else {
      const mac = await ctx.backend.hmacSha256(standardSecretKey(secret), head, ctx.body, '');
      signatures.push(`v1,${base64Encode(mac)}`);
    }
  }
  const p = scheme.headerPrefix;
  return { [`${p}-id`]: id, [`${p}-timestamp`]: ts, [`${p}-signature`]: signatures.join(' ') };
}

function noV1Message(
  entries: readonly StandardSignatureEntry[],
  p: string,
  wanted: string,
  asymmetric: boolean,
): string {
  const found = [...new Set(entries.map((e) => e.version))].join(', ');
  return `${p}-signature: no ${wanted} signature (found ${found})${asymmetric ? '' : '; a v1a entry needs schemes.standard({ asymmetric: true }) and a whpk_ key'}`;
}

function noMatchMessage(p: string): string {
  return `${p}-signature: no signature matches the body with the configured secret(s). Verify the raw body bytes (not re-serialised JSON) and check the secret`;
}

/* Header names per prefix, built once: property lookups with interned strings stay fast. */
const headerNameCache = new Map<string, { id: string; timestamp: string; signature: string }>();
function headerNames(prefix: string): { id: string; timestamp: string; signature: string } {
  let n = headerNameCache.get(prefix);
  if (n === undefined) {
    n = { id: `${prefix}-id`, timestamp: `${prefix}-timestamp`, signature: `${prefix}-signature` };
    headerNameCache.set(prefix, n);
  }
  return n;
}

export function verifyStandard(
  scheme: StandardScheme,
  ctx: VerifyContext,
): { id: string; timestamp: Date } | Promise<{ id: string; timestamp: Date }> {
  if (scheme.asymmetric) {
    // Decode every key first: a configuration error must surface even for a request without headers.
    return Promise.all(ctx.secrets.map((s) => ed25519PublicKey(s, ctx.backend))).then((keys) =>
      verifyParsed(scheme, ctx, keys),
    );
  }
  return verifyParsed(scheme, ctx, ctx.secrets.map(standardSecretKey));
}

function verifyParsed(
  scheme: StandardScheme,
  ctx: VerifyContext,
  keys: readonly Uint8Array[],
): { id: string; timestamp: Date } | Promise<{ id: string; timestamp: Date }> {
  const p = scheme.headerPrefix;
  const names = headerNames(p);
  const id = requireHeader(getHeader(ctx.headers, names.id), names.id);
  const tsText = requireHeader(getHeader(ctx.headers, names.timestamp), names.timestamp);
  const sigHeader = requireHeader(getHeader(ctx.headers, names.signature), names.signature);
  if (!isReceivedId(id)) {
    throw malformed(`${p}-id: expected 1-256 visible ASCII characters`);
  }
  const timestampMs = checkTimestamp(tsText, 's', ctx.nowMs, ctx.toleranceSeconds, names.timestamp);
  const entries = parseStandardSignatureHeader(sigHeader);
  const wanted = scheme.asymmetric ? 'v1a' : 'v1';
  const texts: string[] = [];
  for (const entry of entries) {
    if (entry.version !== wanted) {
      continue; // Unknown versions (and the other kind of signature) are skipped, per the spec.
    }
    texts.push(entry.signature);
  }
  if (texts.length === 0) {
    throw noMatch(noV1Message(entries, p, wanted, scheme.asymmetric));
  }
  const head = `${id}.${tsText}.`;
  if (texts.length === 1 && !scheme.asymmetric && ctx.backend.hmacSha256Text !== undefined) {
    // The common case, one v1 signature on node:crypto: compare first and check the form only on a mismatch.
    // A text equal to an HMAC in canonical base64 is canonical itself, so the answer (malformed_header for a
    // non-canonical text, else a match or not) is the one the check-first order below gives, for less work.
    const text = texts[0]!;
    const matched = anyHmacTextMatches(ctx.backend, keys, head, ctx.body, '', 'base64', texts) as boolean;
    if (!matched && !isCanonicalSignature(text, 'base64')) {
      throw notCanonical(p, wanted);
    }
    return verified(matched, id, timestampMs, p);
  }
  for (const text of texts) {
    if (!isCanonicalSignature(text, 'base64')) {
      throw notCanonical(p, wanted);
    }
  }
  if (scheme.asymmetric) {
    const candidates = texts.map((t) => base64Decode(t, true)!);
    return anyEd25519Matches(ctx, keys, head, candidates).then((matched) =>
      verified(matched, id, timestampMs, p),
    );
  }
  const matched = anyHmacTextMatches(ctx.backend, keys, head, ctx.body, '', 'base64', texts);
  // No closure on the synchronous (node:crypto) path: this runs on every verification.
  return typeof matched === 'boolean'
    ? verified(matched, id, timestampMs, p)
    : matched.then((m) => verified(m, id, timestampMs, p));
}

function notCanonical(p: string, wanted: string): WebhookVerificationError {
  return malformed(`${p}-signature: the ${wanted} signature is not standard padded base64`);
}

function verified(
  matched: boolean,
  id: string,
  timestampMs: number,
  p: string,
): { id: string; timestamp: Date } {
  if (!matched) {
    throw noMatch(noMatchMessage(p));
  }
  return { id, timestamp: new Date(timestampMs) };
}

async function anyEd25519Matches(
  ctx: VerifyContext,
  keys: readonly Uint8Array[],
  head: string,
  candidates: readonly Uint8Array[],
): Promise<boolean> {
  for (const key of keys) {
    for (const sig of candidates) {
      if (sig.byteLength === 64 && (await ctx.backend.ed25519Verify(key, head, ctx.body, '', sig))) {
        return true;
      }
    }
  }
  return false;
}
