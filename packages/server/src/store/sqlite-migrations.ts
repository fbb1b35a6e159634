/** One schema step. Versions only ever grow; a released migration is never edited. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Times are INTEGER milliseconds since the epoch; JSON columns are TEXT. Tables are STRICT so a wrong type is
 * an error, not a silent coercion.
 */
export const sqliteMigrations: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  plan TEXT NOT NULL,
  context TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL UNIQUE,
  hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
) STRICT;
CREATE INDEX api_keys_tenant ON api_keys(tenant_id, id);

CREATE TABLE endpoints (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  events TEXT NOT NULL DEFAULT '[]',
  enabled INTEGER NOT NULL DEFAULT 1,
  disabled_reason TEXT,
  envelope TEXT NOT NULL DEFAULT 'v2',
  signature TEXT NOT NULL,
  headers TEXT NOT NULL DEFAULT '{}',
  rate_limit INTEGER,
  metadata TEXT NOT NULL DEFAULT '{}',
  secrets TEXT NOT NULL,
  secrets_encrypted INTEGER NOT NULL DEFAULT 0,
  failing_since INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;
CREATE INDEX endpoints_tenant ON endpoints(tenant_id, id) WHERE deleted_at IS NULL;

CREATE TABLE event_types (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  schema TEXT,
  archived INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, name)
) STRICT;

CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  event_type TEXT NOT NULL,
  data TEXT NOT NULL,
  event_time INTEGER NOT NULL,
  context TEXT NOT NULL DEFAULT '{}',
  custom_data TEXT,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_tenant ON messages(tenant_id, id);
CREATE INDEX messages_created ON messages(created_at);

CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  endpoint_id TEXT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('pending', 'in_flight', 'succeeded', 'failed', 'cancelled')),
  attempt_count INTEGER NOT NULL DEFAULT 0,
  cycle_attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  last_attempt_at INTEGER,
  last_status_code INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
-- The claim reads only these two partial indexes, so its cost depends on the batch size, not on how many
-- deliveries are finished or waiting.
CREATE INDEX deliveries_due ON deliveries(next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_lease ON deliveries(lease_expires_at) WHERE status = 'in_flight';
CREATE INDEX deliveries_lease_owner ON deliveries(lease_owner) WHERE status = 'in_flight';
CREATE INDEX deliveries_tenant ON deliveries(tenant_id, id);
CREATE INDEX deliveries_endpoint ON deliveries(endpoint_id, status);
CREATE INDEX deliveries_message ON deliveries(message_id);

CREATE TABLE attempts (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
  endpoint_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  status_code INTEGER,
  error_kind TEXT NOT NULL,
  error TEXT,
  response_preview TEXT NOT NULL DEFAULT '',
  request_headers TEXT NOT NULL DEFAULT '{}',
  next_retry_at INTEGER
) STRICT;
CREATE INDEX attempts_delivery ON attempts(delivery_id, id);

CREATE TABLE idempotency_keys (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  message_id TEXT NOT NULL,
  deliveries INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, key)
) STRICT;
CREATE INDEX idempotency_created ON idempotency_keys(created_at);

