/**
 * What {@link DedupeStore.claim} found for a message id:
 * - `claimed`: first time seen; the caller now owns it and must `complete` or `release` it.
 * - `in_progress`: another delivery of the same id is being handled right now.
 * - `completed`: the id was already handled successfully.
 */
export type DedupeClaim = 'claimed' | 'in_progress' | 'completed';

/**
 * Remembers which message ids were handled so a redelivered message does not run the handler twice.
 *
 * The operations are split so a store can make them atomic (Redis `SET NX`, SQL `INSERT ... ON CONFLICT`):
 * `claim` must record the id and report what was there before in one step, or two concurrent deliveries
 * could both run the handler. A claim that is never settled (crashed process) should expire after
 * `ttlSeconds` so the sender's retry can run it again.
 *
 * @example
 * ```ts
 * // Redis: claim = SET key "in_progress" NX EX ttl; complete = SET key "completed" EX ttl; release = DEL key
 * ```
 */
export interface DedupeStore {
  /** Atomically claims `id`. Returns what was there before (`claimed` when it was free). */
  claim(id: string, ttlSeconds: number): Promise<DedupeClaim> | DedupeClaim;
  /** Marks `id` handled; later deliveries answer `200` without running the handler. */
  complete(id: string, ttlSeconds: number): Promise<void> | void;
  /** Forgets the claim because the handler failed, so the sender's retry runs the handler again. */
  release(id: string): Promise<void> | void;
}

/** Options of {@link createMemoryDedupe}. */
export interface MemoryDedupeOptions {
  /** Most ids kept; the least recently claimed are dropped first. Default 10 000. */
  max?: number;
  /** Injectable clock in milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
}

interface Entry {
  state: 'in_progress' | 'completed';
  expiresAt: number;
}

/**
 * An in-process LRU + TTL {@link DedupeStore}: the default when `dedupe` is not set. It does not survive a
 * restart and is not shared between processes; give a shared store when you run several instances.
 *
 * @example
 * ```ts
 * const dedupe = createMemoryDedupe({ max: 50_000 });
 * createWebhookHandler({ secret, dedupe, handler });
 * ```
 */
export function createMemoryDedupe(options: MemoryDedupeOptions = {}): DedupeStore {
  const max = options.max ?? 10_000;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(max) || max < 1) {
    throw new TypeError(`createMemoryDedupe: max must be a positive integer, received ${String(max)}`);
  }
  // A Map iterates in insertion order, so re-inserting on write makes the first key the oldest (LRU).
  const entries = new Map<string, Entry>();

  const set = (id: string, state: Entry['state'], ttlSeconds: number): void => {
    entries.delete(id);
    entries.set(id, { state, expiresAt: now() + ttlSeconds * 1000 });
    while (entries.size > max) {
      const oldest = entries.keys().next();
      if (oldest.done) {
        break;
      }
      entries.delete(oldest.value);
    }
  };

  return {
    claim(id, ttlSeconds) {
      const entry = entries.get(id);
      if (entry && entry.expiresAt > now()) {
        return entry.state;
      }
      set(id, 'in_progress', ttlSeconds);
      return 'claimed';
    },
    complete(id, ttlSeconds) {
      set(id, 'completed', ttlSeconds);
    },
    release(id) {
      entries.delete(id);
    },
  };
}
