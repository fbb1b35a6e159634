import { type Dispatcher, Pool } from 'undici';
import { getOrCompute } from '../bounded-map.js';
import type { AttemptErrorKind } from '../store/store.js';
import { createGuardedConnector, type Resolver } from './ssrf.js';

/** What one HTTP attempt produced. */
export interface SendResult {
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  errorKind: AttemptErrorKind;
  error: string | null;
  responsePreview: string;
  /** The raw `Retry-After` header of a non-2xx answer, if any. */
  retryAfterHeader: string | undefined;
}

/** Thrown when an attempt was cut short by shutdown: the caller releases the lease instead of recording. */
export class SendAbortedError extends Error {
  override readonly name = 'SendAbortedError';
}

export const PREVIEW_LIMIT_BYTES = 1024;

export interface HttpSenderOptions {
  dev?: boolean;
  resolver?: Resolver;
  /** One deadline for connect, TLS, headers and the preview read. */
  timeoutMs: number;
  /** Sockets per origin. */
  connectionsPerOrigin?: number;
  now?: () => Date;
}

const TLS_CODES = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL|HOSTNAME_MISMATCH)/;
const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);

/** Cuts a UTF-8 decoding of at most `limit` bytes so the result is itself at most `limit` bytes. */
export function utf8Preview(bytes: Uint8Array, limit = PREVIEW_LIMIT_BYTES): string {
  // stream: true holds back a truncated trailing character instead of emitting U+FFFD for it.
  let text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, limit), { stream: true });
  while (Buffer.byteLength(text, 'utf8') > limit) {
    text = text.slice(0, -1);
  }
  return text;
}

interface Target {
  origin: string;
  path: string;
}

/** Parsed endpoint URLs kept; the map starts over when full (endpoint URLs rarely change). */
const MAX_CACHED_TARGETS = 10_000;

function targetOf(url: string): Target {
  const parsed = new URL(url);
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

/** Why an attempt's request was cut short on purpose (the preview is complete, or the body is encoded). */
class ResponseRead extends Error {}

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      return code;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Sends webhook requests through one undici `Pool` per origin, every socket opened by the SSRF-guarded
 * connector. Redirects are never followed (Pool.request has no redirect handling: a 3xx is an answer).
 */
export class HttpSender {
  private readonly pools = new Map<string, Pool>();
  private readonly targets = new Map<string, Target>();
  private readonly options: HttpSenderOptions;
  private readonly connector: ReturnType<typeof createGuardedConnector>;

  constructor(options: HttpSenderOptions) {
    this.options = options;
    this.connector = createGuardedConnector({
      dev: options.dev,
      resolver: options.resolver,
      connectTimeoutMs: options.timeoutMs,
    });
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connect: this.connector,
        connections: this.options.connectionsPerOrigin ?? 16,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
        // Idle sockets go back quickly: receivers are many and mostly idle.
        keepAliveTimeout: 4000,
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /**
   * POSTs `body` to `url`. Never throws for receiver-side problems (they become `errorKind`); throws
   * {@link SendAbortedError} only when `shutdown` fired.
   *
   * Drives undici's handler API (`dispatch`) instead of `request()`: no response stream, async iterator or
   * AbortSignal per attempt. Measured here on one 204 receiver: ~26 µs of CPU per request instead of ~48 µs.
   */
  send(
    url: string,
    body: string,
    headers: Record<string, string>,
    shutdown?: AbortSignal,
  ): Promise<SendResult> {
    if (shutdown?.aborted) {
      return Promise.reject(new SendAbortedError('attempt aborted by shutdown'));
    }
    // Parsed once per endpoint URL (endpoints are few, attempts many).
    const target = getOrCompute(this.targets, url, MAX_CACHED_TARGETS, targetOf);
    return new Promise<SendResult>((resolve, reject) => {
      const attempt = new Attempt(this.options, resolve, reject, shutdown);
      attempt.start(this.pool(target.origin), target.path, body, headers);
    });
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy()));
  }
}

/**
 * One attempt as an undici dispatch handler: one deadline timer, the status and headers, at most
 * PREVIEW_LIMIT_BYTES of the body. Settles exactly once.
 */
class Attempt implements Dispatcher.DispatchHandler {
  private readonly startedAt: Date;
  private readonly t0 = performance.now();
  private readonly timer: NodeJS.Timeout;
  private controller: Dispatcher.DispatchController | null = null;
  private settled = false;
  private timedOut = false;
  private statusCode: number | null = null;
  private responseHeaders: Record<string, string | string[] | undefined> = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private readonly onShutdown: (() => void) | null = null;
  private readonly options: HttpSenderOptions;
  private readonly resolve: (result: SendResult) => void;
  private readonly reject: (err: Error) => void;
  private readonly shutdown: AbortSignal | undefined;

