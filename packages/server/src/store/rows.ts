import type { SecretBox } from '../crypto/secret-box.js';
import { HookwireServerError } from '../errors.js';
import type {
  ApiKeyRecord,
  Attempt,
  AttemptErrorKind,
  AttemptTrigger,
  Delivery,
  DeliveryStatus,
  Endpoint,
  EndpointSecrets,
  EventType,
  EventTypeMapping,
  Message,
  Source,
  SourceRecord,
  Tenant,
} from './store.js';

/**
 * Mapping of table rows to the store's types, shared by the SQLite and PostgreSQL stores: both schemas have
 * the same tables and columns, only the drivers hand some column kinds back differently (see ColumnCodec).
 */
export type Row = Record<string, unknown>;

/** How one driver returns the column kinds the two schemas store differently. */
export interface ColumnCodec {
  /** A timestamp: epoch milliseconds in SQLite, a `Date` from node-postgres (`timestamptz`). */
  date(v: unknown): Date;
  /** A JSON column: text in SQLite, an already parsed value from node-postgres (`json`). */
  json<T>(v: unknown): T;
  /** A flag: 0/1 in SQLite, a real boolean from node-postgres. */
  bool(v: unknown): boolean;
}

export interface RowMappers {
  tenantFrom(r: Row): Tenant;
  apiKeyFrom(r: Row): ApiKeyRecord;
  /** `box` opens secrets sealed at rest; null when no encryption key is configured. */
  endpointFrom(r: Row, box: SecretBox | null): Endpoint;
  eventTypeFrom(r: Row): EventType;
  messageFrom(r: Row): Message;
  deliveryFrom(r: Row): Delivery;
  attemptFrom(r: Row): Attempt;
  sourceRecordFrom(r: Row): SourceRecord;
  /** A source without its token hashes, as the API shows it. */
  sourceFrom(r: Row): Source;
}

const str = (v: unknown): string => v as string;
const num = (v: unknown): number => v as number;
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : (v as number));

