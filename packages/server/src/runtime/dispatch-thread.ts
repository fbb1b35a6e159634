/*
 * Entry of the dispatch thread (built as dist/dispatch-thread.js; started by startDispatchThread).
 *
 * It runs what `--role worker` runs (dispatcher and retention job) on its own SQLite connection to the file
 * the API thread opened, so the API thread's event loop serves requests only. It also owns the WAL
 * checkpoints that both connections leave off (`autoCheckpoint: false`; a checkpoint inside an API commit
 * was a multi-millisecond stall for the publish that triggered it): they run on a third thread it starts.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { createSecretBox } from '../crypto/secret-box.js';
import { startRetentionJob } from '../retention.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { SqliteWriteLock } from '../store/sqlite-write-lock.js';
import type { AttemptOutcome } from '../store/store.js';
import { createDispatcher } from './create-dispatcher.js';
import type { DispatchThreadData, FromDispatchThread, ToDispatchThread } from './dispatch-thread-protocol.js';
import { createLogger } from './logger.js';
import { startCheckpoints } from './start-checkpoint-thread.js';

/** Niceness of the dispatch thread (and of the checkpoint thread it starts, which inherits it). */
const DISPATCH_THREAD_NICE = 5;

/** How often committed WAL frames are copied into the database file. */
const CHECKPOINT_INTERVAL_MS = 250;

function requireParentPort(): MessagePort {
  if (!parentPort) {
    throw new Error('dispatch-thread.js runs as a worker thread of `hookwire serve`, not on its own');
  }
  return parentPort;
}
const port = requireParentPort();
// Delivery is background work: when this thread and the API thread both want a core (two cores shared with
// the receiver and the publisher in bench/delivery), the API thread goes first, so a publish does not wait
// for a core behind delivery. Linux takes setpriority per thread id. Measured in three A/B pairs: publish
// p99 under full-speed delivery 4.2 / 5.0 / 6.0 ms against 4.4 / 5.9 / 6.4, and delivery not slower.
try {
  const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
  setPriority(threadId, DISPATCH_THREAD_NICE);
} catch {
  // not Linux, or not permitted: the same priority as the API thread
}
const { config, filename, writeLock } = workerData as DispatchThreadData;
const post = (message: FromDispatchThread) => port.postMessage(message);

const logger = createLogger(config.logLevel).child({ thread: 'dispatch' });
const store = new SqliteStore({
  filename,
  secretBox: config.encryptionKey ? createSecretBox(config.encryptionKey) : null,
  durability: config.durability,
  defaultPlan: config.defaultPlan,
  writeLock: new SqliteWriteLock(writeLock),
  // While an API commit holds the write lock, this thread goes on sending and reading answers; its writes
  // queue up and share the next commit (a blocking wait stalled every exchange behind each API commit).
  asyncLockWait: true,
  autoCheckpoint: false,
});

// Attempts reach the API thread's /metrics in one message per event-loop turn, not one each.
let attempts: [AttemptOutcome['kind'], number][] = [];
const reportAttempts = () => {
  const batch = attempts;
  attempts = [];
  post({ type: 'attempts', attempts: batch });
};

const dispatcher = createDispatcher(store, config, logger, ({ attempt, outcome }) => {
  if (attempts.length === 0) {
    setImmediate(reportAttempts);
  }
  attempts.push([outcome.kind, attempt.durationMs]);
});
const retention = startRetentionJob({
  store,
  days: config.retentionDays,
  intervalMs: config.retentionIntervalMs,
  logger: logger.child({ component: 'retention' }),
});
const checkpoints = startCheckpoints({
  filename,
  intervalMs: CHECKPOINT_INTERVAL_MS,
  checkpointHere: () => store.checkpoint(),
  warn: (message, err) => logger.warn(err === undefined ? {} : { err }, message),
});

port.on('message', (message: ToDispatchThread) => {
  if (message.type === 'wake') {
    dispatcher.notify();
    return;
  }
  void stop(message.deadlineMs);
});

let stopping: Promise<void> | null = null;
function stop(deadlineMs: number): Promise<void> {
  stopping ??= (async () => {
    await Promise.allSettled([dispatcher.stop({ deadlineMs }), retention.stop()]);
    await checkpoints.stop();
    if (attempts.length > 0) {
      reportAttempts();
    }
    store.checkpoint();
    await store.close();
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    post({ type: 'stopped' });
    port.close();
  })();
  return stopping;
}

dispatcher.start();
post({ type: 'ready' });
