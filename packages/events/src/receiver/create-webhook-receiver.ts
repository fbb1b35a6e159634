import { isWebhookVerificationError, type VerificationErrorCode } from '@hookwire/signatures';
import { isEnvelopeError, type WebhookEvent } from '../index.js';
import { createMemoryDedupe, type DedupeClaim, type DedupeStore } from './dedupe.js';
import type { AnyCatalog, ReceivedEvent, ReceiverLogger, WebhookReceiverOptions } from './options.js';
import { DUPLICATE, problemResponse, RECEIVED, UNHANDLED, type WebhookResponse } from './problem.js';
import { isWebhookRouter, type WebhookEventHandler, type WebhookRouter } from './router.js';
import {
  type RawWebhookRequest,
  resolveVerifyOptions,
  type VerifiedWebhook,
  verifyResolvedMaybeSync,
} from './verify-webhook-request.js';

/** What `receive` decided: hand the event to the handler, or answer right away. */
export type ReceiveResult<E> =
  | {
      ok: true;
      event: E;
      /**
       * Settles the dedupe claim: `completed` after the handler succeeded (redeliveries then get 200 without
       * running it), `failed` when it threw (the sender's retry runs it again). Call exactly once.
       */
      settle(outcome: 'completed' | 'failed'): Promise<void>;
    }
  | { ok: false; response: WebhookResponse; error?: unknown };

/** A handler function or a {@link WebhookRouter}. */
export type WebhookHandler<E> = WebhookEventHandler<E> | WebhookRouter<E & WebhookEvent>;

/** The stateful receiver every adapter builds on: options resolved once, one dedupe store. */
export interface WebhookReceiver<E> {
  readonly maxBodyBytes: number;
  /** True when the scheme reads the request URL (`schemes.token({ query })`): adapters may skip building it otherwise. */
  readonly needsUrl: boolean;
  /** True when a dedupe store is configured, i.e. `settle` does something. */
  readonly dedupes: boolean;
  /** Verifies, parses, validates and claims the id. Never throws: failures come back as a response. */
  receive(input: RawWebhookRequest): Promise<ReceiveResult<E>>;
  /**
   * {@link WebhookReceiver.receive} without a promise when every step is synchronous: node:crypto with any scheme
   * but Ed25519, no catalog validation or a synchronous one (`defineCatalog` with JSON Schema, or Standard
   * Schemas that validate synchronously), and no dedupe store or a synchronous one (the in-memory default).
   * Otherwise it returns the promise `receive` would. For adapters that pay for every promise hop (Fastify's
   * body parser); the answers are the same, and only a dedupe store failure escapes, thrown when synchronous.
   */
  receiveMaybeSync(input: RawWebhookRequest): ReceiveResult<E> | Promise<ReceiveResult<E>>;
  /** Maps an error raised before the handler (e.g. while reading the body) to its problem response. */
  reject(error: unknown): WebhookResponse;
  /** Runs the handler for an accepted event, settles the claim, and returns the success response. */
  run(result: Extract<ReceiveResult<E>, { ok: true }>, handler: WebhookHandler<E>): Promise<WebhookResponse>;
  /** Logs a handler failure and returns the `500 handler_failed` problem. */
  handlerFailed(error: unknown): WebhookResponse;
}

/** Codes that are the receiver's own configuration problem, not the sender's: answered 500. */
const serverSide = new Set<VerificationErrorCode>(['invalid_secret', 'body_already_parsed']);

const titles: Record<string, string> = {
  missing_header: 'Missing signature headers',
  malformed_header: 'Malformed signature header',
  timestamp_too_old: 'Timestamp too old',
  timestamp_too_new: 'Timestamp too new',
  no_matching_signature: 'Invalid signature',
  invalid_secret: 'Receiver misconfigured',
  body_too_large: 'Body too large',
  body_already_parsed: 'Body already parsed',
  invalid_json: 'Invalid JSON',
  invalid_envelope: 'Invalid envelope',
  invalid_data: 'Invalid event data',
  unknown_event_type: 'Unknown event type',
};

/**
 * Maps any receive-side error to its `application/problem+json` answer: signature problems 401, body and
 * envelope problems 400, too large 413, our own misconfiguration (`invalid_secret`, `body_already_parsed`) 500.
 */
export function problemForError(error: unknown): WebhookResponse {
  if (isWebhookVerificationError(error)) {
    const status = error.code === 'body_too_large' ? 413 : serverSide.has(error.code) ? 500 : 401;
    return problemResponse(status, error.code, titles[error.code] ?? 'Verification failed', error.message);
  }
  if (isEnvelopeError(error)) {
    return problemResponse(
      400,
      error.code,
      titles[error.code] ?? 'Invalid event',
      error.message,
      error.issues ? { issues: error.issues } : undefined,
    );
  }
  if (isAborted(error)) {
    // The sender went away mid-body: nobody reads this answer, and it is not our failure to log.
    return problemResponse(
      400,
      'request_aborted',
      'Request aborted',
      'The request body was not fully received.',
    );
  }
  return problemResponse(500, 'internal_error', 'Internal error', 'The webhook could not be processed.');
}

function isAborted(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    error instanceof Error &&
    (error.name === 'AbortError' || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE')
  );
}

/** Boxes a dedupe-store failure so it passes the verification-error mapping of `receive` unchanged. */
class StoreFailure {
  readonly cause: unknown;
  constructor(cause: unknown) {
    this.cause = cause;
  }
}

const noSettle = async (): Promise<void> => undefined;

const defaultLogger: ReceiverLogger = {
  error(message, error) {
    console.error(message, error);
  },
};

