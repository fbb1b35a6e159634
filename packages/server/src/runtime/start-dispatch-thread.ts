import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config.js';
import type { ServerMetrics } from '../metrics.js';
import type { SqliteWriteLock } from '../store/sqlite-write-lock.js';
import type { DispatchThreadData, FromDispatchThread, ToDispatchThread } from './dispatch-thread-protocol.js';

/** The API thread's handle on the dispatch thread. */
export interface DispatchThread {
  /** Wakes the dispatcher after a publish; calls within one event-loop turn send one message. */
  notify(): void;
  /** False once the thread stopped or died. */
  readonly running: boolean;
  /** Graceful stop (see Dispatcher.stop); resolves when the thread has closed its connection and exited. */
  stop(deadlineMs: number): Promise<void>;
}

export interface StartDispatchThreadOptions {
  config: ServerConfig;
  filename: string;
  writeLock: SqliteWriteLock;
  metrics: ServerMetrics;
  logger: Logger;
  /** The thread died (an uncaught error, or it exited without being asked): the process cannot deliver. */
  onFatal(error: Error): void;
  /** Where the built thread entry is; default next to this bundle (dist/dispatch-thread.js). */
  entry?: URL;
}

/** Extra time the thread gets beyond the attempts' deadline to release leases and close the database. */
const STOP_GRACE_MS = 5000;

/**
 * Starts the dispatcher on a worker thread and resolves once it claims. The thread opens its own SQLite
 * connection; both connections take `writeLock` before writing, so neither waits in SQLite's busy handler.
 */
export async function startDispatchThread(options: StartDispatchThreadOptions): Promise<DispatchThread> {
  const data: DispatchThreadData = {
    config: options.config,
    filename: options.filename,
    writeLock: options.writeLock.buffer,
  };
  const worker = new Worker(options.entry ?? new URL('./dispatch-thread.js', import.meta.url), {
    workerData: data,
  });
  const exited = once(worker, 'exit');
  let running = true;
  let stopRequested = false;
  // Until `ready`, a failure rejects this function (the start fails once); after it, it is fatal.
  let started = false;
  const stopped = new Promise<void>((resolve) => {
    worker.on('message', (message: FromDispatchThread) => {
      switch (message.type) {
        case 'attempts':
          for (const [outcome, durationMs] of message.attempts) {
            options.metrics.observeAttempt(outcome, durationMs);
          }
          return;
        case 'stopped':
          resolve();
          return;
        default:
          return;
      }
    });
    worker.once('exit', (code) => {
      running = false;
      resolve();
      if (started && !stopRequested) {
        options.onFatal(new Error(`the dispatch thread exited unexpectedly (code ${code})`));
      }
    });
  });
  worker.on('error', (err) => {
    running = false;
    if (started && !stopRequested) {
      options.onFatal(err);
    }
  });

  const ready = await Promise.race([
    once(worker, 'message').then(([message]) => message as FromDispatchThread),
    once(worker, 'error').then(([err]) => {
      throw err;
    }),
    once(worker, 'exit').then(([code]) => {
      throw new Error(`the dispatch thread exited during start (code ${code})`);
    }),
  ]);
  if (ready.type !== 'ready') {
    throw new Error(`the dispatch thread sent ${ready.type} before ready`);
  }
  started = true;

  let wakeQueued = false;
  const send = (message: ToDispatchThread) => worker.postMessage(message);
  return {
    get running() {
      return running;
    },
    notify() {
      if (wakeQueued || !running) {
        return;
      }
      wakeQueued = true;
      // One wake per turn: a burst of 30 publishes in one turn needs one message, not 30.
      setImmediate(() => {
        wakeQueued = false;
        if (running) {
          send({ type: 'wake' });
        }
      });
    },
    async stop(deadlineMs) {
      if (!running) {
        return;
      }
      stopRequested = true;
      send({ type: 'stop', deadlineMs });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), deadlineMs + STOP_GRACE_MS);
      });
      if ((await Promise.race([stopped, late])) === 'late') {
        options.logger.error('the dispatch thread did not stop in time; terminating it');
      } else {
        // Stopped and closed: give it a moment to flush its log lines and exit by itself.
        timer = setTimeout(() => void worker.terminate(), 1000);
        await exited;
      }
      clearTimeout(timer);
      await worker.terminate();
      running = false;
    },
  };
}
