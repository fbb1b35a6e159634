import type { components, operations } from './generated/schema.js';

type Schemas = components['schemas'];

/** A tenant (account) of the server. */
export type Tenant = Schemas['Tenant'];
export type TenantCreate = Schemas['TenantCreate'];
export type TenantUpdate = Schemas['TenantUpdate'];
/** An API key without its value. */
export type ApiKey = Schemas['ApiKey'];
/** A new API key: `key` holds the value, shown once. */
export type ApiKeyCreated = Schemas['ApiKeyCreated'];
export type ApiKeyCreate = Schemas['ApiKeyCreate'];
/** A server-configured plan: endpoint quota, retry schedule, limits. */
export type Plan = Schemas['Plan'];

/** A webhook endpoint (without its secret). */
export type Webhook = Schemas['Webhook'];
/** A new webhook endpoint: `secret` holds the signing secret, shown once. */
export type WebhookCreated = Schemas['WebhookCreated'];
export type WebhookCreate = Schemas['WebhookCreate'];
export type WebhookUpdate = Schemas['WebhookUpdate'];
/** How an endpoint signs (resolved, every default filled in). */
export type Signature = Schemas['Signature'];
/** How to sign, as given on create/update (defaults may be omitted). */
export type SignatureInput = Schemas['SignatureInput'];
export type Envelope = Schemas['Envelope'];
export type SecretRotate = Schemas['SecretRotate'];
export type SecretRotation = Schemas['SecretRotation'];
export type TestEventCreate = Schemas['TestEventCreate'];
export type TestResult = Schemas['TestResult'];
export type ReplayResult = Schemas['ReplayResult'];
/** Deliveries per hour by outcome for one endpoint (`hw.webhooks.stats()`). */
export type WebhookStats = Schemas['WebhookStats'];
export type WebhookStatsBucket = Schemas['WebhookStatsBucket'];
export type DeliveryCounts = Schemas['DeliveryCounts'];
/** A signed, expiring dashboard link for one tenant (`hw.tenants.createPortalLink()`). */
export type PortalLink = Schemas['PortalLink'];
export type PortalLinkCreate = Schemas['PortalLinkCreate'];

/** An entry of the event catalog. */
export type EventType = Schemas['EventType'];
export type EventTypeCreate = Schemas['EventTypeCreate'];
export type EventTypeUpdate = Schemas['EventTypeUpdate'];

/** The publish body as the API defines it (untyped `data`). */
export type EventCreate = Schemas['EventCreate'];
export type PublishResult = Schemas['PublishResult'];
/** A published event (message). */
export type Message = Schemas['Message'];
/** A message with one delivery per endpoint it was routed to. */
export type MessageDetail = Schemas['MessageDetail'];

export type DeliveryStatus = Schemas['DeliveryStatus'];
/** One (message, endpoint) pair in the log. */
export type Delivery = Schemas['Delivery'];
/** A delivery with its rendered payload and every attempt. */
export type DeliveryDetail = Schemas['DeliveryDetail'];
export type Attempt = Schemas['Attempt'];
export type AttemptErrorKind = Schemas['AttemptErrorKind'];

/** An inbound source (URL without its token). */
export type Source = Schemas['Source'];
/** A source with its token: `url` includes `?token=`, shown once. */
export type SourceCreated = Schemas['SourceCreated'];
export type SourceCreate = Schemas['SourceCreate'];
export type SourceUpdate = Schemas['SourceUpdate'];
export type TokenRotate = Schemas['TokenRotate'];

export type Health = Schemas['Health'];

/** A point in time: a `Date` or an RFC 3339 string. */
export type DateInput = Date | string;

type Query<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;
type WithDates<T> = { [K in keyof T]: K extends 'since' | 'until' ? DateInput : T[K] };

/** `hours` of `hw.webhooks.stats()` (1–168, default 24). */
export type WebhookStatsParams = Query<'getWebhookStats'>;
/** Filters of `hw.webhooks.list()`, plus `limit` and `cursor`. */
export type WebhookListParams = Query<'listWebhooks'>;
/** Filters of `hw.deliveries.list()`, plus `limit` and `cursor`. */
export type DeliveryListParams = WithDates<Query<'listDeliveries'>>;
/** Filters of `hw.events.list()`, plus `limit` and `cursor`. */
export type EventListParams = WithDates<Query<'listEvents'>>;
/** Filters of `hw.eventTypes.list()`, plus `limit` and `cursor`. */
export type EventTypeListParams = Query<'listEventTypes'>;
/** `limit` (1–250) and `cursor` of any list. */
export type PageParams = Query<'listTenants'>;
