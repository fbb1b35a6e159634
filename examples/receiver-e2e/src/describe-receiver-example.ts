import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { schemes, sign } from '@hookwire/signatures';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLICK_DATA, envelope, nextId, OTHER_SECRET, SECRET } from './fixtures.js';

/**
 * The end-to-end suite every receiver example passes: it starts the example the way its README says
 * (`tsx src/server.ts` in the example's folder) on a free port, then sends real requests signed by
 * @hookwire/signatures and by the third-party `standardwebhooks` package. The example must print
 * `listening on http://...`, accept `POST /webhooks` with the `links` catalog and list handled events at
 * `GET /events`.
 *
 * @param name what the suite is called, e.g. `examples/express-receiver`
 * @param exampleRoot the example's folder, e.g. `new URL('..', import.meta.url)` from its test file
 */
export function describeReceiverExample(name: string, exampleRoot: URL): void {
  const root = fileURLToPath(exampleRoot);
  let child: ChildProcess;
  let base = '';
  let stdout = '';

  beforeAll(async () => {
    // The real example, started the way its README says (tsx src/server.ts), on a free port.
    child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', WEBHOOK_SECRET: SECRET },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // Listen with 'data' (not for-await, whose early exit would destroy the pipe and crash the child on EPIPE).
    base = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk) => {
        stdout += String(chunk);
        const match = /listening on (http:\/\/[\d.:]+)/.exec(stdout);
        if (match) {
          resolve(match[1]!);
        }
      });
      child.once('exit', (code) =>
        reject(new Error(`the example exited with code ${code} before listening`)),
      );
    });
    expect(base).not.toBe('');
  });

  afterAll(async () => {
    child.kill();
    await once(child, 'exit');
  });

  async function signedHeaders(
    body: string,
    options: { id?: string; timestamp?: Date; secret?: string } = {},
  ) {
    return {
      'content-type': 'application/json',
      ...(await sign(schemes.standard(), {
        secret: options.secret ?? SECRET,
        body,
        id: options.id ?? nextId(),
        timestamp: options.timestamp ?? new Date(),
      })),
    };
  }

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${base}/webhooks`, { method: 'POST', body, headers });

  async function handled(id: string): Promise<{ id: string; type: string; data: unknown }[]> {
    const events = (await (await fetch(`${base}/events`)).json()) as {
      id: string;
      type: string;
      data: unknown;
    }[];
    return events.filter((e) => e.id === id);
  }

  describe(`${name} (real server, real HTTP)`, () => {
    it('handles an event signed by @hookwire/signatures once, with its typed data', async () => {
      const id = nextId();
      const body = envelope('link.click', CLICK_DATA, id);
      const response = await post(body, await signedHeaders(body, { id }));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ received: true });
      expect(await handled(id)).toEqual([{ id, type: 'link.click', data: CLICK_DATA }]);
      expect(stdout).toContain(`handled link.click ${id}`);
    });

    it('handles an event signed by the standardwebhooks package', async () => {
      const id = nextId();
      const body = envelope('link.click', CLICK_DATA, id);
      const now = new Date();
      const response = await post(body, {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(SECRET).sign(id, now, body),
      });
      expect(response.status).toBe(200);
      expect(await handled(id)).toHaveLength(1);
    });

    it('answers a duplicate id 200 without handling it twice', async () => {
      const id = nextId();
      const body = envelope('link.click', CLICK_DATA, id);
      const headers = await signedHeaders(body, { id });
      expect((await post(body, headers)).status).toBe(200);
      const again = await post(body, headers);
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ received: true, duplicate: true });
      expect(await handled(id)).toHaveLength(1);
    });

    it.each([
      [
        'tampered body',
        async (id: string) => {
          const body = envelope('link.click', CLICK_DATA, id);
          return {
            body: body.replace('"link.click"', '"link.deleted"'),
            headers: await signedHeaders(body, { id }),
          };
        },
        'no_matching_signature',
      ],
      [
        'wrong secret',
        async (id: string) => {
          const body = envelope('link.click', CLICK_DATA, id);
          return { body, headers: await signedHeaders(body, { id, secret: OTHER_SECRET }) };
        },
        'no_matching_signature',
      ],
      [
        'stale timestamp',
        async (id: string) => {
          const body = envelope('link.click', CLICK_DATA, id);
          return {
            body,
            headers: await signedHeaders(body, { id, timestamp: new Date(Date.now() - 3_600_000) }),
          };
        },
        'timestamp_too_old',
      ],
      [
        'missing headers',
        async (id: string) => ({
          body: envelope('link.click', CLICK_DATA, id),
          headers: { 'content-type': 'application/json' },
        }),
        'missing_header',
      ],
    ])('rejects a %s with 401 problem+json and does not handle it', async (_name, make, code) => {
      const id = nextId();
      const { body, headers } = await make(id);
      const response = await post(body, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ status: 401, code });
      expect(await handled(id)).toEqual([]);
    });

    it('rejects data that does not match the links catalog with 400 invalid_data', async () => {
      const id = nextId();
      const body = envelope('link.click', { unexpected: true }, id);
      const response = await post(body, await signedHeaders(body, { id }));
      expect(response.status).toBe(400);
      const problem = (await response.json()) as { code: string; issues: { path: string }[] };
      expect(problem.code).toBe('invalid_data');
      expect(problem.issues.length).toBeGreaterThan(0);
      expect(await handled(id)).toEqual([]);
    });
  });
}