  constructor(
    options: HttpSenderOptions,
    resolve: (result: SendResult) => void,
    reject: (err: Error) => void,
    shutdown: AbortSignal | undefined,
  ) {
    this.options = options;
    this.resolve = resolve;
    this.reject = reject;
    this.shutdown = shutdown;
    this.startedAt = (options.now ?? (() => new Date()))();
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.cancel(new Error('attempt deadline'));
    }, options.timeoutMs);
    if (shutdown) {
      this.onShutdown = () => this.cancel(new Error('shutdown'));
      shutdown.addEventListener('abort', this.onShutdown, { once: true });
    }
  }

  start(pool: Pool, path: string, body: string, headers: Record<string, string>): void {
    try {
      pool.dispatch({ method: 'POST', path, headers, body }, this);
    } catch (err) {
      this.fail(err);
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.settled) {
      // The deadline or shutdown came while the request waited for a socket: never send it late.
      controller.abort(new ResponseRead('attempt already settled'));
    }
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) {
      return; // 1xx informational: the real answer follows
    }
    this.statusCode = statusCode;
    this.responseHeaders = headers;
    const encoding = String(headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') {
      // We asked for identity; an encoded reply is kept opaque, never inflated (decompression bombs).
      this.succeed(`[${encoding}-encoded response not decoded]`);
      controller.abort(new ResponseRead('encoded body not read'));
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) {
      return;
    }
    const room = PREVIEW_LIMIT_BYTES - this.size;
    this.chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    this.size += Math.min(chunk.length, room);
    if (this.size >= PREVIEW_LIMIT_BYTES) {
      // The preview is full: the rest is never read (the socket is closed instead of drained).
      this.succeed(this.preview());
      controller.abort(new ResponseRead('preview complete'));
    }
  }

  onResponseEnd(): void {
    this.succeed(this.preview());
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.fail(err);
  }

  private preview(): string {
    return this.size === 0 ? '' : utf8Preview(Buffer.concat(this.chunks, this.size));
  }

  private cancel(reason: Error): void {
    if (this.controller) {
      this.controller.abort(reason); // onResponseError settles
    } else {
      this.fail(reason); // still waiting for a socket: onRequestStart aborts it when one comes
    }
  }

  private result(partial: Partial<SendResult>): SendResult {
    return {
      startedAt: this.startedAt,
      durationMs: Math.round(performance.now() - this.t0),
      statusCode: this.statusCode,
      errorKind: 'none',
      error: null,
      responsePreview: '',
      retryAfterHeader: undefined,
      ...partial,
    };
  }

  private finish(): boolean {
    if (this.settled) {
      return false;
    }
    this.settled = true;
    clearTimeout(this.timer);
    if (this.onShutdown) {
      this.shutdown?.removeEventListener('abort', this.onShutdown);
    }
    return true;
  }

  private succeed(preview: string): void {
    if (!this.finish()) {
      return;
    }
    const statusCode = this.statusCode ?? 0;
    const headers = this.responseHeaders;
    if (statusCode >= 200 && statusCode < 300) {
      this.resolve(this.result({ responsePreview: preview }));
      return;
    }
    const retryAfter = headers['retry-after'];
    const redirect = statusCode >= 300 && statusCode < 400;
    const location = headers.location;
    this.resolve(
      this.result({
        responsePreview: preview,
        errorKind: redirect ? 'redirect' : 'http_status',
        error: redirect
          ? `HTTP ${statusCode} redirect not followed${location ? ` (Location: ${String(location).slice(0, 200)})` : ''}: update the endpoint URL`
          : `HTTP ${statusCode}`,
        retryAfterHeader: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      }),
    );
  }

  private fail(err: unknown): void {
    if (!this.finish()) {
      return;
    }
    if (this.shutdown?.aborted && !this.timedOut) {
      this.reject(new SendAbortedError('attempt aborted by shutdown', { cause: err }));
      return;
    }
    const code = errorCode(err);
    const message = err instanceof Error ? err.message : String(err);
    const timeoutMs = this.options.timeoutMs;
    if (code === 'BLOCKED_ADDRESS') {
      this.resolve(this.result({ errorKind: 'blocked', error: message }));
    } else if (this.timedOut || (code !== undefined && TIMEOUT_CODES.has(code))) {
      this.resolve(this.result({ errorKind: 'timeout', error: `no complete answer within ${timeoutMs} ms` }));
    } else if (code !== undefined && TLS_CODES.test(code)) {
      this.resolve(this.result({ errorKind: 'tls', error: `${code}: ${message}` }));
    } else {
      this.resolve(this.result({ errorKind: 'network', error: code ? `${code}: ${message}` : message }));
    }
  }
}