/**
 * Builds the receiver the fetch handler and the framework adapters share. Options are checked here, so a
 * missing secret fails at startup, not on the first delivery.
 *
 * @throws {TypeError} when no secret is configured or `maxBodyBytes` is invalid.
 */
export function createWebhookReceiver<C extends AnyCatalog | undefined = undefined>(
  options: WebhookReceiverOptions<C>,
): WebhookReceiver<ReceivedEvent<C>> {
  type E = ReceivedEvent<C>;
  const resolved = resolveVerifyOptions(options);
  const dedupe: DedupeStore | undefined =
    options.dedupe === false ? undefined : (options.dedupe ?? createMemoryDedupe());
  const ttl = options.dedupeTtlSeconds ?? 86_400;
  const logger = options.logger ?? defaultLogger;

  const report = (error: unknown, response: WebhookResponse, code: string): void => {
    if (response.status >= 500) {
      logger.error(`Hookwire receiver: ${code}`, error);
    }
    options.onError?.(error, { status: response.status, code });
  };

  const reject = (error: unknown): WebhookResponse => {
    const response = problemForError(error);
    const code = (error as { code?: unknown }).code;
    report(error, response, typeof code === 'string' ? code : 'internal_error');
    return response;
  };

  const handlerFailed = (error: unknown): WebhookResponse => {
    const response = problemResponse(
      500,
      'handler_failed',
      'Handler failed',
      'The webhook handler threw; the delivery will be retried by the sender.',
    );
    report(error, response, 'handler_failed');
    return response;
  };

  /** A verification failure: answered right away, the handler never runs. */
  const rejected = (error: unknown): ReceiveResult<E> => ({ ok: false, response: reject(error), error });

  /** Claims the signed id (with dedupe on) for a verified event. */
  const claim = (verified: VerifiedWebhook<WebhookEvent>): ReceiveResult<E> | Promise<ReceiveResult<E>> => {
    const event = verified.event as E;
    const { dedupeId } = verified;
    if (!dedupe || dedupeId === undefined) {
      return { ok: true, event, settle: noSettle };
    }
    let state: DedupeClaim | PromiseLike<DedupeClaim>;
    try {
      state = dedupe.claim(dedupeId, ttl);
    } catch (error) {
      throw new StoreFailure(error);
    }
    return isThenable(state)
      ? Promise.resolve(state).then(
          (s) => claimed(event, dedupeId, s),
          (error: unknown) => {
            throw new StoreFailure(error);
          },
        )
      : claimed(event, dedupeId, state);
  };

  const claimed = (event: E, dedupeId: string, state: DedupeClaim): ReceiveResult<E> => {
    if (state === 'completed') {
      return { ok: false, response: { ...DUPLICATE, headers: { ...DUPLICATE.headers } } };
    }
    if (state === 'in_progress') {
      // Not 2xx: if the first delivery fails, the sender must still retry this message.
      return {
        ok: false,
        response: problemResponse(
          409,
          'duplicate_in_progress',
          'Duplicate in progress',
          `Message ${dedupeId} is being handled by another delivery; retry later.`,
          { headers: { 'retry-after': '5' } },
        ),
      };
    }
    let settled = false;
    return {
      ok: true,
      event,
      async settle(outcome) {
        if (settled) {
          return;
        }
        settled = true;
        if (outcome === 'completed') {
          await dedupe!.complete(dedupeId, ttl);
        } else {
          await dedupe!.release(dedupeId);
        }
      },
    };
  };

  /** A failure of any step: the sender's problem becomes a response, the store's own failure escapes. */
  const failedReceive = (error: unknown): ReceiveResult<E> => {
    if (error instanceof StoreFailure) {
      throw error.cause; // the store's own failure rejects `receive`: it is not the sender's fault
    }
    return rejected(error);
  };

  const receiveMaybeSync = (input: RawWebhookRequest): ReceiveResult<E> | Promise<ReceiveResult<E>> => {
    let result: ReceiveResult<E> | Promise<ReceiveResult<E>>;
    try {
      result = verifyResolvedMaybeSync(input, resolved, claim);
    } catch (error) {
      return failedReceive(error);
    }
    return result instanceof Promise ? result.catch(failedReceive) : result;
  };

  type Accepted = Extract<ReceiveResult<E>, { ok: true }>;

  const succeeded = async (result: Accepted, handled: boolean): Promise<WebhookResponse> => {
    if (result.settle !== noSettle) {
      // Without dedupe there is nothing to settle; skipping the call saves a promise per request.
      await result.settle('completed');
    }
    const response = handled ? RECEIVED : UNHANDLED;
    // Fresh headers object: adapters may add to it.
    return { status: response.status, headers: { ...response.headers }, body: response.body };
  };

  const failed = async (result: Accepted, error: unknown): Promise<never> => {
    await result.settle('failed');
    throw error;
  };

  return {
    maxBodyBytes: resolved.maxBodyBytes,
    needsUrl: resolved.scheme.kind === 'token',
    dedupes: dedupe !== undefined,
    reject,
    handlerFailed,
    receive(input) {
      try {
        const result = receiveMaybeSync(input);
        return result instanceof Promise ? result : Promise.resolve(result);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    receiveMaybeSync,
    run(result, handler) {
      let outcome: unknown;
      try {
        outcome = isWebhookRouter<E & WebhookEvent>(handler)
          ? handler.dispatch(result.event as WebhookEvent)
          : handler(result.event);
      } catch (error) {
        return failed(result, error);
      }
      if (isThenable(outcome)) {
        return Promise.resolve(outcome).then(
          (value) =>
            succeeded(result, isWebhookRouter(handler) ? (value as { handled: boolean }).handled : true),
          (error: unknown) => failed(result, error),
        );
      }
      // A synchronous handler: no promise hop before the answer.
      return succeeded(result, true);
    },
  };
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
