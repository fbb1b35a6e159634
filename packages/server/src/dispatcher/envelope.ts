import { randomBytes } from 'node:crypto';
import { type EnvelopeFormat, wrap } from '@hookwire/events';
import { dataTextOf } from '../store/message-data-text.js';
import type { Message } from '../store/store.js';

type RenderedMessage = Pick<Message, 'id' | 'eventType' | 'timestamp' | 'data' | 'context' | 'customData'>;

/**
 * The body an endpoint receives for a message, in the endpoint's format. Rendering lives once, in
 * `@hookwire/events` `wrap`, so the server and every receiver agree on the bytes; this only maps the stored
 * message onto it (the store keeps absent context/customData as null, `wrap` wants them absent).
 */
export function renderEnvelope(format: EnvelopeFormat, message: RenderedMessage): Record<string, unknown> {
  return wrap(format, {
    id: message.id,
    type: message.eventType,
    timestamp: message.timestamp,
    data: message.data,
    ...(message.context ? { context: message.context } : {}),
    ...(message.customData ? { customData: message.customData } : {}),
  });
}

// Unguessable, so no tenant-supplied string (context, event type) can contain it; JSON.stringify escapes
// the NUL, so it also cannot collide with the escaping of ordinary text.
const PLACEHOLDER = `\u0000hookwire-data-${randomBytes(16).toString('hex')}`;
const QUOTED_PLACEHOLDER = JSON.stringify(PLACEHOLDER);

/**
 * `JSON.stringify(renderEnvelope(format, message))`, byte for byte. When the store still holds `data` as the
 * JSON text it wrote (SQLite), the text goes into the envelope as is instead of being parsed and serialised
 * again. `flat` spreads data's fields into the envelope, so it always works on the value.
 */
export function renderEnvelopeBody(format: EnvelopeFormat, message: RenderedMessage): string {
  const text = format === 'flat' ? undefined : dataTextOf(message);
  if (text === undefined) {
    return JSON.stringify(renderEnvelope(format, message));
  }
  // Listed field by field: spreading `message` would read (and so parse) `data`.
  const json = JSON.stringify(
    renderEnvelope(format, {
      id: message.id,
      eventType: message.eventType,
      timestamp: message.timestamp,
      data: PLACEHOLDER,
      context: message.context,
      customData: message.customData,
    }),
  );
  const at = json.indexOf(QUOTED_PLACEHOLDER);
  return `${json.slice(0, at)}${text}${json.slice(at + QUOTED_PLACEHOLDER.length)}`;
}
