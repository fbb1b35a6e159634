import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { generateEndpointSecret } from '../../src/crypto/keys.js';
import { isHookwireServerError } from '../../src/errors.js';
import { SqliteGroupCommit } from '../../src/store/sqlite-group-commit.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { SqliteWriteLock } from '../../src/store/sqlite-write-lock.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) {
    await c();
  }
});

async function openStore(opts: { busyTimeoutMs?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hookwire-group-'));
  const filename = join(dir, 'hookwire.db');
  const store = new SqliteStore({ filename, ...opts });
  await store.migrate();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  const tenant = await store.createTenant({ name: 't' });
  await store.upsertEventType(tenant.id, { name: 'a.b' });
  await store.createEndpoint(tenant.id, {
    url: 'https://hooks.example.com/',
    secret: generateEndpointSecret(),
  });
  return { store, filename, tenantId: tenant.id };
}

/** A second connection, as another process would have: it only sees what was committed. */
function otherConnection(filename: string) {
  const db = new Database(filename);
  cleanups.push(() => {
    db.close();
  });
  return db;
}

const count = (db: Database.Database, sql: string) => (db.prepare(sql).get() as { n: number }).n;

describe('SqliteStore group commit', () => {
  it('commits concurrent publishes together, and each is visible to other connections once acknowledged', async () => {
    const { store, filename, tenantId } = await openStore();
    const other = otherConnection(filename);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => store.publish(tenantId, { eventType: 'a.b', data: { i } })),
    );
    expect(new Set(results.map((r) => r.message.id)).size).toBe(40);
    expect(results.every((r) => r.deliveries === 1 && !r.duplicate)).toBe(true);
    expect(count(other, 'SELECT COUNT(*) AS n FROM messages')).toBe(40);
    expect(count(other, "SELECT COUNT(*) AS n FROM deliveries WHERE status = 'pending'")).toBe(40);
  });

  it('fails only the publish that fails; the others in the same transaction commit', async () => {
    const { store, filename, tenantId } = await openStore();
    const other = otherConnection(filename);
    const settled = await Promise.allSettled([
      store.publish(tenantId, { eventType: 'a.b', data: { n: 1 } }),
      store.publish('tnt_missing', { eventType: 'a.b', data: { n: 2 } }),
      store.publishBatch(tenantId, [{ eventType: 'a.b', data: { n: 3 } }]),
      store.publish(tenantId, { eventType: 'a.b', data: { n: 4 } }, { key: 'k', requestHash: 'h1' }),
      // The same idempotency key with another body conflicts: rolled back to its savepoint, alone.
      store.publish(tenantId, { eventType: 'a.b', data: { n: 5 } }, { key: 'k', requestHash: 'h2' }),
    ]);
    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'rejected',
    ]);
    const reasons = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    expect(reasons.map((r) => (isHookwireServerError(r) ? r.code : r))).toEqual([
      'NOT_FOUND',
      'IDEMPOTENCY_CONFLICT',
    ]);
    expect(
      (other.prepare('SELECT data FROM messages ORDER BY id').all() as { data: string }[]).map((r) => r.data),
    ).toEqual(['{"n":1}', '{"n":3}', '{"n":4}']);
  });

  it('rejects every operation of the batch with the database error when the transaction cannot commit', async () => {
    const { store, filename, tenantId } = await openStore({ busyTimeoutMs: 20 });
    const other = otherConnection(filename);
    other.prepare('BEGIN IMMEDIATE').run(); // another process holds the write lock
    const settled = await Promise.allSettled([
      store.publish(tenantId, { eventType: 'a.b', data: { n: 1 } }),
      store.publish(tenantId, { eventType: 'a.b', data: { n: 2 } }),
      // (A claim is no longer a member here: with nothing due it answers without a transaction.)
      store.publishBatch(tenantId, [{ eventType: 'a.b', data: { n: 3 } }]),
    ]);
    other.prepare('ROLLBACK').run();
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const s of settled) {
      expect((s as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_BUSY' });
    }
    expect(count(other, 'SELECT COUNT(*) AS n FROM messages')).toBe(0);
    // The store works again once the lock is gone.
    await expect(store.publish(tenantId, { eventType: 'a.b', data: {} })).resolves.toMatchObject({
      deliveries: 1,
    });
  });
});

