import type { IncomingMessage } from 'node:http';

/**
 * Keeps the raw bytes when an app-wide `express.json()` runs before the webhook route, so the signature can
 * still be checked over exactly what was sent (HARDENING #15).
 *
 * @example
 * ```ts
 * app.use(express.json({ verify: rawBody }));
 * app.post('/webhooks', createWebhookMiddleware({ secret }), (req, res) => res.json({ ok: true }));
 * ```
 */
export function rawBody(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buf;
}
