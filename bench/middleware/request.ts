/** The one request every middleware benchmark replays: a 1 KiB v2 envelope signed with the standard scheme. */
import { schemes, sign } from '@hookwire/signatures';

export function body1KiB(): string {
  const base = {
    metadata: {
      id: 'msg_bench',
      apiVersion: '2026-02-09',
      eventType: 'link.click',
      eventTime: new Date().toISOString(),
    },
    data: { linkId: 'lnk_2Zy1', country: 'FR', city: 'Paris', userAgent: 'Mozilla/5.0', pad: '' },
  };
  base.data.pad = 'x'.repeat(1024 - JSON.stringify(base).length);
  const text = JSON.stringify(base);
  if (Buffer.byteLength(text) !== 1024) {
    throw new Error('body must be exactly 1 KiB');
  }
  return text;
}

/** Body and headers (content-type plus the signature headers) of the replayed request. */
export async function signedRequest(
  secret: string,
): Promise<{ body: string; headers: Record<string, string> }> {
  const body = body1KiB();
  const headers = {
    'content-type': 'application/json',
    ...(await sign(schemes.standard(), { secret, body, id: 'msg_bench', timestamp: new Date() })),
  };
  return { body, headers };
}
