/**
 * `@hookwire/next`: App Router route handlers that verify webhooks, on the Node.js and Edge runtimes.
 * The Pages Router wrapper lives at `@hookwire/next/pages`.
 * @module
 */

export {
  createRouter,
  type EventOfType,
  type WebhookEventHandler,
  type WebhookReceiverOptions,
  type WebhookRouter,
} from '@hookwire/events/receiver';
export type { NextWebhookHandler } from './create-receiver.js';
export { createRouteHandler, type RouteWebhookHandler, webhookHandler } from './create-route-handler.js';
