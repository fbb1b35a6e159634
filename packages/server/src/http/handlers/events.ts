import { renderEnvelope } from '../../dispatcher/envelope.js';
import type { Attempt, Delivery, DeliveryStatus, MessageInput, PublishResult } from '../../store/store.js';
import { decodeApiCursor, encodeApiCursor } from '../api-cursor.js';
import {
  type Handler,
  type HandlerDeps,
  type HandlerResult,
  ok,
  param,
  planOf,
  type RequestContext,
  tenantOf,
} from '../context.js';
import type { JsonObject } from '../json.js';
import { ApiError, validationFailed } from '../problem.js';
import { attemptJson, deliveryJson, messageJson } from '../serialize.js';
import type { FieldError } from '../spec.js';
import {
  type EventCreate,
  invalidEvents,
  prepareEvent,
  requestHash,
  requirePreparedEvent,
} from './catalog.js';

/** Pages read to assemble a detail view (getEvent deliveries, getDelivery attempts); bounds the work. */
const MAX_DETAIL_PAGES = 20;

const resultJson = (r: PublishResult) => ({
  id: r.message.id,
  deliveries: r.deliveries,
  // A replay answers what the first request answered.
  duplicate: r.replayed ? r.replayed.duplicate : r.duplicate,
});

function replayHeaders(results: PublishResult[]): Record<string, string> {
  return { 'idempotent-replayed': results.some((r) => r.replayed) ? 'true' : 'false' };
}

/**
 * Publishes one prepared event for a tenant (the publish route and inbound sources share it): one store
 * transaction, then a wake-up for the dispatcher. The caller never waits for delivery.
 */
export async function publishPrepared(
  deps: HandlerDeps,
  tenantId: string,
  input: MessageInput,
  idempotency: { key: string; requestHash: string } | undefined,
): Promise<HandlerResult> {
  const result = await deps.store.publish(tenantId, input, idempotency, deps.now());
  if (!result.replayed && !result.duplicate) {
    deps.metrics?.published.inc(1);
    deps.notify();
  }
  return { status: 202, body: resultJson(result), headers: replayHeaders([result]) };
}