export function createRowMappers(codec: ColumnCodec): RowMappers {
  const { date, json, bool } = codec;
  const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));
  const jsonOrNull = <T>(v: unknown): T | null => (v === null || v === undefined ? null : json<T>(v));

  const sourceRecordFrom = (r: Row): SourceRecord => ({
    id: str(r.id),
    tenantId: str(r.tenant_id),
    name: str(r.name),
    description: strOrNull(r.description),
    enabled: bool(r.enabled),
    schema: jsonOrNull(r.schema),
    eventType: strOrNull(r.event_type),
    eventTypeMapping: jsonOrNull<EventTypeMapping>(r.event_type_mapping),
    previousTokenExpiresAt: dateOrNull(r.previous_token_expires_at),
    tokenHash: str(r.token_hash),
    previousTokenHash: strOrNull(r.previous_token_hash),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  });

  return {
    tenantFrom: (r) => ({
      id: str(r.id),
      name: str(r.name),
      plan: str(r.plan),
      context: json(r.context),
      metadata: json(r.metadata),
      createdAt: date(r.created_at),
      updatedAt: date(r.updated_at),
    }),

    apiKeyFrom: (r) => ({
      id: str(r.id),
      tenantId: str(r.tenant_id),
      name: str(r.name),
      prefix: str(r.prefix),
      hash: str(r.hash),
      createdAt: date(r.created_at),
      lastUsedAt: dateOrNull(r.last_used_at),
      revokedAt: dateOrNull(r.revoked_at),
      expiresAt: dateOrNull(r.expires_at),
    }),

    endpointFrom: (r, box) => {
      const id = str(r.id);
      return {
        id,
        tenantId: str(r.tenant_id),
        url: str(r.url),
        description: str(r.description),
        events: json(r.events),
        enabled: bool(r.enabled),
        disabledReason: strOrNull(r.disabled_reason),
        envelope: str(r.envelope) as Endpoint['envelope'],
        signature: json(r.signature),
        headers: json(r.headers),
        rateLimitPerSecond: numOrNull(r.rate_limit),
        metadata: json(r.metadata),
        secrets: openSecrets(box, id, str(r.secrets), bool(r.secrets_encrypted)),
        failingSince: dateOrNull(r.failing_since),
        createdAt: date(r.created_at),
        updatedAt: date(r.updated_at),
      };
    },

    eventTypeFrom: (r) => ({
      name: str(r.name),
      description: str(r.description),
      schema: jsonOrNull(r.schema),
      archived: bool(r.archived),
      category: strOrNull(r.category),
      createdAt: date(r.created_at),
      updatedAt: date(r.updated_at),
    }),

    messageFrom: (r) => ({
      id: str(r.id),
      tenantId: str(r.tenant_id),
      eventType: str(r.event_type),
      data: json(r.data),
      timestamp: date(r.event_time),
      context: json(r.context),
      customData: jsonOrNull(r.custom_data),
      externalId: strOrNull(r.external_id),
      createdAt: date(r.created_at),
    }),

    deliveryFrom: (r) => ({
      id: str(r.id),
      tenantId: str(r.tenant_id),
      messageId: str(r.message_id),
      endpointId: str(r.endpoint_id),
      eventType: str(r.event_type),
      status: str(r.status) as DeliveryStatus,
      attemptCount: num(r.attempt_count),
      cycleAttempts: num(r.cycle_attempts),
      nextAttemptAt: dateOrNull(r.next_attempt_at),
      lastAttemptAt: dateOrNull(r.last_attempt_at),
      lastStatusCode: numOrNull(r.last_status_code),
      lastError: strOrNull(r.last_error),
      createdAt: date(r.created_at),
      updatedAt: date(r.updated_at),
    }),

    attemptFrom: (r) => ({
      id: str(r.id),
      tenantId: str(r.tenant_id),
      deliveryId: str(r.delivery_id),
      endpointId: str(r.endpoint_id),
      trigger: str(r.trigger) as AttemptTrigger,
      url: str(r.url),
      startedAt: date(r.started_at),
      durationMs: num(r.duration_ms),
      statusCode: numOrNull(r.status_code),
      errorKind: str(r.error_kind) as AttemptErrorKind,
      error: strOrNull(r.error),
      responsePreview: str(r.response_preview),
      requestHeaders: json(r.request_headers),
      nextRetryAt: dateOrNull(r.next_retry_at),
    }),

    sourceRecordFrom,

    sourceFrom: (r) => {
      const { tokenHash: _tokenHash, previousTokenHash: _previous, ...rest } = sourceRecordFrom(r);
      return rest;
    },
  };
}

/** Secrets are one JSON document, sealed with the endpoint id as associated data when a key is configured. */
export function sealSecrets(
  box: SecretBox | null,
  endpointId: string,
  secrets: EndpointSecrets,
): { value: string; encrypted: boolean } {
  const plain = JSON.stringify({
    current: secrets.current,
    previous: secrets.previous.map((p) => ({ secret: p.secret, expiresAt: p.expiresAt.getTime() })),
  });
  return box
    ? { value: box.encrypt(plain, endpointId), encrypted: true }
    : { value: plain, encrypted: false };
}

export function openSecrets(
  box: SecretBox | null,
  endpointId: string,
  value: string,
  encrypted: boolean,
): EndpointSecrets {
  let plain = value;
  if (encrypted) {
    if (!box) {
      throw new HookwireServerError(
        'ENCRYPTION_KEY_MISSING',
        'endpoint secrets are encrypted at rest: set HOOKWIRE_ENCRYPTION_KEY to the key they were written with',
      );
    }
    plain = box.decrypt(value, endpointId);
  }
  const parsed = JSON.parse(plain) as { current: string; previous: { secret: string; expiresAt: number }[] };
  return {
    current: parsed.current,
    previous: parsed.previous.map((p) => ({ secret: p.secret, expiresAt: new Date(p.expiresAt) })),
  };
}
