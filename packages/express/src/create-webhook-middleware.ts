import type { WebhookEvent } from '@hookwire/events';
import {
  type AnyCatalog,
  createWebhookReceiver,
  type NodeRequestLike,
  type ReceivedEvent,
  readNodeBody,
  type WebhookHandler,
  type WebhookReceiverOptions,
  type WebhookResponse,
} from '@hookwire/events/receiver';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import './augment.js';

/** Options of {@link createWebhookMiddleware}. */
export interface ExpressWebhookOptions<C extends AnyCatalog | undefined = undefined>
  extends WebhookReceiverOptions<C> {
  /**
   * Answer the request here with this function or router instead of calling `next()`. A handler that
   * throws is passed to `next(error)`, Express's error path.
   */
  handler?: WebhookHandler<ReceivedEvent<C>>;
}

/** The middleware, plus a typed accessor for the event it put on `req.webhook`. */
export interface WebhookMiddleware<C extends AnyCatalog | undefined = undefined> extends RequestHandler {
  /**
   * The verified event of this request, typed by the catalog (`req.webhook` is the untyped
   * `WebhookEvent`, since Express's `Request` cannot carry a per-route type).
   *
   * @throws {Error} when the middleware did not run for this request (a routing mistake).
   */
  event(req: Request): ReceivedEvent<C>;
}

const FIX =
  'register the webhook route before express.json() (or app.use(express.json({ verify: rawBody })) with rawBody from @hookwire/express)';

// Structural: @types/express may bring another @types/node than ours, so avoid naming ServerResponse.
function send(res: Pick<Response, 'writeHead' | 'end'>, response: WebhookResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

function requestUrl(req: Request): string {
  return `${req.protocol}://${req.headers.host ?? 'localhost'}${req.originalUrl}`;
}

/**
 * Express middleware (Express 4 and 5) that reads the raw body, verifies it, and sets `req.webhook` to the
 * typed event before `next()`. Failures are answered with `application/problem+json` and never reach your
 * route. Dedupe: the id counts as handled when the response finishes with a 2xx; any other outcome
 * releases it so the sender's retry runs your route again.
 *
 * @example
 * ```ts
 * const webhook = createWebhookMiddleware({ secret, catalog: links });
 * app.post('/webhooks', webhook, (req, res) => {
 *   const event = webhook.event(req); // typed by the catalog
 *   if (event.type === 'link.click') console.log(event.data.country);
 *   res.json({ received: true });
 * });
 * ```
 * @throws {TypeError} at creation when no secret is configured.
 */
export function createWebhookMiddleware<C extends AnyCatalog | undefined = undefined>(
  options: ExpressWebhookOptions<C>,
): WebhookMiddleware<C> {
  const receiver = createWebhookReceiver(options);
  const { handler } = options;

  async function handle(req: Request, res: Response, next: NextFunction): Promise<void> {
    let body: Uint8Array;
    try {
      body = await readNodeBody(req as unknown as NodeRequestLike, receiver.maxBodyBytes, FIX);
    } catch (error) {
      send(res, receiver.reject(error));
      return;
    }
    const result = await receiver.receive(
      receiver.needsUrl
        ? { body, headers: req.headers, url: requestUrl(req) }
        : { body, headers: req.headers },
    );
    if (!result.ok) {
      send(res, result.response);
      return;
    }
    req.webhook = result.event as WebhookEvent;
    if (handler) {
      let response: WebhookResponse;
      try {
        response = await receiver.run(result, handler);
      } catch (error) {
        options.onError?.(error, { status: 500, code: 'handler_failed' });
        next(error);
        return;
      }
      send(res, response);
      return;
    }
    if (receiver.dedupes) {
      res.once('close', () => {
        const ok = res.writableFinished && res.statusCode >= 200 && res.statusCode < 300;
        void result.settle(ok ? 'completed' : 'failed');
      });
    }
    next();
  }

  const middleware = function hookwireWebhookMiddleware(
    req: Request,
    res: Response,
    next: NextFunction,
  ): void {
    handle(req, res, next).catch(next);
  };
  return Object.assign(middleware, {
    event(req: Request): ReceivedEvent<C> {
      if (!req.webhook) {
        throw new Error(
          'No verified webhook on this request: mount createWebhookMiddleware() before this handler.',
        );
      }
      // Safe: the receiver validated the event against the same catalog.
      return req.webhook as ReceivedEvent<C>;
    },
  });
}
