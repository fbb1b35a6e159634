import type { ServerConfig } from '../config.js';
import type { AttemptOutcome } from '../store/store.js';

/** What the API thread hands the dispatch thread at start (structured-cloned, plus the shared lock). */
export interface DispatchThreadData {
  config: ServerConfig;
  /** Path of the SQLite file the API thread opened and migrated. */
  filename: string;
  /** The `SqliteWriteLock` buffer both connections take before writing. */
  writeLock: SharedArrayBuffer;
}

/** API thread -> dispatch thread. */
export type ToDispatchThread =
  /** Something was published or re-queued: claim now instead of at the next poll. */
  | { type: 'wake' }
  /** Graceful stop: no new claims, in-flight attempts get `deadlineMs`, leases are released. */
  | { type: 'stop'; deadlineMs: number };

/** Dispatch thread -> API thread. */
export type FromDispatchThread =
  | { type: 'ready' }
  /** Attempts since the last report, for the API thread's /metrics: [outcome, durationMs] pairs. */
  | { type: 'attempts'; attempts: [AttemptOutcome['kind'], number][] }
  | { type: 'stopped' };
