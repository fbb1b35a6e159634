import { type Scheme, type Secret, schemes, type VerifyResult, verifyMaybeSync } from '@hookwire/signatures';
import {
  EnvelopeError,
  type ParseEnvelopeOptions,
  parseEnvelope,
  parseJson,
  type ValidationResult,
  type WebhookEvent,
} from '../index.js';
import type { AnyCatalog, ReceivedEvent, WebhookReceiverOptions } from './options.js';
import { DEFAULT_MAX_BODY_BYTES } from './read-body.js';

/** The raw request an adapter has read: bytes exactly as received, never re-serialised JSON. */
export interface RawWebhookRequest {
  body: Uint8Array | ArrayBuffer | string;
  headers: Headers | Record<string, string | string[] | undefined>;
  /** Full request URL; needed by `schemes.token({ query })`. */
  url?: string;
}

/** A request that passed every check, with its typed event. */
export interface VerifiedWebhook<E> {
  event: E;
  /**
   * The id to de-duplicate on. Only ids covered by the signature are trusted (HARDENING #13): the signed
   * `webhook-id` header, else the envelope's id when the scheme signs the body. Undefined otherwise.
   */
  dedupeId: string | undefined;
}

/** Options after defaults were applied once (see {@link resolveVerifyOptions}). */
export interface ResolvedVerifyOptions {
  scheme: Scheme;
  secrets: readonly Secret[];
  toleranceSeconds: number;
  maxBodyBytes: number;
  catalog: AnyCatalog | undefined;
  validate: boolean;
  parseOptions: ParseEnvelopeOptions;
  signsBody: boolean;
}

const resolved = new WeakMap<object, ResolvedVerifyOptions>();

/** Applies defaults and checks the configuration once, so a misconfiguration fails at startup. */
export function resolveVerifyOptions<C extends AnyCatalog | undefined>(
  options: WebhookReceiverOptions<C>,
): ResolvedVerifyOptions {
  const cached = resolved.get(options);
  if (cached) {
    return cached;
  }
  const secrets = options.secrets ?? (options.secret === undefined ? [] : [options.secret]);
  if (secrets.length === 0 || secrets.some((s) => s === undefined || s === null || s.length === 0)) {
    throw new TypeError(
      'Hookwire receiver: pass `secret` (or `secrets` during a rotation) with the endpoint signing secret, e.g. process.env.WEBHOOK_SECRET.',
    );
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 0) {
    throw new TypeError(
      `Hookwire receiver: maxBodyBytes must be a non-negative integer, received ${maxBodyBytes}`,
    );
  }
  const scheme = options.scheme ?? schemes.standard();
  const value: ResolvedVerifyOptions = {
    scheme,
    secrets,
    toleranceSeconds: options.toleranceSeconds ?? 300,
    maxBodyBytes,
    catalog: options.catalog,
    validate: options.validate ?? options.catalog !== undefined,
    parseOptions: options.parse ? { parse: options.parse } : {},
    signsBody: schemeSignsBody(scheme),
  };
  resolved.set(options, value);
  return value;
}

/** A token scheme authenticates the sender but leaves the body unsigned, so its ids are not trusted. */
function schemeSignsBody(scheme: Scheme): boolean {
  return (scheme as { kind?: unknown }).kind !== 'token';
}

/**
 * Verifies one webhook request from bytes you already read, in the order that keeps every check safe:
 * size limit, signature over the raw bytes, JSON, envelope, catalog validation. It does not de-duplicate
 * (that needs state: see `createWebhookReceiver`).
 *
 * @example
 * ```ts
 * const { event } = await verifyWebhookRequest({ body: rawBytes, headers: req.headers }, { secret, catalog: links });
 * ```
 * @throws {WebhookVerificationError} size or signature problems (`body_too_large`, `no_matching_signature`, ...).
 * @throws {EnvelopeError} `invalid_json` or `invalid_envelope`.
 * @throws {EnvelopeError} `invalid_data` (with every issue) or `unknown_event_type` against the catalog.
 */
export function verifyWebhookRequest<C extends AnyCatalog | undefined = undefined>(
  input: RawWebhookRequest,
  options: WebhookReceiverOptions<C>,
): Promise<VerifiedWebhook<ReceivedEvent<C>>> {
  let opts: ResolvedVerifyOptions;
  try {
    opts = resolveVerifyOptions(options);
  } catch (error) {
    return Promise.reject(error);
  }
  return verifyResolved(input, opts, identity) as Promise<VerifiedWebhook<ReceivedEvent<C>>>;
}

