import { timingSafeEqual } from 'node:crypto';
import { apiKeyPrefix, sha256Hex } from '../crypto/keys.js';
import type { SourceRecord, Store } from '../store/store.js';
import { PORTAL_OPERATIONS, PORTAL_TOKEN_PREFIX, readPortalToken } from './portal-token.js';
import { ApiError } from './problem.js';
import type { SecurityScheme } from './spec.js';

/** Who is calling, as established by the operation's security requirement. */
export type Principal =
  | { kind: 'public' }
  | { kind: 'admin' }
  | { kind: 'tenant'; tenantId: string; keyId: string }
  | { kind: 'source'; source: SourceRecord };

/** `lastUsedAt` is written at most this often per key, so reads don't turn into writes. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * The admin key's SHA-256, computed once per key rather than on every request. Tokens are compared as
 * digests of equal length, in constant time, so neither the key nor its length leaks.
 */
let adminKeyHash: { key: string; hash: Buffer } | null = null;
function adminKeyDigest(adminKey: string): Buffer {
  if (adminKeyHash?.key !== adminKey) {
    adminKeyHash = { key: adminKey, hash: Buffer.from(sha256Hex(adminKey), 'hex') };
  }
  return adminKeyHash.hash;
}

/** Compares hex SHA-256 digests in constant time; false for anything that is not one. */
function digestMatches(digest: Buffer, storedHex: string): boolean {
  const stored = Buffer.from(storedHex, 'hex');
  return stored.length === digest.length && timingSafeEqual(digest, stored);
}

function hashMatches(token: string, storedHash: string | null): boolean {
  if (storedHash === null || !/^[0-9a-f]{64}$/.test(storedHash)) {
    return false;
  }
  return digestMatches(Buffer.from(sha256Hex(token), 'hex'), storedHash);
}

export interface AuthInput {
  security: readonly SecurityScheme[];
  authorization: string | undefined;
  /** The `tenantId` path parameter, when the route has one. */
  pathTenantId: string | undefined;
  sourceId: string | undefined;
  sourceToken: string | undefined;
  /** The operation called; portal tokens are only accepted by the dashboard's operations. */
  operationId?: string;
}

export interface AuthDeps {
  store: Store;
  adminKey: string;
  now: () => Date;
}

const unauthorized = (detail = 'Send an API key: Authorization: Bearer hw_...') =>
  new ApiError('UNAUTHORIZED', detail);

/**
 * Establishes the principal for one request or throws the problem to answer with (`401`, `403`,
 * `INVALID_TOKEN`). The rules are openapi/README.md's "Auth" section.
 */
export async function authenticate(input: AuthInput, deps: AuthDeps): Promise<Principal> {
  const { security } = input;
  if (security.length === 0) {
    return { kind: 'public' };
  }
  if (security.includes('sourceToken') || security.includes('sourceTokenHeader')) {
    return { kind: 'source', source: await authenticateSource(input, deps) };
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(input.authorization ?? '');
  const token = match?.[1];
  if (!token) {
    throw unauthorized();
  }
  // One hash of the presented token serves both comparisons (the admin key's, then the API key's).
  const digest = Buffer.from(sha256Hex(token), 'hex');
  if (timingSafeEqual(digest, adminKeyDigest(deps.adminKey))) {
    if (!security.includes('adminKey')) {
      throw unauthorized(
        'This route takes a tenant API key (hw_...); the admin key manages tenants and keys.',
      );
    }
    return { kind: 'admin' };
  }
  if (token.startsWith(PORTAL_TOKEN_PREFIX)) {
    return authenticatePortal(token, input, deps);
  }
  const prefix = apiKeyPrefix(token);
  const record = prefix ? await deps.store.findApiKeyByPrefix(prefix) : null;
  const now = deps.now();
  if (!record || !digestMatches(digest, record.hash)) {
    throw unauthorized('The API key is unknown. Send a valid key: Authorization: Bearer hw_...');
  }
  if (record.revokedAt) {
    throw unauthorized('The API key was revoked. Create a new one.');
  }
  if (record.expiresAt && record.expiresAt.getTime() <= now.getTime()) {
    throw unauthorized('The API key has expired. Create a new one.');
  }
  if (!security.includes('apiKey')) {
    throw new ApiError('FORBIDDEN', 'This route needs the admin key.');
  }
  if (input.pathTenantId !== undefined && input.pathTenantId !== record.tenantId) {
    throw new ApiError('FORBIDDEN', 'A tenant key acts on its own tenant only.');
  }
  if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS) {
    await deps.store.touchApiKey(record.id, now);
  }
  return { kind: 'tenant', tenantId: record.tenantId, keyId: record.id };
}

/**
 * A portal token (openapi `createPortalLink`): signed by this server, unexpired, for a tenant that still
 * exists, and only on the dashboard's operations. The principal is the tenant, so every handler scopes it
 * exactly like that tenant's API key.
 */
async function authenticatePortal(token: string, input: AuthInput, deps: AuthDeps): Promise<Principal> {
  const claims = readPortalToken(deps.adminKey, token);
  if (!claims) {
    throw unauthorized('The portal token is invalid. Ask for a new dashboard link.');
  }
  if (claims.expiresAt.getTime() <= deps.now().getTime()) {
    throw unauthorized('The portal link has expired. Ask for a new dashboard link.');
  }
  if (!input.security.includes('apiKey') || !input.operationId || !PORTAL_OPERATIONS.has(input.operationId)) {
    // 401 like the admin key on a tenant route: this credential is not one this operation takes.
    throw unauthorized(
      'A portal token only reaches the dashboard operations (webhooks, deliveries, events); use an API key.',
    );
  }
  if (input.pathTenantId !== undefined && input.pathTenantId !== claims.tenantId) {
    throw new ApiError('FORBIDDEN', 'A portal token acts on its own tenant only.');
  }
  if (!(await deps.store.getTenant(claims.tenantId))) {
    throw unauthorized('The tenant of this portal link no longer exists.');
  }
  return { kind: 'tenant', tenantId: claims.tenantId, keyId: `portal_${claims.linkId}` };
}

async function authenticateSource(input: AuthInput, deps: AuthDeps): Promise<SourceRecord> {
  const invalid = () => new ApiError('INVALID_TOKEN', 'The token is missing or does not match this source.');
  const token = input.sourceToken;
  if (!token || !input.sourceId) {
    throw invalid();
  }
  const source = await deps.store.findSourceForIngest(input.sourceId);
  // Unknown, disabled and wrong token answer alike, so source ids cannot be probed.
  if (!source?.enabled) {
    // Same work as a real comparison, so timing does not tell unknown ids apart either.
    hashMatches(token, '0'.repeat(64));
    throw invalid();
  }
  const current = hashMatches(token, source.tokenHash);
  const previousLive =
    source.previousTokenExpiresAt !== null && source.previousTokenExpiresAt.getTime() > deps.now().getTime();
  const previous = hashMatches(token, previousLive ? source.previousTokenHash : null);
  if (!current && !previous) {
    throw invalid();
  }
  return source;
}
