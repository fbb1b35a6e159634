import type { WebhookEvent } from '@hookwire/events';
import {
  type AnyCatalog,
  createWebhookReceiver,
  problemResponse,
  type ReceiveResult,
  type WebhookReceiver,
  type WebhookReceiverOptions,
  type WebhookResponse,
} from '@hookwire/events/receiver';
import { WebhookVerificationError } from '@hookwire/signatures';
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  RouteHandlerMethod,
} from 'fastify';
import fp from 'fastify-plugin';
import './augment.js';

/** Plugin options: defaults for every opted-in route (each route may override them). */
export type HookwireFastifyOptions = Partial<WebhookReceiverOptions<AnyCatalog | undefined>>;
/** Per-route options in `config: { webhook: { ... } }`. */
export type HookwireRouteOptions = Partial<WebhookReceiverOptions<AnyCatalog | undefined>>;

// The route's receiver rides on its config under a symbol (Fastify copies config into the route context), so
// the JSON parser can tell webhook routes apart without an extra hook per request.
const kReceiver = Symbol('hookwire.receiver');
const settlers = new WeakMap<FastifyRequest, Extract<ReceiveResult<WebhookEvent>, { ok: true }>>();

/** Carries a rejection from the body parser to the route's error handler, which sends it as is. */
class RejectedWebhook extends Error {
  readonly response: WebhookResponse;
  readonly statusCode: number;
  constructor(response: WebhookResponse) {
    super('webhook rejected');
    this.response = response;
    this.statusCode = response.status;
  }
}

const unsupportedMediaType = problemResponse(
  415,
  'unsupported_media_type',
  'Unsupported media type',
  'Webhook routes accept application/json bodies only.',
);

function send(reply: FastifyReply, response: WebhookResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).send(response.body);
}

const plugin: FastifyPluginAsync<HookwireFastifyOptions> = async (fastify, options) => {
  fastify.decorateRequest('webhook', null);
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const defaultJson = fastify.getDefaultJsonParser(
    onProtoPoisoning ?? 'error',
    onConstructorPoisoning ?? 'error',
  );

  // One JSON parser for the app. Webhook routes verify the exact bytes right here (HARDENING #15), so the
  // payload is parsed once; every other route is handed to Fastify's own default parser, exactly as before.
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const receiver = receiverOf(request);
    if (receiver === undefined) {
      defaultJson(request, (body as Buffer).toString('utf8'), done);
      return;
    }
    let result: ReceiveResult<WebhookEvent> | Promise<ReceiveResult<WebhookEvent>>;
    try {
      result = receiver.receiveMaybeSync(
        receiver.needsUrl
          ? { body, headers: request.headers, url: `${request.protocol}://${request.host}${request.url}` }
          : { body, headers: request.headers },
      );
    } catch (error) {
      done(error as Error, undefined); // the dedupe store failed: Fastify's own 500, as an async failure gets
      return;
    }
    if (result instanceof Promise) {
      result.then((settled) => accept(request, receiver, settled, done), done);
      return;
    }
    // node:crypto, no async store or validator: the route continues in this call, with no promise hop.
    accept(request, receiver, result, done);
  });

  fastify.addHook('onRoute', (route) => {
    const config = route.config?.webhook;
    if (!config) {
      return;
    }
    const receiver: WebhookReceiver<WebhookEvent> = createWebhookReceiver({
      ...options,
      ...(config === true ? {} : config),
    } as WebhookReceiverOptions<AnyCatalog | undefined>);
    route.config = { ...route.config, [kReceiver]: receiver } as typeof route.config;
    route.bodyLimit ??= receiver.maxBodyBytes;
    const ownPreHandlers = toArray(route.preHandler);
    if (ownPreHandlers.length === 0) {
      // Nothing of the route's own runs before its handler: the check rides on the handler, one hook run less
      // per request. Otherwise it goes first among the route's preHandlers, which must see verified requests only.
      route.handler = verifiedOnly(route.handler);
    } else {
      route.preHandler = [requireVerified, ...ownPreHandlers];
    }
    if (receiver.dedupes) {
      route.onResponse = [settleOnResponse, ...toArray(route.onResponse)];
      route.onRequestAbort = [settleOnAbort, ...toArray(route.onRequestAbort)];
    }

    // Rejections from the parser, and Fastify's own 413, become our problem+json; the rest goes up.
    const userErrorHandler = route.errorHandler;
    route.errorHandler = function hookwireErrorHandler(error, request, reply) {
      if (error instanceof RejectedWebhook) {
        return send(reply, error.response);
      }
      if ((error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return send(reply, receiver.reject(bodyTooLarge(receiver.maxBodyBytes)));
      }
      if (userErrorHandler) {
        return userErrorHandler.call(this, error, request, reply);
      }
      throw error;
    };
  });
};

type ParserDone = (error: Error | null, body?: unknown) => void;

/** Hands a verified event to the route, or the rejection to the route's error handler. */
function accept(
  request: FastifyRequest,
  receiver: WebhookReceiver<WebhookEvent>,
  result: ReceiveResult<WebhookEvent>,
  done: ParserDone,
): void {
  if (!result.ok) {
    done(new RejectedWebhook(result.response), undefined);
    return;
  }
  request.webhook = result.event;
  if (receiver.dedupes) {
    settlers.set(request, result);
  }
  done(null, result.event.payload);
}

/** The receiver of the request's route, or `undefined` when the route did not opt in. */
function receiverOf(request: FastifyRequest): WebhookReceiver<WebhookEvent> | undefined {
  return (request.routeOptions.config as { [kReceiver]?: WebhookReceiver<WebhookEvent> })[kReceiver];
}

function bodyTooLarge(max: number): WebhookVerificationError {
  return new WebhookVerificationError(
    'body_too_large',
    `The request body is larger than maxBodyBytes (${max} bytes).`,
  );
}

/** Any other content type (or no body) reached a webhook route unverified: refuse it before the handler. */
function requireVerified(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (request.webhook === null) {
    send(reply, unsupportedMediaType);
    return;
  }
  done();
}

/** The route handler behind the same check as {@link requireVerified}. */
function verifiedOnly(handler: RouteHandlerMethod): RouteHandlerMethod {
  return function hookwireVerifiedOnly(this: FastifyInstance, request, reply) {
    if (request.webhook === null) {
      send(reply, unsupportedMediaType);
      return;
    }
    return handler.call(this, request, reply);
  } as RouteHandlerMethod;
}

async function settleOnResponse(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const ok = reply.statusCode >= 200 && reply.statusCode < 300;
  await settlers.get(request)?.settle(ok ? 'completed' : 'failed');
}

async function settleOnAbort(request: FastifyRequest): Promise<void> {
  await settlers.get(request)?.settle('failed');
}

function toArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * Fastify 5 plugin: routes with `config: { webhook: true }` (or per-route options) are verified over the
 * raw bytes before their handler and read `request.webhook`. Failures are answered with
 * `application/problem+json`; JSON parsing of every other route is left to Fastify's default parser.
 *
 * @example
 * ```ts
 * await app.register(hookwire, { secret: process.env.WEBHOOK_SECRET!, catalog: links });
 * app.post('/webhooks', { config: { webhook: true } }, async (request) => {
 *   app.log.info(request.webhook?.type);
 *   return { received: true };
 * });
 * ```
 * @throws {TypeError} when a route opts in and no secret is configured.
 */
export const hookwire = fp(plugin, { fastify: '5.x', name: '@hookwire/fastify' });