CREATE TABLE sources (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  schema TEXT,
  token_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;
CREATE INDEX sources_tenant ON sources(tenant_id, id) WHERE deleted_at IS NULL;
`,
  },
  {
    version: 2,
    name: 'http api fields',
    sql: `
ALTER TABLE tenants ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';

ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;

ALTER TABLE event_types ADD COLUMN category TEXT;

ALTER TABLE messages ADD COLUMN external_id TEXT;
CREATE INDEX messages_external ON messages(tenant_id, external_id) WHERE external_id IS NOT NULL;

-- Denormalised from the message so the log can be filtered by type without a join.
ALTER TABLE deliveries ADD COLUMN event_type TEXT NOT NULL DEFAULT '';
UPDATE deliveries SET event_type = (SELECT event_type FROM messages WHERE messages.id = deliveries.message_id);
-- What caused the next attempt (scheduled, manual, replay, test); copied onto the attempt when it is recorded.
ALTER TABLE deliveries ADD COLUMN next_trigger TEXT NOT NULL DEFAULT 'scheduled';
CREATE INDEX deliveries_tenant_type ON deliveries(tenant_id, event_type, id);

ALTER TABLE attempts ADD COLUMN trigger TEXT NOT NULL DEFAULT 'scheduled';
-- The URL the attempt went to (credentials redacted), as it was then.
ALTER TABLE attempts ADD COLUMN url TEXT NOT NULL DEFAULT '';

-- Batch publishes replay every message of the batch.
ALTER TABLE idempotency_keys ADD COLUMN message_ids TEXT;

ALTER TABLE sources ADD COLUMN description TEXT;
ALTER TABLE sources ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sources ADD COLUMN event_type TEXT;
ALTER TABLE sources ADD COLUMN event_type_mapping TEXT;
ALTER TABLE sources ADD COLUMN previous_token_hash TEXT;
ALTER TABLE sources ADD COLUMN previous_token_expires_at INTEGER;
`,
  },
  {
    version: 3,
    name: 'read cache version',
    // SqliteReadCache used PRAGMA data_version, which moves on every commit of another connection: with the
    // dispatcher on its own connection, each recorded attempt emptied the API's cache. This counter moves
    // only when a row the cache holds changes, from any connection or process. Not counted: an endpoint's
    // failure streak (written by attempts; the fan-out does not read it) and an API key's last use.
    sql: `
CREATE TABLE cache_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
) STRICT;
INSERT INTO cache_version (id, version) VALUES (1, 0);

CREATE TRIGGER tenants_cache_insert AFTER INSERT ON tenants
  BEGIN UPDATE cache_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER tenants_cache_update AFTER UPDATE ON tenants
  BEGIN UPDATE cache_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER tenants_cache_delete AFTER DELETE ON tenants
  BEGIN UPDATE cache_version SET version = version + 1 WHERE id = 1; END;

CREATE TRIGGER api_keys_cache_insert AFTER INSERT ON api_keys
  BEGIN UPDATE cache_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER api_keys_cache_update
  AFTER UPDATE OF tenant_id, name, prefix, hash, created_at, revoked_at, expires_at ON api_keys
  BEGIN UPDATE cache_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER api_keys_cache_delete AFTER DELETE ON api_keys
  BEGIN UPDATE cache_version SET version = version + 1 WHERE id = 1; END;

CREATE TRIGGER event_types_cache_insert AFTER INSERT ON event_types
  BEGIN UPDATE cache_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER event_types_cache_update AFTER UPDATE ON event_types
  BEGIN UPDATE cache_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER event_types_cache_delete AFTER DELETE ON event_types
  BEGIN UPDATE cache_version SET version = version + 1 WHERE id = 1; END;

CREATE TRIGGER endpoints_cache_insert AFTER INSERT ON endpoints
  BEGIN UPDATE cache_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER endpoints_cache_update AFTER UPDATE OF tenant_id, events, enabled, deleted_at ON endpoints
  BEGIN UPDATE cache_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER endpoints_cache_delete AFTER DELETE ON endpoints
  BEGIN UPDATE cache_version SET version = version + 1 WHERE id = 1; END;
`,
  },
  {
    version: 4,
    name: 'one lease index',
    // Every delivery entered and left this index (at its claim and at its attempt) for the one query that
    // gives a stopping worker's leases back, which reads the in-flight rows through deliveries_lease instead:
    // they are few (at most the dispatchers' concurrency).
    sql: `DROP INDEX deliveries_lease_owner;`,
  },
  {
    version: 5,
    name: 'endpoint index without status',
    // (endpoint_id, status) moved every delivery twice (at its claim and at its attempt), and into the middle
    // of the endpoint's range, where B-tree pages split and more pages go to the WAL per commit: -25 % of the
    // store's CPU per delivered event (bench/delivery/store-cycle.ts). Its readers filter an endpoint's
    // deliveries by creation time (stats, replay) or cancel its open ones, a rare write that may read the
    // endpoint's retained deliveries.
    sql: `DROP INDEX deliveries_endpoint;
CREATE INDEX deliveries_endpoint_created ON deliveries(endpoint_id, created_at);`,
  },
];
