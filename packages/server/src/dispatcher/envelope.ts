import { type EnvelopeFormat, wrap } from '@hookwire/events';
import type { Message } from '../store/store.js';

/**
 * The body an endpoint receives for a message, in the endpoint's format. Rendering lives once, in
 * `@hookwire/events` `wrap`, so the server and every receiver agree on the bytes; this only maps the stored
 * message onto it (the store keeps absent context/customData as null, `wrap` wants them absent).
 */
export function renderEnvelope(
  format: EnvelopeFormat,
  message: Pick<Message, 'id' | 'eventType' | 'timestamp' | 'data' | 'context' | 'customData'>,
): Record<string, unknown> {
  return wrap(format, {
    id: message.id,
    type: message.eventType,
    timestamp: message.timestamp,
    data: message.data,
    ...(message.context ? { context: message.context } : {}),
    ...(message.customData ? { customData: message.customData } : {}),
  });
}
