import type Database from 'better-sqlite3';
import type { ApiKeyRecord, EventType, Tenant } from './store.js';

/** The fan-out view of an endpoint: what a publish needs to decide who gets a delivery. */
export interface FanOutEndpoint {
  id: string;
  events: string[];
}

/** Entries per map before it is dropped wholesale (bounds memory under many tenants or random names). */
const MAX_ENTRIES = 10_000;

/**
 * Caches the rows every publish reads (the API key, the tenant, the event type, the tenant's enabled
 * endpoints) for one SQLite connection.
 *
 * Invalidation is exact, never time-based:
 * - this connection's own writes to those tables call {@link clear} (the store does it in each writer);
 * - writes by any other connection or process are caught by `PRAGMA data_version`, which changes whenever
 *   another connection committed; {@link sync} compares it before every cached read and drops everything
 *   when it moved. So a revoked key, a new endpoint or a changed schema is seen by the very next request
 *   in every process. A multi-process deployment whose other processes write constantly (a separate
 *   worker recording attempts) mostly misses the cache, but never reads stale rows.
 */
export class SqliteReadCache {
  readonly tenants = new Map<string, Tenant | null>();
  readonly eventTypes = new Map<string, EventType | null>();
  /** Only keys that exist: unknown prefixes come from callers and must not grow the map. */
  readonly apiKeys = new Map<string, ApiKeyRecord>();
  readonly fanOut = new Map<string, FanOutEndpoint[]>();
  private readonly dataVersion: Database.Statement;
  private version: unknown;

  constructor(db: Database.Database) {
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.version = this.dataVersion.get();
  }

  /** Drops everything if another connection committed since the last check. */
  sync(): void {
    const v = this.dataVersion.get();
    if (v !== this.version) {
      this.version = v;
      this.clear();
    }
  }

  clear(): void {
    this.tenants.clear();
    this.eventTypes.clear();
    this.apiKeys.clear();
    this.fanOut.clear();
  }

  /** `map.set`, dropping the map first when it is full. */
  static put<K, V>(map: Map<K, V>, key: K, value: V): V {
    if (map.size >= MAX_ENTRIES) {
      map.clear();
    }
    map.set(key, value);
    return value;
  }
}
