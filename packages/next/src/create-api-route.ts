import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AnyCatalog,
  type ReceivedEvent,
  readNodeBody,
  type WebhookReceiverOptions,
  type WebhookResponse,
} from '@hookwire/events/receiver';
import { bindRequest, lazyReceiver, methodNotAllowed, type NextWebhookHandler } from './create-receiver.js';

/** Handler of a Pages API route: gets the typed event and the Node request (Next's `NextApiRequest`). */
export type ApiRouteWebhookHandler<C extends AnyCatalog | undefined = undefined> = NextWebhookHandler<
  ReceivedEvent<C>,
  IncomingMessage
>;

/** What the user must change when Next's body parser consumed the body before us (STYLE #11). */
const BODY_PARSER_FIX =
  'turn off the Next.js body parser for this API route with `export const config = { api: { bodyParser: false } }`';

/**
 * Creates a Pages Router API route (`pages/api/*.ts`) that verifies each webhook and hands the typed event
 * to `handler`. Export it as `default`, and turn Next's body parser off so the raw bytes can be verified:
 * with the parser on, the route answers 500 `body_already_parsed` naming that fix and never runs `handler`.
 * The body is read with a streaming `maxBodyBytes` limit (413 above it); other statuses as for
 * {@link createRouteHandler}.
 *
 * @example
 * ```ts
 * // pages/api/webhooks.ts
 * import { links } from '@hookwire/events/catalogs/links';
 * import { createApiRoute } from '@hookwire/next/pages';
 *
 * export const config = { api: { bodyParser: false } };
 * export default createApiRoute({ secret: process.env.HOOKWIRE_WEBHOOK_SECRET!, catalog: links }, (event) => {
 *   console.log(event.type, event.data);
 * });
 * ```
 * @throws {TypeError} when the route module loads without a secret (deferred to the first request during
 * `next build`).
 */
export function createApiRoute<C extends AnyCatalog | undefined = undefined>(
  options: WebhookReceiverOptions<C>,
  handler: ApiRouteWebhookHandler<C>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const receiver = lazyReceiver(options);
  return async function hookwireApiRoute(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const core = receiver();
    if (req.method !== 'POST') {
      return send(res, methodNotAllowed());
    }
    let body: Uint8Array;
    try {
      body = await readNodeBody(req, core.maxBodyBytes, BODY_PARSER_FIX);
    } catch (error) {
      return send(res, core.reject(error));
    }
    const result = await core.receive({ body, headers: req.headers, url: requestUrl(req) });
    if (!result.ok) {
      return send(res, result.response);
    }
    try {
      send(res, await core.run(result, bindRequest(handler, req)));
    } catch (error) {
      send(res, core.handlerFailed(error));
    }
  };
}

/** Alias of {@link createApiRoute}. */
export const pagesWebhookHandler = createApiRoute;

function send(res: ServerResponse, response: WebhookResponse): void {
  res.writeHead(response.status, response.headers).end(response.body);
}

/** The request URL; token schemes read its query string, the origin only has to parse. */
function requestUrl(req: IncomingMessage): string {
  const path = req.url ?? '/';
  try {
    return new URL(path, `http://${req.headers.host ?? 'localhost'}`).href;
  } catch {
    // A Host header that is not a valid authority must not turn into a 500.
    return new URL(path, 'http://localhost').href;
  }
}
