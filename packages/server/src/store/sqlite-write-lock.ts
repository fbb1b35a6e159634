/**
 * The SQLite write lock shared by the threads of one process (the API thread and the dispatch thread), on a
 * SharedArrayBuffer.
 *
 * Why not let SQLite arbitrate: a connection that finds the write lock taken sleeps in SQLite's busy handler
 * for 1, 2, 5, 10, 15... ms before it looks again, so a publish that meets a dispatcher commit waited up to
 * 10 ms for a lock freed after 1 (measured: publish p99 20.7 ms with an API and a worker process on one
 * file). Here the waiter blocks in `Atomics.wait` and the holder's `release` wakes it at once.
 *
 * Every write transaction of a store that has one takes it (`BEGIN IMMEDIATE` then never waits in SQLite).
 * Re-entrant per thread, because a group commit may run a store method that opens its own transaction
 * (which better-sqlite3 turns into a savepoint).
 */
export class SqliteWriteLock {
  /** Pass to the other thread (workerData) and build its lock with `new SqliteWriteLock(buffer)`. */
  readonly buffer: SharedArrayBuffer;
  private readonly cell: Int32Array;
  private depth = 0;
  /** How long a waiter waits before failing like SQLite's busy timeout. */
  readonly timeoutMs: number;

  /**
   * @param buffer a lock made by another thread, or none for a new one.
   * @param timeoutMs how long `acquire` waits before failing like SQLite's busy timeout (`SQLITE_BUSY`).
   */
  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(8), timeoutMs = 5000) {
    this.buffer = buffer;
    this.cell = new Int32Array(buffer);
    this.timeoutMs = timeoutMs;
  }

  acquire(): void {
    if (this.depth > 0) {
      this.depth++;
      return;
    }
    const deadline = Date.now() + this.timeoutMs;
    // Cell 0: 0 = free, 1 = held. Wait only while it is held: a release between the exchange and the wait
    // changes the cell, and Atomics.wait returns at once when the value no longer matches.
    // Cell 1: how many threads are waiting, so a holder doing a long series of writes can let them in.
    while (Atomics.compareExchange(this.cell, 0, 0, 1) !== 0) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw lockTimeoutError();
      }
      Atomics.add(this.cell, 1, 1);
      Atomics.wait(this.cell, 0, 1, left);
      Atomics.sub(this.cell, 1, 1);
    }
    this.depth = 1;
  }

  /** Takes the lock if it is free now (or already held by this thread); never waits. */
  tryAcquire(): boolean {
    if (this.depth > 0) {
      this.depth++;
      return true;
    }
    if (Atomics.compareExchange(this.cell, 0, 0, 1) !== 0) {
      return false;
    }
    this.depth = 1;
    return true;
  }

  /**
   * Resolves when the holder releases the lock, or after `timeoutMs`, without blocking this thread: its event
   * loop goes on (the dispatch thread keeps sending while an API commit runs). It does not take the lock;
   * the caller tries again. The wait counts as a waiter, so a holder with a long series of writes yields.
   */
  async released(timeoutMs: number): Promise<void> {
    Atomics.add(this.cell, 1, 1);
    try {
      const wait = Atomics.waitAsync(this.cell, 0, 1, timeoutMs);
      if (wait.async) {
        await wait.value;
      }
    } finally {
      Atomics.sub(this.cell, 1, 1);
    }
  }

  /** True while another thread waits for the lock: a holder with more queued writes should commit and yield. */
  get contended(): boolean {
    return Atomics.load(this.cell, 1) > 0;
  }

  release(): void {
    if (this.depth === 0) {
      throw new Error('SqliteWriteLock.release without acquire');
    }
    this.depth--;
    if (this.depth === 0) {
      Atomics.store(this.cell, 0, 0);
      Atomics.notify(this.cell, 0, 1);
    }
  }

  /** Runs `fn` holding the lock. */
  run<T>(fn: () => T): T {
    this.acquire();
    try {
      return fn();
    } finally {
      this.release();
    }
  }
}

/** What a waiter gets when the lock stays held past its timeout: SQLite's own code, so callers treat it alike. */
export function lockTimeoutError(): Error {
  return Object.assign(new Error('database is locked (write lock held by another thread)'), {
    code: 'SQLITE_BUSY',
  });
}
