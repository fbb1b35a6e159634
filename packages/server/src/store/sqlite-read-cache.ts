import type Database from 'better-sqlite3';
import { setBounded } from '../bounded-map.js';
import type { ApiKeyRecord, EventType, Tenant } from './store.js';

/** The fan-out view of an endpoint: what a publish needs to decide who gets a delivery. */
export interface FanOutEndpoint {
  id: string;
  events: string[];
}

/** Entries per map before it is dropped wholesale (bounds memory under many tenants or random names). */
const MAX_ENTRIES = 10_000;

/**
 * Moves whenever a store on this thread writes a cached row (any connection, any file): a check made
 * earlier in this turn of the event loop no longer vouches for the cache then.
 */
let threadWrites = 0;

/**
 * Caches the rows every publish reads (the API key, the tenant, the event type, the tenant's enabled
 * endpoints) for one SQLite connection.
 *
 * Invalidation is exact, never time-based:
 * - this connection's own writes to those tables call {@link clear} (the store does it in each writer);
 * - writes by any other connection or process are caught by the `cache_version` row, which triggers on
 *   those tables bump (migration 3); {@link sync} reads it before every cached read and drops everything
 *   when it moved. So a revoked key, a new endpoint or a changed schema is seen by the very next request
 *   in every process, while the constant delivery writes of a dispatcher on another connection (attempts,
 *   deliveries, an endpoint's failure streak) leave the cache alone.
 */
export class SqliteReadCache {
  readonly tenants = new Map<string, Tenant | null>();
  readonly eventTypes = new Map<string, EventType | null>();
  /** Only keys that exist: unknown prefixes come from callers and must not grow the map. */
  readonly apiKeys = new Map<string, ApiKeyRecord>();
  readonly fanOut = new Map<string, FanOutEndpoint[]>();
  private readonly db: Database.Database;
  /** Prepared on first use: the table exists only once the store is migrated. */
  private versionQuery: Database.Statement | null = null;
  private version: unknown;
  /** How many times the cache was emptied (tests read it to prove a write did or did not invalidate). */
  clears = 0;
  /** How many times the version row was read (tests read it to prove one check serves a turn). */
  checks = 0;
  /** A check outside a transaction vouches for the rest of this event-loop turn (see {@link sync}). */
  private checkedThisTurn = false;
  private checkedAtWrites = -1;
  private readonly endTurn = (): void => {
    this.checkedThisTurn = false;
  };

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** Inside a write transaction: no other connection can commit until it ends (see {@link pin}). */
  private pinned = false;
  private syncedWhilePinned = false;

  /**
   * Called when this connection's write transaction begins (`BEGIN IMMEDIATE` holds the write lock until it
   * ends, so no other connection can change the cached rows meanwhile): one {@link sync} then serves the
   * whole transaction, e.g. a batch publish of 100 events checks the version once instead of 200 times.
   */
  pin(): void {
    this.pinned = true;
    this.syncedWhilePinned = false;
  }

  unpin(): void {
    this.pinned = false;
  }

  /**
   * Drops everything if a cached row changed through another connection since the last check.
   *
   * Outside a transaction one check serves the rest of the event-loop turn (until a setImmediate), unless
   * a store on this thread writes a cached row meanwhile. Reading the version row is an SQLite read
   * transaction of its own (~9 µs), and one publish request reads the key, the tenant and the event type:
   * three checks per request were 14 % of the API thread's CPU. What a turn can miss is a commit by
   * another thread or process that lands while the turn runs; a request that reaches this process after
   * that commit is read from its socket in a later turn, so it sees the change.
   */
  sync(): void {
    if (this.pinned) {
      if (this.syncedWhilePinned) {
        return;
      }
      this.syncedWhilePinned = true;
    } else if (this.checkedThisTurn && this.checkedAtWrites === threadWrites) {
      return;
    } else if (!this.checkedThisTurn) {
      this.checkedThisTurn = true;
      setImmediate(this.endTurn);
    }
    this.check();
    this.checkedAtWrites = threadWrites;
  }

  private check(): void {
    this.checks++;
    this.versionQuery ??= this.db.prepare('SELECT version FROM cache_version WHERE id = 1').pluck();
    const v = this.versionQuery.get();
    if (v !== this.version) {
      this.version = v;
      this.clear();
    }
  }

  /** Empties the cache; the store calls it after writing a cached row itself. */
  clear(): void {
    threadWrites++;
    this.clears++;
    this.tenants.clear();
    this.eventTypes.clear();
    this.apiKeys.clear();
    this.fanOut.clear();
  }

  /** `map.set`, dropping the map first when it is full. */
  static put<K, V>(map: Map<K, V>, key: K, value: V): V {
    return setBounded(map, key, value, MAX_ENTRIES);
  }
}
