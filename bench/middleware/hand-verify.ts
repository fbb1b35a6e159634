import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks verification written by hand in the fewest lines: the speed limit for any verifying
 * middleware (no dedupe, no envelope checks, no problem+json). Tolerance matches the adapters' bench setting.
 */
export function handVerify(
  key: Buffer,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
  toleranceSeconds: number,
): unknown {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sigs = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof ts !== 'string' || typeof sigs !== 'string') {
    throw new Error('missing headers');
  }
  if (Math.abs(Date.now() / 1000 - Number(ts)) > toleranceSeconds) {
    throw new Error('timestamp');
  }
  const expected = createHmac('sha256', key).update(`${id}.${ts}.`).update(body).digest();
  const ok = sigs.split(' ').some((entry) => {
    const given = Buffer.from(entry.slice(3), 'base64');
    return entry.startsWith('v1,') && given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) {
    throw new Error('signature');
  }
  return JSON.parse(body.toString('utf8'));
}