describe('SqliteGroupCommit', () => {
  const table = () => {
    const db = new Database(':memory:');
    cleanups.push(() => {
      db.close();
    });
    db.exec('CREATE TABLE t (v INTEGER NOT NULL)');
    return db;
  };

  it('rolls a failing operation back to its savepoint, even after it wrote', async () => {
    const db = table();
    const group = new SqliteGroupCommit(db);
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const settled = await Promise.allSettled([
      group.run(() => insert.run(1).changes),
      group.run(() => {
        insert.run(2);
        throw new Error('second fails after writing');
      }),
      group.run(() => insert.run(3).changes),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(db.prepare('SELECT v FROM t ORDER BY v').pluck().all()).toEqual([1, 3]);
  });

  it('runs what was queued in one transaction, and a later turn in the next', async () => {
    const statements: string[] = [];
    const db = new Database(':memory:', { verbose: (sql) => statements.push(String(sql)) });
    cleanups.push(() => {
      db.close();
    });
    db.exec('CREATE TABLE t (v INTEGER NOT NULL)');
    const group = new SqliteGroupCommit(db);
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    statements.length = 0;
    await Promise.all([group.run(() => insert.run(1)), group.run(() => insert.run(2))]);
    expect(db.inTransaction).toBe(false); // settled only after COMMIT
    await group.run(() => insert.run(3));
    const begins = statements.filter((s) => s === 'BEGIN IMMEDIATE').length;
    const commits = statements.filter((s) => s === 'COMMIT').length;
    expect([begins, commits]).toEqual([2, 2]);
    expect(statements.filter((s) => s.startsWith('SAVEPOINT')).length).toBe(2); // one per member of the pair
  });

  it('splits more operations than maxBatch over several commits, in order', async () => {
    const db = table();
    const group = new SqliteGroupCommit(db, { maxBatch: 3 });
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    await Promise.all(Array.from({ length: 7 }, (_, i) => group.run(() => insert.run(i))));
    expect(db.prepare('SELECT v FROM t ORDER BY rowid').pluck().all()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(group.pending).toBe(0);
  });

  it('flushNow commits what is queued at once (before the database closes)', () => {
    const db = table();
    const group = new SqliteGroupCommit(db);
    const done = group.run(() => db.prepare('INSERT INTO t (v) VALUES (1)').run());
    group.flushNow();
    expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(1);
    return done;
  });

  describe('with a write lock shared with another thread', () => {
    function lockedGroup(options: { asyncLockWait?: boolean; lock?: SqliteWriteLock } = {}) {
      const db = new Database(':memory:');
      cleanups.push(() => {
        db.close();
      });
      db.exec('CREATE TABLE t (i INTEGER NOT NULL)');
      const lock = options.lock ?? new SqliteWriteLock();
      let transactions = 0;
      const group = new SqliteGroupCommit(db, {
        writeLock: lock,
        asyncLockWait: options.asyncLockWait,
        hooks: { begin: () => transactions++ },
      });
      const insert = db.prepare('INSERT INTO t VALUES (?)');
      /** A write that takes about 1 ms, like a batch of attempt writes. */
      const slowWrite = (i: number) => () => {
        const until = performance.now() + 1;
        while (performance.now() < until) {
          // busy: stands for statement work
        }
        insert.run(i);
        return i;
      };
      // The waiter count lives in the lock's second cell; another thread blocked in acquire() sets it.
      const waiters = new Int32Array(lock.buffer);
      return { db, group, lock, insert, slowWrite, waiters, transactions: () => transactions };
    }

    it('with asyncLockWait, waits for the lock without blocking the event loop, then commits the queue at once', async () => {
      const { db, group, lock, insert, transactions } = lockedGroup({ asyncLockWait: true });
      // Another thread's transaction, played by a second handle on the same lock.
      const other = new SqliteWriteLock(lock.buffer);
      other.acquire();
      const first = group.run(() => insert.run(1));
      // Timers still fire while the write waits (a blocking wait would hold this thread until the release).
      await new Promise((r) => setTimeout(r, 30));
      const second = group.run(() => insert.run(2));
      await new Promise((r) => setTimeout(r, 10));
      expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(0);
      other.release();
      await Promise.all([first, second]);
      expect(db.prepare('SELECT i FROM t ORDER BY rowid').pluck().all()).toEqual([1, 2]);
      expect(transactions()).toBe(1); // both waited, and shared the commit
    });

    it('with asyncLockWait, fails the waiting writes with SQLITE_BUSY when the lock stays held past its timeout', async () => {
      const { db, group, lock, insert } = lockedGroup({
        asyncLockWait: true,
        lock: new SqliteWriteLock(new SharedArrayBuffer(8), 50),
      });
      const other = new SqliteWriteLock(lock.buffer);
      other.acquire();
      await expect(group.run(() => insert.run(1))).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      other.release();
      await group.run(() => insert.run(2));
      expect(db.prepare('SELECT i FROM t').pluck().all()).toEqual([2]);
    });

    it('commits everything queued in one transaction while nobody waits', async () => {
      const { db, group, slowWrite, transactions } = lockedGroup();
      const results = await Promise.all([1, 2, 3, 4, 5].map((i) => group.run(slowWrite(i))));
      expect(results).toEqual([1, 2, 3, 4, 5]);
      expect(transactions()).toBe(1);
      expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(5);
    });

    it('commits early and lets the waiting thread in, then runs the rest, in order and all of it', async () => {
      const { db, group, slowWrite, waiters, transactions } = lockedGroup();
      Atomics.store(waiters, 1, 1);
      const results = await Promise.all([1, 2, 3, 4, 5].map((i) => group.run(slowWrite(i))));
      expect(results).toEqual([1, 2, 3, 4, 5]);
      // Each write takes longer than the yield threshold, so each went into its own transaction.
      expect(transactions()).toBe(5);
      expect(db.prepare('SELECT i FROM t ORDER BY rowid').pluck().all()).toEqual([1, 2, 3, 4, 5]);
    });
  });
});
