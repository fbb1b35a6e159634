import { defineCatalog } from '../define-catalog.js';

/*
 * The built-in catalog for link products. Field names follow the senders these events come from:
 * snake_case `link.*` events as AWSYS.CO and Acturity send them (`link_id`, `country`), camelCase
 * `campaign.*` / `short_link.*` events exactly as Linka Factory documents `campaign.click.recorded`.
 * Every object stays open (`additionalProperties: true`): senders add fields over time (Linka Factory's
 * beta says "events and fields may still evolve") and a receiver must not start failing when they do.
 */

const SCHEMA = 'https://json-schema.org/draft/2020-12/schema';

const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const country = {
  type: 'string',
  description: 'ISO 3166-1 alpha-2 country code of the visitor, e.g. "US".',
} as const;

/** Visitor fields shared by the click-like `link.*` events. */
const visitor = {
  country,
  city: { type: 'string' },
  region: { type: 'string' },
  referrer: { type: ['string', 'null'], description: 'Referer URL or host, null when the request had none.' },
  user_agent: { type: 'string' },
  device_type: { type: 'string', description: 'e.g. "mobile", "desktop", "tablet".' },
  browser: { type: 'string' },
  os: { type: 'string' },
  ip_masked: { type: 'string', description: 'Visitor IP with the host part zeroed, e.g. "203.0.113.0".' },
} as const;

/** Fields describing a link, shared by the lifecycle `link.*` events. */
const link = {
  link_id: { type: 'string', description: 'Id of the short link, e.g. "lnk_abc".' },
  short_url: { type: 'string', format: 'uri' },
  destination_url: { type: 'string', format: 'uri' },
  domain: { type: 'string' },
  slug: { type: 'string' },
  title: nullableString,
  tags: { type: 'array', items: { type: 'string' } },
  created_at: dateTime,
  updated_at: dateTime,
  expires_at: { type: ['string', 'null'], format: 'date-time' },
  max_clicks: { type: ['integer', 'null'], minimum: 0 },
  clicks: { type: 'integer', minimum: 0, description: 'Clicks recorded so far.' },
} as const;

/** Fields of Linka Factory's click events (`campaign.click.recorded`, `short_link.click.recorded`). */
const linkaClick = {
  accountId: { type: 'string' },
  timestamp: dateTime,
  country: { type: 'string' },
  deviceType: { type: 'string' },
  browserFamily: { type: 'string' },
  platformFamily: { type: 'string' },
  sourceSite: nullableString,
  refererHost: nullableString,
  ipMasked: { type: 'string' },
  suspicious: { type: 'boolean' },
} as const;

/** `link.click`: a visitor clicked the short link (one event per click). */
export const linkClickSchema = {
  $schema: SCHEMA,
  title: 'link.click',
  description: 'A visitor clicks the short link (one event per click).',
  type: 'object',
  properties: {
    link_id: link.link_id,
    short_url: link.short_url,
    destination_url: link.destination_url,
    clicked_at: dateTime,
    ...visitor,
    unique: { type: 'boolean', description: 'First click from this visitor on this link.' },
    bot: { type: 'boolean', description: 'The click looks automated.' },
  },
  required: ['link_id'],
  additionalProperties: true,
} as const;

/** `link.created`: a new short link was created. */
export const linkCreatedSchema = {
  $schema: SCHEMA,
  title: 'link.created',
  description: 'A new short link is created.',
  type: 'object',
  properties: link,
  required: ['link_id'],
  additionalProperties: true,
} as const;

/** `link.updated`: an existing link's settings were changed. */
export const linkUpdatedSchema = {
  $schema: SCHEMA,
  title: 'link.updated',
  description: "An existing link's settings are changed.",
  type: 'object',
  properties: {
    ...link,
    changed_fields: {
      type: 'array',
      items: { type: 'string' },
      description: 'Names of the settings that changed.',
    },
    previous: {
      type: 'object',
      additionalProperties: true,
      description: 'Previous values of the changed settings.',
    },
  },
  required: ['link_id'],
  additionalProperties: true,
} as const;

/** `link.deleted`: a link was permanently deleted. */
export const linkDeletedSchema = {
  $schema: SCHEMA,
  title: 'link.deleted',
  description: 'A link is permanently deleted.',
  type: 'object',
  properties: { link_id: link.link_id, short_url: link.short_url, deleted_at: dateTime },
  required: ['link_id'],
  additionalProperties: true,
} as const;

/** `link.expired`: a link's expiry date was reached. */
export const linkExpiredSchema = {
  $schema: SCHEMA,
  title: 'link.expired',
  description: "A link's expiry date is reached.",
  type: 'object',
  properties: {
    link_id: link.link_id,
    short_url: link.short_url,
    expires_at: dateTime,
    expired_at: dateTime,
  },
  required: ['link_id'],
  additionalProperties: true,
} as const;

