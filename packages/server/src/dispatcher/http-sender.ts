import { Pool } from 'undici';
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
   */
  async send(
    url: string,
    body: string,
    headers: Record<string, string>,
    shutdown?: AbortSignal,
  ): Promise<SendResult> {
    const now = this.options.now ?? (() => new Date());
    const startedAt = now();
    const t0 = performance.now();
    // One controller and one timer per attempt: AbortSignal.timeout + AbortSignal.any cost ~2 % of the
    // server's CPU under load (bench/delivery profile) and keep their signals alive until GC.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    const onShutdown = () => controller.abort();
    if (shutdown?.aborted) {
      controller.abort();
    } else {
      shutdown?.addEventListener('abort', onShutdown, { once: true });
    }
    const signal = controller.signal;
    const target = new URL(url);
    let statusCode: number | null = null;
    const result = (partial: Partial<SendResult>): SendResult => ({
      startedAt,
      durationMs: Math.round(performance.now() - t0),
      statusCode,
      errorKind: 'none',
      error: null,
      responsePreview: '',
      retryAfterHeader: undefined,
      ...partial,
    });
    try {
      const res = await this.pool(target.origin).request({
        method: 'POST',
        path: `${target.pathname}${target.search}`,
        headers,
        body,
        signal,
      });
      statusCode = res.statusCode;
      const encoding = String(res.headers['content-encoding'] ?? 'identity').toLowerCase();
      let preview: string;
      if (encoding !== 'identity') {
        // We asked for identity; an encoded reply is kept opaque, never inflated (decompression bombs).
        // Destroying an unread undici body emits an AbortError; nobody reads it, so swallow it here instead
        // of letting it surface as an uncaught exception.
        res.body.on('error', () => {});
        res.body.destroy();
        preview = `[${encoding}-encoded response not decoded]`;
      } else {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body) {
          const buf = chunk as Buffer;
          chunks.push(buf.subarray(0, PREVIEW_LIMIT_BYTES - size));
          size += Math.min(buf.length, PREVIEW_LIMIT_BYTES - size);
          if (size >= PREVIEW_LIMIT_BYTES) {
            break; // leaving the loop destroys the stream: the rest is never read
          }
        }
        res.body.destroy();
        preview = utf8Preview(Buffer.concat(chunks));
      }
      const retryAfter = res.headers['retry-after'];
      const retryAfterHeader = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
      if (statusCode >= 200 && statusCode < 300) {
        return result({ responsePreview: preview });
      }
      const redirect = statusCode >= 300 && statusCode < 400;
      const location = res.headers.location;
      return result({
        responsePreview: preview,
        errorKind: redirect ? 'redirect' : 'http_status',
        error: redirect
          ? `HTTP ${statusCode} redirect not followed${location ? ` (Location: ${String(location).slice(0, 200)})` : ''}: update the endpoint URL`
          : `HTTP ${statusCode}`,
        retryAfterHeader,
      });
    } catch (err) {
      if (shutdown?.aborted && !timedOut) {
        throw new SendAbortedError('attempt aborted by shutdown', { cause: err });
      }
      const code = errorCode(err);
      const message = err instanceof Error ? err.message : String(err);
      if (code === 'BLOCKED_ADDRESS') {
        return result({ errorKind: 'blocked', error: message });
      }
      if (timedOut || (code !== undefined && TIMEOUT_CODES.has(code))) {
        return result({
          errorKind: 'timeout',
          error: `no complete answer within ${this.options.timeoutMs} ms`,
        });
      }
      if (code !== undefined && TLS_CODES.test(code)) {
        return result({ errorKind: 'tls', error: `${code}: ${message}` });
      }
      return result({ errorKind: 'network', error: code ? `${code}: ${message}` : message });
    } finally {
      clearTimeout(timer);
      shutdown?.removeEventListener('abort', onShutdown);
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy()));
  }
}
