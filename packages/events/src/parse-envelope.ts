import { EnvelopeError, isEnvelopeError } from './errors.js';
import { parseTimestamp } from './parse-timestamp.js';
import type { WebhookEvent } from './types.js';

/** What a custom parser returns: the event without `envelope` and `payload`, which `parseEnvelope` adds. */
export type ParsedEvent = Omit<WebhookEvent, 'envelope' | 'payload'>;

/** Options for {@link parseEnvelope}. */
export interface ParseEnvelopeOptions {
  /**
   * Reads any other payload shape. Tried first; return `undefined` to fall back to the built-in shapes.
   * The result is checked like a built-in one and marked `envelope: 'custom'`.
   */
  parse?: ((payload: unknown) => ParsedEvent | undefined) | undefined;
}

const SHAPES =
  'v2 { metadata: { eventType, eventTime?, id? }, data }, v1 { apiVersion, type, data }, ' +
  'Standard Webhooks { type, timestamp, data } or { id, type, created_at, data }';

function fail(message: string, cause?: unknown): never {
  throw new EnvelopeError('invalid_envelope', message, cause === undefined ? undefined : { cause });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function requireType(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') {
    fail(`${field} must be a non-empty string, received ${describe(value)}.`);
  }
  return value;
}

function optionalId(value: unknown, field: string): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string' || value === '') {
    fail(`${field} must be a non-empty string when present, received ${describe(value)}.`);
  }
  return value;
}

function timestampOf(value: unknown, field: string): Date {
  const date = parseTimestamp(value);
  if (!date) {
    fail(
      `${field} must be an RFC 3339 timestamp such as "2026-11-23T10:00:00.000Z", received ${JSON.stringify(value)}.`,
    );
  }
  return date;
}

function requireData(payload: Record<string, unknown>): unknown {
  if (!Object.hasOwn(payload, 'data')) {
    fail('The envelope has no "data" field.');
  }
  return payload['data'];
}

/** Builds the event with its keys in a stable, readable order, leaving absent optional keys out. */
function eventOf(
  kind: WebhookEvent['envelope'],
  payload: unknown,
  type: string,
  data: unknown,
  id?: string,
  timestamp?: Date,
): WebhookEvent {
  // Plain literals (not conditional spreads): this runs once per received webhook.
  if (id === undefined) {
    return timestamp === undefined
      ? { type, data, envelope: kind, payload }
      : { type, timestamp, data, envelope: kind, payload };
  }
  return timestamp === undefined
    ? { id, type, data, envelope: kind, payload }
    : { id, type, timestamp, data, envelope: kind, payload };
}

function parseV2(payload: Record<string, unknown>): WebhookEvent {
  const metadata = payload['metadata'];
  if (!isObject(metadata)) {
    fail(`v2 envelope: "metadata" must be an object, received ${describe(metadata)}.`);
  }
  const type = requireType(metadata['eventType'], 'v2 envelope: metadata.eventType');
  const id = optionalId(metadata['id'], 'v2 envelope: metadata.id');
  const timestamp =
    metadata['eventTime'] === undefined
      ? undefined
      : timestampOf(metadata['eventTime'], 'v2 envelope: metadata.eventTime');
  return eventOf('v2', payload, type, requireData(payload), id, timestamp);
}

function parseV1(payload: Record<string, unknown>): WebhookEvent {
  if (typeof payload['apiVersion'] !== 'string') {
    fail(`v1 envelope: "apiVersion" must be a string, received ${describe(payload['apiVersion'])}.`);
  }
  const type = requireType(payload['type'], 'v1 envelope: type');
  const customData = payload['customData'];
  if (customData !== undefined && customData !== null && !isObject(customData)) {
    fail(`v1 envelope: "customData" must be an object when present, received ${describe(customData)}.`);
  }
  return eventOf('v1', payload, type, requireData(payload));
}

function parseStandard(payload: Record<string, unknown>): WebhookEvent {
  const type = requireType(payload['type'], 'envelope: type');
  if (Object.hasOwn(payload, 'created_at')) {
    // `{ id, type, created_at, data }` (Linka Factory and many others): Standard Webhooks with the id inline.
    const id = optionalId(payload['id'], 'envelope: id');
    const timestamp = timestampOf(payload['created_at'], 'envelope: created_at');
    return eventOf('standard', payload, type, requireData(payload), id, timestamp);
  }
  if (!Object.hasOwn(payload, 'timestamp')) {
    fail(
      `The payload matches no known envelope (it has no "timestamp"); expected ${SHAPES}, or pass \`parse\`.`,
    );
  }
  const timestamp = timestampOf(payload['timestamp'], 'envelope: timestamp');
  const id = optionalId(payload['id'], 'envelope: id');
  return eventOf('standard', payload, type, requireData(payload), id, timestamp);
}

