import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import type { Store } from '../../src/store/store.js';
import { ADMIN_KEY, createHarness, type Harness, TEST_PLANS } from './support.js';

const NOW = new Date('2026-11-23T10:30:00.000Z');
const at = (iso: string) => new Date(iso);

describe('getWebhookStats: deliveries per hour by outcome', () => {
  let h: Harness;
  let tenant: { id: string; key: string };
  let webhookId: string;

  beforeAll(async () => {
    h = await createHarness({ now: () => NOW });
    tenant = await h.tenant();
    await h.eventTypes(tenant.key, ['link.click']);
    webhookId = (await h.call('createWebhook', { auth: tenant.key, body: { url: 'https://a.example/h' } }))
      .body.id;
    const publish = (iso: string) =>
      h.store.publish(tenant.id, { eventType: 'link.click', data: {} }, undefined, at(iso));
    // 08:xx: two succeed, one fails; 10:xx: one still pending. 07:xx is outside a 3-hour window.
    for (const iso of ['2026-11-23T08:00:00.000Z', '2026-11-23T08:10:00.000Z', '2026-11-23T08:59:00.000Z']) {
      await publish(iso);
      // A lease that outlives the real clock: recordAttempt checks it against the time it runs at.
      const [c] = await h.store.claimDue('w', 1, 1e12, at(iso));
      const failed = iso.startsWith('2026-11-23T08:59');
      await h.store.recordAttempt({
        deliveryId: c!.delivery.id,
        workerId: 'w',
        attempt: {
          startedAt: at(iso),
          durationMs: 5,
          statusCode: failed ? 500 : 200,
          errorKind: failed ? 'http_status' : 'none',
          error: null,
          responsePreview: '',
          requestHeaders: {},
        },
        outcome: failed ? { kind: 'failed' } : { kind: 'succeeded' },
      });
    }
    await publish('2026-11-23T07:59:59.999Z'); // outside the window, whatever its state
    await h.store.claimDue('w', 10, 30_000, at('2026-11-23T09:00:00.000Z'));
    await publish('2026-11-23T10:29:00.000Z');
  }, 60_000);
  afterAll(async () => {
    await h.close();
  }, 60_000);

  const expected = {
    since: '2026-11-23T08:00:00.000Z',
    until: '2026-11-23T11:00:00.000Z',
    bucketSeconds: 3600,
    buckets: [
      { start: '2026-11-23T08:00:00.000Z', succeeded: 2, failed: 1, pending: 0, cancelled: 0 },
      { start: '2026-11-23T09:00:00.000Z', succeeded: 0, failed: 0, pending: 0, cancelled: 0 },
      { start: '2026-11-23T10:00:00.000Z', succeeded: 0, failed: 0, pending: 1, cancelled: 0 },
    ],
    totals: { succeeded: 2, failed: 1, pending: 1, cancelled: 0 },
    successRate: 2 / 3,
  };

  it('counts whole clock hours, the current one last, and the success rate of decided deliveries', async () => {
    const r = await h.call('getWebhookStats', {
      auth: tenant.key,
      params: { webhookId },
      query: { hours: 3 },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ webhookId, ...expected });
  });

  it('defaults to 24 buckets and a null success rate when nothing was decided in the window', async () => {
    const other = (await h.call('createWebhook', { auth: tenant.key, body: { url: 'https://b.example/h' } }))
      .body.id;
    const r = await h.call('getWebhookStats', { auth: tenant.key, params: { webhookId: other } });
    expect(r.body.buckets).toHaveLength(24);
    expect(r.body.buckets[23].start).toBe('2026-11-23T10:00:00.000Z');
    expect(r.body.successRate).toBeNull();
  });

  it("404s for another tenant's or an unknown webhook, 400s outside 1-168 hours", async () => {
    const stranger = await h.tenant({ name: 'Stranger' });
    expect((await h.call('getWebhookStats', { auth: stranger.key, params: { webhookId } })).status).toBe(404);
    const unknown = { webhookId: 'wh_00000000000000000000000000' };
    expect((await h.call('getWebhookStats', { auth: tenant.key, params: unknown })).status).toBe(404);
    for (const hours of [0, 169]) {
      const r = await h.call('getWebhookStats', {
        auth: tenant.key,
        params: { webhookId },
        query: { hours },
      });
      expect(r.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('gives the same answer from a store without countDeliveriesByBucket (paging fallback)', async () => {
    const plain = new Proxy(h.store as Store, {
      get: (target, prop, receiver) =>
        prop === 'countDeliveriesByBucket' ? undefined : Reflect.get(target, prop, receiver),
    });
    const app = await buildApp({
      store: plain,
      adminKey: ADMIN_KEY,
      dev: true,
      plans: TEST_PLANS,
      defaultPlan: 'default',
      now: () => NOW,
    });
    try {
      const r = await app.inject({
        method: 'GET',
        url: `/api/webhooks/${webhookId}/stats?hours=3`,
        headers: { authorization: `Bearer ${tenant.key}` },
      });
      expect(r.json()).toEqual({ webhookId, ...expected });
    } finally {
      await app.close();
    }
  });
});
