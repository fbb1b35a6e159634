import type pg from 'pg';
import type { Migration } from './sqlite-migrations.js';

/**
 * PostgreSQL schema steps. Versions only ever grow; a released migration is never edited.
 *
 * Same tables and columns as the SQLite schema (after its migration 2), in PostgreSQL types:
 * - times are `timestamptz` (millisecond values in, `Date` out);
 * - ids and catalog names are `text COLLATE "C"`: pages are ordered by id, and ids must sort byte-wise
 *   (time-sortable), whatever the database's default collation says;
 * - user JSON (message data, schemas, headers, metadata) is `json`, which keeps the exact text and key order
 *   the publisher sent; only the endpoint's event filter is `jsonb`, for its `?` operator.
 */
export const postgresMigrations: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE tenants (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  plan text NOT NULL,
  context json NOT NULL DEFAULT '{}',
  metadata json NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE api_keys (
  id text COLLATE "C" PRIMARY KEY,
  tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name text NOT NULL,
  prefix text NOT NULL UNIQUE,
  hash text NOT NULL,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at timestamptz,
  expires_at timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id, id);

CREATE TABLE endpoints (
  id text COLLATE "C" PRIMARY KEY,
  tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  url text NOT NULL,
  description text NOT NULL DEFAULT '',
  events jsonb NOT NULL DEFAULT '[]',
  enabled boolean NOT NULL DEFAULT true,
  disabled_reason text,
  envelope text NOT NULL DEFAULT 'v2',
  signature json NOT NULL,
  headers json NOT NULL DEFAULT '{}',
  rate_limit integer,
  metadata json NOT NULL DEFAULT '{}',
  secrets text NOT NULL,
  secrets_encrypted boolean NOT NULL DEFAULT false,
  failing_since timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz
);
CREATE INDEX endpoints_tenant ON endpoints(tenant_id, id) WHERE deleted_at IS NULL;

CREATE TABLE event_types (
  tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name text COLLATE "C" NOT NULL,
  description text NOT NULL DEFAULT '',
  schema json,
  archived boolean NOT NULL DEFAULT false,
  category text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, name)
);

CREATE TABLE messages (
  id text COLLATE "C" PRIMARY KEY,
  tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  event_type text NOT NULL,
  data json NOT NULL,
  event_time timestamptz NOT NULL,
  context json NOT NULL DEFAULT '{}',
  custom_data json,
  external_id text,
  created_at timestamptz NOT NULL
);
CREATE INDEX messages_tenant ON messages(tenant_id, id);
CREATE INDEX messages_created ON messages(created_at);
CREATE INDEX messages_external ON messages(tenant_id, external_id, created_at) WHERE external_id IS NOT NULL;

CREATE TABLE deliveries (
  id text COLLATE "C" PRIMARY KEY,
  tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  message_id text COLLATE "C" NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  endpoint_id text COLLATE "C" NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
  event_type text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'in_flight', 'succeeded', 'failed', 'cancelled')),
  attempt_count integer NOT NULL DEFAULT 0,
  cycle_attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  next_trigger text NOT NULL DEFAULT 'scheduled',
  lease_owner text,
  lease_expires_at timestamptz,
  last_attempt_at timestamptz,
  last_status_code integer,
  last_error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
-- The claim reads only these two partial indexes, so its cost depends on the batch size, not on how many
-- deliveries are finished or waiting.
CREATE INDEX deliveries_due ON deliveries(next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_lease ON deliveries(lease_expires_at) WHERE status = 'in_flight';
CREATE INDEX deliveries_lease_owner ON deliveries(lease_owner) WHERE status = 'in_flight';
CREATE INDEX deliveries_tenant ON deliveries(tenant_id, id);
CREATE INDEX deliveries_tenant_type ON deliveries(tenant_id, event_type, id);
CREATE INDEX deliveries_endpoint ON deliveries(endpoint_id, status);
CREATE INDEX deliveries_message ON deliveries(message_id);

CREATE TABLE attempts (
  id text COLLATE "C" PRIMARY KEY,
  tenant_id text COLLATE "C" NOT NULL,
  delivery_id text COLLATE "C" NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
  endpoint_id text COLLATE "C" NOT NULL,
  trigger text NOT NULL DEFAULT 'scheduled',
  url text NOT NULL DEFAULT '',
  started_at timestamptz NOT NULL,
  duration_ms integer NOT NULL,
  status_code integer,
  error_kind text NOT NULL,
  error text,
  response_preview text NOT NULL DEFAULT '',
  request_headers json NOT NULL DEFAULT '{}',
  next_retry_at timestamptz
);
CREATE INDEX attempts_delivery ON attempts(delivery_id, id);

CREATE TABLE idempotency_keys (
  tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key text NOT NULL,
  request_hash text NOT NULL,
  -- [{ id, deliveries, duplicate }] per message of the request (one for a publish, n for a batch).
  results json NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_created ON idempotency_keys(created_at);

CREATE TABLE sources (
  id text COLLATE "C" PRIMARY KEY,
  tenant_id text COLLATE "C" NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  enabled boolean NOT NULL DEFAULT true,
  schema json,
  event_type text,
  event_type_mapping json,
  token_hash text NOT NULL,
  previous_token_hash text,
  previous_token_expires_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz
);
CREATE INDEX sources_tenant ON sources(tenant_id, id) WHERE deleted_at IS NULL;
`,
  },
];

/** First key of every advisory lock Hookwire takes (`pg_advisory_lock(int, int)`): "hw" in ASCII. */
export const ADVISORY_LOCK_NAMESPACE = 0x6877;

/** Second keys: what the lock guards (the per-row locks hash their subject into the second key instead). */
export const MIGRATION_LOCK = 1;

/**
 * Applies pending migrations on one connection, holding a session advisory lock for the whole run, so any
 * number of processes can start at once: the first migrates, the others wait and then find nothing to do.
 * Each migration is its own transaction with its row in `schema_migrations`.
 *
 * `schema` (already validated as a plain identifier) is created when missing, under the same lock.
 */
export async function applyPostgresMigrations(
  client: pg.ClientBase,
  migrations: readonly Migration[],
  schema: string | null,
): Promise<number[]> {
  // The lock is per schema: two Hookwire installations in two schemas of one database never wait on each
  // other. hashtext is stable across servers of one major version, which is all a lock needs.
  await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [
    ADVISORY_LOCK_NAMESPACE,
    `migrate:${schema ?? ''}`,
  ]);
  try {
    if (schema !== null) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    }
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    const done: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) {
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          m.version,
          m.name,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
      done.push(m.version);
    }
    return done;
  } finally {
    await client
      .query('SELECT pg_advisory_unlock($1, hashtext($2))', [
        ADVISORY_LOCK_NAMESPACE,
        `migrate:${schema ?? ''}`,
      ])
      .catch(() => {
        // A dead connection has already dropped its session locks.
      });
  }
}
