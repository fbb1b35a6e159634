import { createWebhookReceiver, type WebhookHandler } from './create-webhook-receiver.js';
import type { AnyCatalog, ReceivedEvent, WebhookReceiverOptions } from './options.js';
import { problemResponse, toFetchResponse } from './problem.js';
import { readRequestBody } from './read-body.js';

/** Options of {@link createWebhookHandler}: the receiver options plus what to do with each event. */
export interface WebhookHandlerOptions<C extends AnyCatalog | undefined = undefined>
  extends WebhookReceiverOptions<C> {
  /** A function, or a router from `createRouter(catalog)`. Runs only for verified, valid, new events. */
  handler: WebhookHandler<ReceivedEvent<C>>;
}

/**
 * The fetch-based receiver: `(request: Request) => Promise<Response>`, for the Next.js App Router, Bun,
 * Deno, Cloudflare Workers, Hono... Every check runs before your handler; failures are answered with
 * `application/problem+json` and never reach it.
 *
 * | outcome | status | code |
 * | --- | --- | --- |
 * | handled / no route for the type | 200 | `{ "received": true }` / `{ "received": true, "handled": false }` |
 * | redelivered id already handled | 200 | `{ "received": true, "duplicate": true }` |
 * | same id still being handled | 409 | `duplicate_in_progress` |
 * | bad signature or headers | 401 | `missing_header`, `malformed_header`, `timestamp_too_old`, ... |
 * | bad JSON, envelope or data | 400 | `invalid_json`, `invalid_envelope`, `invalid_data`, `unknown_event_type` |
 * | body above `maxBodyBytes` | 413 | `body_too_large` |
 * | body read before us, bad secret, handler threw | 500 | `body_already_parsed`, `invalid_secret`, `handler_failed` |
 *
 * @example
 * ```ts
 * import { createRouter, createWebhookHandler } from '@hookwire/events/receiver';
 * import { links } from '@hookwire/events/catalogs/links';
 *
 * const router = createRouter(links).on('link.click', (event) => console.log(event.data));
 * export const POST = createWebhookHandler({ secret: process.env.WEBHOOK_SECRET!, catalog: links, handler: router });
 * ```
 * @throws {TypeError} at creation when no secret is configured.
 */
export function createWebhookHandler<C extends AnyCatalog | undefined = undefined>(
  options: WebhookHandlerOptions<C>,
): (request: Request) => Promise<Response> {
  const receiver = createWebhookReceiver(options);
  const { handler } = options;
  return async function hookwireWebhookHandler(request: Request): Promise<Response> {
    if (request.method !== 'POST') {
      return toFetchResponse(
        problemResponse(
          405,
          'method_not_allowed',
          'Method not allowed',
          'Webhooks are delivered with POST.',
          {
            headers: { allow: 'POST' },
          },
        ),
      );
    }
    let body: Uint8Array;
    try {
      body = await readRequestBody(request, receiver.maxBodyBytes);
    } catch (error) {
      return toFetchResponse(receiver.reject(error));
    }
    const result = await receiver.receive({ body, headers: request.headers, url: request.url });
    if (!result.ok) {
      return toFetchResponse(result.response);
    }
    try {
      return toFetchResponse(await receiver.run(result, handler));
    } catch (error) {
      return toFetchResponse(receiver.handlerFailed(error));
    }
  };
}
