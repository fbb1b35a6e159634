import { base64Decode, base64Encode, utf8 } from './bytes.js';
import { type CryptoBackend, KeyCache, markInternalKey } from './crypto/backend.js';
import { defaultCryptoBackend } from './crypto/default.js';
import { WebhookVerificationError } from './errors.js';

/** A signing secret: a string (`whsec_…`, `whsk_…`, `whpk_…` or a plain shared secret) or raw key bytes. */
export type Secret = string | Uint8Array;

/** Either one `secret` or several `secrets` (rotation: newest first). */
export interface SecretsInput {
  secret?: Secret;
  secrets?: readonly Secret[];
}

export function collectSecrets(input: SecretsInput): readonly Secret[] {
  const list: Secret[] = [];
  if (input.secret !== undefined) {
    list.push(input.secret);
  }
  if (input.secrets !== undefined) {
    if (!Array.isArray(input.secrets)) {
      throw invalidSecret('`secrets` must be an array of secrets');
    }
    list.push(...input.secrets);
  }
  if (list.length === 0) {
    throw invalidSecret('no secret given: pass `secret` or a non-empty `secrets` array');
  }
  return list;
}

export function invalidSecret(detail: string): WebhookVerificationError {
  return new WebhookVerificationError('invalid_secret', `invalid secret: ${detail}`);
}

/* Decoded keys for string secrets, so a hot verifier never re-decodes base64 and the crypto backends can cache
   their key objects by the identity of the returned array. Bounded: cleared when it grows past the limit. */
const CACHE_LIMIT = 1024;
const standardKeys = new Map<string, Uint8Array>();
const utf8Keys = new Map<string, Uint8Array>();
const seeds = new Map<string, Uint8Array>();
const publicKeys = new Map<string, Uint8Array>();

function cached(cache: Map<string, Uint8Array>, secret: string, make: () => Uint8Array): Uint8Array {
  let key = cache.get(secret);
  if (key === undefined) {
    key = markInternalKey(make());
    if (cache.size >= CACHE_LIMIT) {
      cache.clear();
    }
    cache.set(secret, key);
  }
  return key;
}

function nonEmptyBytes(secret: Uint8Array): Uint8Array {
  if (secret.byteLength === 0) {
    throw invalidSecret('the secret is empty');
  }
  return secret;
}

function decodePrefixed(secret: string, prefix: string, what: string): Uint8Array {
  const body = secret.startsWith(prefix) ? secret.slice(prefix.length) : secret;
  if (body === '') {
    throw invalidSecret(`the ${what} is empty`);
  }
  const bytes = base64Decode(body, false);
  if (bytes === undefined || bytes.byteLength === 0) {
    throw invalidSecret(`the ${what} is not base64 after the "${prefix}" prefix`);
  }
  return bytes;
}

/**
 * The HMAC key of a Standard Webhooks secret: base64-decoded after the optional `whsec_` prefix (padding
 * optional, like the Python reference library). A Uint8Array is used as given.
 *
 * @throws {WebhookVerificationError} `invalid_secret` for an empty or non-base64 secret.
 */
export function standardSecretKey(secret: Secret): Uint8Array {
  if (typeof secret !== 'string') {
    return nonEmptyBytes(secret instanceof Uint8Array ? secret : invalidType());
  }
  return cached(standardKeys, secret, () => decodePrefixed(secret, 'whsec_', 'secret'));
}

/**
 * The HMAC key of every other scheme: the secret string's UTF-8 bytes (as Stripe, GitHub and the seed
 * products use it). A Uint8Array is used as given.
 */
export function utf8SecretKey(secret: Secret): Uint8Array {
  if (typeof secret !== 'string') {
    return nonEmptyBytes(secret instanceof Uint8Array ? secret : invalidType());
  }
  if (secret === '') {
    throw invalidSecret('the secret is empty');
  }
  return cached(utf8Keys, secret, () => utf8(secret));
}