/** Publishing, the message log and the delivery log. */
export function eventHandlers(deps: HandlerDeps): Record<string, Handler> {
  const { store } = deps;

  const tenantPlan = async (tenantId: string) => {
    const tenant = await store.getTenant(tenantId);
    if (!tenant) {
      throw new ApiError('UNAUTHORIZED', 'The tenant of this API key no longer exists.');
    }
    return planOf(deps, tenant.plan);
  };
  const idempotencyOf = (ctx: RequestContext, scope = '') => {
    const key = ctx.headers['idempotency-key'];
    return key === undefined ? undefined : { key: `${scope}${key}`, requestHash: requestHash(ctx.body) };
  };
  const timeFilter = (ctx: RequestContext) => {
    const since = ctx.query.since as string | undefined;
    const until = ctx.query.until as string | undefined;
    return { ...(since ? { since: new Date(since) } : {}), ...(until ? { until: new Date(until) } : {}) };
  };
  const requireDelivery = async (tenantId: string, id: string): Promise<Delivery> => {
    const d = await store.getDelivery(tenantId, id);
    if (!d) {
      throw new ApiError('NOT_FOUND', `Delivery ${id} does not exist.`);
    }
    return d;
  };

  return {
    async publishEvent(ctx) {
      const tenantId = tenantOf(ctx);
      const plan = await tenantPlan(tenantId);
      deps.takePublishToken(tenantId, plan.publishRateLimitPerSecond);
      const input = await requirePreparedEvent(deps, tenantId, ctx.body as EventCreate, plan.maxPayloadBytes);
      return publishPrepared(deps, tenantId, input, idempotencyOf(ctx));
    },

    async publishEventBatch(ctx) {
      const tenantId = tenantOf(ctx);
      const plan = await tenantPlan(tenantId);
      deps.takePublishToken(tenantId, plan.publishRateLimitPerSecond);
      const events = (ctx.body as { events: EventCreate[] }).events;
      const inputs: MessageInput[] = [];
      const invalid: string[] = [];
      const invalidPaths: FieldError[] = [];
      const errors: FieldError[] = [];
      for (const [i, ev] of events.entries()) {
        const prepared = await prepareEvent(deps, tenantId, ev, `/events/${i}`, plan.maxPayloadBytes);
        if (prepared.ok) {
          inputs.push(prepared.input);
        } else if (prepared.kind === 'unknown-type') {
          if (!invalid.includes(prepared.name)) {
            invalid.push(prepared.name);
          }
          invalidPaths.push({ path: `/events/${i}/type`, message: 'is not an event type of the catalog' });
        } else {
          errors.push(...prepared.errors);
        }
      }
      // All or nothing: the first kind of problem found wins, with every offending event listed.
      if (invalid.length > 0) {
        throw invalidEvents(invalid, invalidPaths);
      }
      if (errors.length > 0) {
        throw validationFailed(errors, 'The batch');
      }
      const results = await store.publishBatch(tenantId, inputs, deps.now(), idempotencyOf(ctx));
      const fresh = results.filter((r) => !r.replayed && !r.duplicate).length;
      if (fresh > 0) {
        deps.metrics?.published.inc(fresh);
        deps.notify();
      }
      return { status: 202, body: { data: results.map(resultJson) }, headers: replayHeaders(results) };
    },

    async listEvents(ctx) {
      const p = await store.listMessages(tenantOf(ctx), {
        limit: ctx.query.limit as number | undefined,
        cursor: decodeApiCursor('events', ctx.query.cursor as string | undefined),
        eventType: ctx.query.eventType as string | undefined,
        ...timeFilter(ctx),
      });
      return ok({ data: p.items.map(messageJson), nextCursor: encodeApiCursor('events', p.nextCursor) });
    },

    async getEvent(ctx) {
      const tenantId = tenantOf(ctx);
      const id = param(ctx, 'eventId');
      const m = await store.getMessage(tenantId, id);
      if (!m) {
        throw new ApiError('NOT_FOUND', `Event ${id} does not exist.`);
      }
      const deliveries: Delivery[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < MAX_DETAIL_PAGES; i++) {
        const p = await store.listDeliveries(tenantId, { messageId: id, limit: 250, cursor });
        deliveries.push(...p.items);
        cursor = p.nextCursor;
        if (!cursor) {
          break;
        }
      }
      return ok({ ...messageJson(m), deliveries: deliveries.map(deliveryJson) });
    },

    async listDeliveries(ctx) {
      const p = await store.listDeliveries(tenantOf(ctx), {
        limit: ctx.query.limit as number | undefined,
        cursor: decodeApiCursor('deliveries', ctx.query.cursor as string | undefined),
        endpointId: ctx.query.webhookId as string | undefined,
        messageId: ctx.query.messageId as string | undefined,
        eventType: ctx.query.eventType as string | undefined,
        status: ctx.query.status as DeliveryStatus | undefined,
        ...timeFilter(ctx),
      });
      return ok({ data: p.items.map(deliveryJson), nextCursor: encodeApiCursor('deliveries', p.nextCursor) });
    },

    async getDelivery(ctx) {
      const tenantId = tenantOf(ctx);
      const d = await requireDelivery(tenantId, param(ctx, 'deliveryId'));
      const [message, endpoint] = await Promise.all([
        store.getMessage(tenantId, d.messageId),
        store.getEndpoint(tenantId, d.endpointId),
      ]);
      const attempts: Attempt[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < MAX_DETAIL_PAGES; i++) {
        const p = await store.listAttempts(tenantId, d.id, { limit: 250, cursor });
        attempts.push(...p.items);
        cursor = p.nextCursor;
        if (!cursor) {
          break;
        }
      }
      attempts.reverse();
      const payload: JsonObject = message ? renderEnvelope(endpoint?.envelope ?? 'v2', message) : {};
      return ok({ ...deliveryJson(d), payload, attempts: attempts.map(attemptJson) });
    },

    async redeliverDelivery(ctx) {
      const tenantId = tenantOf(ctx);
      const d = await store.redeliver(tenantId, param(ctx, 'deliveryId'), deps.now());
      deps.notify();
      return ok(deliveryJson(d), 202);
    },
  };
}
