import type { EnvelopeFormat, EnvelopeVersion, OutgoingMessage } from './types.js';

/** Default `apiVersion` written into each envelope version. */
export const API_VERSIONS = { v1: '2021-08-23', v2: '2026-02-09' } as const satisfies Record<
  EnvelopeVersion,
  string
>;

/** v2 `metadata` keys set by Hookwire; `context` keys with these names are ignored, never allowed to override them. */
export const RESERVED_CONTEXT_KEYS: readonly string[] = ['id', 'apiVersion', 'eventType', 'eventTime'];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Top-level keys of the `object` format that `context` never overrides. */
const OBJECT_KEYS: readonly string[] = ['id', 'type', 'created_at', 'data'];

/** Sets a key as an own data property, so a `__proto__` key from tenant data cannot change the prototype. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Copies tenant context keys onto `target`, skipping the keys the format owns. */
function copyContext(
  target: Record<string, unknown>,
  context: Record<string, unknown> | undefined,
  reserved: readonly string[],
): void {
  for (const [key, value] of Object.entries(context ?? {})) {
    if (!reserved.includes(key) && value !== undefined) {
      define(target, key, value);
    }
  }
}

function check(message: OutgoingMessage): void {
  if (typeof message.id !== 'string' || message.id === '') {
    throw new TypeError('wrap: message.id must be a non-empty string (e.g. "msg_...").');
  }
  if (typeof message.type !== 'string' || message.type === '') {
    throw new TypeError('wrap: message.type must be a non-empty string (e.g. "link.click").');
  }
  if (!(message.timestamp instanceof Date) || Number.isNaN(message.timestamp.getTime())) {
    throw new TypeError('wrap: message.timestamp must be a valid Date.');
  }
  const year = message.timestamp.getUTCFullYear();
  if (year < 0 || year > 9999) {
    throw new TypeError('wrap: message.timestamp must fall in years 0000-9999 to render as RFC 3339.');
  }
  if (message.data === undefined) {
    throw new TypeError('wrap: message.data is undefined; JSON would drop it. Use null for "no data".');
  }
  for (const key of ['context', 'customData'] as const) {
    if (message[key] !== undefined && !isPlainObject(message[key])) {
      throw new TypeError(`wrap: message.${key} must be a plain object when given.`);
    }
  }
  if (
    message.apiVersion !== undefined &&
    (typeof message.apiVersion !== 'string' || message.apiVersion === '')
  ) {
    throw new TypeError('wrap: message.apiVersion must be a non-empty string when given.');
  }
}

/**
 * Renders a message in an envelope version, as a plain JSON-able object (serialise it once with
 * `JSON.stringify`, then sign those exact bytes).
 *
 * - `v1` (legacy): `{ apiVersion, type, data, customData? }`; `id`, `timestamp` and `context` travel only in
 *   the signature headers / are not part of v1.
 * - `v2`: `{ metadata: { id, apiVersion, eventType, eventTime, ...context }, data }`; `customData` is not
 *   part of v2. Context keys never override the reserved metadata keys ({@link RESERVED_CONTEXT_KEYS}).
 * - `standard`: `{ type, timestamp, data }`; the id travels in the `webhook-id` header.
 * - `object`: `{ id, type, created_at, ...context, data }`; context keys never override those four.
 * - `flat`: `{ event, ...data }`; when `data` is not a plain object or has its own `event` key, flattening would
 *   lose it, so it renders `{ event, data }` instead.
 *
 * @example
 * const body = JSON.stringify(wrap('v2', { id: 'msg_1', type: 'link.click', timestamp: new Date(), data, context: { campaignId } }));
 * @throws {TypeError} for an empty id or type, an invalid date, undefined data or a non-object context.
 */
export function wrap(version: EnvelopeFormat, message: OutgoingMessage): Record<string, unknown> {
  check(message);
  if (version === 'standard') {
    return { type: message.type, timestamp: message.timestamp.toISOString(), data: message.data };
  }
  if (version === 'object') {
    const envelope: Record<string, unknown> = {
      id: message.id,
      type: message.type,
      created_at: message.timestamp.toISOString(),
    };
    copyContext(envelope, message.context, OBJECT_KEYS);
    envelope['data'] = message.data;
    return envelope;
  }
  if (version === 'flat') {
    if (!isPlainObject(message.data) || Object.hasOwn(message.data, 'event')) {
      // Flattening would drop something (a non-object, or data's own "event"): nest it instead, losing nothing.
      return { event: message.type, data: message.data };
    }
    const envelope: Record<string, unknown> = { event: message.type };
    for (const [key, value] of Object.entries(message.data)) {
      define(envelope, key, value);
    }
    return envelope;
  }
  if (version === 'v1') {
    const envelope: Record<string, unknown> = {
      apiVersion: message.apiVersion ?? API_VERSIONS.v1,
      type: message.type,
      data: message.data,
    };
    if (message.customData !== undefined) {
      envelope['customData'] = message.customData;
    }
    return envelope;
  }
  if (version === 'v2') {
    const metadata: Record<string, unknown> = {
      id: message.id,
      apiVersion: message.apiVersion ?? API_VERSIONS.v2,
      eventType: message.type,
      eventTime: message.timestamp.toISOString(),
    };
    copyContext(metadata, message.context, RESERVED_CONTEXT_KEYS);
    return { metadata, data: message.data };
  }
  throw new TypeError(
    `wrap: unknown envelope format ${JSON.stringify(version)}; expected "v1", "v2", "standard", "object" or "flat".`,
  );
}
