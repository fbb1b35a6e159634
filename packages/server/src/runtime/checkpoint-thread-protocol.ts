/** What the dispatch thread hands the checkpoint thread at start. */
export interface CheckpointThreadData {
  /** Path of the SQLite file (already in WAL mode and migrated). */
  filename: string;
  /** How often committed WAL frames are copied into the database file. */
  intervalMs: number;
}

/** Dispatch thread -> checkpoint thread: one last checkpoint, close the connection, exit. */
export type ToCheckpointThread = { type: 'stop' };

/** Checkpoint thread -> dispatch thread. */
export type FromCheckpointThread =
  | { type: 'ready' }
  | { type: 'warn'; message: string }
  | { type: 'stopped' };
