import Database from 'better-sqlite3';
import type { SecretBox } from '../crypto/secret-box.js';
import { HookwireServerError } from '../errors.js';
import { newId } from '../ids.js';
import { decodeCursor, encodeCursor, pageLimit } from './cursor.js';
import { matchesEventFilter } from './event-filter.js';
import { attachDataText, dataTextOf } from './message-data-text.js';
import { type ColumnCodec, createRowMappers, type Row, sealSecrets } from './rows.js';
import { SqliteGroupCommit } from './sqlite-group-commit.js';
import { type Migration, sqliteMigrations } from './sqlite-migrations.js';
import { type FanOutEndpoint, SqliteReadCache } from './sqlite-read-cache.js';
import type { SqliteWriteLock } from './sqlite-write-lock.js';
import type {
  ApiKey,
  ApiKeyRecord,
  Attempt,
  AttemptTrigger,
  ClaimedDelivery,
  Delivery,
  DeliveryBucketCount,
  DeliveryFilter,
  DeliveryStatus,
  Endpoint,
  EndpointFilter,
  EndpointInput,
  EndpointPatch,
  EventType,
  EventTypeInput,
  IdempotencyInput,
  Message,
  MessageFilter,
  MessageInput,
  Page,
  PageRequest,
  PublishResult,
  QueueStats,
  RecordAttemptInput,
  RecordAttemptResult,
  RetentionResult,
  Source,
  SourceInput,
  SourcePatch,
  SourceRecord,
  Store,
  Tenant,
  TenantInput,
} from './store.js';

export interface SqliteStoreOptions {
  /** Database file; `:memory:` for a throwaway store. */
  filename: string;
  /** Encrypts endpoint secrets at rest (see `createSecretBox`). Without it, rows are stored and marked plain. */
  secretBox?: SecretBox | null;
  /**
   * `normal` (default) survives a killed process; `full` also survives power loss and OS crashes, at the
   * price of one fsync per commit. See the comment in the constructor.
   */
  durability?: 'normal' | 'full';
  /** How long a writer waits for another process's lock before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** Plan given to tenants created without one. */
  defaultPlan?: string;
  /**
   * Shared with the other connections of this process (the dispatch thread's): every write transaction
   * takes it first, so threads hand the write lock over at once instead of sleeping in SQLite's busy handler.
   */
  writeLock?: SqliteWriteLock;
  /**
   * Wait for `writeLock` without blocking this thread's event loop: right for a thread with other work to
   * do meanwhile (the dispatch thread's HTTP exchanges). Default false: a blocked waiter gets the lock the
   * moment it is released, which keeps the API thread's publish latency low.
   */
  asyncLockWait?: boolean;
  /**
   * Whether commits on this connection run WAL checkpoints themselves (SQLite's default, every ~1000
   * pages). Default true. With false, another connection must call {@link SqliteStore.checkpoint}
   * (the dispatch thread does), so no API request waits for a checkpoint.
   */
  autoCheckpoint?: boolean;
}

const MAX_PREVIOUS_SECRETS = 10;
const RETENTION_BATCH = 1000;
const DAY_MS = 86_400_000;

const str = (v: unknown): string => v as string;
const num = (v: unknown): number => v as number;
const date = (v: unknown): Date => new Date(v as number);
const dateOrNull = (v: unknown): Date | null =>
  v === null || v === undefined ? null : new Date(v as number);
const json = <T>(v: unknown): T => JSON.parse(v as string) as T;

/** SQLite keeps timestamps as epoch milliseconds, JSON as text and flags as 0/1. */
const sqliteColumns: ColumnCodec = { date, json, bool: (v) => v === 1 };

const sqliteRows = createRowMappers(sqliteColumns);

/** A statement whose rows are built in JavaScript (see SqliteStore.rowStmt). */
interface RowStatement {
  get(...params: unknown[]): Row | undefined;
  all(...params: unknown[]): Row[];
}

/** How much of the database file SQLite reads through a memory map instead of read(2) calls. */
const MMAP_BYTES = 256 * 1024 * 1024;

