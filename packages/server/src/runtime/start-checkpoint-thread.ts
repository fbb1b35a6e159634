import { Worker } from 'node:worker_threads';
import type {
  CheckpointThreadData,
  FromCheckpointThread,
  ToCheckpointThread,
} from './checkpoint-thread-protocol.js';

/** The dispatch thread's handle on WAL checkpoints. */
export interface Checkpoints {
  /** True while they run on the checkpoint thread, false once they fell back to `checkpointHere`. */
  readonly onOwnThread: boolean;
  /** Stops them; the checkpoint thread runs a last checkpoint and closes its connection first. */
  stop(): Promise<void>;
}

export interface StartCheckpointsOptions {
  filename: string;
  intervalMs: number;
  /** A checkpoint on the caller's own connection: the fallback when the thread cannot run. */
  checkpointHere(): void;
  warn(message: string, err?: unknown): void;
  /** Where the built thread entry is; default next to this bundle (dist/checkpoint-thread.js). */
  entry?: URL;
}

/** How long `stop` waits for the thread's last checkpoint before terminating it. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * Runs PASSIVE WAL checkpoints every `intervalMs` on a thread of their own (see checkpoint-thread.ts). If that
 * thread cannot start or dies, checkpoints continue on the caller's thread with a warning: a WAL nobody
 * checkpoints grows without bound.
 */
export function startCheckpoints(options: StartCheckpointsOptions): Checkpoints {
  const data: CheckpointThreadData = { filename: options.filename, intervalMs: options.intervalMs };
  let fallback: NodeJS.Timeout | null = null;
  let stopping = false;
  let worker: Worker | null = null;

  const fallBack = (err: unknown) => {
    worker = null;
    if (stopping || fallback) {
      return;
    }
    options.warn('the checkpoint thread stopped; checkpointing on the dispatch thread instead', err);
    fallback = setInterval(() => {
      try {
        options.checkpointHere();
      } catch (error) {
        options.warn('WAL checkpoint failed; retrying at the next interval', error);
      }
    }, options.intervalMs);
  };

  try {
    const started = new Worker(options.entry ?? new URL('./checkpoint-thread.js', import.meta.url), {
      workerData: data,
    });
    worker = started;
    started.on('message', (message: FromCheckpointThread) => {
      if (message.type === 'warn') {
        options.warn(message.message);
      }
    });
    started.on('error', fallBack);
    started.on('exit', (code) => {
      if (worker === started) {
        fallBack(new Error(`the checkpoint thread exited (code ${code})`));
      }
    });
  } catch (err) {
    fallBack(err);
  }

  return {
    get onOwnThread() {
      return worker !== null;
    },
    async stop() {
      stopping = true;
      if (fallback) {
        clearInterval(fallback);
        fallback = null;
      }
      const running = worker;
      worker = null;
      if (!running) {
        return;
      }
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.postMessage({ type: 'stop' } satisfies ToCheckpointThread);
      const timer = setTimeout(() => void running.terminate(), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
