import { generateSecret, schemes, sign } from '@hookwire/signatures';

/** Secrets shared by the suites: one the receiver knows, one it does not. */
export const secret = generateSecret();
export const otherSecret = generateSecret();

/** A valid `data` for the links catalog's `link.click`. */
export const clickData = {
  link_id: 'lnk_abc',
  short_url: 'https://sho.rt/abc',
  country: 'US',
  clicked_at: '2026-11-23T10:00:00.000Z',
};

let sequence = 0;

/** A v2 envelope with a unique id. */
export function envelope(type = 'link.click', data: unknown = clickData): { id: string; body: string } {
  sequence += 1;
  const id = `msg_test${sequence}x${Date.now()}`;
  const body = JSON.stringify({
    metadata: { id, apiVersion: '2026-02-09', eventType: type, eventTime: '2026-11-23T10:00:00.000Z' },
    data,
  });
  return { id, body };
}

/** Standard Webhooks headers for `body`. */
export function signedHeaders(
  body: string,
  options: { id: string; secret?: string; timestamp?: Date },
): Promise<Record<string, string>> {
  return sign(schemes.standard(), {
    secret: options.secret ?? secret,
    body,
    id: options.id,
    ...(options.timestamp ? { timestamp: options.timestamp } : {}),
  });
}

/** Collects what the receiver logs, so 5xx paths are asserted instead of printed. */
export function captureLogger(): {
  logger: { error(message: string, error?: unknown): void };
  logged: unknown[];
} {
  const logged: unknown[] = [];
  return {
    logged,
    logger: {
      error(message, error) {
        logged.push({ message, error });
      },
    },
  };
}
