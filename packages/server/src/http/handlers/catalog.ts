import { createHash } from 'node:crypto';
import { isValidEventName } from '@hookwire/events';
import { attachDataText } from '../../store/message-data-text.js';
import type { EventType, MessageInput, Store } from '../../store/store.js';
import type { HandlerDeps } from '../context.js';
import { isObject, type JsonObject } from '../json.js';
import { ApiError, validationFailed } from '../problem.js';
import type { FieldError } from '../spec.js';

/** Context keys that would shadow the envelope's fixed metadata. */
const RESERVED_CONTEXT_KEYS = ['id', 'apiVersion', 'eventType', 'eventTime'];

/** The names that are not usable: malformed (`click`, `link.*`) or not in the tenant's catalog. */
export async function unknownEventNames(
  store: Store,
  tenantId: string,
  names: readonly string[],
): Promise<string[]> {
  const invalid: string[] = [];
  for (const name of new Set(names)) {
    if (!isValidEventName(name) || !(await store.getEventType(tenantId, name))) {
      invalid.push(name);
    }
  }
  return invalid;
}

export function invalidEvents(invalid: string[], errors?: FieldError[]): ApiError {
  return new ApiError(
    'INVALID_EVENTS',
    `Unknown event types: ${invalid.join(', ')}. Use full names from the catalog, such as link.click (GET /api/event-types).`,
    { invalid, ...(errors ? { errors } : {}) },
  );
}

/** @throws ApiError `INVALID_EVENTS` */
export async function requireKnownEvents(
  store: Store,
  tenantId: string,
  names: readonly string[],
): Promise<void> {
  const invalid = await unknownEventNames(store, tenantId, names);
  if (invalid.length > 0) {
    throw invalidEvents(invalid);
  }
}

/** The body of `publishEvent` (and of each batch item). */
export interface EventCreate {
  type: string;
  data: JsonObject;
  id?: string;
  eventTime?: string;
  context?: Record<string, string | number | boolean>;
  customData?: JsonObject;
}

export type PreparedEvent =
  | { ok: true; input: MessageInput }
  | { ok: false; kind: 'unknown-type'; name: string }
  | { ok: false; kind: 'invalid'; errors: FieldError[] };

/**
 * Checks one event against the catalog (type known, `data` matching its schema), the context rules and the
 * plan's size limit, and turns it into a store input. `prefix` is the JSON Pointer of the event in the body.
 *
 * @throws ApiError `PAYLOAD_TOO_LARGE`
 */
export async function prepareEvent(
  deps: HandlerDeps,
  tenantId: string,
  ev: EventCreate,
  prefix: string,
  maxBytes: number,
): Promise<PreparedEvent> {
  const text = JSON.stringify(ev.data);
  const bytes = text === undefined ? 0 : Buffer.byteLength(text);
  if (bytes > maxBytes) {
    throw new ApiError(
      'PAYLOAD_TOO_LARGE',
      `The event${prefix ? ` at ${prefix}` : ''} is ${bytes} bytes; the limit is ${maxBytes}. Send thin events (ids) and let receivers fetch details.`,
    );
  }
  const type: EventType | null = isValidEventName(ev.type)
    ? await deps.store.getEventType(tenantId, ev.type)
    : null;
  if (!type) {
    return { ok: false, kind: 'unknown-type', name: ev.type };
  }
  const errors: FieldError[] = [];
  for (const key of Object.keys(ev.context ?? {})) {
    if (RESERVED_CONTEXT_KEYS.includes(key)) {
      errors.push({
        path: `${prefix}/context/${key}`,
        message: 'would shadow a fixed envelope metadata key',
      });
    }
  }
  if (type.schema) {
    errors.push(
      ...deps.userSchemas.validate(
        `event:${tenantId}:${type.name}:${type.updatedAt.getTime()}`,
        type.schema,
        ev.data,
        `${prefix}/data`,
      ),
    );
  }
  if (errors.length > 0) {
    return { ok: false, kind: 'invalid', errors };
  }
  const input: MessageInput = {
    eventType: type.name,
    data: ev.data,
    ...(ev.eventTime ? { timestamp: new Date(ev.eventTime) } : {}),
    ...(ev.context ? { context: ev.context } : {}),
    ...(ev.customData ? { customData: ev.customData } : {}),
    ...(ev.id !== undefined ? { externalId: ev.id } : {}),
  };
  // The store writes the text measured here instead of serialising the payload again.
  return { ok: true, input: text === undefined ? input : attachDataText(input, text) };
}

/** Prepares one event and throws its problem (`INVALID_EVENTS`, `VALIDATION_FAILED`, `PAYLOAD_TOO_LARGE`). */
export async function requirePreparedEvent(
  deps: HandlerDeps,
  tenantId: string,
  ev: EventCreate,
  maxBytes: number,
): Promise<MessageInput> {
  const prepared = await prepareEvent(deps, tenantId, ev, '', maxBytes);
  if (prepared.ok) {
    return prepared.input;
  }
  if (prepared.kind === 'unknown-type') {
    throw invalidEvents([prepared.name]);
  }
  throw validationFailed(prepared.errors, 'The event');
}

/** A stable hash of a parsed request body, for idempotency keys. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** JSON with object keys sorted, so the same content always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
