export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const OTHER_SECRET = 'whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXkhIQ==';

let counter = 0;
export function nextId(): string {
  counter += 1;
  return `msg_e2e${Date.now().toString(36)}${counter}`;
}

/** Valid `link.click` data for the built-in `links` catalog. */
export const CLICK_DATA = { link_id: 'lnk_abc', country: 'FR' };

/** A v2 envelope as the Hookwire server sends it. */
export function envelope(type: string, data: unknown, id = nextId()): string {
  return JSON.stringify({
    metadata: { id, apiVersion: '2026-02-09', eventType: type, eventTime: new Date().toISOString() },
    data,
  });
}
