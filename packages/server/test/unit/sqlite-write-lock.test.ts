import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteWriteLock } from '../../src/store/sqlite-write-lock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) {
    rmSync(d, { recursive: true, force: true });
  }
});

describe('SqliteWriteLock', () => {
  it('is re-entrant on one thread and refuses a release it does not hold', () => {
    const lock = new SqliteWriteLock();
    lock.acquire();
    lock.acquire();
    lock.release();
    // Still held: another holder of the same buffer cannot take it.
    expect(() => new SqliteWriteLock(lock.buffer, 0).acquire()).toThrow(/locked/);
    lock.release();
    expect(() => lock.release()).toThrow(/without acquire/);
    new SqliteWriteLock(lock.buffer).run(() => undefined);
  });

  it('fails like SQLite does (code SQLITE_BUSY) when the holder keeps it past the timeout', () => {
    const holder = new SqliteWriteLock();
    holder.acquire();
    const waiter = new SqliteWriteLock(holder.buffer, 20);
    expect(() => waiter.acquire()).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    holder.release();
    expect(waiter.run(() => 'taken')).toBe('taken');
  });

  it('tryAcquire takes a free lock and never waits for a held one; released() resolves at the release', async () => {
    const holder = new SqliteWriteLock();
    holder.acquire();
    const other = new SqliteWriteLock(holder.buffer);
    expect(other.tryAcquire()).toBe(false);
    let freed = false;
    const waiting = other.released(5000).then(() => {
      freed = true;
    });
    // The wait counts as a waiter (the holder yields for it), and does not block this thread.
    expect(holder.contended).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(freed).toBe(false);
    holder.release();
    await waiting;
    expect(holder.contended).toBe(false);
    expect(other.tryAcquire()).toBe(true);
    expect(other.tryAcquire()).toBe(true); // re-entrant, like acquire
    other.release();
    other.release();
    expect(holder.tryAcquire()).toBe(true);
    holder.release();
  });

  it('serialises two threads writing one SQLite file, so neither ever sees SQLITE_BUSY', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookwire-lock-'));
    dirs.push(dir);
    const file = join(dir, 'db.sqlite');
    const setup = new Database(file);
    setup.pragma('journal_mode = WAL');
    setup.exec('CREATE TABLE t (thread TEXT NOT NULL, i INTEGER NOT NULL)');
    setup.close();

    const ROWS = 4000;
    const lock = new SqliteWriteLock();
    // busy_timeout 0 on both connections: without the lock, the first overlap fails with SQLITE_BUSY.
    const worker = new Worker(
      `
      const { workerData, parentPort } = require('node:worker_threads');
      const Database = require(workerData.driver);
      const db = new Database(workerData.file);
      db.pragma('busy_timeout = 0');
      const cell = new Int32Array(workerData.lock);
      const insert = db.prepare("INSERT INTO t VALUES ('worker', ?)");
      const tx = db.transaction((i) => { insert.run(i); insert.run(-i); });
      parentPort.postMessage('ready');
      for (let i = 0; i < workerData.rows / 2; i++) {
        while (Atomics.compareExchange(cell, 0, 0, 1) !== 0) Atomics.wait(cell, 0, 1, 1000);
        try { tx.immediate(i); } finally { Atomics.store(cell, 0, 0); Atomics.notify(cell, 0, 1); }
      }
      db.close();
      parentPort.postMessage('done');
      `,
      {
        eval: true,
        workerData: {
          file,
          lock: lock.buffer,
          rows: ROWS,
          driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        },
      },
    );
    const done = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: string) => {
        if (m === 'done') {
          resolve();
        }
      });
      worker.once('error', reject);
    });
    // Start writing only once the worker writes too, so the two overlap.
    await once(worker, 'message');

    const db = new Database(file);
    db.pragma('busy_timeout = 0');
    const insert = db.prepare("INSERT INTO t VALUES ('main', ?)");
    const tx = db.transaction((i: number) => {
      insert.run(i);
      insert.run(-i);
    });
    for (let i = 0; i < ROWS / 2; i++) {
      lock.run(() => tx.immediate(i));
      if (i % 10 === 0) {
        await new Promise((r) => setImmediate(r));
      }
    }
    await done;
    const counts = db.prepare('SELECT thread, COUNT(*) AS n FROM t GROUP BY thread ORDER BY thread').all();
    db.close();
    expect(counts).toEqual([
      { thread: 'main', n: ROWS },
      { thread: 'worker', n: ROWS },
    ]);
  });
});