/** `link.limit_reached`: a link's maximum click count was reached. */
export const linkLimitReachedSchema = {
  $schema: SCHEMA,
  title: 'link.limit_reached',
  description: "A link's maximum click count is reached.",
  type: 'object',
  properties: {
    link_id: link.link_id,
    short_url: link.short_url,
    max_clicks: { type: 'integer', minimum: 0 },
    clicks: link.clicks,
    reached_at: dateTime,
  },
  required: ['link_id'],
  additionalProperties: true,
} as const;

/** `link.geo_blocked`: a visitor from a geo-blocked country tried to open the link. */
export const linkGeoBlockedSchema = {
  $schema: SCHEMA,
  title: 'link.geo_blocked',
  description: 'A visitor from a geo-blocked country attempts to access the link.',
  type: 'object',
  properties: {
    link_id: link.link_id,
    short_url: link.short_url,
    blocked_at: dateTime,
    ...visitor,
    blocked_countries: { type: 'array', items: { type: 'string' } },
  },
  required: ['link_id', 'country'],
  additionalProperties: true,
} as const;

/** `campaign.click.recorded`: a click was served by a campaign (fields as Linka Factory documents them). */
export const campaignClickRecordedSchema = {
  $schema: SCHEMA,
  title: 'campaign.click.recorded',
  description: 'A click was served by a campaign.',
  type: 'object',
  properties: {
    accountId: linkaClick.accountId,
    timestamp: linkaClick.timestamp,
    campaignId: { type: 'string' },
    urlId: { type: 'string' },
    servedUrl: { type: 'string', format: 'uri' },
    routingRuleId: {
      ...nullableString,
      description: 'The routing rule that chose the URL, null for the classic split.',
    },
    routingRuleLabel: nullableString,
    country: linkaClick.country,
    deviceType: linkaClick.deviceType,
    browserFamily: linkaClick.browserFamily,
    platformFamily: linkaClick.platformFamily,
    sourceSite: linkaClick.sourceSite,
    refererHost: linkaClick.refererHost,
    ipMasked: linkaClick.ipMasked,
    suspicious: linkaClick.suspicious,
  },
  required: ['accountId', 'timestamp', 'campaignId', 'servedUrl'],
  additionalProperties: true,
} as const;

/** `campaign.routing_rule.matched`: an advanced routing rule was applied before distribution. */
export const campaignRoutingRuleMatchedSchema = {
  $schema: SCHEMA,
  title: 'campaign.routing_rule.matched',
  description: 'An advanced routing rule was applied before distribution.',
  type: 'object',
  properties: {
    accountId: linkaClick.accountId,
    timestamp: linkaClick.timestamp,
    campaignId: { type: 'string' },
    routingRuleId: { type: 'string' },
    routingRuleLabel: nullableString,
    urlId: { type: 'string' },
    servedUrl: { type: 'string', format: 'uri' },
    country: linkaClick.country,
    deviceType: linkaClick.deviceType,
    browserFamily: linkaClick.browserFamily,
    platformFamily: linkaClick.platformFamily,
    sourceSite: linkaClick.sourceSite,
    refererHost: linkaClick.refererHost,
  },
  required: ['accountId', 'timestamp', 'campaignId', 'routingRuleId'],
  additionalProperties: true,
} as const;

/** `short_link.click.recorded`: a click was served by a Linka Factory short link. */
export const shortLinkClickRecordedSchema = {
  $schema: SCHEMA,
  title: 'short_link.click.recorded',
  description: 'A click was served by a short link.',
  type: 'object',
  properties: {
    ...linkaClick,
    shortLinkId: { type: 'string' },
    slug: { type: 'string' },
    servedUrl: { type: 'string', format: 'uri' },
  },
  required: ['accountId', 'timestamp', 'shortLinkId'],
  additionalProperties: true,
} as const;

/**
 * The links catalog as plain JSON Schema (draft 2020-12), keyed by event name: what a server stores and
 * serves from `event-types`. Frozen, because the catalog below shares these objects.
 */
export const linksJsonSchemas = deepFreeze({
  'link.click': linkClickSchema,
  'link.created': linkCreatedSchema,
  'link.updated': linkUpdatedSchema,
  'link.deleted': linkDeletedSchema,
  'link.expired': linkExpiredSchema,
  'link.limit_reached': linkLimitReachedSchema,
  'link.geo_blocked': linkGeoBlockedSchema,
  'campaign.click.recorded': campaignClickRecordedSchema,
  'campaign.routing_rule.matched': campaignRoutingRuleMatchedSchema,
  'short_link.click.recorded': shortLinkClickRecordedSchema,
} as const);

/**
 * Built-in catalog of link events: `link.click`, `link.created`, `link.updated`, `link.deleted`,
 * `link.expired`, `link.limit_reached`, `link.geo_blocked`, `campaign.click.recorded`,
 * `campaign.routing_rule.matched`, `short_link.click.recorded`.
 *
 * @example
 * import { links } from '@hookwire/events/catalogs/links';
 * const result = await links.validate('link.click', { link_id: 'lnk_abc', country: 'US' });
 */
export const links = defineCatalog(linksJsonSchemas);

/** The catalog's type, for generics such as `CatalogEvent<LinksCatalog>`. */
export type LinksCatalog = typeof links;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
  }
  return value;
}
