import { WebhookVerificationError } from '@hookwire/signatures';

/** Default body limit: 1 MiB, the same as Fastify's `bodyLimit` default (HARDENING #18). */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;

function tooLarge(maxBytes: number): WebhookVerificationError {
  return new WebhookVerificationError(
    'body_too_large',
    `The request body is larger than maxBodyBytes (${maxBytes} bytes). Raise maxBodyBytes if the sender's events are legitimately this big.`,
  );
}

function declaredLength(value: string | null | undefined): number | undefined {
  if (value == null || !/^\d+$/.test(value)) {
    return undefined;
  }
  return Number(value);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) {
    return chunks[0];
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * Reads a fetch `Request` body as raw bytes, stopping as soon as `maxBytes` is exceeded so a huge body
 * costs neither memory nor an HMAC (HARDENING #18). Never decodes: the signature covers the exact bytes,
 * including a BOM or invalid UTF-8 (#16, #17).
 *
 * @throws {WebhookVerificationError} `body_too_large`, or `body_already_parsed` when something already
 * consumed the body (e.g. `await request.json()` before the handler).
 */
export async function readRequestBody(
  request: Request,
  maxBytes = DEFAULT_MAX_BODY_BYTES,
): Promise<Uint8Array> {
  if (request.bodyUsed) {
    throw new WebhookVerificationError(
      'body_already_parsed',
      'The request body was already read before verification: pass the untouched Request (do not call request.json() or request.text() first), or use verifyWebhookRequest() with the raw bytes.',
    );
  }
  const length = declaredLength(request.headers.get('content-length'));
  if (length !== undefined && length > maxBytes) {
    throw tooLarge(maxBytes);
  }
  if (!request.body) {
    return new Uint8Array(0);
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

/**
 * The parts of a Node `IncomingMessage` the reader uses, typed structurally so this module has no
 * `node:` import and the package still runs on edge runtimes.
 */
export interface NodeRequestLike {
  headers: Record<string, string | string[] | undefined>;
  readableEnded?: boolean;
  /** Set by a body parser that ran before us (Express, Next.js pages). */
  body?: unknown;
  /** Set by the `rawBody` helper of `@hookwire/express` (or any parser that keeps the bytes). */
  rawBody?: unknown;
  on(event: 'data', listener: (chunk: Uint8Array | string) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  resume?(): unknown;
  destroy?(error?: Error): unknown;
}

const encoder = new TextEncoder();

function asBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) {
    return value;
  }
  if (value instanceof ArrayBuffer) {
    return new Uint8Array(value);
  }
  return undefined;
}

/**
 * Reads a Node `IncomingMessage` body as raw bytes with a streaming limit. Bytes kept by an earlier parser
 * (`req.rawBody`, or a Buffer in `req.body` from `express.raw()`) are used as they are. A body that an
 * earlier JSON/text parser consumed cannot be verified any more, so this throws `body_already_parsed`
 * with `fix` in the message.
 *
 * @throws {WebhookVerificationError} `body_too_large` or `body_already_parsed`.
 */
export function readNodeBody(
  req: NodeRequestLike,
  maxBytes = DEFAULT_MAX_BODY_BYTES,
  fix = 'mount the webhook route before any body parser, or keep the raw bytes in req.rawBody',
): Promise<Uint8Array> {
  const kept = asBytes(req.rawBody) ?? asBytes(req.body);
  if (kept) {
    return kept.byteLength > maxBytes ? Promise.reject(tooLarge(maxBytes)) : Promise.resolve(kept);
  }
  // `readableEnded` is the reliable signal: a parser that consumed the stream saw its 'end'. A `req.body`
  // object alone is not (Express 4's body-parser sets `{}` even when it skipped the request).
  if (req.readableEnded) {
    return Promise.reject(
      new WebhookVerificationError(
        'body_already_parsed',
        `The body was parsed before verification, so its raw bytes are gone: ${fix}.`,
      ),
    );
  }
  const header = req.headers['content-length'];
  const length = declaredLength(typeof header === 'string' ? header : undefined);
  if (length !== undefined && length > maxBytes) {
    // Drain without buffering so the connection can be reused for the 413 answer.
    req.resume?.();
    return Promise.reject(tooLarge(maxBytes));
  }
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const cleanup = (): void => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onError);
    };
    const onData = (chunk: Uint8Array | string): void => {
      const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
      total += bytes.byteLength;
      if (total > maxBytes) {
        cleanup();
        req.resume?.();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(concat(chunks, total));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
