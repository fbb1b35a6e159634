import {
  type AnyCatalog,
  type ReceivedEvent,
  readRequestBody,
  toFetchResponse,
  type WebhookReceiverOptions,
} from '@hookwire/events/receiver';
import { bindRequest, lazyReceiver, methodNotAllowed, type NextWebhookHandler } from './create-receiver.js';

/** Handler of an App Router route: gets the typed event and the incoming `Request`. */
export type RouteWebhookHandler<C extends AnyCatalog | undefined = undefined> = NextWebhookHandler<
  ReceivedEvent<C>,
  Request
>;

/**
 * Creates an App Router route handler that verifies each webhook and hands the typed event to `handler`.
 * Export it as `POST`. It only uses Web APIs (`await request.arrayBuffer()`-style reading through the body
 * stream, Web Crypto where `node:crypto` is absent), so it runs on the Node.js and the Edge runtime.
 *
 * Failures never reach `handler`: 401 for signature problems, 400 for bad JSON/envelope/data, 413 above
 * `maxBodyBytes`, 500 when the handler throws (the sender retries), each as `application/problem+json`
 * with a stable `code`. A redelivered id that was already handled is answered 200 without running it.
 *
 * @example
 * ```ts
 * // app/api/webhooks/route.ts
 * import { links } from '@hookwire/events/catalogs/links';
 * import { createRouteHandler } from '@hookwire/next';
 *
 * export const POST = createRouteHandler(
 *   { secret: process.env.HOOKWIRE_WEBHOOK_SECRET!, catalog: links },
 *   async (event) => { if (event.type === 'link.click') { console.log(event.data); } },
 * );
 * ```
 * @throws {TypeError} when the route module loads without a secret (deferred to the first request during
 * `next build`, where runtime secrets are usually absent).
 */
export function createRouteHandler<C extends AnyCatalog | undefined = undefined>(
  options: WebhookReceiverOptions<C>,
  handler: RouteWebhookHandler<C>,
): (request: Request) => Promise<Response> {
  const receiver = lazyReceiver(options);
  return async function hookwireRouteHandler(request: Request): Promise<Response> {
    const core = receiver();
    if (request.method !== 'POST') {
      return toFetchResponse(methodNotAllowed());
    }
    let body: Uint8Array;
    try {
      body = await readRequestBody(request, core.maxBodyBytes);
    } catch (error) {
      return toFetchResponse(core.reject(error));
    }
    const result = await core.receive({ body, headers: request.headers, url: request.url });
    if (!result.ok) {
      return toFetchResponse(result.response);
    }
    try {
      return toFetchResponse(await core.run(result, bindRequest(handler, request)));
    } catch (error) {
      return toFetchResponse(core.handlerFailed(error));
    }
  };
}

/**
 * Alias of {@link createRouteHandler}, named for the one-line route file:
 * `export const POST = webhookHandler({ secret, catalog }, handler)`.
 */
export const webhookHandler = createRouteHandler;
