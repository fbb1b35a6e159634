import { WebhookVerificationError } from './errors.js';

/** What a webhook body may be: the raw bytes received, or the exact string they decode to. */
export type WebhookBody = string | Uint8Array | ArrayBuffer | ArrayBufferView;

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

const PARSED_HINT =
  'the body was parsed before verification: pass the raw body (a string, Buffer, Uint8Array or ArrayBuffer). ' +
  'Express: use express.raw({ type: "application/json" }) on this route; Next.js pages: export const config = ' +
  '{ api: { bodyParser: false } } and read the stream; App Router: await req.arrayBuffer(); Fastify: ' +
  "addContentTypeParser('application/json', { parseAs: 'buffer' }, ...)";

/** Whether a value is a body we accept (raw bytes or a string), without converting it. */
export function isRawBody(body: unknown): body is WebhookBody {
  return (
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body)
  );
}

/** Throws `body_already_parsed` unless `body` is raw bytes or a string. */
export function assertRawBody(body: unknown): asserts body is WebhookBody {
  if (!isRawBody(body)) {
    const what = body === null ? 'null' : body === undefined ? 'undefined' : typeof body;
    throw new WebhookVerificationError('body_already_parsed', `${PARSED_HINT} (received ${what})`);
  }
}

/**
 * The body as bytes, without copying when it already is bytes (a `Buffer` or a subarray keeps its offset).
 *
 * @throws {WebhookVerificationError} `body_already_parsed` for a parsed object, `null` or `undefined`.
 * @example toBytes('{"a":1}') // Uint8Array [123, 34, ...]
 */
export function toBytes(body: WebhookBody): Uint8Array {
  assertRawBody(body);
  if (typeof body === 'string') {
    return encoder.encode(body);
  }
  if (body instanceof Uint8Array) {
    return body;
  }
  if (body instanceof ArrayBuffer) {
    return new Uint8Array(body);
  }
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}

/** The body as a string or a Uint8Array: strings stay strings so the Node path can hash them directly. */
export function toHashable(body: WebhookBody): string | Uint8Array {
  // Strings and byte arrays (Node's Buffer) as they are, without `toBytes` checking the body a second time.
  return typeof body === 'string' || body instanceof Uint8Array ? body : toBytes(body);
}

/** Length in UTF-8 bytes, without allocating for bytes. */
export function byteLength(body: string | Uint8Array): number {
  if (typeof body !== 'string') {
    return body.byteLength;
  }
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c < 0x80) {
      n += 1;
    } else if (c < 0x800) {
      n += 2;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < body.length) {
      const d = body.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    } else {
      n += 3;
    }
  }
  return n;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) {
  B64_LOOKUP[B64.charCodeAt(i)] = i;
}

/** Standard base64 with padding. */
export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += `${B64[n >> 18]!}${B64[(n >> 12) & 63]!}==`;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += `${B64[n >> 18]!}${B64[(n >> 12) & 63]!}${B64[(n >> 6) & 63]!}=`;
  }
  return out;
}

/**
 * Whether `text` is non-empty, canonical, padded standard base64: exactly the strings `base64Decode(text, true)`
 * accepts (no stray bits before the padding). A linear scan: verifiers call this on every presented signature,
 * where a regex with alternatives backtracked measurably.
 */
export function isCanonicalBase64(text: string): boolean {
  const n = text.length;
  if (n === 0 || n % 4 !== 0) {
    return false;
  }
  let pad = 0;
  if (text.charCodeAt(n - 1) === 61 /* = */) {
    pad = text.charCodeAt(n - 2) === 61 ? 2 : 1;
  }
  const end = n - pad;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || B64_LOOKUP[c]! < 0) {
      return false;
    }
  }
  if (pad === 0) {
    return true;
  }
  // The last data character carries 2 (one '=') or 4 (two '=') bits that must be zero.
  const last = B64_LOOKUP[text.charCodeAt(end - 1)]!;
  return (last & (pad === 1 ? 3 : 15)) === 0;
}

/**
 * Decodes standard base64. `strict` demands canonical padding (length a multiple of 4); otherwise padding is
 * optional, as for `whsec_` secrets. Returns `undefined` for anything else (base64url, spaces, bad length,
 * non-zero trailing bits are tolerated only when not strict).
 */
export function base64Decode(text: string, strict: boolean): Uint8Array | undefined {
  let end = text.length;
  if (strict && end % 4 !== 0) {
    return undefined;
  }
  let pad = 0;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */ && pad < 2) {
    end--;
    pad++;
  }
  if (end % 4 === 1 || (pad > 0 && (end + pad) % 4 !== 0)) {
    return undefined;
  }
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64_LOOKUP[c]! : -1;
    if (v < 0) {
      return undefined;
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if (strict && (acc & ((1 << bits) - 1)) !== 0) {
    // Non-canonical trailing bits: a different string for the same bytes.
    return undefined;
  }
  return out;
}

/** Lower-case hex. */
export function hexEncode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    out += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  }
  return out;
}

/** Decodes lower-case hex only (upper case is another string, as Stripe and GitHub compare strings). */
export function hexDecode(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0) {
    return undefined;
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(text.charCodeAt(2 * i));
    const lo = hexValue(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      return undefined;
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) {
    return c - 48;
  }
  if (c >= 97 && c <= 102) {
    return c - 87;
  }
  return -1;
}
