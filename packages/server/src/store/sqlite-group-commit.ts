import type Database from 'better-sqlite3';
import { lockTimeoutError, type SqliteWriteLock } from './sqlite-write-lock.js';

interface Member {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** Called around each group transaction (the store pins its read cache for the transaction). */
export interface TransactionHooks {
  begin?(): void;
  end?(): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

/** Most operations committed together; bounds how long one transaction holds the write lock. */
const DEFAULT_MAX_BATCH = 256;
/**
 * With a shared write lock (SqliteWriteLock), a transaction that has run this long commits early when the
 * other thread waits, so an API request waits for about this long behind the dispatcher, not for all of it.
 */
const YIELD_AFTER_MS = 0.5;

/**
 * Group commit for SQLite: write operations submitted during one turn of the event loop run in one
 * `BEGIN IMMEDIATE` transaction, each inside its own savepoint, and are acknowledged after the single
 * COMMIT. A WAL commit costs far more than the statements of a publish (it appends every touched page to
 * the WAL, and every ~1000 pages a checkpoint runs inside a commit), so 30 concurrent publishes sharing one
 * commit pay for the shared pages once.
 *
 * Semantics, per operation:
 * - its promise settles only after the COMMIT that made it durable (a 202 still means "stored");
 * - an operation that throws is rolled back to its savepoint and rejects alone; the others still commit;
 * - if BEGIN or COMMIT fails (SQLITE_BUSY from another process, a full disk), or an error aborts the whole
 *   transaction, nothing of the batch was stored and every operation rejects with that error.
 */
export class SqliteGroupCommit {
  private queue: Member[] = [];
  private scheduled = false;
  private readonly db: Database.Database;
  private readonly maxBatch: number;
  /** Outside a transaction this is BEGIN IMMEDIATE ... COMMIT; inside one, better-sqlite3 makes it a savepoint. */
  private readonly transaction: Database.Transaction<(fn: () => unknown) => unknown>;

  private readonly writeLock: SqliteWriteLock | null;
  private readonly hooks: TransactionHooks;
  /** Set while the queue waits for the other thread to release the write lock (see waitForLock). */
  private lockWait: Promise<void> | null = null;
  private readonly asyncLockWait: boolean;
  /** When the current wait for the lock began (performance.now()); bounds it by the lock's timeout. */
  private lockWaitSince: number | null = null;

  constructor(
    db: Database.Database,
    options: {
      maxBatch?: number;
      writeLock?: SqliteWriteLock | null;
      hooks?: TransactionHooks;
      /** Wait for the write lock without blocking the event loop (see waitForLock). Default false. */
      asyncLockWait?: boolean;
    } = {},
  ) {
    this.asyncLockWait = options.asyncLockWait ?? false;
    this.db = db;
    this.writeLock = options.writeLock ?? null;
    this.hooks = options.hooks ?? {};
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.transaction = db.transaction((fn: () => unknown) => fn());
  }

  /** Runs `fn` (synchronous statements only) in the next group transaction; resolves after its COMMIT. */
  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate runs after the poll phase: every request parsed from the sockets in this turn has
        // queued its write by then.
        setImmediate(this.flushScheduled);
      }
    });
  }

  /** Operations waiting for the next commit. */
  get pending(): number {
    return this.queue.length;
  }

  /** Commits everything queued now (used before closing the database). */
  flushNow(): void {
    while (this.queue.length > 0) {
      this.flushOne(true);
    }
  }

  private readonly flushScheduled = (): void => {
    this.scheduled = false;
    if (this.lockWait) {
      return; // the wait's end flushes
    }
    this.flushOne(!this.asyncLockWait);
    if (this.queue.length > 0 && !this.scheduled && !this.lockWait) {
      this.scheduled = true;
      setImmediate(this.flushScheduled);
    }
  };

  /**
   * Waits for the other thread's transaction without blocking this thread's event loop, then flushes. A
   * blocking wait stalled the dispatch thread's HTTP work behind every API commit (a batch publish of 100
   * events holds the lock for milliseconds); meanwhile more writes join the queue and share the next commit.
   */
  private waitForLock(lock: SqliteWriteLock): void {
    const now = performance.now();
    this.lockWaitSince ??= now;
    const left = lock.timeoutMs - (now - this.lockWaitSince);
    if (left <= 0) {
      this.lockWaitSince = null;
      this.rejectNextBatch(lockTimeoutError());
      if (this.queue.length > 0) {
        this.waitForLock(lock);
      }
      return;
    }
    this.lockWait = lock.released(left).then(() => {
      this.lockWait = null;
      this.flushScheduled();
    });
  }

  /** Fails the operations the next transaction would have run (the write lock could not be had). */
  private rejectNextBatch(err: unknown): void {
    for (const member of this.queue.splice(0, this.maxBatch)) {
      member.reject(err);
    }
  }

  /** `block`: wait for the write lock in place (closing); otherwise wait for it asynchronously. */
  private flushOne(block: boolean): void {
    if (this.queue.length === 0) {
      return;
    }
    const outcomes: Outcome[] = [];
    // Operations left for the next transaction because another thread waits for the write lock.
    let deferred: Member[] = [];
    if (this.writeLock) {
      if (block) {
        try {
          this.writeLock.acquire();
        } catch (err) {
          this.rejectNextBatch(err);
          return;
        }
      } else if (!this.writeLock.tryAcquire()) {
        this.waitForLock(this.writeLock);
        return;
      }
      this.lockWaitSince = null;
    }
    const batch = this.queue.splice(0, this.maxBatch);
    try {
      this.hooks.begin?.();
      const started = performance.now();
      this.transaction.immediate(() => {
        for (const [i, member] of batch.entries()) {
          if (i > 0 && this.writeLock?.contended && performance.now() - started >= YIELD_AFTER_MS) {
            // The other thread (an API request, or the dispatcher) waits: commit what is done, let it in,
            // and run the rest in the next transaction. Bounds its wait to about YIELD_AFTER_MS.
            deferred = batch.slice(i);
            break;
          }
          try {
            outcomes.push({
              ok: true,
              value: batch.length === 1 ? member.fn() : this.transaction(member.fn),
            });
          } catch (err) {
            if (!this.db.inTransaction || batch.length === 1) {
              // SQLite rolled the whole transaction back (or there is nothing else to keep): abandon it.
              throw err;
            }
            outcomes.push({ ok: false, err });
          }
        }
      });
    } catch (err) {
      for (const member of batch) {
        member.reject(err);
      }
      return;
    } finally {
      this.hooks.end?.();
      this.writeLock?.release();
    }
    // Back to the front of the queue; flushScheduled (or flushNow) runs them next.
    this.queue.unshift(...deferred);
    for (const [i, member] of batch.slice(0, outcomes.length).entries()) {
      const outcome = outcomes[i]!;
      if (outcome.ok) {
        member.resolve(outcome.value);
      } else {
        member.reject(outcome.err);
      }
    }
  }
}
