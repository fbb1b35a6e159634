import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dispatcher, type DispatcherOptions } from '../../src/dispatcher/dispatcher.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Receiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  server: Server;
  close(): Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1 with a swappable handler; records every request with its raw body. */
export async function startReceiver(
  handler: (req: ReceivedRequest, res: ServerResponse, index: number) => void = (_q, res) => {
    res.end('ok');
  },
): Promise<Receiver & { setHandler(h: typeof handler): void }> {
  let current = handler;
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(r);
      current(r, res, requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    server,
    setHandler(h) {
      current = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `check` until it returns a truthy value; bounded (no unbounded loops in tests). */
type Falsy = null | undefined | false;

export async function waitFor<T>(
  check: () => T | Falsy | Promise<T | Falsy>,
  what: string,
  tries = 400,
  everyMs = 25,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await check();
    if (v) {
      return v as T;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface Harness {
  store: SqliteStore;
  tenantId: string;
  dispatchers: Dispatcher[];
  dispatcher(options?: Partial<DispatcherOptions>): Dispatcher;
  close(): Promise<void>;
}

/** A temp-dir SqliteStore, one tenant, and dispatchers that are stopped on close. */
export async function harness(plan = 'test'): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'hookwire-dispatch-'));
  const store = new SqliteStore({ filename: join(dir, 'hookwire.db') });
  await store.migrate();
  const tenantId = (await store.createTenant({ name: 'Acme', plan, context: { accountId: 'acc_1' } })).id;
  const dispatchers: Dispatcher[] = [];
  return {
    store,
    tenantId,
    dispatchers,
    dispatcher(options = {}) {
      const d = new Dispatcher({
        store,
        dev: true,
        idleIntervalMs: 50,
        timeoutMs: 2000,
        plans: { test: { name: 'test', retryScheduleMs: [40, 40, 40] } },
        random: () => 0.5,
        ...options,
      });
      dispatchers.push(d);
      return d;
    },
    async close() {
      await Promise.all(dispatchers.map((d) => d.stop({ deadlineMs: 200 })));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
