import { decodeApiCursor, encodeApiCursor } from '../api-cursor.js';
import { type Handler, type HandlerDeps, noContent, ok, param, tenantOf } from '../context.js';
import type { JsonObject } from '../json.js';
import { ApiError } from '../problem.js';
import { eventTypeJson } from '../serialize.js';

interface EventTypeBody {
  name?: string;
  description?: string;
  category?: string | null;
  schema?: JsonObject | null;
  deprecated?: boolean;
}

/** The tenant's event catalog. */
export function eventTypeHandlers(deps: HandlerDeps): Record<string, Handler> {
  const { store } = deps;
  return {
    async listEventTypes(ctx) {
      const p = await store.listEventTypes(tenantOf(ctx), {
        limit: ctx.query.limit as number | undefined,
        cursor: decodeApiCursor('event-types', ctx.query.cursor as string | undefined),
        includeArchived: ctx.query.includeDeprecated !== false,
        ...(ctx.query.category !== undefined ? { category: ctx.query.category as string } : {}),
      });
      return ok({
        data: p.items.map(eventTypeJson),
        nextCursor: encodeApiCursor('event-types', p.nextCursor),
      });
    },

    async createEventType(ctx) {
      const tenantId = tenantOf(ctx);
      const body = ctx.body as EventTypeBody & { name: string };
      if (body.schema) {
        deps.userSchemas.check(body.schema, '/schema');
      }
      if (await store.getEventType(tenantId, body.name)) {
        throw new ApiError('CONFLICT', `Event type ${body.name} already exists; PATCH it to change it.`);
      }
      const t = await store.upsertEventType(tenantId, {
        name: body.name,
        description: body.description ?? '',
        category: body.category ?? null,
        schema: body.schema ?? null,
        archived: body.deprecated ?? false,
      });
      return ok(eventTypeJson(t), 201);
    },

    async getEventType(ctx) {
      const name = param(ctx, 'name');
      const t = await store.getEventType(tenantOf(ctx), name);
      if (!t) {
        throw new ApiError('NOT_FOUND', `Event type ${name} does not exist.`);
      }
      return ok(eventTypeJson(t));
    },

    async updateEventType(ctx) {
      const tenantId = tenantOf(ctx);
      const name = param(ctx, 'name');
      const body = ctx.body as EventTypeBody;
      const current = await store.getEventType(tenantId, name);
      if (!current) {
        throw new ApiError('NOT_FOUND', `Event type ${name} does not exist.`);
      }
      if (body.schema) {
        deps.userSchemas.check(body.schema, '/schema');
      }
      const t = await store.upsertEventType(tenantId, {
        name,
        description: body.description ?? current.description,
        category: body.category === undefined ? current.category : body.category,
        schema: body.schema === undefined ? current.schema : body.schema,
        archived: body.deprecated ?? current.archived,
      });
      return ok(eventTypeJson(t));
    },

    async deleteEventType(ctx) {
      await store.deleteEventType(tenantOf(ctx), param(ctx, 'name'));
      return noContent();
    },
  };
}
