import { HookwireNetworkError, parseRetryAfter } from './errors.js';

/** Retry policy. Only idempotent requests (GET, HEAD, PUT, DELETE, OPTIONS) and requests carrying an
 * `Idempotency-Key` header (publishes) are ever retried. */
export interface RetryOptions {
  /** Retries after the first attempt. Default 2; 0 disables retries. */
  max?: number;
  /** First backoff delay; doubles per retry, with jitter. Default 250 ms. */
  baseDelayMs?: number;
  /** Largest backoff delay. Default 8 000 ms. */
  maxDelayMs?: number;
  /**
   * Longest `Retry-After` the client waits for. A longer one is not waited out: the 429/503 is thrown at once,
   * with `retryAfterMs` set. Default 60 000 ms.
   */
  maxRetryAfterMs?: number;
  /** Called before each retry: for logging and metrics. */
  onRetry?: (info: RetryInfo) => void;
}

/** What {@link RetryOptions.onRetry} receives. */
export interface RetryInfo {
  /** 1 for the first retry. */
  retry: number;
  /** How long the client waits before sending again. */
  delayMs: number;
  /** The status that caused the retry, or the network error code. */
  reason: number | 'NETWORK_ERROR' | 'TIMEOUT';
  method: string;
  url: string;
}

/** Options of {@link createResilientFetch}. */
export interface ResilientFetchOptions {
  fetch: (input: Request) => Promise<Response>;
  /** Deadline per attempt, covering the response body. Default 30 000 ms; 0 disables it. */
  timeoutMs: number;
  retry: Required<Omit<RetryOptions, 'onRetry'>> & Pick<RetryOptions, 'onRetry'>;
  /** Source of randomness for jitter, injectable for tests. */
  random?: () => number;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const RETRYABLE_STATUS = (status: number): boolean => status === 429 || (status >= 500 && status <= 599);
// Statuses that forbid a body (Fetch spec "null body status").
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

class TimeoutReason extends Error {
  override readonly name = 'TimeoutError';
}

const sleep = (ms: number, signal: AbortSignal | null): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Wraps `fetch` with a per-attempt deadline and retries with exponential backoff and jitter.
 *
 * - The deadline covers the whole exchange, body included: the body is read inside the deadline and handed on
 *   as a buffered `Response`, so a server that sends headers and then stalls cannot hang the caller.
 * - Retries: 429 and 5xx answers and network errors/timeouts, for idempotent methods and requests with an
 *   `Idempotency-Key` (the same key goes out on every attempt, so the server applies the request once).
 *   `Retry-After` (seconds or HTTP date) is honoured up to `maxRetryAfterMs`.
 * - The caller's `AbortSignal` (on the `Request`) cancels at once and is never retried.
 *
 * @throws {HookwireNetworkError} `NETWORK_ERROR` or `TIMEOUT` once the attempts are spent.
 */
export function createResilientFetch(options: ResilientFetchOptions): (input: Request) => Promise<Response> {
  const random = options.random ?? Math.random;
  const { retry } = options;

  return async function resilientFetch(request: Request): Promise<Response> {
    const method = request.method.toUpperCase();
    const retryable = IDEMPOTENT_METHODS.has(method) || request.headers.has('idempotency-key');
    const maxAttempts = retryable ? Math.max(0, retry.max) + 1 : 1;
    const userSignal = request.signal;

    for (let attempt = 1; ; attempt++) {
      const isLast = attempt >= maxAttempts;
      let outcome: { response: Response } | { error: HookwireNetworkError };
      try {
        outcome = { response: await attemptOnce(request, userSignal, isLast) };
      } catch (error) {
        if (userSignal.aborted) {
          throw userSignal.reason;
        }
        if (error instanceof HookwireNetworkError) {
          outcome = { error };
        } else {
          throw error;
        }
      }

      if (isLast) {
        if ('error' in outcome) {
          throw outcome.error;
        }
        return outcome.response;
      }

      let delayMs = backoff(attempt);
      let reason: RetryInfo['reason'];
      if ('response' in outcome) {
        const { response } = outcome;
        if (!RETRYABLE_STATUS(response.status)) {
          return response;
        }
        reason = response.status;
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        if (retryAfterMs !== undefined) {
          if (retryAfterMs > retry.maxRetryAfterMs) {
            return response; // The caller gets the 429/503 with `retryAfterMs` rather than a long hidden wait.
          }
          delayMs = Math.max(delayMs, retryAfterMs);
        }
      } else {
        reason = outcome.error.code;
      }
      retry.onRetry?.({ retry: attempt, delayMs, reason, method, url: request.url });
      await sleep(delayMs, userSignal);
    }
  };

  function backoff(attempt: number): number {
    const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
    // "Equal jitter": at least half the ceiling, so retries never bunch up at zero.
    return Math.round(ceiling / 2 + random() * (ceiling / 2));
  }

  async function attemptOnce(request: Request, userSignal: AbortSignal, isLast: boolean): Promise<Response> {
    if (userSignal.aborted) {
      throw userSignal.reason; // Already cancelled: send nothing (no 'abort' event will fire for us).
    }
    const controller = new AbortController();
    const onUserAbort = (): void => controller.abort(userSignal.reason);
    userSignal.addEventListener('abort', onUserAbort, { once: true });
    const timer =
      options.timeoutMs > 0
        ? setTimeout(
            () => controller.abort(new TimeoutReason(`no complete answer within ${options.timeoutMs} ms`)),
            options.timeoutMs,
          )
        : undefined;
    const method = request.method.toUpperCase();
    try {
      // Each attempt sends a fresh copy; the original stays unread so later attempts can copy it again.
      const attemptRequest = new Request(isLast ? request : request.clone(), { signal: controller.signal });
      const response = await options.fetch(attemptRequest);
      const body = NULL_BODY_STATUS.has(response.status) ? null : await response.arrayBuffer();
      const buffered = new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
      // `Response.url` is read-only and empty on constructed responses; keep the real one for error messages.
      Object.defineProperty(buffered, 'url', { value: response.url || request.url });
      return buffered;
    } catch (error) {
      if (userSignal.aborted) {
        throw userSignal.reason;
      }
      if (controller.signal.aborted && controller.signal.reason instanceof TimeoutReason) {
        throw new HookwireNetworkError(
          'TIMEOUT',
          {
            method,
            url: request.url,
            message: `${method} ${request.url}: ${controller.signal.reason.message}`,
          },
          { cause: error },
        );
      }
      const detail =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
      throw new HookwireNetworkError(
        'NETWORK_ERROR',
        { method, url: request.url, message: `${method} ${request.url} failed: ${detail}` },
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
      userSignal.removeEventListener('abort', onUserAbort);
    }
  }
}
