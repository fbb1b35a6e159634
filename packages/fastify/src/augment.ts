import type { WebhookEvent } from '@hookwire/events';
import type { HookwireRouteOptions } from './hookwire.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified event on routes with `config: { webhook: ... }`; `null` elsewhere. */
    webhook: WebhookEvent | null;
  }
  interface FastifyContextConfig {
    /** Opt this route in to webhook verification: `true`, or options that override the plugin's. */
    webhook?: boolean | HookwireRouteOptions;
  }
}
