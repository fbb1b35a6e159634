/**
 * `@hookwire/next/pages`: the Pages Router API route wrapper. Needs `bodyParser: false` on the route.
 * @module
 */

export {
  createRouter,
  type EventOfType,
  type WebhookEventHandler,
  type WebhookReceiverOptions,
  type WebhookRouter,
} from '@hookwire/events/receiver';
export { type ApiRouteWebhookHandler, createApiRoute, pagesWebhookHandler } from './create-api-route.js';
export type { NextWebhookHandler } from './create-receiver.js';
