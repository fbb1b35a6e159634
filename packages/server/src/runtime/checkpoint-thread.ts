/*
 * Entry of the checkpoint thread (built as dist/checkpoint-thread.js; started by the dispatch thread).
 *
 * Both SQLite connections of `hookwire serve` leave WAL checkpoints off (`autoCheckpoint: false`): one inside
 * an API commit stalled that publish for milliseconds. Run on the dispatch thread, they took ~4 % of the
 * thread that bounds delivery throughput (copying pages, fsync). Here they use a connection of their own
 * and whatever core is free. A PASSIVE checkpoint takes no write lock, so it never blocks either thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type {
  CheckpointThreadData,
  FromCheckpointThread,
  ToCheckpointThread,
} from './checkpoint-thread-protocol.js';

if (!parentPort) {
  throw new Error('checkpoint-thread.js runs as a worker thread of the dispatch thread, not on its own');
}
const port = parentPort;
const { filename, intervalMs } = workerData as CheckpointThreadData;
const post = (message: FromCheckpointThread) => port.postMessage(message);

const db = new Database(filename, { fileMustExist: true });
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    post({ type: 'warn', message: `WAL checkpoint failed; retrying at the next interval: ${String(err)}` });
  }
};
const timer = setInterval(checkpoint, intervalMs);

port.on('message', (message: ToCheckpointThread) => {
  if (message.type === 'stop') {
    clearInterval(timer);
    checkpoint();
    db.close();
    post({ type: 'stopped' });
    port.close();
  }
});
post({ type: 'ready' });
