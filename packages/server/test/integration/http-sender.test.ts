import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpSender, PREVIEW_LIMIT_BYTES, SendAbortedError } from '../../src/dispatcher/http-sender.js';

// The sender drives undici's handler API directly; these pin down the edges a request() stream used to
// handle for it: requests queued behind a busy socket, shutdown, and the preview cut.
describe('HttpSender', () => {
  let server: Server;
  let url: string;
  let seen: string[];
  let handle: (req: IncomingMessage, res: ServerResponse) => void;
  const held: ServerResponse[] = [];

  beforeEach(async () => {
    seen = [];
    handle = (_req, res) => res.writeHead(204).end();
    server = createServer((req, res) => {
      seen.push(String(req.headers['x-n']));
      req.resume();
      req.on('end', () => handle(req, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?a=1`;
  });

  afterEach(async () => {
    for (const res of held.splice(0)) {
      res.destroy();
    }
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('an attempt that times out while queued for a socket is never sent afterwards', async () => {
    handle = (_req, res) => held.push(res); // never answers
    const sender = new HttpSender({ dev: true, timeoutMs: 150, connectionsPerOrigin: 1 });
    try {
      const [first, second] = await Promise.all([
        sender.send(url, '{}', { 'x-n': '1' }),
        sender.send(url, '{}', { 'x-n': '2' }),
      ]);
      expect(first.errorKind).toBe('timeout');
      expect(second.errorKind).toBe('timeout');
      // The first attempt's socket is gone; a late second request would arrive on a new one by now.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen).toEqual(['1']);
    } finally {
      await sender.close();
    }
  });

  it('shutdown rejects an attempt in flight with SendAbortedError, and any attempt after it at once', async () => {
    handle = (_req, res) => held.push(res);
    const sender = new HttpSender({ dev: true, timeoutMs: 10_000 });
    const shutdown = new AbortController();
    try {
      const inFlight = sender.send(url, '{}', { 'x-n': '1' }, shutdown.signal);
      await expect.poll(() => seen.length).toBe(1);
      shutdown.abort();
      await expect(inFlight).rejects.toBeInstanceOf(SendAbortedError);
      await expect(sender.send(url, '{}', { 'x-n': '2' }, shutdown.signal)).rejects.toBeInstanceOf(
        SendAbortedError,
      );
      expect(seen).toEqual(['1']);
    } finally {
      await sender.close();
    }
  });

  it('keeps the first 1 KiB of a body that arrives in many chunks, and the socket serves the next attempt', async () => {
    handle = (_req, res) => {
      res.writeHead(500, { 'retry-after': '7' });
      let i = 0;
      const tick = () => {
        if (i === 8) {
          res.end();
          return;
        }
        res.write('é'.repeat(100)); // 200 bytes, 2-byte characters: the cut lands inside one
        i++;
        setImmediate(tick);
      };
      tick();
    };
    const sender = new HttpSender({ dev: true, timeoutMs: 5000, connectionsPerOrigin: 1 });
    try {
      const result = await sender.send(url, '{}', { 'x-n': '1' });
      expect(result).toMatchObject({ statusCode: 500, errorKind: 'http_status', retryAfterHeader: '7' });
      expect(Buffer.byteLength(result.responsePreview)).toBe(PREVIEW_LIMIT_BYTES);
      expect(result.responsePreview).toBe('é'.repeat(PREVIEW_LIMIT_BYTES / 2));
      handle = (_req, res) => res.writeHead(200).end('fine');
      const next = await sender.send(url, '{}', { 'x-n': '2' });
      expect(next).toMatchObject({ statusCode: 200, errorKind: 'none', responsePreview: 'fine' });
      expect(seen).toEqual(['1', '2']);
    } finally {
      await sender.close();
    }
  });
});
