import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { schemes, verify } from '@hookwire/signatures';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether the Standard Webhooks signature verified against the secrets known at that time. */
  verified: boolean;
}

/**
 * A real webhook receiver on 127.0.0.1: verifies every request with @hookwire/signatures against the secrets
 * it was given, answers 200 when it verifies and `failing` is off, else 500 (or 401 when the signature is
 * wrong), and records everything.
 */
export async function startReceiver() {
  const received: ReceivedWebhook[] = [];
  const state = { secrets: [] as string[], failing: false };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      let verified = false;
      if (state.secrets.length > 0) {
        try {
          await verify(schemes.standard(), { secrets: state.secrets, body, headers: req.headers });
          verified = true;
        } catch {
          verified = false;
        }
      }
      received.push({ headers: req.headers, body: body.toString('utf8'), verified });
      const status = !verified ? 401 : state.failing ? 500 : 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ ok: status === 200, note: status === 500 ? 'receiver told to fail' : undefined }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
