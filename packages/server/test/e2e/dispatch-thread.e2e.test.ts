import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createTenant,
  type HookwireProcess,
  type Receiver,
  startHookwire,
  startReceiver,
  tempDir,
  waitFor,
} from './helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const EVENTS = 300;

let server: HookwireProcess | undefined;
let receiver: Receiver | undefined;
let dir: ReturnType<typeof tempDir> | undefined;

afterEach(async () => {
  await server?.kill();
  await receiver?.close();
  dir?.remove();
  server = undefined;
  receiver = undefined;
  dir = undefined;
});

/** The nice value of every thread of a process (Linux /proc; field 19 of each task's stat). */
function threadNices(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
}

/**
 * SQLite with role `all` runs the dispatcher on a second thread (default) or on the API thread
 * (HOOKWIRE_DISPATCH_THREAD=0). Both must deliver everything, count it in /metrics and stop cleanly.
 */
describe.each([
  ['on its own thread (default)', {}],
  ['on the API thread (HOOKWIRE_DISPATCH_THREAD=0)', { HOOKWIRE_DISPATCH_THREAD: '0' }],
])('hookwire serve on SQLite, dispatcher %s', (_name, env: Record<string, string>) => {
  it('delivers concurrent publishes exactly as stored, reports the attempts, and shuts down with exit 0', async () => {
    dir = tempDir('hookwire-e2e-thread-');
    receiver = await startReceiver();
    server = await startHookwire({ dataDir: dir.path, env });
    const dbFile = join(dir.path, 'hookwire.db');
    const sizeAtStart = statSync(dbFile).size;
    const { hw } = await createTenant(server.url, 'threads');
    await hw.webhooks.create({ url: `${receiver.url}/thread`, events: ['link.click'] });

    // Publishes and deliveries overlap, so both connections write at the same time (the shared write lock).
    const ids = new Set<string>();
    for (let i = 0; i < EVENTS; i += 30) {
      const wave = await Promise.all(
        Array.from({ length: 30 }, (_, j) =>
          hw.events.publish({ type: 'link.click', data: { link_id: `t${i + j}` } }),
        ),
      );
      for (const m of wave) {
        ids.add(m.id);
      }
    }
    expect(ids.size).toBe(EVENTS);

    const r = receiver;
    await waitFor(`${EVENTS} deliveries`, () => r.requests.length >= EVENTS);
    const delivered = new Set(r.requests.map((q) => String(q.headers['webhook-id'])));
    expect([...ids].every((id) => delivered.has(id))).toBe(true);
    // Attempts are counted by the dispatcher's thread and reported to the API thread's /metrics; the
    // attempt write lands a moment after the receiver saw the request.
    const url = server.url;
    await waitFor('every attempt in /metrics', async () => {
      const n = await metric(url, 'hookwire_delivery_attempts_total\\{outcome="succeeded"\\}');
      return n >= EVENTS ? n : undefined;
    });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    if (env.HOOKWIRE_DISPATCH_THREAD === undefined && process.platform === 'linux') {
      // The dispatch thread (and the checkpoint thread it starts) run at a lower priority than the API thread.
      expect(threadNices(server.child.pid!)).toEqual(expect.arrayContaining([0, 5]));
      expect(threadNices(server.child.pid!).filter((nice) => nice === 5).length).toBeGreaterThanOrEqual(2);
    }
    if (env.HOOKWIRE_DISPATCH_THREAD === undefined) {
      // New pages reach the database file only through a checkpoint: the checkpoint thread (every 250 ms)
      // copies them while the server runs. (With one thread, SQLite checkpoints only past 1000 WAL pages.)
      await waitFor('a checkpoint while running', () => statSync(dbFile).size > sizeAtStart);
    }

    expect(await server.stop()).toBe(0);
    server = undefined;

    // Everything is in the database file after the stop, and it is intact.
    const db = new Database(dbFile, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const row = db.prepare(`SELECT COUNT(*) AS n FROM deliveries WHERE status = 'succeeded'`).get() as {
        n: number;
      };
      expect(row.n).toBe(EVENTS);
      const leased = db.prepare(`SELECT COUNT(*) AS n FROM deliveries WHERE status = 'in_flight'`).get() as {
        n: number;
      };
      expect(leased.n).toBe(0);
    } finally {
      db.close();
    }
    // The dispatch thread checkpoints the WAL (both connections leave it to it): it does not grow unbounded.
    const wal = join(dir.path, 'hookwire.db-wal');
    if (existsSync(wal)) {
      expect(statSync(wal).size).toBeLessThan(64 * 1024 * 1024);
    }
  });
});
