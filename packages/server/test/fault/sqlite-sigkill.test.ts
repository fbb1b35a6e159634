import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { api, setUpTenant, since, useFaultRig } from './support.js';

/**
 * Fault case 5 (issue #6): SIGKILL the SQLite server during a write burst (single publishes from 32 clients
 * while the dispatcher writes attempts for two endpoints and a client keeps editing an endpoint), then:
 * the database file opens and passes `PRAGMA integrity_check` and `foreign_key_check` before anything else
 * touches it, the server restarts on it, and every 202-acknowledged message is there through
 * GET /api/events/{id} with the data it was published with and both of its deliveries.
 */

vi.setConfig({ testTimeout: 180_000, hookTimeout: 60_000 });

const PLANNED = 4000;
const CLIENTS = 32;
const KILL_AFTER = 1500;

const rig = useFaultRig('hookwire-fault-sqlite-');

describe('fault 5: SQLite survives SIGKILL during a write burst', () => {
  it('opens clean (integrity_check ok) and keeps every acknowledged message', async () => {
    const t0 = performance.now();
    const { receiver, dir } = rig;
    const first = await rig.start({ env: { HOOKWIRE_ENDPOINT_CONCURRENCY: '16' } });
    const { key, webhookIds } = await setUpTenant(first.url, 'writes', [
      `${receiver.url}/a`,
      `${receiver.url}/b`,
    ]);

    const acked = new Map<string, number>(); // message id -> seq
    let refused = 0;
    let edits = 0;
    let killed: Promise<number | string> | null = null;
    let next = 0;
    const publisher = async () => {
      while (next < PLANNED && !killed) {
        const seq = next++;
        try {
          const r = await api(first.url, key, 'POST', '/api/events', {
            type: 'link.click',
            data: { seq, pad: 'x'.repeat(seq % 512) },
          });
          if (r.status === 202) {
            acked.set((r.body as { id: string }).id, seq);
          }
        } catch {
          refused++;
        }
        if (!killed && acked.size >= KILL_AFTER) {
          killed = first.kill();
        }
      }
    };
    // A third kind of write: endpoint updates (each one a transaction touching another table).
    const editor = async () => {
      while (!killed) {
        try {
          await api(first.url, key, 'PATCH', `/api/webhooks/${webhookIds[0]}`, {
            description: `edit ${edits}`,
          });
          edits++;
        } catch {
          return;
        }
      }
    };
    await Promise.all([...Array.from({ length: CLIENTS }, publisher), editor()]);
    expect(await killed).toBe('SIGKILL');
    const killedAt = since(t0);
    const delivered = receiver.requests.length;
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);

    // The file as the kill left it (WAL included): opening it recovers the WAL; then check everything.
    const db = new Database(join(dir.path, 'hookwire.db'));
    const integrity = db.pragma('integrity_check') as { integrity_check: string }[];
    const foreignKeys = db.pragma('foreign_key_check') as unknown[];
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((t) => t.name);
    const messageTable = tables.find((t) => t === 'messages');
    const rows = messageTable
      ? (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n
      : -1;
    db.close();
    expect(integrity).toEqual([{ integrity_check: 'ok' }]);
    expect(foreignKeys).toEqual([]);
    expect(rows).toBeGreaterThanOrEqual(acked.size);

    const second = await rig.start();
    const missing: string[] = [];
    const wrong: string[] = [];
    const ids = [...acked.keys()];
    let cursor = 0;
    const reader = async () => {
      while (cursor < ids.length) {
        const id = ids[cursor++]!;
        const r = await api(second.url, key, 'GET', `/api/events/${id}`);
        if (r.status !== 200) {
          missing.push(`${id}: ${r.status}`);
        } else {
          const m = r.body as { data: { seq: number }; deliveries: unknown[] };
          // The message and its two delivery rows were one transaction: all of it survived, or none.
          if (m.data.seq !== acked.get(id) || m.deliveries.length !== 2) {
            wrong.push(id);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, reader));
    console.log(
      `fault 5 (SQLite SIGKILL): ${acked.size} publishes acknowledged, ${refused} refused at the kill (${killedAt}), ` +
        `${edits} endpoint edits, ${delivered} deliveries made; after the kill: integrity_check ` +
        `${integrity.map((r) => r.integrity_check).join(',')}, foreign_key_check ${foreignKeys.length} problems, ` +
        `${rows} messages in the file (${rows - acked.size} committed without an answer); ` +
        `${ids.length - missing.length}/${ids.length} acknowledged messages read back, ${wrong.length} with wrong data or not 2 deliveries`,
    );
    expect(missing).toEqual([]);
    expect(wrong).toEqual([]);
  });
});
