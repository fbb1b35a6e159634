import { generateApiKey } from '../../crypto/keys.js';
import type { Tenant } from '../../store/store.js';
import { decodeApiCursor, encodeApiCursor } from '../api-cursor.js';
import { type Handler, type HandlerDeps, noContent, ok, param, type RequestContext } from '../context.js';
import type { JsonObject } from '../json.js';
import { ApiError, validationFailed } from '../problem.js';
import { apiKeyJson, tenantJson } from '../serialize.js';

interface TenantBody {
  name?: string;
  plan?: string;
  metadata?: Record<string, string>;
}

/** Tenants, API keys and plans: the admin surface (tenant keys may read their tenant and manage their keys). */
export function adminHandlers(deps: HandlerDeps): Record<string, Handler> {
  const { store } = deps;

  const requirePlan = (plan: string | undefined) => {
    if (plan !== undefined && !deps.plans.has(plan)) {
      throw validationFailed([
        { path: '/plan', message: `is not a configured plan (${[...deps.plans.keys()].join(', ')})` },
      ]);
    }
  };
  const render = async (t: Tenant) => tenantJson(t, await store.countEndpoints(t.id));
  const requireTenant = async (tenantId: string) => {
    const t = await store.getTenant(tenantId);
    if (!t) {
      throw new ApiError('NOT_FOUND', `Tenant ${tenantId} does not exist.`);
    }
    return t;
  };
  const page = (ctx: RequestContext, list: string) => ({
    limit: ctx.query.limit as number | undefined,
    cursor: decodeApiCursor(list, ctx.query.cursor as string | undefined),
  });

  return {
    async createTenant(ctx) {
      const body = ctx.body as TenantBody;
      requirePlan(body.plan);
      const t = await store.createTenant({
        name: body.name as string,
        plan: body.plan ?? deps.defaultPlan,
        metadata: body.metadata ?? {},
      });
      return ok(await render(t), 201);
    },

    async listTenants(ctx) {
      const p = await store.listTenants(page(ctx, 'tenants'));
      return ok({
        data: await Promise.all(p.items.map(render)),
        nextCursor: encodeApiCursor('tenants', p.nextCursor),
      });
    },

    async getTenant(ctx) {
      return ok(await render(await requireTenant(param(ctx, 'tenantId'))));
    },

    async updateTenant(ctx) {
      const body = ctx.body as TenantBody;
      requirePlan(body.plan);
      const id = param(ctx, 'tenantId');
      await requireTenant(id);
      return ok(await render(await store.updateTenant(id, body)));
    },

    async deleteTenant(ctx) {
      await store.deleteTenant(param(ctx, 'tenantId'));
      return noContent();
    },

    async createApiKey(ctx) {
      const tenantId = param(ctx, 'tenantId');
      const body = ctx.body as { name: string; expiresAt?: string | null };
      const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
      if (expiresAt && expiresAt.getTime() <= deps.now().getTime()) {
        throw validationFailed([{ path: '/expiresAt', message: 'must be in the future' }]);
      }
      await requireTenant(tenantId);
      const generated = generateApiKey();
      const key = await store.createApiKey(tenantId, {
        name: body.name,
        prefix: generated.prefix,
        hash: generated.hash,
        expiresAt,
      });
      return ok({ ...apiKeyJson(key), key: generated.key }, 201);
    },

    async listApiKeys(ctx) {
      const tenantId = param(ctx, 'tenantId');
      await requireTenant(tenantId);
      const p = await store.listApiKeys(tenantId, page(ctx, 'api-keys'));
      // Revoked keys stay in the store for the audit trail; the API lists usable ones.
      return ok({
        data: p.items.filter((k) => k.revokedAt === null).map(apiKeyJson),
        nextCursor: encodeApiCursor('api-keys', p.nextCursor),
      });
    },

    async deleteApiKey(ctx) {
      const tenantId = param(ctx, 'tenantId');
      const keyId = param(ctx, 'keyId');
      await requireTenant(tenantId);
      await store.revokeApiKey(tenantId, keyId, deps.now());
      return noContent();
    },

    async listPlans() {
      const data: JsonObject[] = [...deps.plans.values()].map((p) => ({
        name: p.name,
        description: p.description,
        maxWebhooks: p.maxEndpoints,
        retrySchedule: p.retryScheduleMs.map((ms) => Math.round(ms / 1000)),
        requestTimeoutMs: p.requestTimeoutMs,
        maxPayloadBytes: p.maxPayloadBytes,
        publishRateLimitPerSecond: p.publishRateLimitPerSecond,
        default: p.name === deps.defaultPlan,
      }));
      return ok({ data });
    },
  };
}
