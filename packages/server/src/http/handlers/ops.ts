import { type Handler, type HandlerDeps, ok } from '../context.js';
import { openapiDocument } from '../generated/openapi.js';

/** Probes, metrics and the document itself; unauthenticated. */
export function opsHandlers(deps: HandlerDeps): Record<string, Handler> {
  return {
    async getHealth() {
      return ok({ status: 'ok', version: deps.version });
    },

    async getReadiness() {
      let store: 'ok' | 'failing' = 'ok';
      let server: 'ok' | 'failing' = 'ok';
      try {
        await deps.store.nextDueAt();
      } catch {
        store = 'failing';
      }
      if (deps.readiness) {
        server = (await deps.readiness().catch(() => false)) ? 'ok' : 'failing';
      }
      const ready = store === 'ok' && server === 'ok';
      return {
        status: ready ? 200 : 503,
        body: { status: ready ? 'ready' : 'unavailable', checks: { store, server } },
        ...(ready ? {} : { headers: { 'retry-after': '5' } }),
      };
    },

    async getMetrics() {
      if (!deps.metrics) {
        // No registry configured: an empty exposition is valid and keeps scrapers quiet.
        return { status: 200, body: '', contentType: 'text/plain; version=0.0.4; charset=utf-8' };
      }
      return {
        status: 200,
        body: await deps.metrics.registry.metrics(),
        contentType: deps.metrics.registry.contentType,
      };
    },

    async getOpenApiDocument() {
      return ok(openapiDocument);
    },
  };
}
