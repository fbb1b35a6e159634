import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ServerMetrics } from '../metrics.js';

export interface OpsAppOptions {
  metrics: ServerMetrics;
  readiness: () => Promise<boolean>;
  version: string;
  logger: Logger;
}

/**
 * The HTTP surface of a `--role worker` process: `/healthz`, `/readyz` and `/metrics` only (no API), so an
 * orchestrator can probe and scrape dispatcher-only processes like the others.
 */
export async function buildOpsApp(options: OpsAppOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: options.logger as FastifyBaseLogger, disableRequestLogging: true });
  app.get('/healthz', async () => ({ status: 'ok', version: options.version }));
  app.get('/readyz', async (_req, reply) => {
    const ready = await options.readiness().catch(() => false);
    if (!ready) {
      reply.code(503).header('retry-after', '5');
    }
    return {
      status: ready ? 'ready' : 'unavailable',
      checks: { store: ready ? 'ok' : 'failing', dispatcher: 'ok' },
    };
  });
  app.get('/metrics', async (_req, reply) => {
    reply.type(options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
  await app.ready();
  return app;
}
