import { generateSourceToken, sha256Hex } from '../../crypto/keys.js';
import type { EventTypeMapping, Source, SourcePatch } from '../../store/store.js';
import { decodeApiCursor, encodeApiCursor } from '../api-cursor.js';
import {
  type Handler,
  type HandlerDeps,
  noContent,
  ok,
  param,
  planOf,
  type RequestContext,
  tenantOf,
} from '../context.js';
import type { JsonObject } from '../json.js';
import { ApiError, validationFailed } from '../problem.js';
import { sourceJson } from '../serialize.js';
import { ACTIVLY_PAYLOAD_SCHEMA } from '../user-schemas.js';
import { requestHash, requireKnownEvents, requirePreparedEvent } from './catalog.js';
import { publishPrepared } from './events.js';

const MAX_OVERLAP_MS = 7 * 86_400_000;

interface SourceBody {
  name?: string;
  description?: string | null;
  enabled?: boolean;
  eventType?: string | null;
  eventTypeMapping?: EventTypeMapping | null;
  payloadSchema?: JsonObject;
}

/** Source tokens: `hwt_` + 32 random characters. Only their SHA-256 is stored. */
const newToken = () => `hwt_${generateSourceToken()}`;

/** Resolves a JSON Pointer (RFC 6901) in a parsed payload. */
function pointerGet(doc: unknown, pointer: string): unknown {
  let current = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Inbound sources (management) and the inbound URL itself. */
export function sourceHandlers(deps: HandlerDeps): Record<string, Handler> {
  const { store } = deps;

  const baseUrl = (ctx: RequestContext) =>
    (deps.publicBaseUrl ?? `${ctx.request.protocol}://${ctx.request.host}`).replace(/\/+$/, '');
  const render = (ctx: RequestContext, s: Source, token?: string) =>
    sourceJson(s, {
      baseUrl: baseUrl(ctx),
      defaultSchema: ACTIVLY_PAYLOAD_SCHEMA,
      now: deps.now(),
      ...(token ? { token } : {}),
    });
  const requireSource = async (tenantId: string, id: string) => {
    const s = await store.getSource(tenantId, id);
    if (!s) {
      throw new ApiError('NOT_FOUND', `Source ${id} does not exist.`);
    }
    return s;
  };
  /** The types a source can publish must be in the catalog; its schema must compile. */
  const check = async (tenantId: string, body: SourceBody) => {
    if (body.payloadSchema) {
      deps.userSchemas.check(body.payloadSchema, '/payloadSchema');
    }
    const names = [
      ...(body.eventType ? [body.eventType] : []),
      ...Object.values(body.eventTypeMapping?.map ?? {}),
    ];
    await requireKnownEvents(store, tenantId, names);
  };
  const requireTarget = (s: { eventType?: string | null; eventTypeMapping?: EventTypeMapping | null }) => {
    if (!s.eventType && !s.eventTypeMapping) {
      throw validationFailed([{ path: '/eventType', message: 'give eventType, eventTypeMapping, or both' }]);
    }
  };

  return {
    async createSource(ctx) {
      const tenantId = tenantOf(ctx);
      const body = ctx.body as SourceBody & { name: string };
      requireTarget(body);
      await check(tenantId, body);
      const token = newToken();
      const s = await store.createSource(tenantId, {
        name: body.name,
        description: body.description ?? null,
        enabled: body.enabled ?? true,
        eventType: body.eventType ?? null,
        eventTypeMapping: body.eventTypeMapping ?? null,
        // Stored explicitly, so a later change of the default never changes what an existing source accepts.
        schema: body.payloadSchema ?? ACTIVLY_PAYLOAD_SCHEMA,
        tokenHash: sha256Hex(token),
      });
      return ok(render(ctx, s, token), 201);
    },

    async listSources(ctx) {
      const p = await store.listSources(tenantOf(ctx), {
        limit: ctx.query.limit as number | undefined,
        cursor: decodeApiCursor('sources', ctx.query.cursor as string | undefined),
      });
      return ok({
        data: p.items.map((s) => render(ctx, s)),
        nextCursor: encodeApiCursor('sources', p.nextCursor),
      });
    },

    async getSource(ctx) {
      return ok(render(ctx, await requireSource(tenantOf(ctx), param(ctx, 'sourceId'))));
    },

    async updateSource(ctx) {
      const tenantId = tenantOf(ctx);
      const id = param(ctx, 'sourceId');
      const current = await requireSource(tenantId, id);
      const body = ctx.body as SourceBody;
      await check(tenantId, body);
      const patch: SourcePatch = {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        ...(body.payloadSchema !== undefined ? { schema: body.payloadSchema } : {}),
      };
      // Setting one way of naming the event type clears the other (unless both are given).
      if (body.eventType !== undefined) {
        patch.eventType = body.eventType;
        if (body.eventTypeMapping === undefined && body.eventType !== null) {
          patch.eventTypeMapping = null;
        }
      }
      if (body.eventTypeMapping !== undefined) {
        patch.eventTypeMapping = body.eventTypeMapping;
        if (body.eventType === undefined && body.eventTypeMapping !== null) {
          patch.eventType = null;
        }
      }
      requireTarget({
        eventType: patch.eventType === undefined ? current.eventType : patch.eventType,
        eventTypeMapping:
          patch.eventTypeMapping === undefined ? current.eventTypeMapping : patch.eventTypeMapping,
      });
      return ok(render(ctx, await store.updateSource(tenantId, id, patch)));
    },

    async deleteSource(ctx) {
      await store.deleteSource(tenantOf(ctx), param(ctx, 'sourceId'));
      return noContent();
    },

    async rotateSourceToken(ctx) {
      const tenantId = tenantOf(ctx);
      const id = param(ctx, 'sourceId');
      await requireSource(tenantId, id);
      const body = (ctx.body ?? {}) as { overlapSeconds?: number };
      const overlapMs = Math.min((body.overlapSeconds ?? 0) * 1000, MAX_OVERLAP_MS);
      const token = newToken();
      const s = await store.rotateSourceToken(tenantId, id, sha256Hex(token), overlapMs, deps.now());
      return ok(render(ctx, s, token));
    },

    async receiveInbound(ctx) {
      if (ctx.principal.kind !== 'source') {
        throw new ApiError('INVALID_TOKEN', 'The token is missing or does not match this source.');
      }
      const source = ctx.principal.source;
      const payload = ctx.body as JsonObject;
      const schema = source.schema ?? ACTIVLY_PAYLOAD_SCHEMA;
      const errors = deps.userSchemas.validate(
        `source:${source.id}:${source.updatedAt.getTime()}`,
        schema,
        payload,
        '',
      );
      if (errors.length > 0) {
        throw validationFailed(errors, 'The payload');
      }
      let type = source.eventType;
      if (source.eventTypeMapping) {
        const value = pointerGet(payload, source.eventTypeMapping.pointer);
        const mapped = typeof value === 'string' ? source.eventTypeMapping.map[value] : undefined;
        type = mapped ?? type;
        if (!type) {
          throw validationFailed(
            [{ path: source.eventTypeMapping.pointer, message: 'has no event type mapped for this value' }],
            'The payload',
          );
        }
      }
      if (!type) {
        throw new Error(`source ${source.id} has neither an event type nor a mapping`);
      }
      const tenant = await store.getTenant(source.tenantId);
      const plan = planOf(deps, tenant?.plan ?? deps.defaultPlan);
      deps.takePublishToken(source.tenantId, plan.publishRateLimitPerSecond);
      const input = await requirePreparedEvent(
        deps,
        source.tenantId,
        { type, data: payload },
        plan.maxPayloadBytes,
      );
      const key = ctx.headers['idempotency-key'];
      return publishPrepared(
        deps,
        source.tenantId,
        input,
        key === undefined ? undefined : { key: `in:${source.id}:${key}`, requestHash: requestHash(payload) },
      );
    },
  };
}
