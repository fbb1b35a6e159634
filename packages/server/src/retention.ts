import type { RetentionResult, Store } from './store/store.js';

/** Minimal logger shape (pino fits). */
export interface RetentionLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface RetentionJobOptions {
  store: Store;
  /** Finished messages older than this many days are deleted. 0 disables the job. */
  days: number;
  /** Time between runs. Default 1 h. The first run happens after `initialDelayMs` (default 10 s). */
  intervalMs?: number;
  initialDelayMs?: number;
  logger?: RetentionLogger;
  now?: () => Date;
}

/** A running retention job. */
export interface RetentionJob {
  /** Runs one pass now (waits for a pass already running instead of starting a second). */
  runOnce(): Promise<RetentionResult | null>;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

/**
 * Deletes old data on a timer with `store.deleteOlderThan(days)`: messages whose deliveries are all finished
 * (with their deliveries and attempts) and idempotency keys. The store deletes in small transactions, so a
 * pass never holds the write lock for long. Timers are unref'd: the job never keeps a process alive.
 *
 * @example
 * const retention = startRetentionJob({ store, days: 30, logger });
 * // on shutdown: await retention.stop();
 */
export function startRetentionJob(options: RetentionJobOptions): RetentionJob {
  const intervalMs = options.intervalMs ?? 3_600_000;
  const now = options.now ?? (() => new Date());
  let running: Promise<RetentionResult | null> | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const runOnce = (): Promise<RetentionResult | null> => {
    if (options.days <= 0) {
      return Promise.resolve(null);
    }
    if (running) {
      return running;
    }
    const started = Date.now();
    running = options.store
      .deleteOlderThan(options.days, now())
      .then((result) => {
        if (result.messages + result.idempotencyKeys > 0) {
          options.logger?.info(
            { ...result, durationMs: Date.now() - started },
            'retention pass deleted old data',
          );
        }
        return result;
      })
      .catch((err: unknown) => {
        options.logger?.error({ err }, 'retention pass failed; retrying at the next interval');
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const schedule = (delay: number) => {
    if (stopped || options.days <= 0) {
      return;
    }
    timer = setTimeout(() => {
      void runOnce().then(() => schedule(intervalMs));
    }, delay);
    timer.unref();
  };
  schedule(options.initialDelayMs ?? 10_000);

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
