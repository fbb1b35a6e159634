import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateSecret, schemes, sign } from '@hookwire/signatures';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedEvent } from '../lib/received-events';
import { appDir, buildIsFresh, type NextServer, nextBuild, nextStart } from './next-server';

// End to end: a production build of this app (`next build` + `next start`) on 127.0.0.1, driven with real
// HTTP requests signed by @hookwire/signatures and by the third-party `standardwebhooks` package.

const secret = generateSecret();
const otherSecret = generateSecret();
let server: NextServer;
let sequence = 0;

beforeAll(async () => {
  if (!buildIsFresh()) {
    await nextBuild();
  }
  server = await nextStart({ HOOKWIRE_WEBHOOK_SECRET: secret });
});

afterAll(async () => {
  await server?.stop();
});

const clickData = {
  link_id: 'lnk_abc',
  short_url: 'https://sho.rt/abc',
  country: 'US',
  clicked_at: '2026-11-23T10:00:00.000Z',
};

/** A fresh v2 envelope for `link.click` with a unique id. */
function clickEnvelope(): { id: string; body: string; data: typeof clickData } {
  sequence += 1;
  const id = `msg_e2e${Date.now()}${sequence}`;
  const body = JSON.stringify({
    metadata: { id, apiVersion: '2026-02-09', eventType: 'link.click', eventTime: new Date().toISOString() },
    data: clickData,
  });
  return { id, body, data: clickData };
}

async function signed(body: string, options: { id: string; secret?: string; timestamp?: Date }) {
  return sign(schemes.standard(), {
    secret: options.secret ?? secret,
    body,
    id: options.id,
    ...(options.timestamp ? { timestamp: options.timestamp } : {}),
  });
}

async function post(path: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${server.origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

async function eventsWithId(id: string): Promise<ReceivedEvent[]> {
  const response = await fetch(`${server.origin}/api/events`);
  const { events } = (await response.json()) as { events: ReceivedEvent[] };
  return events.filter((event) => event.id === id);
}

/** Lines the edge route logged for a message id (edge instances share no memory with the test). */
function edgeLogLines(id: string): string[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.includes('[webhooks-edge]') && line.includes(id));
}

/** How many times the route's handler ran for `id`, read from where that route records events. */
async function handledCount(route: string, id: string): Promise<number> {
  if (route === '/api/webhooks-edge') {
    // Console output of the child arrives asynchronously; give it a bounded moment.
    for (let attempt = 0; attempt < 20 && edgeLogLines(id).length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return edgeLogLines(id).length;
  }
  return (await eventsWithId(id)).length;
}

async function expectProblem(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  const problem = (await response.json()) as { code: string; status: number };
  expect(problem).toMatchObject({ code, status });
}

describe.each([['/api/webhooks'], ['/api/webhooks-edge'], ['/api/webhooks-pages']])('POST %s', (route) => {
  it('accepts an event signed by @hookwire/signatures and runs the handler once with typed data', async () => {
    const { id, body, data } = clickEnvelope();
    const response = await post(route, body, await signed(body, { id }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true });
    expect(await handledCount(route, id)).toBe(1);
    if (route === '/api/webhooks-edge') {
      expect(edgeLogLines(id)[0]).toContain(`link.click ${id} ${JSON.stringify(data)}`);
    } else {
      const [event] = await eventsWithId(id);
      expect(event).toMatchObject({ id, type: 'link.click', data });
    }
  });

  it('accepts an event signed by the standardwebhooks package', async () => {
    const { id, body } = clickEnvelope();
    const timestamp = new Date();
    const signature = new Webhook(secret).sign(id, timestamp, body);
    const response = await post(route, body, {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    });
    expect(response.status).toBe(200);
    expect(await handledCount(route, id)).toBe(1);
  });

  it('rejects a tampered body with 401 no_matching_signature and never runs the handler', async () => {
    const { id, body } = clickEnvelope();
    const headers = await signed(body, { id });
    const tampered = body.replace('link.click', 'link.clicK');
    expect(tampered).not.toBe(body);
    await expectProblem(await post(route, tampered, headers), 401, 'no_matching_signature');
    expect(await handledCount(route, id)).toBe(0);
  });

  it('rejects a signature made with another secret', async () => {
    const { id, body } = clickEnvelope();
    await expectProblem(
      await post(route, body, await signed(body, { id, secret: otherSecret })),
      401,
      'no_matching_signature',
    );
    expect(await handledCount(route, id)).toBe(0);
  });

  it('rejects a timestamp older than the 300 s tolerance', async () => {
    const { id, body } = clickEnvelope();
    const stale = new Date(Date.now() - 301_000);
    await expectProblem(
      await post(route, body, await signed(body, { id, timestamp: stale })),
      401,
      'timestamp_too_old',
    );
    expect(await handledCount(route, id)).toBe(0);
  });

  it('rejects a request without signature headers', async () => {
    const { id, body } = clickEnvelope();
    await expectProblem(await post(route, body, {}), 401, 'missing_header');
    expect(await handledCount(route, id)).toBe(0);
  });

  it('answers a redelivered id with 200 duplicate and does not run the handler again', async () => {
    const { id, body } = clickEnvelope();
    expect((await post(route, body, await signed(body, { id }))).status).toBe(200);
    // The sender retries with a fresh timestamp and signature but the same id (HARDENING #46).
    const retry = await post(route, body, await signed(body, { id, timestamp: new Date(Date.now() + 1000) }));
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ received: true, duplicate: true });
    expect(await handledCount(route, id)).toBe(1);
  });
});

describe('Pages route with the Next body parser left on', () => {
  it('answers 500 body_already_parsed naming the bodyParser fix', async () => {
    const { id, body } = clickEnvelope();
    const response = await post('/api/webhooks-pages-parsed', body, await signed(body, { id }));
    expect(response.status).toBe(500);
    const problem = (await response.json()) as { code: string; detail: string };
    expect(problem.code).toBe('body_already_parsed');
    expect(problem.detail).toContain('export const config = { api: { bodyParser: false } }');
  });
});

describe("the README's send-test-event script", () => {
  it('delivers a signed event that the Node route accepts', async () => {
    const script = join(appDir, 'scripts', 'send-test-event.mjs');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [script, `${server.origin}/api/webhooks`],
      {
        env: { ...process.env, HOOKWIRE_WEBHOOK_SECRET: secret },
      },
    );
    expect(stdout).toContain('200 {"received":true}');
  });
});
