import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every portal token starts with this, so `authenticate` can tell it from an API key without a lookup. */
export const PORTAL_TOKEN_PREFIX = 'hwp_';
/** Default, shortest and longest lifetime of a portal link, in seconds (openapi: `PortalLinkCreate`). */
export const PORTAL_TTL_SECONDS = { default: 900, min: 60, max: 86_400 } as const;

/**
 * The operations a portal token may call: what the dashboard needs, and nothing that manages keys, tenants,
 * other links, sources or the catalog, or publishes (openapi: `createPortalLink`).
 */
export const PORTAL_OPERATIONS: ReadonlySet<string> = new Set([
  'listWebhooks',
  'getWebhook',
  'createWebhook',
  'updateWebhook',
  'deleteWebhook',
  'rotateWebhookSecret',
  'sendTestEvent',
  'replayWebhook',
  'getWebhookStats',
  'listEventTypes',
  'getEventType',
  'listEvents',
  'getEvent',
  'listDeliveries',
  'getDelivery',
  'redeliverDelivery',
]);

/** What a valid token says. */
export interface PortalClaims {
  tenantId: string;
  expiresAt: Date;
  /** Random per link: tells links apart (rate limits) without storing anything. */
  linkId: string;
}

interface Payload {
  v: 1;
  t: string;
  /** Expiry, unix seconds. */
  e: number;
  n: string;
}

// Tokens are small; anything longer is rejected before any work.
const MAX_TOKEN_LENGTH = 512;
const keys = new Map<string, Buffer>();

/**
 * The signing key: HKDF-SHA256 of the admin key with a fixed label, so the admin key itself never signs
 * anything and a new admin key invalidates every outstanding link.
 */
function signingKey(adminKey: string): Buffer {
  let key = keys.get(adminKey);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', adminKey, '', 'hookwire/portal-token/v1', 32));
    keys.clear(); // one server, one admin key: keep at most one derived key around
    keys.set(adminKey, key);
  }
  return key;
}

const mac = (adminKey: string, payload: string) =>
  createHmac('sha256', signingKey(adminKey)).update(`${PORTAL_TOKEN_PREFIX}${payload}`).digest();

/**
 * Mints `hwp_<base64url payload>.<base64url HMAC-SHA256>` for one tenant. The expiry is whole seconds; the
 * returned `expiresAt` is exactly what the token carries.
 */
export function mintPortalToken(
  adminKey: string,
  tenantId: string,
  expiresAt: Date,
): { token: string; expiresAt: Date } {
  const payload: Payload = {
    v: 1,
    t: tenantId,
    e: Math.floor(expiresAt.getTime() / 1000),
    n: randomBytes(9).toString('base64url'),
  };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return {
    token: `${PORTAL_TOKEN_PREFIX}${body}.${mac(adminKey, body).toString('base64url')}`,
    expiresAt: new Date(payload.e * 1000),
  };
}

/**
 * The claims of a token this server signed, or null when it is malformed or its signature does not match.
 * Expiry is the caller's check (it answers with its own message).
 */
export function readPortalToken(adminKey: string, token: string): PortalClaims | null {
  if (token.length > MAX_TOKEN_LENGTH || !token.startsWith(PORTAL_TOKEN_PREFIX)) {
    return null;
  }
  const [body, signature, extra] = token.slice(PORTAL_TOKEN_PREFIX.length).split('.');
  if (!body || !signature || extra !== undefined) {
    return null;
  }
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(adminKey, body);
  // Equal lengths first (timingSafeEqual throws otherwise); the length of a MAC is no secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return null;
  }
  let payload: Partial<Payload>;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Payload>;
  } catch {
    return null;
  }
  if (
    payload.v !== 1 ||
    typeof payload.t !== 'string' ||
    typeof payload.e !== 'number' ||
    !Number.isInteger(payload.e) ||
    typeof payload.n !== 'string'
  ) {
    return null;
  }
  return { tenantId: payload.t, expiresAt: new Date(payload.e * 1000), linkId: payload.n };
}
