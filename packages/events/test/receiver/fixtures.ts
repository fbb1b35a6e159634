import { type Scheme, schemes, sign } from '@hookwire/signatures';

export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const OTHER_SECRET = 'whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXkhIQ==';

let counter = 0;
/** A fresh message id per call, so tests never collide in a shared dedupe store. */
export function nextId(): string {
  counter += 1;
  return `msg_test${Date.now().toString(36)}${counter}`;
}

/** A v2 envelope as the Hookwire server sends it. */
export function envelope(type: string, data: unknown, id = nextId()): string {
  return JSON.stringify({
    metadata: { id, apiVersion: '2026-02-09', eventType: type, eventTime: '2026-11-23T10:00:00.000Z' },
    data,
  });
}

/** Signs `body` like a real sender and returns the request headers. */
export async function signedHeaders(
  body: string | Uint8Array,
  options: { secret?: string; id?: string; timestamp?: Date; scheme?: Scheme } = {},
): Promise<Record<string, string>> {
  const headers = await sign(options.scheme ?? schemes.standard(), {
    secret: options.secret ?? SECRET,
    body,
    id: options.id ?? nextId(),
    timestamp: options.timestamp ?? new Date(),
  });
  return { 'content-type': 'application/json', ...headers };
}
