import pg from 'pg';
import type { SecretBox } from '../crypto/secret-box.js';
import { HookwireServerError } from '../errors.js';
import { newId } from '../ids.js';
import { decodeCursor, encodeCursor, pageLimit } from './cursor.js';
import { isConnectionError, toStoreError } from './postgres-errors.js';
import { PostgresWorkListener, WORK_CHANNEL } from './postgres-listener.js';
import {
  ADVISORY_LOCK_NAMESPACE,
  applyPostgresMigrations,
  postgresMigrations,
} from './postgres-migrations.js';
import {
  apiKeyFrom,
  attemptFrom,
  deliveryFrom,
  endpointFrom,
  eventTypeFrom,
  messageFrom,
  pgText,
  pgTextOrNull,
  sourceRecordFrom,
  tenantFrom,
} from './postgres-rows.js';
import { WorkNotifier } from './postgres-work-notifier.js';
import { type Row, sealSecrets } from './rows.js';
import type { Migration } from './sqlite-migrations.js';
import type {
  ApiKey,
  ApiKeyRecord,
  Attempt,
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

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (libpq query parameters such as `sslmode` work). */
  connectionString: string;
  /**
   * Schema holding Hookwire's tables (created by `migrate` when missing); null = the connection's default
   * search_path (usually `public`). A plain lower-case identifier.
   */
  schema?: string | null;
  /** Most connections this process opens for queries (the LISTEN connection comes on top). Default 10. */
  poolSize?: number;
  /** How long a query waits for a free connection or a new one before failing as unavailable. Default 5 s. */
  connectionTimeoutMs?: number;
  /** Encrypts endpoint secrets at rest (see `createSecretBox`). Without it, rows are stored and marked plain. */
  secretBox?: SecretBox | null;
  /** Plan given to tenants created without one. */
  defaultPlan?: string;
  /** Background connection errors (idle pool connections, the LISTEN connection); expected during restarts. */
  onBackgroundError?: (err: unknown) => void;
  /**
   * At most one NOTIFY per this many milliseconds from this process: the first of a burst goes out at once,
   * the rest are folded into one at the end of the window. Default 5.
   */
  notifyCoalesceMs?: number;
}

/** A schema name we can put into `search_path` and `CREATE SCHEMA` without quoting surprises. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const MAX_PREVIOUS_SECRETS = 10;
const RETENTION_BATCH = 1000;
const DAY_MS = 86_400_000;
/** How long an empty claim's reading of the next due time may stand in for `nextDueAt`. */
const NEXT_DUE_HINT_MS = 100;

/**
 * The delivery columns the prepared statements return, listed rather than `*`: a prepared statement whose
 * result shape changes (a later migration adding a column) fails with "cached plan must not change result
 * type" on every connection that prepared it.
 */
const DELIVERY_COLUMNS = [
  'id',
  'tenant_id',
  'message_id',
  'endpoint_id',
  'event_type',
  'status',
  'attempt_count',
  'cycle_attempts',
  'next_attempt_at',
  'next_trigger',
  'lease_owner',
  'lease_expires_at',
  'last_attempt_at',
  'last_status_code',
  'last_error',
  'created_at',
  'updated_at',
];

/** Builds the `$n` placeholders of a parameterised query as values are added. */
class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** Matches the JS `matchesEventFilter` in SQL: empty = all, exact name, or `prefix.*` for `prefix.<more>`. */
const MATCHES_TYPE = (events: string, type: string) =>
  `(jsonb_array_length(${events}) = 0 OR ${events} ? ${type} OR EXISTS (
     SELECT 1 FROM jsonb_array_elements_text(${events}) f WHERE right(f, 2) = '.*' AND starts_with(${type}, left(f, -1))))`;

/**
 * Many server processes on one PostgreSQL database. Same contract as SqliteStore (the conformance suite
 * runs against both); what differs is how concurrent writers are kept apart:
 * - claims lock rows with `FOR UPDATE SKIP LOCKED`, so workers never wait on each other's batches, and a
 *   lease (`lease_expires_at`) hands a dead worker's deliveries to the next claim;
 * - publishes take a shared advisory lock on their tenant's endpoint set; creating, changing, disabling or
 *   deleting an endpoint takes it exclusively. A publish therefore never fans out to an endpoint that a
 *   concurrent disable has already swept, and the endpoint quota cannot be overrun by parallel creates;
 * - an idempotency key or external id is locked (advisory, per transaction) while its publish runs, so two
 *   processes with the same key serialise and the second replays the first;
 * - lock order is always endpoint before delivery (disable, record attempt), which keeps them deadlock-free.
 * Publish, redeliver, replay and released leases `NOTIFY`; `onWorkAvailable` wakes idle dispatchers with it.
 *
 * @example
 * const store = new PostgresStore({ connectionString: 'postgres://hookwire@db/hookwire', poolSize: 10 });
 * await store.migrate();
 */
export class PostgresStore implements Store {
  readonly pool: pg.Pool;
  readonly schema: string | null;
  private readonly secretBox: SecretBox | null;
  private readonly defaultPlan: string;
  private readonly clientConfig: pg.ClientConfig;
  private readonly onBackgroundError: (err: unknown) => void;
  private listener: PostgresWorkListener | null = null;
  private readonly notifier: WorkNotifier;
  /** COMMIT, then the NOTIFY in its own implicit transaction: one round trip (the schema is validated). */
  private readonly commitAndNotifySql: string;
  /**
   * Database calls of this store started plus finished: an empty claim's reading of the next due time is
   * only reused while this has not moved, i.e. while no other call overlapped it or came after it.
   */
  private callEdges = 0;
  /** The queue's next due time read by an empty claim, for an immediately following `nextDueAt`. */
  private nextDueHint: { at: number; edges: number; value: Date | null } | null = null;
  /** Names of the prepared statements, by text. */
  private readonly statementNames = new Map<string, string>();
  private statementsNamed = 0;

  constructor(options: PostgresStoreOptions) {
    const schema = options.schema ?? null;
    if (schema !== null && !SCHEMA_NAME.test(schema)) {
      throw new HookwireServerError(
        'INVALID_INPUT',
        `schema ${JSON.stringify(schema)} must be a lower-case identifier ([a-z_][a-z0-9_]*, at most 63)`,
      );
    }
    this.schema = schema;
    this.secretBox = options.secretBox ?? null;
    this.defaultPlan = options.defaultPlan ?? 'default';
    this.onBackgroundError = options.onBackgroundError ?? (() => {});
    this.clientConfig = connectionConfig(options.connectionString, schema);
    this.pool = new pg.Pool({
      ...this.clientConfig,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
    });
    // An idle connection that dies (PostgreSQL restarted) is dropped by the pool; without a listener the
    // 'error' event would crash the process.
    this.pool.on('error', (err) => this.onBackgroundError(err));
    const payload = this.schema ?? '';
    this.commitAndNotifySql = `COMMIT; SELECT pg_notify('${WORK_CHANNEL}', '${payload}')`;
    this.notifier = new WorkNotifier(
      async () => {
        await this.q('SELECT pg_notify($1, $2)', [WORK_CHANNEL, payload]);
      },
      options.notifyCoalesceMs ?? 5,
      this.onBackgroundError,
    );
  }

  // ---------------------------------------------------------------- plumbing

  /**
   * `sql` as a named prepared statement: parsed once per connection instead of on every call (the hot
   * statements are long CTEs, and parsing them each time cost PostgreSQL CPU per event). The name is
   * per store and per text, and never reused, so one connection never sees one name with two texts.
   */
  private prepared(sql: string): { name: string; text: string } {
    let name = this.statementNames.get(sql);
    if (name === undefined) {
      name = `hookwire_${this.statementsNamed++}`;
      this.statementNames.set(sql, name);
    }
    return { name, text: sql };
  }

  /** Runs one statement; hot statements go through `prepared`. */
  private async q(
    sql: string,
    params: unknown[] = [],
    client?: pg.ClientBase,
    opts?: { prepare?: boolean },
  ): Promise<Row[]> {
    this.callEdges++;
    try {
      const config = opts?.prepare
        ? { ...this.prepared(sql), values: params }
        : { text: sql, values: params };
      return (await (client ?? this.pool).query(config)).rows as Row[];
    } catch (err) {
      if (opts?.prepare && (err as { code?: unknown }).code === '0A000') {
        // "cached plan must not change result type": a migration changed a table under it. The next call
        // prepares the text again under a new name.
        this.statementNames.delete(sql);
      }
      throw toStoreError(err);
    } finally {
      this.callEdges++;
    }
  }

