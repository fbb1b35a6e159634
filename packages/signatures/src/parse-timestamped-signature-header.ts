import { malformed } from './context.js';
import { MAX_SIGNATURES } from './parse-standard-signature-header.js';

/** A parsed `t=<ts>,<version>=<sig>[,…]` header. */
export interface TimestampedSignatureHeader {
  /** The `t` value exactly as sent (checked as a strict integer by the verifier). */
  readonly timestamp: string;
  /** Every other `key=value` item, in order (`v1`, `v0`, `v2`, …). */
  readonly signatures: readonly { readonly version: string; readonly signature: string }[];
}

const ITEM = /^([A-Za-z0-9_-]+)=([\x21-\x2b\x2d-\x7e]+)$/;

/**
 * Parses a Stripe-style signature header with the exact grammar: comma-separated `key=value` items, no
 * spaces (stripe-node does not tolerate `t=…, v1=…` either), exactly one `t`.
 *
 * @throws {WebhookVerificationError} `malformed_header`, and nothing else, for any input string.
 * @example parseTimestampedSignatureHeader('t=1700000000,v1=5257a8…') // { timestamp: '1700000000', … }
 */
export function parseTimestampedSignatureHeader(
  value: string,
  header = 'signature',
): TimestampedSignatureHeader {
  const items = value.split(',');
  if (items.length > MAX_SIGNATURES + 1) {
    throw malformed(`${header}: more than ${MAX_SIGNATURES} signatures`);
  }
  let timestamp: string | undefined;
  const signatures: { version: string; signature: string }[] = [];
  for (const item of items) {
    const m = ITEM.exec(item);
    if (m === null) {
      throw malformed(
        `${header}: expected "t=<timestamp>,v1=<hex>" with no spaces, got item ${JSON.stringify(item.slice(0, 40))}`,
      );
    }
    if (m[1] === 't') {
      if (timestamp !== undefined) {
        throw malformed(`${header}: more than one t= timestamp`);
      }
      timestamp = m[2]!;
    } else {
      signatures.push({ version: m[1]!, signature: m[2]! });
    }
  }
  if (timestamp === undefined) {
    throw malformed(`${header}: no t= timestamp`);
  }
  return { timestamp, signatures };
}