function parseCustom(parsed: ParsedEvent, payload: unknown): WebhookEvent {
  if (!isObject(parsed)) {
    fail(`The custom parser must return an object or undefined, returned ${describe(parsed)}.`);
  }
  const type = requireType(parsed.type, 'custom parser result: type');
  const id = optionalId(parsed.id, 'custom parser result: id');
  if (
    parsed.timestamp !== undefined &&
    !(parsed.timestamp instanceof Date && !Number.isNaN(parsed.timestamp.getTime()))
  ) {
    fail('custom parser result: timestamp must be a valid Date when present.');
  }
  return eventOf('custom', payload, type, parsed.data, id, parsed.timestamp);
}

/**
 * Reads an event out of a parsed JSON payload, recognising v2, v1, Standard Webhooks `{ type, timestamp, data }`
 * and `{ id, type, created_at, data }`, or any shape your `parse` function knows.
 *
 * @example
 * const event = parseEnvelope(parseJson(rawBody));
 * if (event.type === 'link.click') { ... }
 * @throws {EnvelopeError} `invalid_envelope` when no shape matches or a field has the wrong type.
 */
export function parseEnvelope(payload: unknown, options: ParseEnvelopeOptions = {}): WebhookEvent {
  if (options.parse) {
    let parsed: ParsedEvent | undefined;
    try {
      parsed = options.parse(payload);
    } catch (cause) {
      if (isEnvelopeError(cause)) {
        throw cause;
      }
      fail(`The custom parser threw: ${cause instanceof Error ? cause.message : String(cause)}`, cause);
    }
    if (parsed !== undefined) {
      return parseCustom(parsed, payload);
    }
  }
  if (!isObject(payload)) {
    fail(`Expected a JSON object, received ${describe(payload)}; expected ${SHAPES}.`);
  }
  if (Object.hasOwn(payload, 'metadata')) {
    return parseV2(payload);
  }
  if (Object.hasOwn(payload, 'apiVersion')) {
    return parseV1(payload);
  }
  if (!Object.hasOwn(payload, 'type')) {
    fail(`The payload has no "type" or "metadata.eventType"; expected ${SHAPES}, or pass \`parse\`.`);
  }
  return parseStandard(payload);
}

/** Options for {@link createFlatEventParser}. */
export interface FlatEventParserOptions {
  /** Field holding the event name. Default `event`. */
  typeField?: string;
  /** Field holding an RFC 3339 timestamp, if any (kept in `data` too). */
  timestampField?: string;
  /** Field holding a message id, if any (kept in `data` too). */
  idField?: string;
  /** Maps the sender's name onto yours, e.g. `(t) => \`activly.${t}\``. */
  mapType?: (type: string) => string;
}

/**
 * A `parse` function for flat payloads that put the event name next to the data, such as
 * `{ "event": "link.clicked", "link_id": "lnk_abc" }`. `data` is every field except the type field.
 * Payloads without the type field return `undefined`, so the built-in shapes are still tried.
 *
 * @example
 * parseEnvelope(payload, { parse: createFlatEventParser({ timestampField: 'timestamp' }) });
 */
export function createFlatEventParser(
  options: FlatEventParserOptions = {},
): (payload: unknown) => ParsedEvent | undefined {
  const typeField = options.typeField ?? 'event';
  return function parseFlatEvent(payload) {
    if (!isObject(payload) || !Object.hasOwn(payload, typeField)) {
      return undefined;
    }
    const { [typeField]: rawType, ...data } = payload;
    const name = requireType(rawType, `flat payload: ${typeField}`);
    const event: ParsedEvent = { type: options.mapType ? options.mapType(name) : name, data };
    if (options.idField !== undefined && payload[options.idField] !== undefined) {
      event.id = optionalId(payload[options.idField], `flat payload: ${options.idField}`);
    }
    if (options.timestampField !== undefined) {
      event.timestamp = timestampOf(
        payload[options.timestampField],
        `flat payload: ${options.timestampField}`,
      );
    }
    return event;
  };
}