  private async one(
    sql: string,
    params: unknown[] = [],
    client?: pg.ClientBase,
    opts?: { prepare?: boolean },
  ): Promise<Row | undefined> {
    return (await this.q(sql, params, client, opts))[0];
  }

  private async count(sql: string, params: unknown[] = [], client?: pg.ClientBase): Promise<number> {
    this.callEdges++;
    try {
      return (await (client ?? this.pool).query(sql, params)).rowCount ?? 0;
    } catch (err) {
      throw toStoreError(err);
    } finally {
      this.callEdges++;
    }
  }

  /**
   * Runs `fn` on one pooled connection, which is destroyed instead of reused when it broke. A checked-out
   * pg client emits 'error' when its connection drops (PostgreSQL restarting) even while a query is
   * running; the pool's own listener is detached during checkout, so without ours that would crash the
   * process.
   */
  private async withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    this.callEdges++;
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw toStoreError(err);
    }
    let broken = false;
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    try {
      return await fn(client);
    } catch (err) {
      broken ||= isConnectionError(err) || isConnectionError((err as { cause?: unknown }).cause);
      throw toStoreError(err);
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
      this.callEdges++;
    }
  }

  /**
   * Runs `fn` in a READ COMMITTED transaction on one pooled connection; rolls back on any error. When
   * `notifyIf` says the committed result made work due, dispatchers are woken after COMMIT (never inside
   * the transaction, see WorkNotifier): by the COMMIT's own round trip when no NOTIFY went out within the
   * coalescing window, otherwise once the window ends.
   */
  private tx<T>(fn: (c: pg.PoolClient) => Promise<T>, notifyIf?: (result: T) => boolean): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      let result: T;
      try {
        result = await fn(client);
      } catch (err) {
        // A failed ROLLBACK means the connection is gone; withClient then destroys it.
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
      const notify = notifyIf?.(result) === true;
      const leading = notify && this.notifier.claimLeadingSend();
      try {
        // Simple protocol, two statements: the NOTIFY runs in its own implicit transaction after the COMMIT.
        await client.query(leading ? this.commitAndNotifySql : 'COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
      if (notify && !leading) {
        this.notifier.request();
      }
      return result;
    });
  }

  /** Transaction-scoped advisory lock on `subject`, shared or exclusive. */
  private async lock(c: pg.ClientBase, subject: string, mode: 'shared' | 'exclusive'): Promise<void> {
    const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
    await this.q(`SELECT ${fn}($1, hashtext($2))`, [ADVISORY_LOCK_NAMESPACE, subject], c);
  }

  async migrate(): Promise<number[]> {
    return this.applyMigrations(postgresMigrations);
  }

  /** @internal exposed for tests of the migration runner. */
  async applyMigrations(migrations: readonly Migration[]): Promise<number[]> {
    return this.withClient((client) => applyPostgresMigrations(client, migrations, this.schema));
  }

  /**
   * Calls `listener` when another process (or this one) made deliveries due: publish, redeliver, replay,
   * released leases. Uses one dedicated LISTEN connection that reconnects on its own; after a reconnect the
   * listener is called once, since notifications sent meanwhile are lost.
   */
  onWorkAvailable(listener: () => void): () => void {
    this.listener ??= new PostgresWorkListener({
      clientConfig: { ...this.clientConfig, application_name: `hookwire listen ${this.schema ?? ''}`.trim() },
      payload: this.schema ?? '',
      onError: this.onBackgroundError,
    });
    return this.listener.subscribe(listener);
  }

  async close(): Promise<void> {
    await this.notifier.flush();
    await this.listener?.stop();
    await this.pool.end();
  }

  // ---------------------------------------------------------------- pagination

  /** Newest first by id (ids are time-sortable). `where` is built on `p`; the cursor and limit are appended. */
  private async page<T>(
    from: string,
    where: string,
    p: Params,
    page: PageRequest | undefined,
    map: (r: Row) => T,
  ): Promise<Page<T>> {
    const limit = pageLimit(page?.limit);
    const after = page?.cursor ? decodeCursor(page.cursor) : null;
    const cursor = after === null ? '' : ` AND id < ${p.add(after)}`;
    const rows = await this.q(
      `SELECT * FROM ${from} WHERE ${where}${cursor} ORDER BY id DESC LIMIT ${p.add(limit + 1)}`,
      p.values,
    );
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    const last = items.at(-1);
    return { items: items.map(map), nextCursor: more && last ? encodeCursor(last.id as string) : null };
  }

  // ---------------------------------------------------------------- tenants

  async createTenant(input: TenantInput): Promise<Tenant> {
    const now = new Date();
    const r = await this.one(
      `INSERT INTO tenants (id, name, plan, context, metadata, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *`,
      [
        newId('tnt', now.getTime()),
        input.name,
        input.plan ?? this.defaultPlan,
        JSON.stringify(input.context ?? {}),
        JSON.stringify(input.metadata ?? {}),
        now,
      ],
    );
    return tenantFrom(r!);
  }

  async getTenant(tenantId: string): Promise<Tenant | null> {
    const r = await this.one('SELECT * FROM tenants WHERE id = $1', [tenantId]);
    return r ? tenantFrom(r) : null;
  }

  async listTenants(page?: PageRequest): Promise<Page<Tenant>> {
    return this.page('tenants', 'true', new Params(), page, tenantFrom);
  }

  async updateTenant(tenantId: string, patch: Partial<TenantInput>): Promise<Tenant> {
    const r = await this.one(
      `UPDATE tenants SET name = COALESCE($2, name), plan = COALESCE($3, plan),
         context = COALESCE($4::json, context), metadata = COALESCE($5::json, metadata), updated_at = $6
       WHERE id = $1 RETURNING *`,
      [
        tenantId,
        patch.name ?? null,
        patch.plan ?? null,
        patch.context ? JSON.stringify(patch.context) : null,
        patch.metadata ? JSON.stringify(patch.metadata) : null,
        new Date(),
      ],
    );
    if (!r) {
      throw notFound('tenant', tenantId);
    }
    return tenantFrom(r);
  }

  async deleteTenant(tenantId: string): Promise<void> {
    // Everything the tenant owns hangs off it with ON DELETE CASCADE (attempts through deliveries).
    if ((await this.count('DELETE FROM tenants WHERE id = $1', [tenantId])) === 0) {
      throw notFound('tenant', tenantId);
    }
  }

  // ---------------------------------------------------------------- api keys

  private publicApiKey(r: Row): ApiKey {
    const { hash: _hash, ...rest } = apiKeyFrom(r);
    return rest;
  }

  async createApiKey(
    tenantId: string,
    input: { name: string; prefix: string; hash: string; expiresAt?: Date | null },
  ): Promise<ApiKey> {
    const now = new Date();
    const r = await this.one(
      `INSERT INTO api_keys (id, tenant_id, name, prefix, hash, created_at, expires_at)
       SELECT $1, id, $3, $4, $5, $6, $7 FROM tenants WHERE id = $2 RETURNING *`,
      [
        newId('key', now.getTime()),
        tenantId,
        input.name,
        input.prefix,
        input.hash,
        now,
        input.expiresAt ?? null,
      ],
    );
    if (!r) {
      throw notFound('tenant', tenantId);
    }
    return this.publicApiKey(r);
  }

  async findApiKeyByPrefix(prefix: string): Promise<ApiKeyRecord | null> {
    const r = await this.one('SELECT * FROM api_keys WHERE prefix = $1', [prefix]);
    return r ? apiKeyFrom(r) : null;
  }

  async listApiKeys(tenantId: string, page?: PageRequest): Promise<Page<ApiKey>> {
    const p = new Params();
    return this.page('api_keys', `tenant_id = ${p.add(tenantId)}`, p, page, (r) => this.publicApiKey(r));
  }

  async revokeApiKey(tenantId: string, keyId: string, now: Date = new Date()): Promise<void> {
    const n = await this.count(
      'UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND tenant_id = $3',
      [now, keyId, tenantId],
    );
    if (n === 0) {
      throw notFound('api key', keyId);
    }
  }

  async touchApiKey(keyId: string, now: Date): Promise<void> {
    await this.q('UPDATE api_keys SET last_used_at = $1 WHERE id = $2', [now, keyId]);
  }

  // ---------------------------------------------------------------- endpoints

  /** Exclusive: no publish of this tenant runs while its endpoint set changes (see the class comment). */
  private lockEndpointsOf(c: pg.ClientBase, tenantId: string): Promise<void> {
    return this.lock(c, `endpoints:${tenantId}`, 'exclusive');
  }

  async createEndpoint(
    tenantId: string,
    input: EndpointInput,
    opts?: { maxEndpoints?: number },
  ): Promise<Endpoint> {
    const now = new Date();
    const id = newId('wh', now.getTime());
    const sealed = sealSecrets(this.secretBox, id, { current: input.secret, previous: [] });
    const r = await this.tx(async (c) => {
      await this.lockEndpointsOf(c, tenantId);
      const tenant = await this.one(
        'SELECT (SELECT COUNT(*) FROM endpoints WHERE tenant_id = $1 AND deleted_at IS NULL) AS n FROM tenants WHERE id = $1',
        [tenantId],
        c,
      );
      if (!tenant) {
        throw notFound('tenant', tenantId);
      }
      if (opts?.maxEndpoints !== undefined && Number(tenant.n) >= opts.maxEndpoints) {
        throw new HookwireServerError(
          'QUOTA_EXCEEDED',
          `this plan allows ${opts.maxEndpoints} endpoints: delete one or upgrade the plan`,
        );
      }
      return this.one(
        `INSERT INTO endpoints (id, tenant_id, url, description, events, enabled, envelope, signature, headers,
           rate_limit, metadata, secrets, secrets_encrypted, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING *`,
        [
          id,
          tenantId,
          input.url,
          input.description ?? '',
          JSON.stringify(input.events ?? []),
          input.enabled !== false,
          input.envelope ?? 'v2',
          JSON.stringify(input.signature ?? { scheme: 'standard' }),
          JSON.stringify(input.headers ?? {}),
          input.rateLimitPerSecond ?? null,
          JSON.stringify(input.metadata ?? {}),
          sealed.value,
          sealed.encrypted,
          now,
        ],
        c,
      );
    });
    return endpointFrom(r!, this.secretBox);
  }

  async getEndpoint(tenantId: string, endpointId: string): Promise<Endpoint | null> {
    const r = await this.one(
      'SELECT * FROM endpoints WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL',
      [endpointId, tenantId],
    );
    return r ? endpointFrom(r, this.secretBox) : null;
  }

  async listEndpoints(tenantId: string, page?: EndpointFilter): Promise<Page<Endpoint>> {
    const p = new Params();
    let where = `tenant_id = ${p.add(tenantId)} AND deleted_at IS NULL`;
    if (page?.enabled !== undefined) {
      where += ` AND enabled = ${p.add(page.enabled)}`;
    }
    if (page?.eventType !== undefined) {
      where += ` AND ${MATCHES_TYPE('events', `${p.add(page.eventType)}::text`)}`;
    }
    return this.page('endpoints', where, p, page, (r) => endpointFrom(r, this.secretBox));
  }

  async countEndpoints(tenantId: string): Promise<number> {
    const r = await this.one(
      'SELECT COUNT(*) AS n FROM endpoints WHERE tenant_id = $1 AND deleted_at IS NULL',
      [tenantId],
    );
    return Number(r?.n ?? 0);
  }

  private cancelEndpointDeliveries(c: pg.ClientBase, endpointId: string, now: Date, reason: string) {
    return this.count(
      `UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, lease_owner = NULL,
         lease_expires_at = NULL, last_error = $1, updated_at = $2
       WHERE endpoint_id = $3 AND status IN ('pending', 'in_flight')`,
      [pgText(reason), now, endpointId],
      c,
    );
  }

  /** The live endpoint row, locked for update inside `c`'s transaction. */
  private async lockedEndpoint(c: pg.ClientBase, tenantId: string, endpointId: string): Promise<Row> {
    const r = await this.one(
      'SELECT * FROM endpoints WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL FOR UPDATE',
      [endpointId, tenantId],
      c,
    );
    if (!r) {
      throw notFound('endpoint', endpointId);
    }
    return r;
  }

  async updateEndpoint(tenantId: string, endpointId: string, patch: EndpointPatch): Promise<Endpoint> {
    const now = new Date();
    const r = await this.tx(async (c) => {
      await this.lockEndpointsOf(c, tenantId);
      const current = await this.lockedEndpoint(c, tenantId, endpointId);
      const wasEnabled = current.enabled === true;
      const enabled = patch.enabled ?? wasEnabled;
      const updated = await this.one(
        `UPDATE endpoints SET url = $2, description = $3, events = $4, enabled = $5, disabled_reason = $6,
           envelope = $7, signature = $8, headers = $9, rate_limit = $10, metadata = $11, failing_since = $12,
           updated_at = $13
         WHERE id = $1 RETURNING *`,
        [
          endpointId,
          patch.url ?? current.url,
          patch.description ?? current.description,
          JSON.stringify(patch.events ?? current.events),
          enabled,
          enabled ? null : wasEnabled ? 'disabled by user' : current.disabled_reason,
          patch.envelope ?? current.envelope,
          JSON.stringify(patch.signature ?? current.signature),
          JSON.stringify(patch.headers ?? current.headers),
          patch.rateLimitPerSecond === undefined ? current.rate_limit : patch.rateLimitPerSecond,
          JSON.stringify(patch.metadata ?? current.metadata),
          // Re-enabling starts a fresh failure streak.
          enabled && !wasEnabled ? null : current.failing_since,
          now,
        ],
        c,
      );
      if (wasEnabled && !enabled) {
        await this.cancelEndpointDeliveries(c, endpointId, now, 'endpoint disabled');
      }
      return updated;
    });
    return endpointFrom(r!, this.secretBox);
  }

  async disableEndpoint(tenantId: string, endpointId: string, reason: string): Promise<number> {
    const now = new Date();
    return this.tx(async (c) => {
      await this.lockEndpointsOf(c, tenantId);
      const n = await this.count(
        `UPDATE endpoints SET enabled = false, disabled_reason = $1, updated_at = $2
         WHERE id = $3 AND tenant_id = $4 AND deleted_at IS NULL`,
        [pgText(reason), now, endpointId, tenantId],
        c,
      );
      if (n === 0) {
        throw notFound('endpoint', endpointId);
      }
      return this.cancelEndpointDeliveries(c, endpointId, now, `endpoint disabled: ${reason}`);
    });
  }

  async deleteEndpoint(tenantId: string, endpointId: string): Promise<void> {
    const now = new Date();
    await this.tx(async (c) => {
      await this.lockEndpointsOf(c, tenantId);
      const n = await this.count(
        `UPDATE endpoints SET deleted_at = $1, enabled = false, updated_at = $1
         WHERE id = $2 AND tenant_id = $3 AND deleted_at IS NULL`,
        [now, endpointId, tenantId],
        c,
      );
      if (n === 0) {
        throw notFound('endpoint', endpointId);
      }
      await this.cancelEndpointDeliveries(c, endpointId, now, 'endpoint deleted');
    });
  }

  async rotateEndpointSecret(
    tenantId: string,
    endpointId: string,
    secret: string,
    overlapMs: number,
    now: Date = new Date(),
  ): Promise<Endpoint> {
    const r = await this.tx(async (c) => {
      const current = endpointFrom(await this.lockedEndpoint(c, tenantId, endpointId), this.secretBox);
      const previous = [
        { secret: current.secrets.current, expiresAt: new Date(now.getTime() + overlapMs) },
        ...current.secrets.previous.filter((p) => p.expiresAt.getTime() > now.getTime()),
      ].slice(0, MAX_PREVIOUS_SECRETS);
      const sealed = sealSecrets(this.secretBox, endpointId, { current: secret, previous });
      return this.one(
        'UPDATE endpoints SET secrets = $1, secrets_encrypted = $2, updated_at = $3 WHERE id = $4 RETURNING *',
        [sealed.value, sealed.encrypted, now, endpointId],
        c,
      );
    });
    return endpointFrom(r!, this.secretBox);
  }

  // ---------------------------------------------------------------- event types

  async upsertEventType(tenantId: string, input: EventTypeInput): Promise<EventType> {
    const now = new Date();
    const r = await this.one(
      `INSERT INTO event_types (tenant_id, name, description, schema, archived, category, created_at, updated_at)
       SELECT id, $2, $3, $4, $5, $6, $7, $7 FROM tenants WHERE id = $1
       ON CONFLICT (tenant_id, name) DO UPDATE SET description = excluded.description, schema = excluded.schema,
         archived = excluded.archived, category = excluded.category, updated_at = excluded.updated_at
       RETURNING *`,
      [
        tenantId,
        input.name,
        input.description ?? '',
        input.schema ? JSON.stringify(input.schema) : null,
        input.archived === true,
        input.category ?? null,
        now,
      ],
    );
    if (!r) {
      throw notFound('tenant', tenantId);
    }
    return eventTypeFrom(r);
  }

  async getEventType(tenantId: string, name: string): Promise<EventType | null> {
    const r = await this.one('SELECT * FROM event_types WHERE tenant_id = $1 AND name = $2', [
      tenantId,
      name,
    ]);
    return r ? eventTypeFrom(r) : null;
  }

  async listEventTypes(
    tenantId: string,
    page?: PageRequest & { includeArchived?: boolean; category?: string },
  ): Promise<Page<EventType>> {
    const limit = pageLimit(page?.limit);
    const after = page?.cursor ? decodeCursor(page.cursor) : null;
    // The catalog reads best in name order, so this list pages by name ascending.
    const rows = await this.q(
      `SELECT * FROM event_types WHERE tenant_id = $1 AND ($2 OR NOT archived)
         AND ($3::text IS NULL OR name > $3) AND ($4::text IS NULL OR category = $4)
       ORDER BY name LIMIT $5`,
      [tenantId, page?.includeArchived === true, after, page?.category ?? null, limit + 1],
    );
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    const last = items.at(-1);
    return {
      items: items.map(eventTypeFrom),
      nextCursor: more && last ? encodeCursor(last.name as string) : null,
    };
  }

  async deleteEventType(tenantId: string, name: string): Promise<void> {
    await this.tx(async (c) => {
      await this.lockEndpointsOf(c, tenantId);
      const subscribed = await this.one(
        'SELECT id FROM endpoints WHERE tenant_id = $1 AND deleted_at IS NULL AND events ? $2 LIMIT 1',
        [tenantId, name],
        c,
      );
      if (subscribed) {
        throw new HookwireServerError(
          'CONFLICT',
          `endpoint ${subscribed.id as string} subscribes to ${name}: unsubscribe it first, or deprecate the type instead`,
        );
      }
      if (
        (await this.count(
          'DELETE FROM event_types WHERE tenant_id = $1 AND name = $2',
          [tenantId, name],
          c,
        )) === 0
      ) {
        throw notFound('event type', name);
      }
    });
  }

  // ---------------------------------------------------------------- publish

  /**
   * Takes a publish's advisory locks in one round trip, in the order every publish uses: its tenant's
   * endpoint set (shared), then the idempotency key, then the external ids (sorted, so two batches never
   * wait on each other in opposite orders); they hold until the transaction ends. Returns the tenant's
   * context. A function scan over an array yields its rows, and so makes the lock calls, in array order.
   * The rows these locks guard are read by later statements, whose snapshots see what the holders we
   * waited for committed.
   */
  private async lockForPublish(
    c: pg.ClientBase,
    tenantId: string,
    inputs: MessageInput[],
    idempotency: IdempotencyInput | undefined,
  ): Promise<Record<string, unknown>> {
    const externalIds = [
      ...new Set(inputs.flatMap((i) => (i.externalId === undefined ? [] : [i.externalId]))),
    ].sort();
    const subjects = [
      `endpoints:${tenantId}`,
      ...(idempotency ? [`idempotency:${tenantId}:${idempotency.key}`] : []),
      ...externalIds.map((id) => `external:${tenantId}:${id}`),
    ];
    const rows = await this.q(
      `SELECT CASE WHEN l.n = 1 THEN pg_advisory_xact_lock_shared($1, hashtext(l.s))
                   ELSE pg_advisory_xact_lock($1, hashtext(l.s)) END AS locked,
         (SELECT context FROM tenants WHERE id = $3) AS context
       FROM unnest($2::text[]) WITH ORDINALITY AS l(s, n)`,
      [ADVISORY_LOCK_NAMESPACE, subjects, tenantId],
      c,
      { prepare: true },
    );
    const context = rows[0]?.context;
    if (context === undefined || context === null) {
      throw notFound('tenant', tenantId);
    }
    return context as Record<string, unknown>;
  }

  /**
   * Inserts a publish's messages and their fan-out in two statements whatever the batch size (the caller
   * holds the locks of `lockForPublish`): one inserts the messages that are not repeats of an external id
   * and returns, per event type, the enabled endpoints it matches; the other inserts the deliveries (ids made
   * here, in endpoint order, so they sort by creation) and the idempotency record.
   */
  private async insertMessages(
    c: pg.ClientBase,
    tenantId: string,
    tenantContext: Record<string, unknown>,
    inputs: MessageInput[],
    now: Date,
    idempotency: IdempotencyInput | undefined,
  ): Promise<PublishResult[]> {
    // A repeated external id within the batch is a duplicate of its first occurrence, as one-by-one inserts
    // in one transaction would have found it.
    const firstWith = new Map<string, number>();
    const candidates: MessageInput[] = [];
    const source = inputs.map((input) => {
      if (input.externalId !== undefined) {
        const first = firstWith.get(input.externalId);
        if (first !== undefined) {
          return { candidate: first, repeat: true };
        }
        firstWith.set(input.externalId, candidates.length);
      }
      candidates.push(input);
      return { candidate: candidates.length - 1, repeat: false };
    });
    const contextOf = (input: MessageInput) =>
      input.context && Object.keys(input.context).length > 0
        ? { ...tenantContext, ...input.context }
        : tenantContext;
    const rows = await this.q(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[],
           $7::text[]) WITH ORDINALITY AS i(id, event_type, data, event_time, context, custom_data, external_id, n)
       ), existing AS (
         SELECT DISTINCT ON (i.n) i.n, m.id, m.tenant_id, m.event_type, m.data, m.event_time, m.context,
           m.custom_data, m.external_id, m.created_at
         FROM input i JOIN messages m
           ON m.tenant_id = $8 AND m.external_id = i.external_id AND m.created_at > $9
         ORDER BY i.n, m.id
       ), fresh AS (
         INSERT INTO messages (id, tenant_id, event_type, data, event_time, context, custom_data, external_id,
           created_at)
         SELECT i.id, $8, i.event_type, i.data::json, i.event_time, i.context::json, i.custom_data::json,
           i.external_id, $10
         FROM input i WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.n = i.n)
         RETURNING id, tenant_id, event_type, data, event_time, context, custom_data, external_id, created_at
       ), matched AS (
         SELECT t.event_type, array_agg(e.id ORDER BY e.id) AS endpoint_ids
         FROM (SELECT DISTINCT event_type FROM input) t
         JOIN endpoints e ON e.tenant_id = $8 AND e.enabled AND e.deleted_at IS NULL
           AND ${MATCHES_TYPE('e.events', 't.event_type')}
         GROUP BY t.event_type
       )
       SELECT i.n::int AS n, false AS duplicate, COALESCE(mt.endpoint_ids, '{}') AS endpoint_ids, f.*
       FROM fresh f JOIN input i ON i.id = f.id LEFT JOIN matched mt ON mt.event_type = f.event_type
       UNION ALL
       SELECT e.n::int, true, '{}', e.id, e.tenant_id, e.event_type, e.data, e.event_time, e.context,
         e.custom_data, e.external_id, e.created_at
       FROM existing e`,
      [
        candidates.map(() => newId('msg', now.getTime())),
        candidates.map((i) => i.eventType),
        candidates.map((i) => JSON.stringify(i.data ?? null)),
        candidates.map((i) => i.timestamp ?? now),
        candidates.map((i) => JSON.stringify(contextOf(i))),
        candidates.map((i) => (i.customData ? JSON.stringify(i.customData) : null)),
        candidates.map((i) => i.externalId ?? null),
        tenantId,
        new Date(now.getTime() - DAY_MS),
        now,
      ],
      c,
      { prepare: true },
    );
    const byCandidate: PublishResult[] = new Array(candidates.length);
    const fanout = {
      ids: [] as string[],
      messages: [] as string[],
      endpoints: [] as string[],
      types: [] as string[],
    };
    for (const r of [...rows].sort((a, b) => (a.n as number) - (b.n as number))) {
      const endpointIds = r.endpoint_ids as string[];
      for (const endpointId of endpointIds) {
        fanout.ids.push(newId('dlv', now.getTime()));
        fanout.messages.push(r.id as string);
        fanout.endpoints.push(endpointId);
        fanout.types.push(r.event_type as string);
      }
      byCandidate[(r.n as number) - 1] = {
        message: messageFrom(r),
        deliveries: endpointIds.length,
        duplicate: r.duplicate === true,
      };
    }
    const results = source.map(({ candidate, repeat }): PublishResult => {
      const first = byCandidate[candidate]!;
      return repeat ? { message: first.message, deliveries: 0, duplicate: true } : first;
    });
    await this.insertFanout(c, tenantId, fanout, now, idempotency, results);
    return results;
  }

  /** The deliveries of a publish and its idempotency record, in one statement (none when neither). */
  private async insertFanout(
    c: pg.ClientBase,
    tenantId: string,
    fanout: { ids: string[]; messages: string[]; endpoints: string[]; types: string[] },
    now: Date,
    idempotency: IdempotencyInput | undefined,
    results: PublishResult[],
  ): Promise<void> {
    const p = new Params();
    const tenant = p.add(tenantId);
    const at = p.add(now);
    const deliveries =
      fanout.ids.length === 0
        ? null
        : `INSERT INTO deliveries (id, tenant_id, message_id, endpoint_id, event_type, status, next_attempt_at,
             created_at, updated_at)
           SELECT d, ${tenant}, m, e, t, 'pending', ${at}, ${at}, ${at}
           FROM unnest(${p.add(fanout.ids)}::text[], ${p.add(fanout.messages)}::text[],
             ${p.add(fanout.endpoints)}::text[], ${p.add(fanout.types)}::text[]) AS x(d, m, e, t)`;
    const key = !idempotency
      ? null
      : `INSERT INTO idempotency_keys (tenant_id, key, request_hash, results, created_at)
         VALUES (${tenant}, ${p.add(idempotency.key)}, ${p.add(idempotency.requestHash)}, ${p.add(
           JSON.stringify(
             results.map((r) => ({ id: r.message.id, deliveries: r.deliveries, duplicate: r.duplicate })),
           ),
         )}, ${at})`;
    const sql = deliveries && key ? `WITH fanout AS (${deliveries}) ${key}` : (deliveries ?? key);
    if (sql) {
      await this.q(sql, p.values, c, { prepare: true });
    }
  }

  /** The stored outcome of an idempotency key, or null when the key is fresh (or its messages are gone). */
  private async idempotentReplay(
    c: pg.ClientBase,
    tenantId: string,
    idempotency: IdempotencyInput,
  ): Promise<PublishResult[] | null> {
    const seen = await this.one(
      'SELECT request_hash, results FROM idempotency_keys WHERE tenant_id = $1 AND key = $2',
      [tenantId, idempotency.key],
      c,
    );
    if (!seen) {
      return null;
    }
    if (seen.request_hash !== idempotency.requestHash) {
      throw new HookwireServerError(
        'IDEMPOTENCY_CONFLICT',
        'this idempotency key was already used with a different request body: use a new key per request',
      );
    }
    const stored = seen.results as { id: string; deliveries: number; duplicate: boolean }[];
    const rows = await this.q(
      'SELECT * FROM messages WHERE id = ANY($1::text[])',
      [stored.map((s) => s.id)],
      c,
    );
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    if (stored.some((s) => !byId.has(s.id))) {
      // Removed by retention while the key survived: treat the key as fresh.
      await this.q(
        'DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2',
        [tenantId, idempotency.key],
        c,
      );
      return null;
    }
    return stored.map((s) => ({
      message: messageFrom(byId.get(s.id)!),
      deliveries: s.deliveries,
      duplicate: true,
      replayed: { duplicate: s.duplicate },
    }));
  }

  /**
   * One transaction for a publish or a batch: locks (one statement), the idempotency replay, the messages
   * with their endpoint match (one statement), the deliveries with the key record (one statement); the
   * NOTIFY after COMMIT.
   */
  private publishMany(
    tenantId: string,
    inputs: MessageInput[],
    now: Date,
    idempotency: IdempotencyInput | undefined,
  ): Promise<PublishResult[]> {
    return this.tx(
      async (c) => {
        const context = await this.lockForPublish(c, tenantId, inputs, idempotency);
        if (idempotency) {
          const replay = await this.idempotentReplay(c, tenantId, idempotency);
          if (replay) {
            return replay;
          }
        }
        return this.insertMessages(c, tenantId, context, inputs, now, idempotency);
      },
      (results) => results.some((r) => !r.duplicate && r.deliveries > 0),
    );
  }

  async publish(
    tenantId: string,
    input: MessageInput,
    idempotency?: IdempotencyInput,
    now: Date = new Date(),
  ): Promise<PublishResult> {
    const [result] = await this.publishMany(tenantId, [input], now, idempotency);
    return result!;
  }

  async publishBatch(
    tenantId: string,
    inputs: MessageInput[],
    now: Date = new Date(),
    idempotency?: IdempotencyInput,
  ): Promise<PublishResult[]> {
    return this.publishMany(tenantId, inputs, now, idempotency);
  }

  async createDirectDelivery(
    tenantId: string,
    endpointId: string,
    input: MessageInput,
    workerId: string,
    leaseMs: number,
    now: Date = new Date(),
  ): Promise<ClaimedDelivery> {
    const leaseExpiresAt = new Date(now.getTime() + leaseMs);
    return this.tx(async (c) => {
      const context = await this.lockForPublish(c, tenantId, [], undefined);
      const endpoint = await this.one(
        'SELECT id FROM endpoints WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL',
        [endpointId, tenantId],
        c,
      );
      if (!endpoint) {
        throw notFound('endpoint', endpointId);
      }
      const message = await this.one(
        `INSERT INTO messages (id, tenant_id, event_type, data, event_time, context, custom_data, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [
          newId('msg', now.getTime()),
          tenantId,
          input.eventType,
          JSON.stringify(input.data ?? null),
          input.timestamp ?? now,
          JSON.stringify(
            input.context && Object.keys(input.context).length > 0
              ? { ...context, ...input.context }
              : context,
          ),
          input.customData ? JSON.stringify(input.customData) : null,
          now,
        ],
        c,
      );
      const delivery = await this.one(
        `INSERT INTO deliveries (id, tenant_id, message_id, endpoint_id, event_type, next_trigger, status,
           lease_owner, lease_expires_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'test', 'in_flight', $6, $7, $8, $8) RETURNING *`,
        [
          newId('dlv', now.getTime()),
          tenantId,
          message!.id,
          endpointId,
          input.eventType,
          workerId,
          leaseExpiresAt,
          now,
        ],
        c,
      );
      return { delivery: deliveryFrom(delivery!), message: messageFrom(message!), leaseExpiresAt };
    });
  }

  // ---------------------------------------------------------------- reads

  async getMessage(tenantId: string, messageId: string): Promise<Message | null> {
    const r = await this.one('SELECT * FROM messages WHERE id = $1 AND tenant_id = $2', [
      messageId,
      tenantId,
    ]);
    return r ? messageFrom(r) : null;
  }

  async listMessages(tenantId: string, page?: MessageFilter): Promise<Page<Message>> {
    const p = new Params();
    let where = `tenant_id = ${p.add(tenantId)}`;
    if (page?.eventType !== undefined) {
      where += ` AND event_type = ${p.add(page.eventType)}`;
    }
    if (page?.since) {
      where += ` AND created_at >= ${p.add(page.since)}`;
    }
    if (page?.until) {
      where += ` AND created_at < ${p.add(page.until)}`;
    }
    return this.page('messages', where, p, page, messageFrom);
  }

  async getDelivery(tenantId: string, deliveryId: string): Promise<Delivery | null> {
    const r = await this.one('SELECT * FROM deliveries WHERE id = $1 AND tenant_id = $2', [
      deliveryId,
      tenantId,
    ]);
    return r ? deliveryFrom(r) : null;
  }

  async listDeliveries(tenantId: string, filter?: DeliveryFilter): Promise<Page<Delivery>> {
    const f = filter ?? {};
    const p = new Params();
    let where = `tenant_id = ${p.add(tenantId)}`;
    const eq: [string, string | undefined][] = [
      ['endpoint_id', f.endpointId],
      ['message_id', f.messageId],
      ['status', f.status],
      ['event_type', f.eventType],
    ];
    for (const [column, value] of eq) {
      if (value !== undefined) {
        where += ` AND ${column} = ${p.add(value)}`;
      }
    }
    if (f.since) {
      where += ` AND created_at >= ${p.add(f.since)}`;
    }
    if (f.until) {
      where += ` AND created_at < ${p.add(f.until)}`;
    }
    return this.page('deliveries', where, p, f, deliveryFrom);
  }

  async listAttempts(tenantId: string, deliveryId: string, page?: PageRequest): Promise<Page<Attempt>> {
    const p = new Params();
    return this.page(
      'attempts',
      `tenant_id = ${p.add(tenantId)} AND delivery_id = ${p.add(deliveryId)}`,
      p,
      page,
      attemptFrom,
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
    const expires = new Date(now.getTime() + leaseMs);
    // One statement, so one implicit transaction. Each half walks its own partial index in order, and SKIP
    // LOCKED passes over rows another worker is claiming right now instead of waiting for its commit: N
    // workers claim disjoint batches in parallel. A re-check of the WHERE clause on each locked row (READ
    // COMMITTED) drops rows that another claim has just moved to a live lease.
    // Expired leases come first: they belong to a dead worker (a lease outlives any attempt) and were due
    // before anything still pending. Due-first let a backlog starve them: in fault case 2 (SIGKILL one of
    // three processes mid-burst) the dead worker's deliveries were only taken over once the whole backlog
    // had drained, 16 s after their 3 s lease ended. There are only ever as many as dead workers held.
    // The message comes back in the same statement (one round trip per claim): messages never change, and a
    // delivery is only visible once its message is. When nothing was claimed, the one row returned carries
    // the queue's next due time instead (uncorrelated subqueries, evaluated only then), so the dispatcher's
    // usual `nextDueAt` right after an empty claim costs no second round trip.
    const edgesBefore = this.callEdges;
    const rows = await this.q(
      `WITH expired AS (
         SELECT id FROM deliveries WHERE status = 'in_flight' AND lease_expires_at <= $1
         ORDER BY lease_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ), due AS (
         SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ), picked AS (
         SELECT id FROM expired UNION ALL SELECT id FROM due LIMIT $2
       ), claimed AS (
         UPDATE deliveries d SET status = 'in_flight', lease_owner = $3, lease_expires_at = $4, updated_at = $1
         FROM picked WHERE d.id = picked.id
         RETURNING ${DELIVERY_COLUMNS.map((col) => `d.${col}`).join(', ')}
       )
       SELECT c.*, m.tenant_id AS m_tenant_id, m.event_type AS m_event_type, m.data AS m_data,
         m.event_time AS m_event_time, m.context AS m_context, m.custom_data AS m_custom_data,
         m.external_id AS m_external_id, m.created_at AS m_created_at,
         CASE WHEN c.id IS NULL THEN LEAST(
           (SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending'),
           (SELECT MIN(lease_expires_at) FROM deliveries WHERE status = 'in_flight')) END AS next_due
       FROM (SELECT 1) AS one
       LEFT JOIN (claimed c JOIN messages m ON m.id = c.message_id) ON true`,
      [now, limit, workerId, expires],
      undefined,
      { prepare: true },
    );
    const first = rows[0];
    if (first === undefined || first.id === null) {
      // Only this claim's own start and end moved the count: nothing else ran meanwhile.
      this.nextDueHint =
        this.callEdges === edgesBefore + 2
          ? { at: Date.now(), edges: this.callEdges, value: (first?.next_due as Date | null) ?? null }
          : null;
      return [];
    }
    // Oldest due first (UPDATE ... RETURNING has no order of its own).
    const dueAt = (r: Row) => (r.next_attempt_at as Date | null)?.getTime() ?? 0;
    return rows
      .sort((a, b) => dueAt(a) - dueAt(b))
      .map((r) => ({
        delivery: deliveryFrom(r),
        message: messageFrom({
          id: r.message_id,
          tenant_id: r.m_tenant_id,
          event_type: r.m_event_type,
          data: r.m_data,
          event_time: r.m_event_time,
          context: r.m_context,
          custom_data: r.m_custom_data,
          external_id: r.m_external_id,
          created_at: r.m_created_at,
        }),
        leaseExpiresAt: expires,
      }));
  }

  async nextDueAt(): Promise<Date | null> {
    // An empty claim just read it, and no other call of this store overlapped that claim or ran since: a
    // caller always sees its own writes. Another process's publish NOTIFYs the dispatcher anyway.
    const hint = this.nextDueHint;
    this.nextDueHint = null;
    if (hint !== null && hint.edges === this.callEdges && Date.now() - hint.at <= NEXT_DUE_HINT_MS) {
      return hint.value;
    }
    const r = await this.one(
      `SELECT LEAST(
         (SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending'),
         (SELECT MIN(lease_expires_at) FROM deliveries WHERE status = 'in_flight')) AS t`,
    );
    return (r?.t as Date | null) ?? null;
  }

  async recordAttempt(input: RecordAttemptInput): Promise<RecordAttemptResult> {
    return this.tx((c) => this.recordAttemptIn(c, input));
  }

  /**
   * Several attempts in one transaction. They are applied in endpoint order (stable within an endpoint) so
   * two workers' batches take endpoint row locks in the same order; results come back in input order.
   */
  async recordAttempts(inputs: RecordAttemptInput[]): Promise<RecordAttemptResult[]> {
    return this.tx(async (c) => {
      const endpointOf = new Map(
        (
          await this.q(
            'SELECT id, endpoint_id FROM deliveries WHERE id = ANY($1::text[])',
            [inputs.map((i) => i.deliveryId)],
            c,
          )
        ).map((r) => [r.id as string, r.endpoint_id as string]),
      );
      const order = inputs
        .map((input, index) => ({ input, index, endpoint: endpointOf.get(input.deliveryId) ?? '' }))
        .sort((a, b) => (a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : a.index - b.index));
      const results: RecordAttemptResult[] = new Array(inputs.length);
      for (const { input, index } of order) {
        results[index] = await this.recordAttemptIn(c, input);
      }
      return results;
    });
  }

  /**
   * Two statements per attempt. First the endpoint's failure streak (lock order endpoint -> delivery, the
   * same as disable/delete, so it cannot share a statement with the delivery update: the order in which
   * a statement's data-modifying CTEs run is not defined). Then one statement inserts the attempt and
   * updates the delivery: with the full result if this worker still holds the lease, otherwise only the
   * attempt count (the log stays complete). Exactly one of the two updates matches the row as the
   * statement sees it; each re-checks its condition on a row changed meanwhile.
   */
  private async recordAttemptIn(c: pg.ClientBase, input: RecordAttemptInput): Promise<RecordAttemptResult> {
    const { attempt, outcome } = input;
    const endpointOfDelivery = '(SELECT endpoint_id FROM deliveries WHERE id = $1)';
    const succeeded = attempt.errorKind === 'none' && outcome.kind === 'succeeded';
    const streak =
      input.trackHealth === false
        ? `SELECT failing_since FROM endpoints WHERE id = ${endpointOfDelivery}`
        : succeeded
          ? `WITH u AS (UPDATE endpoints SET failing_since = NULL
                        WHERE id = ${endpointOfDelivery} AND failing_since IS NOT NULL RETURNING id)
             SELECT CASE WHEN EXISTS (SELECT 1 FROM u) THEN NULL ELSE failing_since END AS failing_since
             FROM endpoints WHERE id = ${endpointOfDelivery}`
          : `WITH u AS (UPDATE endpoints SET failing_since = $2
                        WHERE id = ${endpointOfDelivery} AND failing_since IS NULL RETURNING failing_since)
             SELECT COALESCE((SELECT failing_since FROM u), failing_since) AS failing_since
             FROM endpoints WHERE id = ${endpointOfDelivery}`;
    const e = await this.one(
      streak,
      input.trackHealth === false || succeeded ? [input.deliveryId] : [input.deliveryId, attempt.startedAt],
      c,
      { prepare: true },
    );
    const nextRetryAt = outcome.kind === 'retry' ? outcome.nextAttemptAt : null;
    const durationMs = Math.round(attempt.durationMs);
    const status: DeliveryStatus =
      outcome.kind === 'succeeded' ? 'succeeded' : outcome.kind === 'retry' ? 'pending' : 'failed';
    const attemptId = newId('att', attempt.startedAt.getTime());
    const url = pgText(attempt.url ?? '');
    const error = pgTextOrNull(attempt.error);
    const responsePreview = pgText(attempt.responsePreview);
    const requestHeaders = JSON.stringify(attempt.requestHeaders);
    const row = await this.one(
      `WITH d AS (
         SELECT id, tenant_id, endpoint_id, next_trigger FROM deliveries WHERE id = $1
       ), a AS (
         INSERT INTO attempts (id, tenant_id, delivery_id, endpoint_id, trigger, url, started_at, duration_ms,
           status_code, error_kind, error, response_preview, request_headers, next_retry_at)
         SELECT $2, d.tenant_id, d.id, d.endpoint_id, COALESCE($3::text, d.next_trigger), $4, $5::timestamptz,
           $6::int, $7::int, $8, $9::text, $10, $11::json, $12::timestamptz
         FROM d
         RETURNING tenant_id, endpoint_id, trigger
       ), applied AS (
         UPDATE deliveries SET status = $13, attempt_count = attempt_count + 1,
           cycle_attempts = cycle_attempts + 1, next_attempt_at = $12::timestamptz, lease_owner = NULL,
           lease_expires_at = NULL, last_attempt_at = $5::timestamptz, last_status_code = $7::int,
           last_error = $9::text, next_trigger = 'scheduled', updated_at = $14
         WHERE id = $1 AND status = 'in_flight' AND lease_owner = $15
         RETURNING ${DELIVERY_COLUMNS.join(', ')}
       ), lost AS (
         UPDATE deliveries SET attempt_count = attempt_count + 1, last_attempt_at = $5::timestamptz
         WHERE id = $1 AND (status <> 'in_flight' OR lease_owner IS DISTINCT FROM $15)
         RETURNING ${DELIVERY_COLUMNS.join(', ')}
       )
       SELECT a.tenant_id AS attempt_tenant_id, a.endpoint_id AS attempt_endpoint_id,
         a.trigger AS attempt_trigger, x.*
       FROM a LEFT JOIN (SELECT true AS applied, * FROM applied UNION ALL SELECT false, * FROM lost) x ON true`,
      [
        input.deliveryId,
        attemptId,
        attempt.trigger ?? null,
        url,
        attempt.startedAt,
        durationMs,
        attempt.statusCode,
        attempt.errorKind,
        error,
        responsePreview,
        requestHeaders,
        nextRetryAt,
        status,
        new Date(attempt.startedAt.getTime() + durationMs),
        input.workerId,
      ],
      c,
      { prepare: true },
    );
    if (!row) {
      throw notFound('delivery', input.deliveryId);
    }
    let delivery: Row | undefined = row;
    if (row.id === null) {
      // Changed by another transaction between this statement's snapshot and its update, so neither
      // update matched the row's newest version: the lease is not ours any more; only count the attempt.
      delivery = await this.one(
        'UPDATE deliveries SET attempt_count = attempt_count + 1, last_attempt_at = $1 WHERE id = $2 RETURNING *',
        [attempt.startedAt, input.deliveryId],
        c,
      );
    }
    return {
      attempt: attemptFrom({
        id: attemptId,
        tenant_id: row.attempt_tenant_id,
        delivery_id: input.deliveryId,
        endpoint_id: row.attempt_endpoint_id,
        trigger: row.attempt_trigger,
        url,
        started_at: attempt.startedAt,
        duration_ms: durationMs,
        status_code: attempt.statusCode,
        error_kind: attempt.errorKind,
        error,
        response_preview: responsePreview,
        request_headers: JSON.parse(requestHeaders),
        next_retry_at: nextRetryAt,
      }),
      delivery: deliveryFrom(delivery!),
      applied: row.applied === true,
      endpointFailingSince: (e?.failing_since as Date | null) ?? null,
    };
  }

  async release(workerId: string, opts?: { deliveryIds?: string[]; at?: Date }): Promise<number> {
    const at = opts?.at ?? new Date();
    const now = new Date();
    const n = await this.count(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = $1, lease_owner = NULL, lease_expires_at = NULL,
         updated_at = $2
       WHERE status = 'in_flight' AND lease_owner = $3 AND ($4::text[] IS NULL OR id = ANY($4::text[]))`,
      [at, now, workerId, opts?.deliveryIds ?? null],
    );
    // Leases given back at shutdown are due now: another process should pick them up at once.
    if (n > 0 && at.getTime() <= now.getTime()) {
      this.notifier.request();
    }
    return n;
  }

  private async requireEnabledEndpoint(
    c: pg.ClientBase,
    tenantId: string,
    endpointId: string,
  ): Promise<void> {
    const e = await this.one(
      'SELECT enabled, disabled_reason FROM endpoints WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL',
      [endpointId, tenantId],
      c,
    );
    if (!e) {
      throw notFound('endpoint', endpointId);
    }
    if (e.enabled !== true) {
      throw new HookwireServerError(
        'ENDPOINT_DISABLED',
        `endpoint ${endpointId} is disabled (${(e.disabled_reason as string | null) ?? 'no reason'}): enable it before redelivering`,
      );
    }
  }

  async redeliver(tenantId: string, deliveryId: string, now: Date = new Date()): Promise<Delivery> {
    return this.tx(
      async (c) => {
        const d = await this.one(
          'SELECT endpoint_id, status, lease_expires_at FROM deliveries WHERE id = $1 AND tenant_id = $2',
          [deliveryId, tenantId],
          c,
        );
        if (!d) {
          throw notFound('delivery', deliveryId);
        }
        await this.requireEnabledEndpoint(c, tenantId, d.endpoint_id as string);
        // The guard is in the UPDATE itself, so a claim that committed meanwhile is seen (READ COMMITTED
        // re-checks the row) and refused rather than overwritten.
        const r = await this.one(
          `UPDATE deliveries SET status = 'pending', cycle_attempts = 0, next_attempt_at = $1, lease_owner = NULL,
           lease_expires_at = NULL, next_trigger = 'manual', updated_at = $1
         WHERE id = $2 AND NOT (status = 'in_flight' AND lease_expires_at > $1) RETURNING *`,
          [now, deliveryId],
          c,
        );
        if (!r) {
          throw new HookwireServerError(
            'CONFLICT',
            `delivery ${deliveryId} has an attempt in flight: wait for it to finish, then redeliver`,
          );
        }
        return deliveryFrom(r);
      },
      () => true,
    );
  }

  async replayFailedSince(
    tenantId: string,
    endpointId: string,
    since: Date,
    now: Date = new Date(),
    until?: Date,
  ): Promise<number> {
    return this.tx(
      async (c) => {
        await this.requireEnabledEndpoint(c, tenantId, endpointId);
        const n = await this.count(
          `UPDATE deliveries SET status = 'pending', cycle_attempts = 0, next_attempt_at = $1, next_trigger = 'replay',
           updated_at = $1
         WHERE endpoint_id = $2 AND tenant_id = $3 AND status = 'failed' AND created_at >= $4
           AND ($5::timestamptz IS NULL OR created_at < $5)`,
          [now, endpointId, tenantId, since, until ?? null],
          c,
        );
        return n;
      },
      (n) => n > 0,
    );
  }

  async deleteOlderThan(days: number, now: Date = new Date()): Promise<RetentionResult> {
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    const result: RetentionResult = { messages: 0, deliveries: 0, attempts: 0, idempotencyKeys: 0 };
    // Small batches, each its own transaction, so retention never holds many row locks for long. SKIP
    // LOCKED: two processes running retention at once split the work instead of queueing.
    for (let more = true; more; ) {
      more = await this.tx(async (c) => {
        const ids = (
          await this.q(
            `SELECT id FROM messages m WHERE created_at < $1 AND NOT EXISTS (
               SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.status IN ('pending', 'in_flight'))
             LIMIT $2 FOR UPDATE SKIP LOCKED`,
            [cutoff, RETENTION_BATCH],
            c,
          )
        ).map((r) => r.id as string);
        if (ids.length === 0) {
          return false;
        }
        result.attempts += await this.count(
          'DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE message_id = ANY($1::text[]))',
          [ids],
          c,
        );
        result.deliveries += await this.count(
          'DELETE FROM deliveries WHERE message_id = ANY($1::text[])',
          [ids],
          c,
        );
        result.messages += await this.count('DELETE FROM messages WHERE id = ANY($1::text[])', [ids], c);
        return ids.length === RETENTION_BATCH;
      });
    }
    result.idempotencyKeys = await this.count('DELETE FROM idempotency_keys WHERE created_at < $1', [cutoff]);
    return result;
  }

  async queueStats(now: Date = new Date()): Promise<QueueStats> {
    const r = await this.one(
      `SELECT
         (SELECT COUNT(*) FROM deliveries WHERE status = 'pending') AS pending,
         (SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1) AS due,
         (SELECT COUNT(*) FROM deliveries WHERE status = 'in_flight') AS in_flight,
         (SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending') AS oldest`,
      [now],
    );
    const oldest = (r?.oldest as Date | null) ?? null;
    return {
      pending: Number(r?.pending ?? 0),
      due: Number(r?.due ?? 0),
      inFlight: Number(r?.in_flight ?? 0),
      oldestDueAgeMs:
        oldest !== null && oldest.getTime() <= now.getTime() ? now.getTime() - oldest.getTime() : 0,
    };
  }

  async countDeliveriesByBucket(
    tenantId: string,
    endpointId: string,
    window: { since: Date; until: Date; bucketMs: number },
  ): Promise<DeliveryBucketCount[]> {
    // Times are whole milliseconds, so the epoch difference × 1000 is an exact integer.
    const rows = await this.q(
      `SELECT (EXTRACT(EPOCH FROM created_at - $1) * 1000)::bigint / $2 AS bucket, status, COUNT(*) AS count
       FROM deliveries WHERE endpoint_id = $3 AND tenant_id = $4 AND created_at >= $1 AND created_at < $5
       GROUP BY 1, 2`,
      [window.since, window.bucketMs, endpointId, tenantId, window.until],
    );
    return rows.map((r) => ({
      bucket: Number(r.bucket),
      status: r.status as DeliveryStatus,
      count: Number(r.count),
    }));
  }

  // ---------------------------------------------------------------- sources

  private sourceFrom(r: Row): Source {
    const { tokenHash: _tokenHash, previousTokenHash: _previous, ...rest } = sourceRecordFrom(r);
    return rest;
  }

  async createSource(tenantId: string, input: SourceInput): Promise<Source> {
    const now = new Date();
    const r = await this.one(
      `INSERT INTO sources (id, tenant_id, name, description, enabled, schema, event_type, event_type_mapping,
         token_hash, created_at, updated_at)
       SELECT $1, id, $3, $4, $5, $6, $7, $8, $9, $10, $10 FROM tenants WHERE id = $2 RETURNING *`,
      [
        newId('src', now.getTime()),
        tenantId,
        input.name,
        input.description ?? null,
        input.enabled !== false,
        input.schema ? JSON.stringify(input.schema) : null,
        input.eventType ?? null,
        input.eventTypeMapping ? JSON.stringify(input.eventTypeMapping) : null,
        input.tokenHash,
        now,
      ],
    );
    if (!r) {
      throw notFound('tenant', tenantId);
    }
    return this.sourceFrom(r);
  }

  async updateSource(tenantId: string, sourceId: string, patch: SourcePatch): Promise<Source> {
    const r = await this.tx(async (c) => {
      const current = await this.one(
        'SELECT * FROM sources WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL FOR UPDATE',
        [sourceId, tenantId],
        c,
      );
      if (!current) {
        throw notFound('source', sourceId);
      }
      /** undefined keeps the column, null clears it, a value replaces it (JSON columns re-encoded). */
      const pick = <T>(v: T | undefined, column: unknown, encode: (x: T) => unknown = (x) => x): unknown =>
        v === undefined ? column : v === null ? null : encode(v);
      const json = (x: unknown) => JSON.stringify(x);
      return this.one(
        `UPDATE sources SET name = $1, description = $2, enabled = $3, schema = $4, event_type = $5,
           event_type_mapping = $6, updated_at = $7
         WHERE id = $8 RETURNING *`,
        [
          patch.name ?? current.name,
          pick(patch.description, current.description),
          patch.enabled ?? current.enabled,
          pick(patch.schema, current.schema === null ? null : json(current.schema), json),
          pick(patch.eventType, current.event_type),
          pick(
            patch.eventTypeMapping,
            current.event_type_mapping === null ? null : json(current.event_type_mapping),
            json,
          ),
          new Date(),
          sourceId,
        ],
        c,
      );
    });
    return this.sourceFrom(r!);
  }

  async getSource(tenantId: string, sourceId: string): Promise<Source | null> {
    const r = await this.one(
      'SELECT * FROM sources WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL',
      [sourceId, tenantId],
    );
    return r ? this.sourceFrom(r) : null;
  }

  async findSourceForIngest(sourceId: string): Promise<SourceRecord | null> {
    const r = await this.one('SELECT * FROM sources WHERE id = $1 AND deleted_at IS NULL', [sourceId]);
    return r ? sourceRecordFrom(r) : null;
  }

  async listSources(tenantId: string, page?: PageRequest): Promise<Page<Source>> {
    const p = new Params();
    return this.page('sources', `tenant_id = ${p.add(tenantId)} AND deleted_at IS NULL`, p, page, (r) =>
      this.sourceFrom(r),
    );
  }

  async rotateSourceToken(
    tenantId: string,
    sourceId: string,
    tokenHash: string,
    overlapMs = 0,
    now: Date = new Date(),
  ): Promise<Source> {
    const r = await this.one(
      `UPDATE sources SET previous_token_hash = CASE WHEN $1 > 0 THEN token_hash ELSE NULL END,
         previous_token_expires_at = CASE WHEN $1 > 0 THEN $2::timestamptz ELSE NULL END, token_hash = $3,
         updated_at = $4
       WHERE id = $5 AND tenant_id = $6 AND deleted_at IS NULL RETURNING *`,
      [overlapMs, new Date(now.getTime() + overlapMs), tokenHash, now, sourceId, tenantId],
    );
    if (!r) {
      throw notFound('source', sourceId);
    }
    return this.sourceFrom(r);
  }

  async deleteSource(tenantId: string, sourceId: string): Promise<void> {
    const now = new Date();
    const n = await this.count(
      'UPDATE sources SET deleted_at = $1, updated_at = $1 WHERE id = $2 AND tenant_id = $3 AND deleted_at IS NULL',
      [now, sourceId, tenantId],
    );
    if (n === 0) {
      throw notFound('source', sourceId);
    }
  }
}

/**
 * The pg client settings for a URL: a libpq `options` query parameter is kept, and `search_path` is added
 * for `schema` (the URL would otherwise override a separate `options` setting).
 */
function connectionConfig(connectionString: string, schema: string | null): pg.ClientConfig {
  const url = new URL(connectionString);
  const urlOptions = url.searchParams.get('options');
  url.searchParams.delete('options');
  const options = [urlOptions, schema === null ? null : `-c search_path=${schema}`].filter(Boolean).join(' ');
  return {
    connectionString: url.toString(),
    ...(options ? { options } : {}),
    application_name: 'hookwire',
    // Detects a silently dropped connection (network cut) instead of waiting on it forever.
    keepAlive: true,
  };
}

function notFound(kind: string, id: string): HookwireServerError {
  return new HookwireServerError('NOT_FOUND', `${kind} ${id} not found`);
}
