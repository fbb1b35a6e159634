import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateEndpointSecret } from '../src/crypto/keys.js';
import { createSecretBox } from '../src/crypto/secret-box.js';
import { sqliteMigrations } from '../src/store/sqlite-migrations.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { SqliteWriteLock } from '../src/store/sqlite-write-lock.js';
import type { AttemptOutcome, RecordAttemptInput } from '../src/store/store.js';
import { describeStoreConformance } from './store-conformance.js';

function tempStore(opts: { key?: string; dir?: string } = {}) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'hookwire-store-'));
  const store = new SqliteStore({
    filename: join(dir, 'hookwire.db'),
    secretBox: opts.key ? createSecretBox(opts.key) : null,
  });
  return { store, dir };
}

/** Runs `fn` on a fresh store (not migrated) in a temporary directory, then closes it and removes the directory. */
async function withTempStore(fn: (store: SqliteStore) => Promise<void>): Promise<void> {
  const { store, dir } = tempStore();
  try {
    await fn(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describeStoreConformance('SqliteStore', async () => {
  const { store, dir } = tempStore();
  await store.migrate();
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describeStoreConformance('SqliteStore with encrypted secrets', async () => {
  const { store, dir } = tempStore({ key: 'a-main-secret-of-enough-length' });
  await store.migrate();
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteStore specifics', () => {
  it('runs in WAL mode with foreign keys and records migrations', async () => {
    await withTempStore(async (store) => {
      expect(await store.migrate()).toEqual([1, 2, 3, 4, 5]);
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.db.prepare('SELECT version, name FROM schema_migrations').all()).toEqual([
        { version: 1, name: 'initial schema' },
        { version: 2, name: 'http api fields' },
        { version: 3, name: 'read cache version' },
        { version: 4, name: 'one lease index' },
        { version: 5, name: 'endpoint index without status' },
      ]);
      expect(
        store.applyMigrations([{ version: 99, name: 'add x', sql: 'CREATE TABLE x (a INTEGER) STRICT' }]),
      ).toEqual([99]);
      expect(await store.migrate()).toEqual([]);
    });
  });

  it('migration 2 backfills the event type of existing deliveries', async () => {
    await withTempStore(async (store) => {
      store.applyMigrations(sqliteMigrations.filter((m) => m.version === 1));
      const now = Date.now();
      store.db.exec(`INSERT INTO tenants (id, name, plan, created_at, updated_at) VALUES ('tnt_1', 't', 'p', ${now}, ${now});
        INSERT INTO endpoints (id, tenant_id, url, signature, secrets, created_at, updated_at)
          VALUES ('wh_1', 'tnt_1', 'https://x.example', '{"scheme":"standard"}', '{"current":"s","previous":[]}', ${now}, ${now});
        INSERT INTO messages (id, tenant_id, event_type, data, event_time, created_at)
          VALUES ('msg_1', 'tnt_1', 'link.click', '{}', ${now}, ${now});
        INSERT INTO deliveries (id, tenant_id, message_id, endpoint_id, status, created_at, updated_at)
          VALUES ('dlv_1', 'tnt_1', 'msg_1', 'wh_1', 'failed', ${now}, ${now});`);
      expect(await store.migrate()).toEqual([2, 3, 4, 5]);
      expect(await store.getDelivery('tnt_1', 'dlv_1')).toMatchObject({ eventType: 'link.click' });
    });
  });

  it('encrypts endpoint secrets at rest and marks the rows (HARDENING 50)', async () => {
    const { store, dir } = tempStore({ key: 'a-main-secret-of-enough-length' });
    try {
      await store.migrate();
      const t = await store.createTenant({ name: 't' });
      const secret = 'whsec_c2VjcmV0LXZhbHVlLWZvci10ZXN0aW5nLW9ubHk=';
      const ep = await store.createEndpoint(t.id, { url: 'https://x.example', secret });
      const row = store.db
        .prepare('SELECT secrets, secrets_encrypted FROM endpoints WHERE id = ?')
        .get(ep.id) as {
        secrets: string;
        secrets_encrypted: number;
      };
      expect(row.secrets_encrypted).toBe(1);
      expect(row.secrets).not.toContain(secret);
      expect(row.secrets).toMatch(/^v1:/);
      expect((await store.getEndpoint(t.id, ep.id))?.secrets.current).toBe(secret);
      await store.close();

      const noKey = new SqliteStore({ filename: join(dir, 'hookwire.db') });
      await expect(noKey.getEndpoint(t.id, ep.id)).rejects.toMatchObject({ code: 'ENCRYPTION_KEY_MISSING' });
      await noKey.close();
      const wrongKey = new SqliteStore({
        filename: join(dir, 'hookwire.db'),
        secretBox: createSecretBox('another-main-secret-entirely'),
      });
      await expect(wrongKey.getEndpoint(t.id, ep.id)).rejects.toMatchObject({
        code: 'ENCRYPTION_KEY_MISMATCH',
      });
      await wrongKey.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stores secrets in plain text, marked so, without a key', async () => {
    await withTempStore(async (store) => {
      await store.migrate();
      const t = await store.createTenant({ name: 't' });
      const ep = await store.createEndpoint(t.id, { url: 'https://x.example', secret: 'whsec_plain' });
      const row = store.db.prepare('SELECT secrets_encrypted FROM endpoints WHERE id = ?').get(ep.id) as {
        secrets_encrypted: number;
      };
      expect(row.secrets_encrypted).toBe(0);
    });
  });

  it('the claim reads the partial indexes (query plan)', async () => {
    await withTempStore(async (store) => {
      await store.migrate();
      const plan = store.db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?
           ORDER BY next_attempt_at LIMIT ?`,
        )
        .all(0, 10) as { detail: string }[];
      expect(plan.map((p) => p.detail).join('\n')).toContain('deliveries_due');
      const lease = store.db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT id FROM deliveries WHERE status = 'in_flight' AND lease_expires_at <= ?
           ORDER BY lease_expires_at LIMIT ?`,
        )
        .all(0, 10) as { detail: string }[];
      expect(lease.map((p) => p.detail).join('\n')).toContain('deliveries_lease');
      // The read before a claim's transaction (when is the next delivery due?) seeks in the same two
      // indexes only.
      const due = store.db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT MIN(t) AS t FROM (
             SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE status = 'pending'
             UNION ALL SELECT MIN(lease_expires_at) FROM deliveries WHERE status = 'in_flight')`,
        )
        .all() as { detail: string }[];
      expect(due.map((p) => p.detail)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/SEARCH deliveries USING COVERING INDEX deliveries_due/),
          expect.stringMatching(/SEARCH deliveries USING COVERING INDEX deliveries_lease/),
        ]),
      );
      expect(due.map((p) => p.detail).join('\n')).not.toMatch(/SCAN deliveries/);
      const perEndpoint = store.db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT status FROM deliveries
           WHERE endpoint_id = ? AND tenant_id = ? AND created_at >= ? AND created_at < ?`,
        )
        .all('wh_x', 'tnt_x', 0, 1) as { detail: string }[];
      expect(perEndpoint.map((p) => p.detail).join('\n')).toContain('deliveries_endpoint_created');
    });
  });

  it('a claim with nothing due takes no write lock', async () => {
    // At a low rate most claims find nothing (one runs after every attempt); as write transactions they held
    // the lock a publish then waited for.
    const dir = mkdtempSync(join(tmpdir(), 'hookwire-store-'));
    const lock = new SqliteWriteLock(undefined, 100);
    const store = new SqliteStore({ filename: join(dir, 'hookwire.db'), writeLock: lock });
    const otherThread = new SqliteWriteLock(lock.buffer);
    try {
      await store.migrate();
      const tenant = await store.createTenant({ name: 't' });
      await store.upsertEventType(tenant.id, { name: 'a.b' });
      await store.createEndpoint(tenant.id, { url: 'https://x.example/', secret: generateEndpointSecret() });
      await store.publish(tenant.id, { eventType: 'a.b', data: {} });
      otherThread.acquire();
      try {
        // An hour ago nothing was due: answered without waiting for the lock.
        expect(await store.claimDue('w1', 10, 60_000, new Date(Date.now() - 3_600_000))).toEqual([]);
        // Now the delivery is due: the claim needs the lock, and times out behind the other thread.
        await expect(store.claimDue('w1', 10, 60_000)).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      } finally {
        otherThread.release();
      }
      const claims = await store.claimDue('w1', 10, 60_000);
      expect(claims).toHaveLength(1);
      expect(claims[0]!.delivery.status).toBe('in_flight');
      expect(await store.getDelivery(tenant.id, claims[0]!.delivery.id)).toEqual(claims[0]!.delivery);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an attempt recorded with its claimed delivery gives what the row holds, and honours a lost lease', async () => {
    await withTempStore(async (store) => {
      await store.migrate();
      const tenant = await store.createTenant({ name: 't' });
      await store.upsertEventType(tenant.id, { name: 'a.b' });
      await store.createEndpoint(tenant.id, { url: 'https://x.example/', secret: generateEndpointSecret() });
      await store.publishBatch(
        tenant.id,
        Array.from({ length: 4 }, (_, i) => ({ eventType: 'a.b', data: { i } })),
      );
      const claims = await store.claimDue('w1', 4, 60_000);
      expect(claims.map((c) => c.trigger)).toEqual(['scheduled', 'scheduled', 'scheduled', 'scheduled']);
      const input = (i: number, outcome: AttemptOutcome, statusCode: number): RecordAttemptInput => ({
        deliveryId: claims[i]!.delivery.id,
        workerId: 'w1',
        claimed: claims[i]!.delivery,
        attempt: {
          startedAt: new Date(Date.now() - 5),
          durationMs: 3.4,
          statusCode,
          errorKind: statusCode < 300 ? 'none' : 'http_status',
          error: statusCode < 300 ? null : `HTTP ${statusCode}`,
          responsePreview: 'ok',
          requestHeaders: { 'webhook-id': claims[i]!.message.id },
          trigger: claims[i]!.trigger,
        },
        outcome,
      });
      const results = await store.recordAttempts([
        input(0, { kind: 'succeeded' }, 204),
        input(1, { kind: 'retry', nextAttemptAt: new Date(Date.now() + 60_000) }, 500),
        input(2, { kind: 'failed' }, 410),
      ]);
      for (const [i, r] of results.entries()) {
        expect(r.applied).toBe(true);
        expect(r.delivery).toEqual(await store.getDelivery(tenant.id, claims[i]!.delivery.id));
        const attempts = await store.listAttempts(tenant.id, claims[i]!.delivery.id);
        expect(attempts.items).toEqual([r.attempt]);
      }
      expect(results[1]!.endpointFailingSince).toBeInstanceOf(Date);
      // Another worker took the fourth delivery over: the attempt is logged, the delivery is not moved.
      store.db.prepare("UPDATE deliveries SET lease_owner = 'w2' WHERE id = ?").run(claims[3]!.delivery.id);
      const [lost] = await store.recordAttempts([input(3, { kind: 'succeeded' }, 204)]);
      expect(lost!.applied).toBe(false);
      expect(lost!.delivery).toEqual(await store.getDelivery(tenant.id, claims[3]!.delivery.id));
      expect(lost!.delivery).toMatchObject({ status: 'in_flight', attemptCount: 1 });
      // A delivery that no longer exists is NOT_FOUND, as without the claimed row.
      store.db.prepare('DELETE FROM deliveries WHERE id = ?').run(claims[0]!.delivery.id);
      await expect(store.recordAttempt(input(0, { kind: 'succeeded' }, 204))).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });
  });

  it('a claim and an attempt move a delivery only through the two queue indexes', async () => {
    // Every other index of deliveries must not hold a column these writes change, or each delivery is
    // deleted and re-inserted there twice (migration 5 removed (endpoint_id, status) for that reason).
    await withTempStore(async (store) => {
      await store.migrate();
      const changing = new Set([
        'status',
        'lease_owner',
        'lease_expires_at',
        'next_attempt_at',
        'updated_at',
      ]);
      const indexes = store.db.prepare("PRAGMA index_list('deliveries')").all() as { name: string }[];
      const offenders = indexes
        .filter((i) => i.name !== 'deliveries_due' && i.name !== 'deliveries_lease')
        .flatMap((i) =>
          (store.db.prepare(`PRAGMA index_info('${i.name}')`).all() as { name: string | null }[])
            .filter((c) => c.name !== null && changing.has(c.name))
            .map((c) => `${i.name}.${c.name}`),
        );
      expect(indexes.length).toBeGreaterThan(3);
      expect(offenders).toEqual([]);
    });
  });
});
