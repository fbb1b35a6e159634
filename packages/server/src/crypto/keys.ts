import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Hex SHA-256, used for API keys and source tokens (high-entropy values: no slow hash needed). */
export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');

/**
 * A new API key `hw_<prefix>_<secret>`. Only `prefix` (for lookup) and `hash` are stored; `key` is shown
 * once.
 */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(6).toString('hex');
  const key = `hw_${prefix}_${randomBytes(24).toString('base64url')}`;
  return { key, prefix, hash: sha256Hex(key) };
}

/** The lookup prefix of a presented key, or null if it isn't shaped like one. */
export function apiKeyPrefix(key: string): string | null {
  const match = /^hw_([0-9a-f]{12})_[A-Za-z0-9_-]{32}$/.exec(key);
  return match?.[1] ?? null;
}

/** Constant-time comparison of a presented key with a stored hash. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const a = Buffer.from(sha256Hex(key), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A new endpoint signing secret: `whsec_` + base64 of 32 random bytes (Standard Webhooks format). */
export const generateEndpointSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** A new inbound source token (goes in the source URL's query string). */
export const generateSourceToken = (): string => randomBytes(24).toString('base64url');