/**
 * The embedded store: one SQLite file, WAL mode, prepared statements, every multi-row change in one
 * transaction. Several processes may open the same file (SQLite serialises writers), but the intended
 * deployment is one server process; use PostgresStore for many.
 *
 * @example
 * const store = new SqliteStore({ filename: './hookwire.db' });
 * await store.migrate();
 */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly secretBox: SecretBox | null;
  private readonly defaultPlan: string;
  private readonly stmts = new Map<string, Database.Statement>();
  private readonly rowStmts = new Map<string, RowStatement>();
  /** Publishes, claims and attempt writes of one event-loop turn share a commit (see SqliteGroupCommit). */
  private readonly group: SqliteGroupCommit;
  /** Rows every publish reads; cleared by this store's writes and by other connections' commits. */
  private readonly cache: SqliteReadCache;
  private readonly writeLock: SqliteWriteLock | null;

  constructor(options: SqliteStoreOptions) {
    this.db = new Database(options.filename);
    this.writeLock = options.writeLock ?? null;
    this.group = new SqliteGroupCommit(this.db, {
      writeLock: this.writeLock,
      asyncLockWait: options.asyncLockWait ?? false,
      hooks: { begin: () => this.cache.pin(), end: () => this.cache.unpin() },
    });
    this.secretBox = options.secretBox ?? null;
    this.defaultPlan = options.defaultPlan ?? 'default';
    this.db.pragma('journal_mode = WAL');
    // Durability: in WAL mode a commit appends the transaction to the -wal file with write(2) before
    // COMMIT returns. With synchronous=NORMAL that write is not fsynced, but it is already in the kernel's
    // page cache, which outlives the process: a SIGKILL or crash right after the 202 loses nothing, and the
    // next open replays the WAL. Only an OS crash or power cut can drop the last commits (never corrupt the
    // file). `durability: 'full'` fsyncs the WAL on every commit for hosts where that matters.
    this.db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    if (options.autoCheckpoint === false) {
      this.db.pragma('wal_autocheckpoint = 0');
    }
    this.db.pragma('foreign_keys = ON');
    // Group commit runs each operation in a savepoint, and SQLite journals every page a savepoint touches
    // in a statement journal that spills to a temporary file past 64 KiB: under load that was ~8 % of the
    // dispatch thread's CPU in pwrite(2) to a file nobody reads back. In memory it is a memcpy.
    this.db.pragma('temp_store = MEMORY');
    // Another connection's commit (the other thread's, another process's) empties this connection's page
    // cache, so the pages of the next statement are read again. Mapped, they cost no pread(2) each.
    this.db.pragma(`mmap_size = ${MMAP_BYTES}`);
    this.cache = new SqliteReadCache(this.db);
    // Endpoint filters (`link.*`, empty = all) live in JSON; the same matcher as the fan-out, callable in SQL.
    this.db.function('hookwire_matches', { deterministic: true }, (events: unknown, type: unknown) =>
      matchesEventFilter(JSON.parse(String(events)) as string[], String(type)) ? 1 : 0,
    );
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /**
   * A statement for the delivery hot path (claim, attempt write): better-sqlite3 builds row objects through
   * V8's C++ API at ~0.15 µs a column, while the values as an array plus a loop in JavaScript cost about a
   * third of that (measured on the 17 columns of a delivery).
   */
  private rowStmt(sql: string): RowStatement {
    let s = this.rowStmts.get(sql);
    if (!s) {
      const raw = this.db.prepare(sql).raw(true);
      const columns = raw.columns().map((c) => c.name);
      const toRow = (values: unknown[]): Row => {
        const row: Row = {};
        for (let i = 0; i < columns.length; i++) {
          row[columns[i]!] = values[i];
        }
        return row;
      };
      s = {
        get: (...params) => {
          const values = raw.get(...params) as unknown[] | undefined;
          return values === undefined ? undefined : toRow(values);
        },
        all: (...params) => (raw.all(...params) as unknown[][]).map(toRow),
      };
      this.rowStmts.set(sql, s);
    }
    return s;
  }

  /** Runs `fn` in a BEGIN IMMEDIATE transaction: it takes the write lock up front, so two processes never
   * both read-then-write and deadlock on upgrade. */
  private tx<T>(fn: () => T): T {
    if (this.writeLock) {
      return this.writeLock.run(() => this.db.transaction(fn).immediate());
    }
    return this.db.transaction(fn).immediate();
  }

  /**
   * Copies committed WAL frames into the database file without blocking readers or writers (a PASSIVE
   * checkpoint), for stores opened with `autoCheckpoint: false`. Returns the WAL's size in frames and how
   * many of them are now in the database file.
   */
  checkpoint(): { walFrames: number; checkpointed: number } {
    const [r] = this.db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    return { walFrames: r?.log ?? 0, checkpointed: r?.checkpointed ?? 0 };
  }

  async migrate(): Promise<number[]> {
    return this.applyMigrations(sqliteMigrations);
  }

  /** @internal exposed for tests of the migration runner. */
  applyMigrations(migrations: Migration[]): number[] {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT',
    );
    return this.tx(() => {
      const applied = new Set(
        (this.db.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((r) => num(r.version)),
      );
      const done: number[] = [];
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (applied.has(m.version)) {
          continue;
        }
        this.db.exec(m.sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(m.version, m.name, Date.now());
        done.push(m.version);
      }
      return done;
    });
  }

  async close(): Promise<void> {
    this.group.flushNow();
    this.db.close();
  }

  // ---------------------------------------------------------------- pagination

  private page<T>(
    sql: string,
    params: unknown[],
    page: PageRequest | undefined,
    map: (r: Row) => T,
    keyOf: (r: Row) => string,
    keyColumn = 'id',
  ): Page<T> {
    const limit = pageLimit(page?.limit);
    const after = page?.cursor ? decodeCursor(page.cursor) : null;
    // Newest first: ids are time-sortable, so descending id = descending creation time.
    const cursorClause = after === null ? '' : ` AND ${keyColumn} < ?`;
    const rows = this.stmt(`${sql}${cursorClause} ORDER BY ${keyColumn} DESC LIMIT ?`).all(
      ...params,
      ...(after === null ? [] : [after]),
      limit + 1,
    ) as Row[];
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    const last = items.at(-1);
    return { items: items.map(map), nextCursor: more && last ? encodeCursor(keyOf(last)) : null };
  }

  // ---------------------------------------------------------------- tenants

  async createTenant(input: TenantInput): Promise<Tenant> {
    const now = Date.now();
    const id = newId('tnt', now);
    this.stmt(
      'INSERT INTO tenants (id, name, plan, context, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(
      id,
      input.name,
      input.plan ?? this.defaultPlan,
      JSON.stringify(input.context ?? {}),
      JSON.stringify(input.metadata ?? {}),
      now,
      now,
    );
    this.cache.clear();
    return (await this.getTenant(id))!;
  }

  async getTenant(tenantId: string): Promise<Tenant | null> {
    this.cache.sync();
    const hit = this.cache.tenants.get(tenantId);
    if (hit !== undefined) {
      return hit;
    }
    const r = this.stmt('SELECT * FROM tenants WHERE id = ?').get(tenantId) as Row | undefined;
    return SqliteReadCache.put(this.cache.tenants, tenantId, r ? sqliteRows.tenantFrom(r) : null);
  }

  async listTenants(page?: PageRequest): Promise<Page<Tenant>> {
    return this.page(
      'SELECT * FROM tenants WHERE 1 = 1',
      [],
      page,
      (r) => sqliteRows.tenantFrom(r),
      (r) => str(r.id),
    );
  }

  async updateTenant(tenantId: string, patch: Partial<TenantInput>): Promise<Tenant> {
    const current = await this.getTenant(tenantId);
    if (!current) {
      throw notFound('tenant', tenantId);
    }
    this.stmt(
      'UPDATE tenants SET name = ?, plan = ?, context = ?, metadata = ?, updated_at = ? WHERE id = ?',
    ).run(
      patch.name ?? current.name,
      patch.plan ?? current.plan,
      JSON.stringify(patch.context ?? current.context),
      JSON.stringify(patch.metadata ?? current.metadata),
      Date.now(),
      tenantId,
    );
    this.cache.clear();
    return (await this.getTenant(tenantId))!;
  }

  async deleteTenant(tenantId: string): Promise<void> {
    this.tx(() => {
      // Attempts have no FK to tenants (they hang off deliveries), the cascade through deliveries reaches them.
      const r = this.stmt('DELETE FROM tenants WHERE id = ?').run(tenantId);
      if (r.changes === 0) {
        throw notFound('tenant', tenantId);
      }
    });
    this.cache.clear();
  }

  // ---------------------------------------------------------------- api keys

  private publicApiKey(r: Row): ApiKey {
    const { hash: _hash, ...rest } = sqliteRows.apiKeyFrom(r);
    return rest;
  }

  async createApiKey(
    tenantId: string,
    input: { name: string; prefix: string; hash: string; expiresAt?: Date | null },
  ): Promise<ApiKey> {
    this.requireTenant(tenantId);
    const now = Date.now();
    const id = newId('key', now);
    this.stmt(
      'INSERT INTO api_keys (id, tenant_id, name, prefix, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(id, tenantId, input.name, input.prefix, input.hash, now, input.expiresAt?.getTime() ?? null);
    this.cache.clear();
    return this.publicApiKey(this.stmt('SELECT * FROM api_keys WHERE id = ?').get(id) as Row);
  }

  async findApiKeyByPrefix(prefix: string): Promise<ApiKeyRecord | null> {
    this.cache.sync();
    const hit = this.cache.apiKeys.get(prefix);
    if (hit) {
      return hit;
    }
    const r = this.stmt('SELECT * FROM api_keys WHERE prefix = ?').get(prefix) as Row | undefined;
    return r ? SqliteReadCache.put(this.cache.apiKeys, prefix, sqliteRows.apiKeyFrom(r)) : null;
  }

  async listApiKeys(tenantId: string, page?: PageRequest): Promise<Page<ApiKey>> {
    return this.page(
      'SELECT * FROM api_keys WHERE tenant_id = ?',
      [tenantId],
      page,
      (r) => this.publicApiKey(r),
      (r) => str(r.id),
    );
  }

  async revokeApiKey(tenantId: string, keyId: string, now: Date = new Date()): Promise<void> {
    const r = this.stmt(
      'UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND tenant_id = ?',
    ).run(now.getTime(), keyId, tenantId);
    this.cache.clear();
    if (r.changes === 0) {
      throw notFound('api key', keyId);
    }
  }

  async touchApiKey(keyId: string, now: Date): Promise<void> {
    this.stmt('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(now.getTime(), keyId);
    // At most once a minute per key (the caller's rule), so dropping the cached keys costs nothing.
    this.cache.apiKeys.clear();
  }

  private requireTenant(tenantId: string): void {
    if (!this.stmt('SELECT 1 FROM tenants WHERE id = ?').get(tenantId)) {
      throw notFound('tenant', tenantId);
    }
  }

  // ---------------------------------------------------------------- endpoints

  async createEndpoint(
    tenantId: string,
    input: EndpointInput,
    opts?: { maxEndpoints?: number },
  ): Promise<Endpoint> {
    const now = Date.now();
    const id = newId('wh', now);
    const sealed = sealSecrets(this.secretBox, id, { current: input.secret, previous: [] });
    this.tx(() => {
      this.requireTenant(tenantId);
      if (opts?.maxEndpoints !== undefined) {
        const count = num(
          (
            this.stmt('SELECT COUNT(*) AS n FROM endpoints WHERE tenant_id = ? AND deleted_at IS NULL').get(
              tenantId,
            ) as Row
          ).n,
        );
        if (count >= opts.maxEndpoints) {
          throw new HookwireServerError(
            'QUOTA_EXCEEDED',
            `this plan allows ${opts.maxEndpoints} endpoints: delete one or upgrade the plan`,
          );
        }
      }
      this.stmt(
        `INSERT INTO endpoints (id, tenant_id, url, description, events, enabled, envelope, signature, headers,
           rate_limit, metadata, secrets, secrets_encrypted, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        tenantId,
        input.url,
        input.description ?? '',
        JSON.stringify(input.events ?? []),
        input.enabled === false ? 0 : 1,
        input.envelope ?? 'v2',
        JSON.stringify(input.signature ?? { scheme: 'standard' }),
        JSON.stringify(input.headers ?? {}),
        input.rateLimitPerSecond ?? null,
        JSON.stringify(input.metadata ?? {}),
        sealed.value,
        sealed.encrypted ? 1 : 0,
        now,
        now,
      );
    });
    this.cache.clear();
    return (await this.getEndpoint(tenantId, id))!;
  }

  async getEndpoint(tenantId: string, endpointId: string): Promise<Endpoint | null> {
    const r = this.stmt('SELECT * FROM endpoints WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL').get(
      endpointId,
      tenantId,
    ) as Row | undefined;
    return r ? sqliteRows.endpointFrom(r, this.secretBox) : null;
  }

  async listEndpoints(tenantId: string, page?: EndpointFilter): Promise<Page<Endpoint>> {
    const enabled = page?.enabled === undefined ? null : page.enabled ? 1 : 0;
    const type = page?.eventType ?? null;
    return this.page(
      `SELECT * FROM endpoints WHERE tenant_id = ? AND deleted_at IS NULL AND (? IS NULL OR enabled = ?)
         AND (? IS NULL OR hookwire_matches(events, ?) = 1)`,
      [tenantId, enabled, enabled, type, type],
      page,
      (r) => sqliteRows.endpointFrom(r, this.secretBox),
      (r) => str(r.id),
    );
  }

  async countEndpoints(tenantId: string): Promise<number> {
    return num(
      (
        this.stmt('SELECT COUNT(*) AS n FROM endpoints WHERE tenant_id = ? AND deleted_at IS NULL').get(
          tenantId,
        ) as Row
      ).n,
    );
  }

  private cancelEndpointDeliveries(endpointId: string, now: number, reason: string): number {
    return this.stmt(
      `UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, lease_owner = NULL,
         lease_expires_at = NULL, last_error = ?, updated_at = ?
       WHERE endpoint_id = ? AND status IN ('pending', 'in_flight')`,
    ).run(reason, now, endpointId).changes;
  }

  async updateEndpoint(tenantId: string, endpointId: string, patch: EndpointPatch): Promise<Endpoint> {
    const now = Date.now();
    this.tx(() => {
      const current = this.stmt(
        'SELECT * FROM endpoints WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL',
      ).get(endpointId, tenantId) as Row | undefined;
      if (!current) {
        throw notFound('endpoint', endpointId);
      }
      const wasEnabled = current.enabled === 1;
      const enabled = patch.enabled ?? wasEnabled;
      this.stmt(
        `UPDATE endpoints SET url = ?, description = ?, events = ?, enabled = ?, disabled_reason = ?, envelope = ?,
           signature = ?, headers = ?, rate_limit = ?, metadata = ?, failing_since = ?, updated_at = ?
         WHERE id = ?`,
      ).run(
        patch.url ?? current.url,
        patch.description ?? current.description,
        patch.events ? JSON.stringify(patch.events) : current.events,
        enabled ? 1 : 0,
        enabled ? null : wasEnabled ? 'disabled by user' : current.disabled_reason,
        patch.envelope ?? current.envelope,
        patch.signature ? JSON.stringify(patch.signature) : current.signature,
        patch.headers ? JSON.stringify(patch.headers) : current.headers,
        patch.rateLimitPerSecond === undefined ? current.rate_limit : patch.rateLimitPerSecond,
        patch.metadata ? JSON.stringify(patch.metadata) : current.metadata,
        // Re-enabling starts a fresh failure streak.
        enabled && !wasEnabled ? null : current.failing_since,
        now,
        endpointId,
      );
      if (wasEnabled && !enabled) {
        this.cancelEndpointDeliveries(endpointId, now, 'endpoint disabled');
      }
    });
    this.cache.clear();
    return (await this.getEndpoint(tenantId, endpointId))!;
  }

  async disableEndpoint(tenantId: string, endpointId: string, reason: string): Promise<number> {
    const now = Date.now();
    const cancelled = this.tx(() => {
      const r = this.stmt(
        `UPDATE endpoints SET enabled = 0, disabled_reason = ?, updated_at = ?
         WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL`,
      ).run(reason, now, endpointId, tenantId);
      if (r.changes === 0) {
        throw notFound('endpoint', endpointId);
      }
      return this.cancelEndpointDeliveries(endpointId, now, `endpoint disabled: ${reason}`);
    });
    this.cache.clear();
    return cancelled;
  }

  async deleteEndpoint(tenantId: string, endpointId: string): Promise<void> {
    const now = Date.now();
    this.tx(() => {
      const r = this.stmt(
        `UPDATE endpoints SET deleted_at = ?, enabled = 0, updated_at = ?
         WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL`,
      ).run(now, now, endpointId, tenantId);
      if (r.changes === 0) {
        throw notFound('endpoint', endpointId);
      }
      this.cancelEndpointDeliveries(endpointId, now, 'endpoint deleted');
    });
    this.cache.clear();
  }

  async rotateEndpointSecret(
    tenantId: string,
    endpointId: string,
    secret: string,
    overlapMs: number,
    now: Date = new Date(),
  ): Promise<Endpoint> {
    this.tx(() => {
      const current = this.getEndpointSync(tenantId, endpointId);
      const previous = [
        { secret: current.secrets.current, expiresAt: new Date(now.getTime() + overlapMs) },
        ...current.secrets.previous.filter((p) => p.expiresAt.getTime() > now.getTime()),
      ].slice(0, MAX_PREVIOUS_SECRETS);
      const sealed = sealSecrets(this.secretBox, endpointId, { current: secret, previous });
      this.stmt('UPDATE endpoints SET secrets = ?, secrets_encrypted = ?, updated_at = ? WHERE id = ?').run(
        sealed.value,
        sealed.encrypted ? 1 : 0,
        now.getTime(),
        endpointId,
      );
    });
    this.cache.clear();
    return (await this.getEndpoint(tenantId, endpointId))!;
  }

  private getEndpointSync(tenantId: string, endpointId: string): Endpoint {
    const r = this.stmt('SELECT * FROM endpoints WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL').get(
      endpointId,
      tenantId,
    ) as Row | undefined;
    if (!r) {
      throw notFound('endpoint', endpointId);
    }
    return sqliteRows.endpointFrom(r, this.secretBox);
  }

  // ---------------------------------------------------------------- event types

  async upsertEventType(tenantId: string, input: EventTypeInput): Promise<EventType> {
    const now = Date.now();
    this.tx(() => {
      this.requireTenant(tenantId);
      this.stmt(
        `INSERT INTO event_types (tenant_id, name, description, schema, archived, category, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, name) DO UPDATE SET description = excluded.description, schema = excluded.schema,
           archived = excluded.archived, category = excluded.category, updated_at = excluded.updated_at`,
      ).run(
        tenantId,
        input.name,
        input.description ?? '',
        input.schema ? JSON.stringify(input.schema) : null,
        input.archived ? 1 : 0,
        input.category ?? null,
        now,
        now,
      );
    });
    this.cache.clear();
    return (await this.getEventType(tenantId, input.name))!;
  }

  async getEventType(tenantId: string, name: string): Promise<EventType | null> {
    this.cache.sync();
    const key = `${tenantId}\0${name}`;
    const hit = this.cache.eventTypes.get(key);
    if (hit !== undefined) {
      return hit;
    }
    const r = this.stmt('SELECT * FROM event_types WHERE tenant_id = ? AND name = ?').get(tenantId, name) as
      | Row
      | undefined;
    return SqliteReadCache.put(this.cache.eventTypes, key, r ? sqliteRows.eventTypeFrom(r) : null);
  }

  async listEventTypes(
    tenantId: string,
    page?: PageRequest & { includeArchived?: boolean; category?: string },
  ): Promise<Page<EventType>> {
    const limit = pageLimit(page?.limit);
    const after = page?.cursor ? decodeCursor(page.cursor) : null;
    // The catalog reads best in name order, so this list pages by name ascending.
    const rows = this.stmt(
      `SELECT * FROM event_types WHERE tenant_id = ? AND (? = 1 OR archived = 0) AND (? IS NULL OR name > ?)
         AND (? IS NULL OR category = ?)
       ORDER BY name LIMIT ?`,
    ).all(
      tenantId,
      page?.includeArchived ? 1 : 0,
      after,
      after,
      page?.category ?? null,
      page?.category ?? null,
      limit + 1,
    ) as Row[];
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    const last = items.at(-1);
    return {
      items: items.map((r) => sqliteRows.eventTypeFrom(r)),
      nextCursor: more && last ? encodeCursor(str(last.name)) : null,
    };
  }

  async deleteEventType(tenantId: string, name: string): Promise<void> {
    this.tx(() => {
      const subscribed = this.stmt(
        `SELECT id FROM endpoints WHERE tenant_id = ? AND deleted_at IS NULL
           AND EXISTS (SELECT 1 FROM json_each(endpoints.events) WHERE value = ?) LIMIT 1`,
      ).get(tenantId, name) as Row | undefined;
      if (subscribed) {
        throw new HookwireServerError(
          'CONFLICT',
          `endpoint ${str(subscribed.id)} subscribes to ${name}: unsubscribe it first, or deprecate the type instead`,
        );
      }
      const r = this.stmt('DELETE FROM event_types WHERE tenant_id = ? AND name = ?').run(tenantId, name);
      if (r.changes === 0) {
        throw notFound('event type', name);
      }
    });
    this.cache.clear();
  }

  // ---------------------------------------------------------------- messages and deliveries

  /** The message context: the tenant's, with the event's own keys on top. */
  private contextOf(tenant: Row, input: MessageInput): string {
    return input.context && Object.keys(input.context).length > 0
      ? JSON.stringify({ ...json<Record<string, unknown>>(tenant.context), ...input.context })
      : str(tenant.context);
  }

  /** Inserts one message and its fan-out; must run inside a transaction. */
  private insertMessage(tenant: Row, input: MessageInput, now: number): PublishResult {
    const tenantId = str(tenant.id);
    if (input.externalId !== undefined) {
      const first = this.stmt(
        // INDEXED BY: without it the planner satisfies ORDER BY id by walking messages_tenant and filtering,
        // a scan of every message of the tenant on each publish (0.9 ms at 5 000 messages, growing).
        `SELECT * FROM messages INDEXED BY messages_external
         WHERE tenant_id = ? AND external_id = ? AND created_at > ? ORDER BY id LIMIT 1`,
      ).get(tenantId, input.externalId, now - DAY_MS) as Row | undefined;
      if (first) {
        return { message: sqliteRows.messageFrom(first), deliveries: 0, duplicate: true };
      }
    }
    const id = newId('msg', now);
    // The API measured the payload as this text already (and its data is plain JSON from a request body).
    const measured = dataTextOf(input);
    const data = measured ?? JSON.stringify(input.data ?? null);
    const context = this.contextOf(tenant, input);
    const eventTime = (input.timestamp ?? new Date(now)).getTime();
    this.stmt(
      `INSERT INTO messages (id, tenant_id, event_type, data, event_time, context, custom_data, external_id,
         created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      tenantId,
      input.eventType,
      data,
      eventTime,
      context,
      input.customData ? JSON.stringify(input.customData) : null,
      input.externalId ?? null,
      now,
    );
    const insertDelivery = this.stmt(
      `INSERT INTO deliveries (id, tenant_id, message_id, endpoint_id, event_type, status, next_attempt_at,
         created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
    );
    let count = 0;
    for (const e of this.fanOutEndpoints(tenantId)) {
      if (matchesEventFilter(e.events, input.eventType)) {
        insertDelivery.run(newId('dlv', now), tenantId, id, e.id, input.eventType, now, now, now);
        count++;
      }
    }
    // Built from what was just written instead of read back: the same values messageFrom would return.
    const message: Message = {
      id,
      tenantId,
      eventType: input.eventType,
      data: (measured === undefined ? JSON.parse(data) : input.data) as Message['data'],
      timestamp: new Date(eventTime),
      context: JSON.parse(context) as Message['context'],
      customData: input.customData
        ? (JSON.parse(JSON.stringify(input.customData)) as Message['customData'])
        : null,
      externalId: input.externalId ?? null,
      createdAt: new Date(now),
    };
    return { message, deliveries: count, duplicate: false };
  }

  /** The tenant's enabled endpoints, as the fan-out needs them (cached; see SqliteReadCache). */
  private fanOutEndpoints(tenantId: string): FanOutEndpoint[] {
    this.cache.sync();
    const hit = this.cache.fanOut.get(tenantId);
    if (hit) {
      return hit;
    }
    const rows = this.stmt(
      'SELECT id, events FROM endpoints WHERE tenant_id = ? AND enabled = 1 AND deleted_at IS NULL ORDER BY id',
    ).all(tenantId) as Row[];
    return SqliteReadCache.put(
      this.cache.fanOut,
      tenantId,
      rows.map((r) => ({ id: str(r.id), events: json<string[]>(r.events) })),
    );
  }

  /** The stored outcome of an idempotency key, or null when the key is fresh (or its messages are gone). */
  private idempotentReplay(tenantId: string, idempotency: IdempotencyInput): PublishResult[] | null {
    const seen = this.stmt('SELECT * FROM idempotency_keys WHERE tenant_id = ? AND key = ?').get(
      tenantId,
      idempotency.key,
    ) as Row | undefined;
    if (!seen) {
      return null;
    }
    if (seen.request_hash !== idempotency.requestHash) {
      throw new HookwireServerError(
        'IDEMPOTENCY_CONFLICT',
        'this idempotency key was already used with a different request body: use a new key per request',
      );
    }
    const stored: { id: string; deliveries: number; duplicate?: boolean }[] =
      seen.message_ids === null
        ? [{ id: str(seen.message_id), deliveries: num(seen.deliveries) }]
        : json(seen.message_ids);
    const getMessage = this.stmt('SELECT * FROM messages WHERE id = ?');
    const out: PublishResult[] = [];
    for (const s of stored) {
      const row = getMessage.get(s.id) as Row | undefined;
      if (!row) {
        // Removed by retention while the key survived: treat the key as fresh.
        this.stmt('DELETE FROM idempotency_keys WHERE tenant_id = ? AND key = ?').run(
          tenantId,
          idempotency.key,
        );
        return null;
      }
      out.push({
        message: sqliteRows.messageFrom(row),
        deliveries: s.deliveries,
        duplicate: true,
        replayed: { duplicate: s.duplicate ?? false },
      });
    }
    return out;
  }

  private rememberIdempotency(
    tenantId: string,
    idempotency: IdempotencyInput,
    results: PublishResult[],
    now: number,
  ): void {
    const first = results[0];
    this.stmt(
      `INSERT INTO idempotency_keys (tenant_id, key, request_hash, message_id, deliveries, message_ids, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      tenantId,
      idempotency.key,
      idempotency.requestHash,
      first?.message.id ?? '',
      first?.deliveries ?? 0,
      JSON.stringify(
        results.map((r) => ({ id: r.message.id, deliveries: r.deliveries, duplicate: r.duplicate })),
      ),
      now,
    );
  }

  private tenantRow(tenantId: string): Row {
    const tenant = this.stmt('SELECT id, context FROM tenants WHERE id = ?').get(tenantId) as Row | undefined;
    if (!tenant) {
      throw notFound('tenant', tenantId);
    }
    return tenant;
  }

  async publish(
    tenantId: string,
    input: MessageInput,
    idempotency?: IdempotencyInput,
    now: Date = new Date(),
  ): Promise<PublishResult> {
    return this.group.run(() => {
      const tenant = this.tenantRow(tenantId);
      if (idempotency) {
        const replay = this.idempotentReplay(tenantId, idempotency);
        if (replay?.[0]) {
          return replay[0];
        }
      }
      const result = this.insertMessage(tenant, input, now.getTime());
      if (idempotency) {
        this.rememberIdempotency(tenantId, idempotency, [result], now.getTime());
      }
      return result;
    });
  }

  async publishBatch(
    tenantId: string,
    inputs: MessageInput[],
    now: Date = new Date(),
    idempotency?: IdempotencyInput,
  ): Promise<PublishResult[]> {
    return this.group.run(() => {
      const tenant = this.tenantRow(tenantId);
      if (idempotency) {
        const replay = this.idempotentReplay(tenantId, idempotency);
        if (replay) {
          return replay;
        }
      }
      const results = inputs.map((input) => this.insertMessage(tenant, input, now.getTime()));
      if (idempotency) {
        this.rememberIdempotency(tenantId, idempotency, results, now.getTime());
      }
      return results;
    });
  }

  async createDirectDelivery(
    tenantId: string,
    endpointId: string,
    input: MessageInput,
    workerId: string,
    leaseMs: number,
    now: Date = new Date(),
  ): Promise<ClaimedDelivery> {
    const t = now.getTime();
    return this.tx(() => {
      const tenant = this.tenantRow(tenantId);
      this.getEndpointSync(tenantId, endpointId);
      const id = newId('msg', t);
      this.stmt(
        `INSERT INTO messages (id, tenant_id, event_type, data, event_time, context, custom_data, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        tenantId,
        input.eventType,
        JSON.stringify(input.data ?? null),
        (input.timestamp ?? now).getTime(),
        this.contextOf(tenant, input),
        input.customData ? JSON.stringify(input.customData) : null,
        t,
      );
      const deliveryId = newId('dlv', t);
      this.stmt(
        `INSERT INTO deliveries (id, tenant_id, message_id, endpoint_id, event_type, next_trigger, status,
           lease_owner, lease_expires_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'test', 'in_flight', ?, ?, ?, ?)`,
      ).run(deliveryId, tenantId, id, endpointId, input.eventType, workerId, t + leaseMs, t, t);
      return {
        delivery: sqliteRows.deliveryFrom(
          this.stmt('SELECT * FROM deliveries WHERE id = ?').get(deliveryId) as Row,
        ),
        message: sqliteRows.messageFrom(this.stmt('SELECT * FROM messages WHERE id = ?').get(id) as Row),
        leaseExpiresAt: new Date(t + leaseMs),
        trigger: 'test',
      };
    });
  }

  async getMessage(tenantId: string, messageId: string): Promise<Message | null> {
    const r = this.stmt('SELECT * FROM messages WHERE id = ? AND tenant_id = ?').get(messageId, tenantId) as
      | Row
      | undefined;
    return r ? sqliteRows.messageFrom(r) : null;
  }

  async listMessages(tenantId: string, page?: MessageFilter): Promise<Page<Message>> {
    const since = page?.since?.getTime() ?? null;
    const until = page?.until?.getTime() ?? null;
    return this.page(
      `SELECT * FROM messages WHERE tenant_id = ? AND (? IS NULL OR event_type = ?)
         AND (? IS NULL OR created_at >= ?) AND (? IS NULL OR created_at < ?)`,
      [tenantId, page?.eventType ?? null, page?.eventType ?? null, since, since, until, until],
      page,
      (r) => sqliteRows.messageFrom(r),
      (r) => str(r.id),
    );
  }

  async getDelivery(tenantId: string, deliveryId: string): Promise<Delivery | null> {
    const r = this.stmt('SELECT * FROM deliveries WHERE id = ? AND tenant_id = ?').get(
      deliveryId,
      tenantId,
    ) as Row | undefined;
    return r ? sqliteRows.deliveryFrom(r) : null;
  }

  async listDeliveries(tenantId: string, filter?: DeliveryFilter): Promise<Page<Delivery>> {
    const f = filter ?? {};
    return this.page(
      `SELECT * FROM deliveries WHERE tenant_id = ? AND (? IS NULL OR endpoint_id = ?)
         AND (? IS NULL OR message_id = ?) AND (? IS NULL OR status = ?) AND (? IS NULL OR event_type = ?)
         AND (? IS NULL OR created_at >= ?) AND (? IS NULL OR created_at < ?)`,
      [
        tenantId,
        f.endpointId ?? null,
        f.endpointId ?? null,
        f.messageId ?? null,
        f.messageId ?? null,
        f.status ?? null,
        f.status ?? null,
        f.eventType ?? null,
        f.eventType ?? null,
        f.since?.getTime() ?? null,
        f.since?.getTime() ?? null,
        f.until?.getTime() ?? null,
        f.until?.getTime() ?? null,
      ],
      f,
      (r) => sqliteRows.deliveryFrom(r),
      (r) => str(r.id),
    );
  }

  async listAttempts(tenantId: string, deliveryId: string, page?: PageRequest): Promise<Page<Attempt>> {
    return this.page(
      'SELECT * FROM attempts WHERE tenant_id = ? AND delivery_id = ?',
      [tenantId, deliveryId],
      page,
      (r) => sqliteRows.attemptFrom(r),
      (r) => str(r.id),
    );
  }

  // ---------------------------------------------------------------- queue

  async claimDue(
    workerId: string,
    limit: number,
    leaseMs: number,
    now: Date = new Date(),
  ): Promise<ClaimedDelivery[]> {
    if (limit < 1) {
      return [];
    }
    const t = now.getTime();
    const expires = t + leaseMs;
    // A claim runs after every attempt, and at a low rate many find nothing (a quarter of all claims at
    // 1,000 events/s in bench/delivery). As write transactions they held the write lock for nothing, and a
    // publish waited for it. Whether anything is due is a read, without the lock.
    const next = this.earliestDue();
    if (next === null || next > t) {
      return [];
    }
    return this.group.run(() => {
      // The due rows, then a lease on each by rowid. Each half of the read walks its own partial index in
      // order and stops after `limit` rows, so the cost is flat however many deliveries wait. SQLite has one
      // writer at a time (the transaction is IMMEDIATE), so no other worker can lease a row between the read
      // and the update. Expired leases come first: there are only as many as a dead process held, and behind
      // a long backlog of pending deliveries they would otherwise wait until the backlog drained (found by
      // fault case 2, issue #6). One UPDATE ... RETURNING over a sub-select did the same through
      // ephemeral tables (the IN list, RETURNING): ~20 % more CPU for a claim of one delivery.
      const rows = this.rowStmt(
        `SELECT * FROM (SELECT rowid AS _rowid, * FROM deliveries WHERE status = 'in_flight' AND lease_expires_at <= ?
                        ORDER BY lease_expires_at LIMIT ?)
         UNION ALL
         SELECT * FROM (SELECT rowid AS _rowid, * FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?
                        ORDER BY next_attempt_at LIMIT ?)
         LIMIT ?`,
      ).all(t, limit, t, limit, limit) as Row[];
      if (rows.length > 0) {
        const lease = this.stmt(
          `UPDATE deliveries SET status = 'in_flight', lease_owner = ?, lease_expires_at = ?, updated_at = ?
           WHERE rowid = ?`,
        );
        for (const r of rows) {
          lease.run(workerId, expires, t, r._rowid);
          r.status = 'in_flight';
          r.lease_owner = workerId;
          r.lease_expires_at = expires;
          r.updated_at = t;
        }
      }
      const getMessage = this.rowStmt('SELECT * FROM messages WHERE id = ?');
      const messages = new Map<string, Message>();
      return rows.map((r) => {
        const messageId = str(r.message_id);
        let message = messages.get(messageId);
        if (!message) {
          // The dispatcher splices the stored text into the envelope (see renderEnvelopeBody).
          const row = getMessage.get(messageId) as Row;
          message = sqliteRows.messageFrom(row);
          attachDataText(message, str(row.data));
          messages.set(messageId, message);
        }
        return {
          delivery: sqliteRows.deliveryFrom(r),
          message,
          leaseExpiresAt: new Date(expires),
          trigger: str(r.next_trigger) as AttemptTrigger,
        };
      });
    });
  }

  async nextDueAt(): Promise<Date | null> {
    return dateOrNull(this.earliestDue());
  }

  /** When the next claim finds something (ms), or null: one seek in each of the two queue indexes. */
  private earliestDue(): number | null {
    const r = this.stmt(
      `SELECT MIN(t) AS t FROM (
         SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE status = 'pending'
         UNION ALL SELECT MIN(lease_expires_at) FROM deliveries WHERE status = 'in_flight')`,
    ).get() as Row;
    return (r.t as number | null) ?? null;
  }

  async recordAttempt(input: RecordAttemptInput): Promise<RecordAttemptResult> {
    return this.group.run(() => this.recordAttemptSync(input));
  }

  /** Many attempts in one transaction (one WAL commit): the dispatcher batches the attempts that finish together. */
  async recordAttempts(inputs: RecordAttemptInput[]): Promise<RecordAttemptResult[]> {
    return this.group.run(() => inputs.map((input) => this.recordAttemptSync(input)));
  }

  /**
   * Writes an attempt and moves its delivery on, under the worker's lease.
   *
   * When the dispatcher passes the delivery it claimed (with the attempt's trigger), the attempt is a plain
   * INSERT and the result is that delivery with the attempt applied, which is what the row then holds:
   * nobody else writes a delivery while its lease is held. Reading the row back with RETURNING had cost
   * SQLite an ephemeral table and page cache per statement, on the dispatcher's hottest path. Without it,
   * one INSERT ... SELECT reads the delivery's ids and trigger, and the row is read after the update.
   */
  private recordAttemptSync(input: RecordAttemptInput): RecordAttemptResult {
    const { attempt, outcome } = input;
    const startedAt = attempt.startedAt.getTime();
    const nextRetryAt = outcome.kind === 'retry' ? outcome.nextAttemptAt.getTime() : null;
    const id = newId('att', startedAt);
    const durationMs = Math.round(attempt.durationMs);
    const url = attempt.url ?? '';
    const claimed =
      input.claimed && attempt.trigger && input.claimed.id === input.deliveryId ? input.claimed : null;
    const values = [
      url,
      startedAt,
      durationMs,
      attempt.statusCode,
      attempt.errorKind,
      attempt.error,
      attempt.responsePreview,
      JSON.stringify(attempt.requestHeaders),
      nextRetryAt,
    ];
    let ids: { tenantId: string; endpointId: string; trigger: AttemptTrigger };
    if (claimed) {
      ids = { tenantId: claimed.tenantId, endpointId: claimed.endpointId, trigger: attempt.trigger! };
      try {
        this.stmt(
          `INSERT INTO attempts (id, tenant_id, delivery_id, endpoint_id, trigger, url, started_at, duration_ms,
             status_code, error_kind, error, response_preview, request_headers, next_retry_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(id, ids.tenantId, claimed.id, ids.endpointId, ids.trigger, ...values);
      } catch (err) {
        if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
          throw notFound('delivery', input.deliveryId);
        }
        throw err;
      }
    } else {
      const d = this.rowStmt(
        `INSERT INTO attempts (id, tenant_id, delivery_id, endpoint_id, trigger, url, started_at, duration_ms,
           status_code, error_kind, error, response_preview, request_headers, next_retry_at)
         SELECT ?, tenant_id, id, endpoint_id, COALESCE(?, next_trigger), ?, ?, ?, ?, ?, ?, ?, ?, ?
         FROM deliveries WHERE id = ?
         RETURNING tenant_id, endpoint_id, trigger`,
      ).get(id, attempt.trigger ?? null, ...values, input.deliveryId) as Row | undefined;
      if (!d) {
        throw notFound('delivery', input.deliveryId);
      }
      ids = {
        tenantId: str(d.tenant_id),
        endpointId: str(d.endpoint_id),
        trigger: str(d.trigger) as AttemptTrigger,
      };
    }
    const finishedAt = startedAt + durationMs;
    const status: DeliveryStatus =
      outcome.kind === 'succeeded' ? 'succeeded' : outcome.kind === 'retry' ? 'pending' : 'failed';
    const applied =
      this.stmt(
        `UPDATE deliveries SET status = ?, attempt_count = attempt_count + 1, cycle_attempts = cycle_attempts + 1,
           next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL, last_attempt_at = ?,
           last_status_code = ?, last_error = ?, next_trigger = 'scheduled', updated_at = ?
         WHERE id = ? AND status = 'in_flight' AND lease_owner = ?`,
      ).run(
        status,
        nextRetryAt,
        startedAt,
        attempt.statusCode,
        attempt.error,
        finishedAt,
        input.deliveryId,
        input.workerId,
      ).changes === 1;
    let delivery: Delivery;
    if (applied && claimed) {
      delivery = {
        ...claimed,
        status,
        attemptCount: claimed.attemptCount + 1,
        cycleAttempts: claimed.cycleAttempts + 1,
        nextAttemptAt: dateOrNull(nextRetryAt),
        lastAttemptAt: new Date(startedAt),
        lastStatusCode: attempt.statusCode,
        lastError: attempt.error,
        updatedAt: new Date(finishedAt),
      };
    } else if (applied) {
      delivery = sqliteRows.deliveryFrom(
        this.rowStmt('SELECT * FROM deliveries WHERE id = ?').get(input.deliveryId) as Row,
      );
    } else {
      // The lease was lost: keep the log complete, but only count the attempt.
      delivery = sqliteRows.deliveryFrom(
        this.stmt(
          'UPDATE deliveries SET attempt_count = attempt_count + 1, last_attempt_at = ? WHERE id = ? RETURNING *',
        ).get(startedAt, input.deliveryId) as Row,
      );
    }
    return {
      // Built from what was just written instead of read back: the same values attemptFrom would return.
      attempt: {
        id,
        tenantId: ids.tenantId,
        deliveryId: input.deliveryId,
        endpointId: ids.endpointId,
        trigger: ids.trigger,
        url,
        startedAt: new Date(startedAt),
        durationMs,
        statusCode: attempt.statusCode,
        errorKind: attempt.errorKind,
        error: attempt.error,
        responsePreview: attempt.responsePreview,
        requestHeaders: { ...attempt.requestHeaders },
        nextRetryAt: dateOrNull(nextRetryAt),
      },
      delivery,
      applied,
      endpointFailingSince: this.recordEndpointHealth(input, ids.endpointId, startedAt),
    };
  }

  /** The endpoint's failure streak after an attempt (a success ends it; a failure starts it if none runs). */
  private recordEndpointHealth(
    input: RecordAttemptInput,
    endpointId: string,
    startedAt: number,
  ): Date | null {
    let failingSince: unknown = null;
    if (input.trackHealth === false) {
      failingSince = (
        this.stmt('SELECT failing_since FROM endpoints WHERE id = ?').get(endpointId) as Row | undefined
      )?.failing_since;
    } else if (input.attempt.errorKind === 'none' && input.outcome.kind === 'succeeded') {
      // A success ends the streak: afterwards failing_since is NULL whether or not this changed a row.
      this.stmt('UPDATE endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL').run(
        endpointId,
      );
    } else {
      failingSince = (
        this.stmt(
          'UPDATE endpoints SET failing_since = COALESCE(failing_since, ?) WHERE id = ? RETURNING failing_since',
        ).get(startedAt, endpointId) as Row | undefined
      )?.failing_since;
    }
    return dateOrNull(failingSince);
  }

  async release(workerId: string, opts?: { deliveryIds?: string[]; at?: Date }): Promise<number> {
    const at = (opts?.at ?? new Date()).getTime();
    const now = Date.now();
    return this.tx(() => {
      if (!opts?.deliveryIds) {
        return this.stmt(
          `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL,
             updated_at = ?
           WHERE status = 'in_flight' AND lease_owner = ?`,
        ).run(at, now, workerId).changes;
      }
      const one = this.stmt(
        `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL,
           updated_at = ?
         WHERE id = ? AND status = 'in_flight' AND lease_owner = ?`,
      );
      let n = 0;
      for (const id of opts.deliveryIds) {
        n += one.run(at, now, id, workerId).changes;
      }
      return n;
    });
  }

  private requireEnabledEndpoint(tenantId: string, endpointId: string): void {
    const e = this.getEndpointSync(tenantId, endpointId);
    if (!e.enabled) {
      throw new HookwireServerError(
        'ENDPOINT_DISABLED',
        `endpoint ${endpointId} is disabled (${e.disabledReason ?? 'no reason'}): enable it before redelivering`,
      );
    }
  }

  async redeliver(tenantId: string, deliveryId: string, now: Date = new Date()): Promise<Delivery> {
    const t = now.getTime();
    return this.tx(() => {
      const d = this.stmt('SELECT * FROM deliveries WHERE id = ? AND tenant_id = ?').get(
        deliveryId,
        tenantId,
      ) as Row | undefined;
      if (!d) {
        throw notFound('delivery', deliveryId);
      }
      this.requireEnabledEndpoint(tenantId, str(d.endpoint_id));
      if (d.status === 'in_flight' && num(d.lease_expires_at) > t) {
        throw new HookwireServerError(
          'CONFLICT',
          `delivery ${deliveryId} has an attempt in flight: wait for it to finish, then redeliver`,
        );
      }
      this.stmt(
        `UPDATE deliveries SET status = 'pending', cycle_attempts = 0, next_attempt_at = ?, lease_owner = NULL,
           lease_expires_at = NULL, next_trigger = 'manual', updated_at = ?
         WHERE id = ?`,
      ).run(t, t, deliveryId);
      return sqliteRows.deliveryFrom(
        this.stmt('SELECT * FROM deliveries WHERE id = ?').get(deliveryId) as Row,
      );
    });
  }

  async replayFailedSince(
    tenantId: string,
    endpointId: string,
    since: Date,
    now: Date = new Date(),
    until?: Date,
  ): Promise<number> {
    const t = now.getTime();
    return this.tx(() => {
      this.requireEnabledEndpoint(tenantId, endpointId);
      return this.stmt(
        `UPDATE deliveries SET status = 'pending', cycle_attempts = 0, next_attempt_at = ?, next_trigger = 'replay',
           updated_at = ?
         WHERE endpoint_id = ? AND tenant_id = ? AND status = 'failed' AND created_at >= ? AND created_at < ?`,
      ).run(t, t, endpointId, tenantId, since.getTime(), (until ?? new Date(8.64e15)).getTime()).changes;
    });
  }

  async deleteOlderThan(days: number, now: Date = new Date()): Promise<RetentionResult> {
    const cutoff = now.getTime() - days * DAY_MS;
    const result: RetentionResult = { messages: 0, deliveries: 0, attempts: 0, idempotencyKeys: 0 };
    // Small batches, each its own transaction, so retention never holds the write lock for long.
    for (;;) {
      const done = this.tx(() => {
        const ids = (
          this.stmt(
            `SELECT id FROM messages m WHERE created_at < ? AND NOT EXISTS (
               SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.status IN ('pending', 'in_flight'))
             LIMIT ?`,
          ).all(cutoff, RETENTION_BATCH) as Row[]
        ).map((r) => str(r.id));
        if (ids.length === 0) {
          return true;
        }
        const list = JSON.stringify(ids);
        result.attempts += num(
          (
            this.db
              .prepare(
                'SELECT COUNT(*) AS n FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE message_id IN (SELECT value FROM json_each(?)))',
              )
              .get(list) as Row
          ).n,
        );
        result.deliveries += this.stmt(
          'DELETE FROM deliveries WHERE message_id IN (SELECT value FROM json_each(?))',
        ).run(list).changes;
        result.messages += this.stmt('DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))').run(
          list,
        ).changes;
        return ids.length < RETENTION_BATCH;
      });
      if (done) {
        break;
      }
    }
    result.idempotencyKeys = this.stmt('DELETE FROM idempotency_keys WHERE created_at < ?').run(
      cutoff,
    ).changes;
    return result;
  }

  async countDeliveriesByBucket(
    tenantId: string,
    endpointId: string,
    window: { since: Date; until: Date; bucketMs: number },
  ): Promise<DeliveryBucketCount[]> {
    const since = window.since.getTime();
    // better-sqlite3 binds JS numbers as REAL, so the division is cast back to the integer bucket index.
    // Reads deliveries_endpoint_created (endpoint_id, created_at).
    const rows = this.stmt(
      `SELECT CAST((created_at - ?) / ? AS INTEGER) AS bucket, status, COUNT(*) AS count FROM deliveries
       WHERE endpoint_id = ? AND tenant_id = ? AND created_at >= ? AND created_at < ?
       GROUP BY bucket, status`,
    ).all(since, window.bucketMs, endpointId, tenantId, since, window.until.getTime()) as {
      bucket: number;
      status: DeliveryStatus;
      count: number;
    }[];
    return rows.map((r) => ({ bucket: r.bucket, status: r.status, count: r.count }));
  }

  async queueStats(now: Date = new Date()): Promise<QueueStats> {
    const t = now.getTime();
    const r = this.stmt(
      `SELECT
         (SELECT COUNT(*) FROM deliveries WHERE status = 'pending') AS pending,
         (SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?) AS due,
         (SELECT COUNT(*) FROM deliveries WHERE status = 'in_flight') AS in_flight,
         (SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending') AS oldest`,
    ).get(t) as Row;
    const oldest = r.oldest as number | null;
    return {
      pending: num(r.pending),
      due: num(r.due),
      inFlight: num(r.in_flight),
      oldestDueAgeMs: oldest !== null && oldest <= t ? t - oldest : 0,
    };
  }

  // ---------------------------------------------------------------- sources

  async createSource(tenantId: string, input: SourceInput): Promise<Source> {
    this.requireTenant(tenantId);
    const now = Date.now();
    const id = newId('src', now);
    this.stmt(
      `INSERT INTO sources (id, tenant_id, name, description, enabled, schema, event_type, event_type_mapping,
         token_hash, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      tenantId,
      input.name,
      input.description ?? null,
      input.enabled === false ? 0 : 1,
      input.schema ? JSON.stringify(input.schema) : null,
      input.eventType ?? null,
      input.eventTypeMapping ? JSON.stringify(input.eventTypeMapping) : null,
      input.tokenHash,
      now,
      now,
    );
    return (await this.getSource(tenantId, id))!;
  }

  async updateSource(tenantId: string, sourceId: string, patch: SourcePatch): Promise<Source> {
    this.tx(() => {
      const current = this.stmt(
        'SELECT * FROM sources WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL',
      ).get(sourceId, tenantId) as Row | undefined;
      if (!current) {
        throw notFound('source', sourceId);
      }
      const pick = <T>(v: T | undefined, column: unknown, encode: (x: T) => unknown = (x) => x): unknown =>
        v === undefined ? column : v === null ? null : encode(v);
      this.stmt(
        `UPDATE sources SET name = ?, description = ?, enabled = ?, schema = ?, event_type = ?,
           event_type_mapping = ?, updated_at = ?
         WHERE id = ?`,
      ).run(
        patch.name ?? current.name,
        pick(patch.description, current.description),
        patch.enabled === undefined ? current.enabled : patch.enabled ? 1 : 0,
        pick(patch.schema, current.schema, (x) => JSON.stringify(x)),
        pick(patch.eventType, current.event_type),
        pick(patch.eventTypeMapping, current.event_type_mapping, (x) => JSON.stringify(x)),
        Date.now(),
        sourceId,
      );
    });
    return (await this.getSource(tenantId, sourceId))!;
  }

  async getSource(tenantId: string, sourceId: string): Promise<Source | null> {
    const r = this.stmt('SELECT * FROM sources WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL').get(
      sourceId,
      tenantId,
    ) as Row | undefined;
    return r ? sqliteRows.sourceFrom(r) : null;
  }

  async findSourceForIngest(sourceId: string): Promise<SourceRecord | null> {
    const r = this.stmt('SELECT * FROM sources WHERE id = ? AND deleted_at IS NULL').get(sourceId) as
      | Row
      | undefined;
    return r ? sqliteRows.sourceRecordFrom(r) : null;
  }

  async listSources(tenantId: string, page?: PageRequest): Promise<Page<Source>> {
    return this.page(
      'SELECT * FROM sources WHERE tenant_id = ? AND deleted_at IS NULL',
      [tenantId],
      page,
      (r) => sqliteRows.sourceFrom(r),
      (r) => str(r.id),
    );
  }

  async rotateSourceToken(
    tenantId: string,
    sourceId: string,
    tokenHash: string,
    overlapMs = 0,
    now: Date = new Date(),
  ): Promise<Source> {
    const t = now.getTime();
    const r = this.stmt(
      `UPDATE sources SET previous_token_hash = CASE WHEN ? > 0 THEN token_hash ELSE NULL END,
         previous_token_expires_at = CASE WHEN ? > 0 THEN ? ELSE NULL END, token_hash = ?, updated_at = ?
       WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL`,
    ).run(overlapMs, overlapMs, t + overlapMs, tokenHash, t, sourceId, tenantId);
    if (r.changes === 0) {
      throw notFound('source', sourceId);
    }
    return (await this.getSource(tenantId, sourceId))!;
  }

  async deleteSource(tenantId: string, sourceId: string): Promise<void> {
    const now = Date.now();
    const r = this.stmt(
      'UPDATE sources SET deleted_at = ?, updated_at = ? WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL',
    ).run(now, now, sourceId, tenantId);
    if (r.changes === 0) {
      throw notFound('source', sourceId);
    }
  }
}

function notFound(kind: string, id: string): HookwireServerError {
  return new HookwireServerError('NOT_FOUND', `${kind} ${id} not found`);
}
