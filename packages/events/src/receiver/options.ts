import type { Scheme, Secret } from '@hookwire/signatures';
import type { Catalog, CatalogEvent, ParseEnvelopeOptions, WebhookEvent } from '../index.js';
import type { DedupeStore } from './dedupe.js';

/** Any catalog, whatever its event map. */
// biome-ignore lint/suspicious/noExplicitAny: a bound only; `has()`'s type predicate makes Catalog<M> invariant in M, so no narrower map type accepts every catalog.
export type AnyCatalog = Catalog<any>;

/** The event type a receiver hands out: the catalog's discriminated union, or a plain `WebhookEvent`. */
export type ReceivedEvent<C extends AnyCatalog | undefined> = [C] extends [AnyCatalog]
  ? CatalogEvent<C>
  : WebhookEvent;

/** Where the receiver reports failures it answers with 5xx (and, through `onError`, every rejection). */
export interface ReceiverLogger {
  error(message: string, error?: unknown): void;
}

/** Options shared by the fetch core and every adapter. */
export interface WebhookReceiverOptions<C extends AnyCatalog | undefined = undefined> {
  /** The endpoint's signing secret (`whsec_...` for the standard scheme). */
  secret?: Secret;
  /** Several secrets during a rotation; a signature made with any of them is accepted. */
  secrets?: readonly Secret[];
  /** How requests are signed. Default `schemes.standard()`. */
  scheme?: Scheme;
  /** Event catalog: types the event and validates `data` (unless `validate: false`). */
  catalog?: C;
  /** Allowed clock skew in seconds, both directions. Default 300. */
  toleranceSeconds?: number;
  /**
   * Drops redelivered messages (same signed id). Default: an in-memory store
   * ({@link createMemoryDedupe}); `false` turns it off.
   */
  dedupe?: DedupeStore | false;
  /** How long a handled id is remembered, in seconds. Default 86 400 (24 h, beyond typical retry horizons). */
  dedupeTtlSeconds?: number;
  /** Bodies above this many bytes are answered 413 before any HMAC. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Custom envelope parser, passed to `parseEnvelope` (return `undefined` to fall back to the built-in shapes). */
  parse?: ParseEnvelopeOptions['parse'];
  /** Validate `data` against the catalog. Default `true` when a catalog is given. */
  validate?: boolean;
  /** Called for every request that is rejected or whose handler failed (metrics, alerts). */
  onError?: (error: unknown, response: { status: number; code: string }) => void;
  /** Where 5xx causes are logged. Default `console`. */
  logger?: ReceiverLogger;
}