function invalidType(): never {
  throw invalidSecret('a secret must be a string or a Uint8Array');
}

/**
 * An Ed25519 signing key (`whsk_` + base64 of the 32-byte seed, or of the 64-byte seed + public key that the
 * Svix server stores) as its 32-byte seed.
 */
export function ed25519Seed(secret: Secret): Uint8Array {
  if (typeof secret === 'string') {
    return cached(seeds, secret, () => seedOf(decodePrefixed(secret, 'whsk_', 'signing key')));
  }
  return seedOf(nonEmptyBytes(secret instanceof Uint8Array ? secret : invalidType()));
}

function seedOf(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength !== 32 && bytes.byteLength !== 64) {
    throw invalidSecret(`an Ed25519 signing key is 32 (or 64) bytes, got ${bytes.byteLength}`);
  }
  return bytes.byteLength === 32 ? bytes : bytes.slice(0, 32);
}

/**
 * An Ed25519 verification key: `whpk_` + base64 of the 32-byte public key. A `whsk_` signing key is accepted
 * too (its public half is derived), so one configuration can sign and verify.
 */
export async function ed25519PublicKey(secret: Secret, backend: CryptoBackend): Promise<Uint8Array> {
  if (typeof secret === 'string' && secret.startsWith('whsk_')) {
    const seed = ed25519Seed(secret);
    return cachedPublic(seed, backend);
  }
  const bytes =
    typeof secret === 'string'
      ? cached(publicKeys, secret, () => decodePrefixed(secret, 'whpk_', 'public key'))
      : nonEmptyBytes(secret instanceof Uint8Array ? secret : invalidType());
  if (bytes.byteLength !== 32) {
    throw invalidSecret(`an Ed25519 public key is 32 bytes, got ${bytes.byteLength}`);
  }
  return bytes;
}

const publicOfSeed = new KeyCache<Promise<Uint8Array>>();
function cachedPublic(seed: Uint8Array, backend: CryptoBackend): Promise<Uint8Array> {
  return publicOfSeed.get(seed, async (copy) => backend.ed25519PublicKey(copy));
}

export function randomBytes(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

/**
 * A new symmetric secret: `whsec_` + base64 of `bytes` random bytes (default 32; the Standard Webhooks range
 * is 24–64, and nothing shorter is ever generated).
 *
 * @throws {RangeError} when `bytes` is outside 24–64.
 * @example const secret = generateSecret(); // 'whsec_…'
 */
export function generateSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 24 || bytes > 64) {
    throw new RangeError('a webhook secret has 24 to 64 random bytes');
  }
  return `whsec_${base64Encode(randomBytes(bytes))}`;
}

/** An Ed25519 key pair in Standard Webhooks form. */
export interface Ed25519KeyPair {
  /** `whsk_` + base64 of the 32-byte seed: keep it on the sender. */
  secretKey: string;
  /** `whpk_` + base64 of the 32-byte public key: give it to receivers. */
  publicKey: string;
}

/**
 * A new Ed25519 key pair for `schemes.standard({ asymmetric: true })` (signature version `v1a`).
 *
 * @example const { secretKey, publicKey } = await generateKeyPair();
 */
export async function generateKeyPair(backend?: CryptoBackend): Promise<Ed25519KeyPair> {
  const seed = randomBytes(32);
  const pub = await (backend ?? defaultCryptoBackend).ed25519PublicKey(seed);
  return { secretKey: `whsk_${base64Encode(seed)}`, publicKey: `whpk_${base64Encode(pub)}` };
}

/**
 * The `whpk_` public key of a `whsk_` signing key.
 *
 * @throws {WebhookVerificationError} `invalid_secret` when the signing key is not a valid Ed25519 seed.
 */
export async function derivePublicKey(secretKey: string, backend?: CryptoBackend): Promise<string> {
  const pub = await cachedPublic(ed25519Seed(secretKey), backend ?? defaultCryptoBackend);
  return `whpk_${base64Encode(pub)}`;
}
