import type { WebhookEvent } from '@hookwire/events';
import {
  type AnyCatalog,
  createWebhookReceiver,
  isWebhookRouter,
  problemResponse,
  type ReceivedEvent,
  type WebhookEventHandler,
  type WebhookReceiver,
  type WebhookReceiverOptions,
  type WebhookResponse,
  type WebhookRouter,
} from '@hookwire/events/receiver';

/**
 * What runs for each verified, valid, new event: a function that also gets the framework's request
 * (`Request` for the App Router, `IncomingMessage` for Pages), or a router from `createRouter(catalog)`.
 */
export type NextWebhookHandler<E, Req> =
  | ((event: E, request: Req) => unknown)
  | WebhookRouter<E & WebhookEvent>;

/** Next sets this phase while `next build` imports route modules to collect page data. */
const PRODUCTION_BUILD_PHASE = 'phase-production-build';

function isNextBuild(): boolean {
  // Read through globalThis: no `process` global is guaranteed on the Edge runtime, and no bundler may
  // inline it at build time.
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.NEXT_PHASE === PRODUCTION_BUILD_PHASE;
}

/**
 * Returns the core receiver, created once. The core checks options eagerly (a missing secret throws), and
 * so does this, except during `next build`: Next imports every route module then, when runtime secrets are
 * usually absent, and a throw would fail the build. There the check moves to the first request.
 */
export function lazyReceiver<C extends AnyCatalog | undefined>(
  options: WebhookReceiverOptions<C>,
): () => WebhookReceiver<ReceivedEvent<C>> {
  let receiver = isNextBuild() ? undefined : createWebhookReceiver(options);
  return () => {
    receiver ??= createWebhookReceiver(options);
    return receiver;
  };
}

/** Binds the framework request to a handler function; a router is passed through as it is. */
export function bindRequest<E, Req>(
  handler: NextWebhookHandler<E, Req>,
  request: Req,
): WebhookEventHandler<E> | WebhookRouter<E & WebhookEvent> {
  if (isWebhookRouter<E & WebhookEvent>(handler)) {
    return handler;
  }
  return (event: E) => handler(event, request);
}

/** The 405 every adapter gives for a method other than POST. */
export function methodNotAllowed(): WebhookResponse {
  return problemResponse(
    405,
    'method_not_allowed',
    'Method not allowed',
    'Webhooks are delivered with POST.',
    {
      headers: { allow: 'POST' },
    },
  );
}
