import type { DeliveryBucketCount, DeliveryStatus, Store } from '../../store/store.js';
import { type Handler, type HandlerDeps, ok, param, tenantOf } from '../context.js';
import { ApiError } from '../problem.js';

const HOUR_MS = 3_600_000;
const DEFAULT_HOURS = 24;

type Outcome = 'succeeded' | 'failed' | 'pending' | 'cancelled';
type Counts = Record<Outcome, number>;

/** In flight is still "pending" for a reader: no outcome yet. */
const OUTCOME: Record<DeliveryStatus, Outcome> = {
  succeeded: 'succeeded',
  failed: 'failed',
  pending: 'pending',
  in_flight: 'pending',
  cancelled: 'cancelled',
};

const zero = (): Counts => ({ succeeded: 0, failed: 0, pending: 0, cancelled: 0 });

/**
 * The same cells as `Store.countDeliveriesByBucket`, for a store that does not implement it: every delivery
 * of the window, page by page (correct, just slower).
 */
async function countByPaging(
  store: Store,
  tenantId: string,
  endpointId: string,
  window: { since: Date; until: Date; bucketMs: number },
): Promise<DeliveryBucketCount[]> {
  const cells: DeliveryBucketCount[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.listDeliveries(tenantId, {
      endpointId,
      since: window.since,
      until: window.until,
      limit: 250,
      cursor,
    });
    for (const d of page.items) {
      const bucket = Math.floor((d.createdAt.getTime() - window.since.getTime()) / window.bucketMs);
      cells.push({ bucket, status: d.status, count: 1 });
    }
    cursor = page.nextCursor;
  } while (cursor);
  return cells;
}

/** `GET /api/webhooks/{webhookId}/stats`: deliveries per hour by outcome, for the dashboard's chart. */
export function webhookStatsHandlers(deps: HandlerDeps): Record<string, Handler> {
  const { store } = deps;
  return {
    async getWebhookStats(ctx) {
      const tenantId = tenantOf(ctx);
      const id = param(ctx, 'webhookId');
      if (!(await store.getEndpoint(tenantId, id))) {
        throw new ApiError('NOT_FOUND', `Webhook ${id} does not exist.`);
      }
      const hours = typeof ctx.query.hours === 'number' ? ctx.query.hours : DEFAULT_HOURS;
      // Whole hours, the current one last, so buckets line up with the clock and stay stable between calls.
      const currentHour = Math.floor(deps.now().getTime() / HOUR_MS) * HOUR_MS;
      const since = new Date(currentHour - (hours - 1) * HOUR_MS);
      const until = new Date(currentHour + HOUR_MS);
      const window = { since, until, bucketMs: HOUR_MS };
      const cells = store.countDeliveriesByBucket
        ? await store.countDeliveriesByBucket(tenantId, id, window)
        : await countByPaging(store, tenantId, id, window);

      const buckets = Array.from({ length: hours }, (_, i) => ({
        start: new Date(since.getTime() + i * HOUR_MS).toISOString(),
        ...zero(),
      }));
      const totals = zero();
      for (const cell of cells) {
        const bucket = buckets[cell.bucket];
        if (bucket) {
          bucket[OUTCOME[cell.status]] += cell.count;
          totals[OUTCOME[cell.status]] += cell.count;
        }
      }
      const decided = totals.succeeded + totals.failed;
      return ok({
        webhookId: id,
        since: since.toISOString(),
        until: until.toISOString(),
        bucketSeconds: HOUR_MS / 1000,
        buckets,
        totals,
        successRate: decided === 0 ? null : totals.succeeded / decided,
      });
    },
  };
}
