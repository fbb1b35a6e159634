/** Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> …`. */
export interface StandardScheme {
  readonly kind: 'standard';
  /** `true`: Ed25519 (`v1a`, keys `whsk_`/`whpk_`); `false`: HMAC-SHA256 (`v1`, secret `whsec_`). */
  readonly asymmetric: boolean;
  /** Header name prefix: `webhook` (the standard) or `svix` (`svix-id`, …). */
  readonly headerPrefix: string;
}

/** Stripe-style `<header>: t=<ts>,<version>=<hex>[,<version>=<hex>…]`, HMAC-SHA256 of `content`. */
export interface TimestampedScheme {
  readonly kind: 'timestamped';
  /** Lower-case header name, e.g. `stripe-signature`. */
  readonly header: string;
  /** Unit of `t`: seconds or milliseconds since the epoch. */
  readonly unit: 's' | 'ms';
  /** Signature key in the header, e.g. `v1` or `v2`. */
  readonly version: string;
  /** Signed content template with `{body}` once and optionally `{t}`: `{t}.{body}` (default) or `{body}`. */
  readonly content: string;
}

/** `<header>: <prefix><hex|base64>`, HMAC-SHA256 of the body alone (no replay protection: legacy). */
export interface HmacScheme {
  readonly kind: 'hmac';
  /** Lower-case header name, e.g. `x-hub-signature-256`. */
  readonly header: string;
  /** Literal prefix before the signature, e.g. `sha256=` or `''`. */
  readonly prefix: string;
  readonly encoding: 'hex' | 'base64';
}

/** A shared secret token in the URL query string or in a header, compared in constant time. */
export interface TokenScheme {
  readonly kind: 'token';
  /** Query parameter carrying the token, e.g. `token`. */
  readonly query?: string;
  /** Header carrying the token (lower-case). */
  readonly header?: string;
}

/**
 * How a request is signed. A plain, JSON-serialisable object: store it with an endpoint and rebuild it with
 * `schemes.fromConfig(JSON.parse(text))`.
 */
export type Scheme = StandardScheme | TimestampedScheme | HmacScheme | TokenScheme;
