import type {
  ApiKey,
  Attempt,
  Delivery,
  Endpoint,
  EventType,
  Message,
  SignatureConfig,
  Source,
  Tenant,
} from '../store/store.js';
import type { JsonObject } from './json.js';

/** API resources are plain JSON; these functions are the only place store rows become response bodies. */

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function tenantJson(t: Tenant, webhooks: number): JsonObject {
  return {
    id: t.id,
    name: t.name,
    plan: t.plan,
    metadata: t.metadata,
    usage: { webhooks },
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
  };
}

/** The key's visible start: `hw_<lookup prefix>`. */
export const keyPrefix = (k: ApiKey) => `hw_${k.prefix}`;

export function apiKeyJson(k: ApiKey): JsonObject {
  return {
    id: k.id,
    tenantId: k.tenantId,
    name: k.name,
    prefix: keyPrefix(k),
    createdAt: iso(k.createdAt),
    expiresAt: isoOrNull(k.expiresAt),
    lastUsedAt: isoOrNull(k.lastUsedAt),
  };
}

/** A signature config with every default filled in (the spec's `Signature`). */
export function signatureJson(sig: SignatureConfig): JsonObject {
  switch (sig.scheme) {
    case 'standard':
      return { scheme: 'standard', headerPrefix: sig.headerPrefix ?? 'webhook' };
    case 'timestamped':
      return {
        scheme: 'timestamped',
        header: (sig.header ?? 'webhook-signature').toLowerCase(),
        unit: sig.unit ?? 's',
        version: sig.version ?? 'v1',
        content: sig.content ?? '{t}.{body}',
      };
    case 'hmac':
      return {
        scheme: 'hmac',
        header: (sig.header ?? 'x-webhook-signature').toLowerCase(),
        prefix: sig.prefix ?? '',
        encoding: sig.encoding ?? 'hex',
      };
  }
}

/**
 * The store keeps the dispatcher's words for why an endpoint was disabled; the API reports the category.
 * `updateEndpoint({ enabled: false })` writes `disabled by user`; the dispatcher writes `... 410 Gone` or
 * `failing continuously since ...`.
 */
export function disabledReasonJson(e: Endpoint): 'manual' | 'gone' | 'failing' | null {
  if (e.enabled) {
    return null;
  }
  const reason = e.disabledReason ?? 'disabled by user';
  if (reason === 'disabled by user') {
    return 'manual';
  }
  return /\b410\b/.test(reason) ? 'gone' : 'failing';
}

/** When the newest overlapping previous secret stops signing, or null. */
export function previousSecretExpiry(e: Endpoint, now: Date): Date | null {
  let latest: Date | null = null;
  for (const p of e.secrets.previous) {
    if (p.expiresAt.getTime() > now.getTime() && (!latest || p.expiresAt > latest)) {
      latest = p.expiresAt;
    }
  }
  return latest;
}

export function webhookJson(e: Endpoint, now: Date): JsonObject {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.events,
    enabled: e.enabled,
    disabledReason: disabledReasonJson(e),
    envelope: e.envelope,
    signature: signatureJson(e.signature),
    headers: e.headers,
    rateLimitPerSecond: e.rateLimitPerSecond,
    metadata: e.metadata,
    previousSecretExpiresAt: isoOrNull(previousSecretExpiry(e, now)),
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
  };
}

export function eventTypeJson(t: EventType): JsonObject {
  return {
    name: t.name,
    description: t.description,
    category: t.category,
    schema: t.schema,
    deprecated: t.archived,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
  };
}

export function messageJson(m: Message): JsonObject {
  return {
    id: m.id,
    externalId: m.externalId,
    type: m.eventType,
    data: m.data as JsonObject,
    context: m.context,
    customData: m.customData,
    eventTime: iso(m.timestamp),
    createdAt: iso(m.createdAt),
  };
}

export function deliveryJson(d: Delivery): JsonObject {
  return {
    id: d.id,
    messageId: d.messageId,
    webhookId: d.endpointId,
    eventType: d.eventType,
    status: d.status,
    attemptCount: d.attemptCount,
    nextAttemptAt: d.status === 'pending' ? isoOrNull(d.nextAttemptAt) : null,
    lastStatusCode: d.lastStatusCode,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
  };
}

export function attemptJson(a: Attempt): JsonObject {
  return {
    id: a.id,
    trigger: a.trigger,
    url: a.url,
    startedAt: iso(a.startedAt),
    durationMs: Math.max(0, Math.round(a.durationMs)),
    statusCode: a.statusCode,
    errorKind: a.errorKind,
    error: a.error,
    responsePreview: a.responsePreview,
    requestHeaders: a.requestHeaders,
    nextRetryAt: isoOrNull(a.nextRetryAt),
  };
}

export function sourceJson(
  s: Source,
  opts: { baseUrl: string; defaultSchema: JsonObject; now: Date; token?: string },
): JsonObject {
  const url = `${opts.baseUrl}/in/${s.id}`;
  const previousLive = s.previousTokenExpiresAt && s.previousTokenExpiresAt.getTime() > opts.now.getTime();
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    enabled: s.enabled,
    url: opts.token ? `${url}?token=${encodeURIComponent(opts.token)}` : url,
    eventType: s.eventType,
    eventTypeMapping: s.eventTypeMapping,
    payloadSchema: s.schema ?? opts.defaultSchema,
    previousTokenExpiresAt: previousLive ? isoOrNull(s.previousTokenExpiresAt) : null,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
    ...(opts.token ? { token: opts.token } : {}),
  };
}
