import type { WebhookEvent } from '@hookwire/events';

declare global {
  // Express exposes its Request type only through this global namespace.
  namespace Express {
    interface Request {
      /** The verified event, set by `createWebhookMiddleware` before `next()`. */
      webhook?: WebhookEvent;
      /** Raw body bytes kept by the `rawBody` helper (`express.json({ verify: rawBody })`). */
      rawBody?: Buffer;
    }
  }
}
