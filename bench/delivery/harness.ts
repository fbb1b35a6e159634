/**
 * Pieces shared by `bench/delivery` and `bench/scale`: the 204 receiver child process, the management API
 * call, and the 1 KiB event body both publish.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const here = dirname(fileURLToPath(import.meta.url));

/** The admin key every benchmark server is started with. */
export const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

/** `data` of every benchmark event: about 1 KiB once wrapped in its envelope. */
export function data1KiB(i: number): Record<string, unknown> {
  return {
    link_id: `lnk_${i}`,
    country: 'FR',
    city: 'Paris',
    user_agent: 'Mozilla/5.0',
    pad: 'x'.repeat(800),
  };
}

export interface ReceiverChild {
  url: string;
  child: ChildProcess;
  /** Requests seen and distinct webhook-ids, with the times of the first and last request. */
  count(): Promise<{ requests: number; unique: number; firstAt: number; lastAt: number }>;
  reset(): Promise<void>;
}

/**
 * The receiver (`receiver.ts`) in its own process: `ok` answers 204, `paused` never answers. `track` gets the
 * child so the caller can kill it on exit.
 */
export async function startReceiver(
  mode: 'ok' | 'paused',
  track: (child: ChildProcess) => void,
): Promise<ReceiverChild> {
  const child = forkScript('receiver.ts', [mode]);
  track(child);
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m) => resolve((m as { port: number }).port)),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    count: () => askChild(child, 'count'),
    reset: async () => {
      await askChild(child, 'reset');
    },
  };
}

/** A TypeScript file of this folder in its own Node process (through tsx), with an IPC channel. */
export function forkScript(file: string, args: string[] = []): ChildProcess {
  return fork(join(here, file), args, { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
}

/** Sends `msg` to a forked child and resolves with its next message: the children answer one at a time. */
export function askChild<T>(child: ChildProcess, msg: string): Promise<T> {
  return new Promise<T>((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(msg);
  });
}

/** One management API call with a bearer key; throws with the answer on any status >= 300. */
export async function callApi<T>(
  pool: Pool,
  method: 'GET' | 'POST',
  path: string,
  key: string,
  body?: unknown,
): Promise<T> {
  const res = await pool.request({
    method,
    path,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) {
    throw new Error(`${method} ${path} -> ${res.statusCode} ${text}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * A tenant with one API key, the `link.click` event type and one endpoint on the receiver; returns a pool of
 * `connections` sockets to the API and the key.
 */
export async function setUpTenant(
  apiUrl: string,
  receiverUrl: string,
  connections: number,
): Promise<{ pool: Pool; key: string }> {
  const pool = new Pool(apiUrl, { connections });
  const tenant = await callApi<{ id: string }>(pool, 'POST', '/api/tenants', ADMIN_KEY, { name: 'bench' });
  const path = `/api/tenants/${tenant.id}/api-keys`;
  const { key } = await callApi<{ key: string }>(pool, 'POST', path, ADMIN_KEY, { name: 'bench' });
  await callApi(pool, 'POST', '/api/event-types', key, { name: 'link.click', description: 'click' });
  await callApi(pool, 'POST', '/api/webhooks', key, { url: `${receiverUrl}/hook`, events: ['link.click'] });
  return { pool, key };
}

/** Resolves with the receiver's counts once it has seen `n` distinct webhook-ids; throws after `deadlineMs`. */
export async function waitDelivered(receiver: ReceiverChild, n: number, deadlineMs: number) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const c = await receiver.count();
    if (c.unique >= n) {
      return c;
    }
    if (Date.now() > deadline) {
      throw new Error(`only ${c.unique}/${n} delivered before the deadline`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
