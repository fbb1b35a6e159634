import { type Handler, type HandlerDeps, ok, param } from '../context.js';
import { mintPortalToken, PORTAL_TTL_SECONDS } from '../portal-token.js';
import { ApiError } from '../problem.js';

/**
 * `POST /api/tenants/{tenantId}/portal-links`: a signed, expiring dashboard link for one tenant. Auth (admin
 * key, or a key of that tenant; never a portal token) is checked before this runs.
 */
export function portalLinkHandlers(deps: HandlerDeps, adminKey: string): Record<string, Handler> {
  return {
    async createPortalLink(ctx) {
      const tenantId = param(ctx, 'tenantId');
      if (!(await deps.store.getTenant(tenantId))) {
        throw new ApiError('NOT_FOUND', `Tenant ${tenantId} does not exist.`);
      }
      const body = (ctx.body ?? {}) as { expiresInSeconds?: number };
      const ttlSeconds = body.expiresInSeconds ?? PORTAL_TTL_SECONDS.default;
      const { token, expiresAt } = mintPortalToken(
        adminKey,
        tenantId,
        new Date(deps.now().getTime() + ttlSeconds * 1000),
      );
      const origin = (deps.publicBaseUrl ?? `${ctx.request.protocol}://${ctx.request.host}`).replace(
        /\/+$/,
        '',
      );
      // In the fragment: browsers never send it to a server, so the token stays out of access logs.
      return ok(
        { tenantId, url: `${origin}/ui#token=${token}`, token, expiresAt: expiresAt.toISOString() },
        201,
      );
    },
  };
}
