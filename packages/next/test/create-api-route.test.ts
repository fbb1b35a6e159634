import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { links } from '@hookwire/events/catalogs/links';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApiRoute, pagesWebhookHandler } from '../src/pages.js';
import { captureLogger, clickData, envelope, otherSecret, secret, signedHeaders } from './helpers.js';

type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Serves `route` on 127.0.0.1, like `next start` does for a Pages API route with `bodyParser: false`. */
async function listen(route: Route, before?: (req: IncomingMessage) => Promise<void>): Promise<string> {
  server = createServer((req, res) => {
    void (async () => {
      await before?.(req);
      await route(req, res);
    })();
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks`;
}

/** What Next's API resolver does with `bodyParser` left on: consume the stream, set `req.body`. */
async function nextBodyParser(req: IncomingMessage): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  (req as IncomingMessage & { body: unknown }).body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function problemOf(response: Response): Promise<{ status: number; code: string; detail: string }> {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return (await response.json()) as { status: number; code: string; detail: string };
}

describe('createApiRoute (Pages Router) on a real node:http server', () => {
  it('hands a verified, typed event and the Node request to the handler once', async () => {
    const seen: { type: string; data: unknown; method: string | undefined }[] = [];
    const url = await listen(
      createApiRoute({ secret, catalog: links }, (event, req) => {
        seen.push({ type: event.type, data: event.data, method: req.method });
      }),
    );
    const { id, body } = envelope();
    const response = await fetch(url, { method: 'POST', headers: await signedHeaders(body, { id }), body });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true });
    expect(seen).toEqual([{ type: 'link.click', data: clickData, method: 'POST' }]);
  });

  it('is also exported as pagesWebhookHandler', () => {
    expect(pagesWebhookHandler).toBe(createApiRoute);
  });

  it.each([
    ['tampered body', 'tampered', 401, 'no_matching_signature'],
    ['wrong secret', 'wrong-secret', 401, 'no_matching_signature'],
    ['stale timestamp', 'stale', 401, 'timestamp_too_old'],
    ['missing headers', 'unsigned', 401, 'missing_header'],
  ] as const)('rejects %s without running the handler', async (_name, kind, status, code) => {
    const handler = vi.fn();
    const url = await listen(createApiRoute({ secret, catalog: links }, handler));
    const { id, body } = envelope();
    const headers =
      kind === 'unsigned'
        ? {}
        : await signedHeaders(body, {
            id,
            ...(kind === 'wrong-secret' ? { secret: otherSecret } : {}),
            ...(kind === 'stale' ? { timestamp: new Date(Date.now() - 301_000) } : {}),
          });
    const sent = kind === 'tampered' ? body.replace('"link.click"', '"link.created"') : body;
    const response = await fetch(url, { method: 'POST', headers, body: sent });
    expect(response.status).toBe(status);
    expect(await problemOf(response)).toMatchObject({ status, code });
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers a redelivered id with 200 duplicate', async () => {
    const handler = vi.fn();
    const url = await listen(createApiRoute({ secret, catalog: links }, handler));
    const { id, body } = envelope();
    for (const expected of [{ received: true }, { received: true, duplicate: true }]) {
      const response = await fetch(url, { method: 'POST', headers: await signedHeaders(body, { id }), body });
      expect(await response.json()).toEqual(expected);
    }
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('answers 500 handler_failed when the handler throws', async () => {
    const { logger, logged } = captureLogger();
    const url = await listen(
      createApiRoute({ secret, catalog: links, logger }, () => {
        throw new Error('boom');
      }),
    );
    const { id, body } = envelope();
    const response = await fetch(url, { method: 'POST', headers: await signedHeaders(body, { id }), body });
    expect(response.status).toBe(500);
    expect(await problemOf(response)).toMatchObject({ code: 'handler_failed' });
    expect(logged).toHaveLength(1);
  });

  it('answers 500 body_already_parsed naming `bodyParser: false` when Next parsed the body first', async () => {
    const handler = vi.fn();
    const { logger } = captureLogger();
    const url = await listen(createApiRoute({ secret, catalog: links, logger }, handler), nextBodyParser);
    const { id, body } = envelope();
    const response = await fetch(url, { method: 'POST', headers: await signedHeaders(body, { id }), body });
    expect(response.status).toBe(500);
    const problem = await problemOf(response);
    expect(problem.code).toBe('body_already_parsed');
    expect(problem.detail).toContain('export const config = { api: { bodyParser: false } }');
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers 413 for a streamed (chunked) body above maxBodyBytes', async () => {
    const handler = vi.fn();
    const url = await listen(createApiRoute({ secret, catalog: links, maxBodyBytes: 1024 }, handler));
    const chunk = new TextEncoder().encode('x'.repeat(512));
    let sent = 0;
    // No content-length: the limit must hold while streaming. Bounded: at most 64 chunks (32 KiB).
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 64) {
          controller.close();
          return;
        }
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(url, {
      method: 'POST',
      headers: await signedHeaders('x', { id: 'msg_big' }),
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await problemOf(response)).toMatchObject({ code: 'body_too_large' });
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers 405 with Allow: POST for other methods', async () => {
    const url = await listen(createApiRoute({ secret }, vi.fn()));
    const response = await fetch(url);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('passes the query string to the scheme (token URLs)', async () => {
    const { schemes } = await import('@hookwire/signatures');
    const handler = vi.fn();
    const token = 'tok_0123456789abcdef0123456789abcdef';
    const url = await listen(createApiRoute({ secret: token, scheme: schemes.token() }, handler));
    const { body } = envelope();
    const ok = await fetch(`${url}?token=${token}`, { method: 'POST', body });
    expect(ok.status).toBe(200);
    const bad = await fetch(`${url}?token=nope`, { method: 'POST', body });
    expect(bad.status).toBe(401);
    expect(handler).toHaveBeenCalledTimes(1);
  });
});
