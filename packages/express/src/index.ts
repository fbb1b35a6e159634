/**
 * `@hookwire/express`: verify webhooks in Express 4 and 5 and get a typed event.
 * @module
 */
import './augment.js';

export {
  createMemoryDedupe,
  createRouter,
  type DedupeStore,
  type WebhookRouter,
} from '@hookwire/events/receiver';
export {
  createWebhookMiddleware,
  type ExpressWebhookOptions,
  type WebhookMiddleware,
} from './create-webhook-middleware.js';
export { rawBody } from './raw-body.js';
