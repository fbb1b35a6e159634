import { links } from '@hookwire/events/catalogs/links';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRouteHandler, createRouter, webhookHandler } from '../src/index.js';
import { captureLogger, clickData, envelope, otherSecret, secret, signedHeaders } from './helpers.js';

const url = 'http://127.0.0.1/api/webhooks';

function post(body: string, headers: Record<string, string>): Request {
  return new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

async function problemOf(response: Response): Promise<{ status: number; code: string; detail: string }> {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return (await response.json()) as { status: number; code: string; detail: string };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('createRouteHandler (App Router)', () => {
  it('hands a verified event, typed by the catalog, and the Request to the handler once', async () => {
    const seen: { event: unknown; request: Request }[] = [];
    const POST = createRouteHandler({ secret, catalog: links }, (event, request) => {
      if (event.type === 'link.click') {
        seen.push({ event, request });
      }
    });
    const { id, body } = envelope();
    const request = post(body, await signedHeaders(body, { id }));
    const response = await POST(request);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.event).toMatchObject({ id, type: 'link.click', data: clickData });
    expect(seen[0]?.request).toBe(request);
  });

  it('is also exported as webhookHandler', () => {
    expect(webhookHandler).toBe(createRouteHandler);
  });

  const rejections: [string, { given: () => Promise<Request>; want: { status: number; code: string } }][] = [
    [
      'tampered body',
      {
        given: async () => {
          const { id, body } = envelope();
          return post(body.replace('"link.click"', '"link.created"'), await signedHeaders(body, { id }));
        },
        want: { status: 401, code: 'no_matching_signature' },
      },
    ],
    [
      'wrong secret',
      {
        given: async () => {
          const { id, body } = envelope();
          return post(body, await signedHeaders(body, { id, secret: otherSecret }));
        },
        want: { status: 401, code: 'no_matching_signature' },
      },
    ],
    [
      'stale timestamp (301 s old)',
      {
        given: async () => {
          const { id, body } = envelope();
          return post(body, await signedHeaders(body, { id, timestamp: new Date(Date.now() - 301_000) }));
        },
        want: { status: 401, code: 'timestamp_too_old' },
      },
    ],
    [
      'timestamp 301 s in the future',
      {
        given: async () => {
          const { id, body } = envelope();
          return post(body, await signedHeaders(body, { id, timestamp: new Date(Date.now() + 301_000) }));
        },
        want: { status: 401, code: 'timestamp_too_new' },
      },
    ],
    [
      'missing signature headers',
      { given: async () => post(envelope().body, {}), want: { status: 401, code: 'missing_header' } },
    ],
    [
      'data that does not match the catalog',
      {
        given: async () => {
          const { id, body } = envelope('link.click', { unexpected: true });
          return post(body, await signedHeaders(body, { id }));
        },
        want: { status: 400, code: 'invalid_data' },
      },
    ],
    [
      'signed body that is not JSON',
      {
        given: async () => post('not json', await signedHeaders('not json', { id: 'msg_notjson' })),
        want: { status: 400, code: 'invalid_json' },
      },
    ],
  ];

  it.each(rejections)('rejects %s before the handler runs', async (_name, { given, want }) => {
    const handler = vi.fn();
    const { logger } = captureLogger();
    const POST = createRouteHandler({ secret, catalog: links, logger }, handler);
    const response = await POST(await given());
    expect(response.status).toBe(want.status);
    expect(await problemOf(response)).toMatchObject(want);
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers a redelivered id with 200 duplicate without running the handler again', async () => {
    const handler = vi.fn();
    const POST = createRouteHandler({ secret, catalog: links }, handler);
    const { id, body } = envelope();
    expect((await POST(post(body, await signedHeaders(body, { id })))).status).toBe(200);
    const retry = await POST(
      post(body, await signedHeaders(body, { id, timestamp: new Date(Date.now() + 1000) })),
    );
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ received: true, duplicate: true });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('answers 500 handler_failed when the handler throws, logs it, and lets the retry run again', async () => {
    const { logger, logged } = captureLogger();
    const failure = new Error('database down');
    const handler = vi.fn().mockRejectedValueOnce(failure).mockResolvedValueOnce(undefined);
    const POST = createRouteHandler({ secret, catalog: links, logger }, handler);
    const { id, body } = envelope();
    const first = await POST(post(body, await signedHeaders(body, { id })));
    expect(first.status).toBe(500);
    expect(await problemOf(first)).toMatchObject({ code: 'handler_failed' });
    expect(logged).toEqual([{ message: expect.stringContaining('handler_failed'), error: failure }]);
    const retry = await POST(post(body, await signedHeaders(body, { id })));
    expect(retry.status).toBe(200);
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it('answers 413 above maxBodyBytes without reading further', async () => {
    const handler = vi.fn();
    const POST = createRouteHandler({ secret, catalog: links, maxBodyBytes: 64 }, handler);
    const { id, body } = envelope();
    const response = await POST(post(body, await signedHeaders(body, { id })));
    expect(response.status).toBe(413);
    expect(await problemOf(response)).toMatchObject({ code: 'body_too_large' });
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers 405 for a method other than POST', async () => {
    const POST = createRouteHandler({ secret }, vi.fn());
    const response = await POST(new Request(url));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('dispatches through a typed router; types without a route are acknowledged', async () => {
    const clicks: unknown[] = [];
    const router = createRouter(links).on('link.click', (event) => {
      clicks.push(event.data);
    });
    const POST = createRouteHandler({ secret, catalog: links }, router);
    const click = envelope();
    const response = await POST(post(click.body, await signedHeaders(click.body, { id: click.id })));
    expect(await response.json()).toEqual({ received: true });
    expect(clicks).toEqual([clickData]);
  });

  it('throws at creation without a secret, so a misconfigured route fails when it loads', () => {
    expect(() => createRouteHandler({ secret: undefined as unknown as string }, vi.fn())).toThrow(TypeError);
  });

  it('defers the secret check to the first request during `next build` (NEXT_PHASE)', async () => {
    vi.stubEnv('NEXT_PHASE', 'phase-production-build');
    const POST = createRouteHandler({ secret: undefined as unknown as string }, vi.fn());
    await expect(POST(post('{}', {}))).rejects.toThrow(TypeError);
  });
});

// Compile-time checks (run by `pnpm typecheck`): the catalog types the handler and the router.
export function typeChecks(): void {
  createRouteHandler({ secret, catalog: links }, (event) => {
    // @ts-expect-error 'link.clik' is not an event type of the links catalog
    if (event.type === 'link.clik') {
      return;
    }
  });
  // @ts-expect-error 'link.clik' is not an event type of the links catalog
  createRouter(links).on('link.clik', () => undefined);
}