const identity = <T>(value: T): T => value;

/**
 * {@link verifyWebhookRequest} with options resolved once, continuing with `then`: the promise form of
 * {@link verifyResolvedMaybeSync}. `then` sees only verified events; every failure, including one thrown by
 * `then`, rejects the returned promise.
 */
export function verifyResolved<R>(
  input: RawWebhookRequest,
  opts: ResolvedVerifyOptions,
  then: (verified: VerifiedWebhook<WebhookEvent>) => R | Promise<R>,
): Promise<R> {
  try {
    const result = verifyResolvedMaybeSync(input, opts, then);
    return result instanceof Promise ? result : Promise.resolve(result);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Verify -> parse -> validate -> `then` without a promise when every step is synchronous (the receiver's hot
 * path): on node:crypto the signature check is, and so are a catalog without validation and an in-memory dedupe
 * claim in `then`. The first asynchronous step (Web Crypto, an async validator, an async `then`) turns the rest
 * into one promise chain. Failures are thrown while still synchronous and reject the promise afterwards; callers
 * must handle both.
 */
export function verifyResolvedMaybeSync<R>(
  input: RawWebhookRequest,
  opts: ResolvedVerifyOptions,
  then: (verified: VerifiedWebhook<WebhookEvent>) => R | Promise<R>,
): R | Promise<R> {
  const verified = verifyMaybeSync(opts.scheme, {
    secrets: opts.secrets,
    maxBodyBytes: opts.maxBodyBytes,
    body: input.body,
    headers: input.headers,
    url: input.url,
    toleranceSeconds: opts.toleranceSeconds,
  });
  return verified instanceof Promise
    ? verified.then((v) => parseVerified(input, opts, v, then))
    : parseVerified(input, opts, verified, then);
}

/** Everything after the signature check: JSON, envelope, catalog, then `then`. */
function parseVerified<R>(
  input: RawWebhookRequest,
  opts: ResolvedVerifyOptions,
  verified: VerifyResult,
  then: (verified: VerifiedWebhook<WebhookEvent>) => R | Promise<R>,
): R | Promise<R> {
  // A Buffer/Uint8Array is used as is (no copy); only a bare ArrayBuffer needs a view.
  const body = input.body instanceof ArrayBuffer ? new Uint8Array(input.body) : input.body;
  const event = parseEnvelope(parseJson(body), opts.parseOptions);
  if (!opts.catalog) {
    return then(signedFields(event, verified, opts));
  }
  if (!opts.catalog.has(event.type)) {
    throw new EnvelopeError(
      'unknown_event_type',
      `Event type "${event.type}" is not in the catalog; update the catalog or stop subscribing to it.`,
    );
  }
  if (!opts.validate) {
    return then(signedFields(event, verified, opts));
  }
  // defineCatalog answers synchronously unless the schema validates asynchronously: then no promise is needed.
  const validation: ValidationResult | PromiseLike<ValidationResult> = opts.catalog.validate(
    event.type,
    event.data,
  );
  const validated = (result: ValidationResult): R | Promise<R> => {
    if (!result.ok) {
      throw new EnvelopeError(
        'invalid_data',
        `The data of "${event.type}" does not match the catalog schema.`,
        {
          issues: result.issues,
        },
      );
    }
    return then(signedFields({ ...event, data: result.value }, verified, opts));
  };
  return isThenable(validation) ? Promise.resolve(validation).then(validated) : validated(validation);
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Fills the event's id and timestamp from the signed headers when the body has none, and picks the dedupe id. */
function signedFields(
  parsed: WebhookEvent,
  verified: VerifyResult,
  opts: ResolvedVerifyOptions,
): VerifiedWebhook<WebhookEvent> {
  let event = parsed;
  const fillId = event.id === undefined && verified.id !== undefined;
  const fillTimestamp = event.timestamp === undefined && verified.timestamp !== undefined;
  if (fillId || fillTimestamp) {
    // One copy, not one per field: this runs on every request.
    event = {
      ...event,
      ...(fillId ? { id: verified.id } : {}),
      ...(fillTimestamp ? { timestamp: verified.timestamp } : {}),
    };
  }
  return { event, dedupeId: verified.id ?? (opts.signsBody ? event.id : undefined) };
}
