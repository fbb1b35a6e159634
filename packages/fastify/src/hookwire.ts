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
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import './augment.js';

/** Plugin options: defaults for every opted-in route (each route may override them). */
export type HookwireFastifyOptions = Partial<WebhookReceiverOptions<AnyCatalog | undefined>>;
/** Per-route options in `config: { webhook: { ... } }`. */
export type HookwireRouteOptions = Partial<WebhookReceiverOptions<AnyCatalog | undefined>>;

// Per-request slot: `false` on ordinary routes, `true` once an opted-in route's onRequest ran, then the Buffer
// our parser kept, so a body produced by any other parser is never mistaken for raw bytes. A decorated
// property (not a WeakMap, not `request.routeOptions`, which builds an object per call) keeps this cheap.
const kRaw = Symbol('hookwire.rawBody');
type RawSlot = { [kRaw]: boolean | Buffer };
const settlers = new WeakMap<FastifyRequest, Extract<ReceiveResult<WebhookEvent>, { ok: true }>>();

function send(reply: FastifyReply, response: WebhookResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).send(response.body);
}

const plugin: FastifyPluginAsync<HookwireFastifyOptions> = async (fastify, options) => {
  fastify.decorateRequest('webhook', null);
  fastify.decorateRequest(kRaw as unknown as string, false);
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const defaultJson = fastify.getDefaultJsonParser(
    onProtoPoisoning ?? 'error',
    onConstructorPoisoning ?? 'error',
  );

  // One JSON parser for the app: opted-in routes keep the exact bytes (verification needs them, HARDENING
  // #15); every other route is handed to Fastify's own default parser, exactly as before.
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const slot = request as unknown as RawSlot;
    if (slot[kRaw] === true) {
      slot[kRaw] = body as Buffer;
      done(null, body);
      return;
    }
    defaultJson(request, (body as Buffer).toString('utf8'), done);
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
    route.bodyLimit ??= receiver.maxBodyBytes;

    const verifyHook: preHandlerAsyncHookHandler = async function hookwireVerify(request, reply) {
      const body = (request as unknown as RawSlot)[kRaw];
      if (typeof body === 'boolean') {
        return send(
          reply,
          problemResponse(
            415,
            'unsupported_media_type',
            'Unsupported media type',
            'Webhook routes accept application/json bodies only.',
          ),
        );
      }
      const result = await receiver.receive(
        receiver.needsUrl
          ? { body, headers: request.headers, url: `${request.protocol}://${request.host}${request.url}` }
          : { body, headers: request.headers },
      );
      if (!result.ok) {
        return send(reply, result.response);
      }
      request.webhook = result.event;
      request.body = result.event.payload;
      if (receiver.dedupes) {
        settlers.set(request, result);
      }
    };
    route.onRequest = [markWebhookRequest, ...toArray(route.onRequest)];
    route.preHandler = [verifyHook, ...toArray(route.preHandler)];
    if (receiver.dedupes) {
      route.onResponse = [settleOnResponse, ...toArray(route.onResponse)];
      route.onRequestAbort = [settleOnAbort, ...toArray(route.onRequestAbort)];
    }

    // Fastify answers an oversized body itself; turn that into our 413 problem, let the rest go up.
    const userErrorHandler = route.errorHandler;
    route.errorHandler = function hookwireErrorHandler(error, request, reply) {
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

function bodyTooLarge(max: number): WebhookVerificationError {
  return new WebhookVerificationError(
    'body_too_large',
    `The request body is larger than maxBodyBytes (${max} bytes).`,
  );
}

function markWebhookRequest(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  (request as unknown as RawSlot)[kRaw] = true;
  done();
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
