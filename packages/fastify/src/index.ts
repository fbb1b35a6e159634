/**
 * `@hookwire/fastify`: verify webhooks in Fastify 5 and get a typed event.
 * @module
 */
import './augment.js';
import { hookwire } from './hookwire.js';

export {
  createMemoryDedupe,
  createRouter,
  type DedupeStore,
  type WebhookRouter,
} from '@hookwire/events/receiver';
export { type HookwireFastifyOptions, type HookwireRouteOptions, hookwire } from './hookwire.js';
export default hookwire;
