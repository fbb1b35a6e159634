/** Envelope versions a sender can render; every endpoint is pinned to one. */
export type EnvelopeVersion = 'v1' | 'v2';

/**
 * Every body shape `wrap` renders: the two versioned envelopes, plus the shapes real senders use, so a server can
 * emit each seed product's payload exactly:
 * - `standard`: `{ type, timestamp, data }` (Standard Webhooks' recommended payload).
 * - `object`: `{ id, type, created_at, ...context, data }` (Linka Factory's event object, `account_id` as context).
 * - `flat`: `{ event, ...data }` (Acturity's flat payload; `{ event, data }` when `data` cannot be flattened).
 */
export type EnvelopeFormat = EnvelopeVersion | 'standard' | 'object' | 'flat';

/** Which payload shape an event was read from. */
export type EnvelopeKind = 'v1' | 'v2' | 'standard' | 'custom';

/**
 * One event as a receiver sees it, whatever envelope carried it.
 *
 * `payload` is the parsed JSON exactly as received, so fields no envelope maps (v2 `metadata` context keys
 * such as `campaignId`, v1 `customData`, Linka Factory's `account_id`) stay reachable.
 */
export interface WebhookEvent<TType extends string = string, TData = unknown> {
  /** Message id from the envelope (v2 `metadata.id`, `id`); the receiver falls back to the signed header id. */
  id?: string;
  /** Event name, e.g. `link.click`. */
  type: TType;
  /** When the event happened (v2 `eventTime`, `timestamp`, `created_at`). */
  timestamp?: Date;
  /** The event's data: the catalog's type once validated. */
  data: TData;
  /** The envelope shape the event was read from (`standard` also covers `{ id, type, created_at, data }`). */
  envelope: EnvelopeKind;
  /** The parsed JSON body, untouched. */
  payload: unknown;
}

/** What a sender publishes; `wrap` renders it in an endpoint's envelope version. */
export interface OutgoingMessage {
  /** Message id (`msg_...`), the same for every attempt so receivers can de-duplicate. */
  id: string;
  /** Event name, e.g. `link.click`. */
  type: string;
  /** When the event happened. */
  timestamp: Date;
  /** The event's data; must be JSON-serialisable. */
  data: unknown;
  /** Tenant keys merged into v2 `metadata` (e.g. `campaignId`, `accountId`). Ignored by v1. */
  context?: Record<string, unknown>;
  /** v1 `customData`. Ignored by v2. */
  customData?: Record<string, unknown>;
  /** Overrides the version's default `apiVersion` (see `API_VERSIONS`). */
  apiVersion?: string;
}

/** One validation problem, with the path into `data` where it was found (`[]` for the root). */
export interface ValidationIssue {
  path: (string | number)[];
  message: string;
}

/** The result of validating `data`: the (possibly transformed) value, or every issue found. */
export type ValidationResult<T = unknown> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/** A value, or a promise of it: what an API returns when it answers synchronously whenever it can. */
export type MaybePromise<T> = T | Promise<T>;
