import { afterEach, describe, expect, it } from 'vitest';
import { generateEndpointSecret } from '../../src/crypto/keys.js';
import type { RecordAttemptInput } from '../../src/store/store.js';
import { type Harness, harness, startReceiver, waitFor } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const attemptOf = (deliveryId: string, statusCode = 200): RecordAttemptInput => ({
  deliveryId,
  workerId: 'w1',
  attempt: {
    startedAt: new Date(),
    durationMs: 5,
    statusCode,
    errorKind: statusCode < 300 ? 'none' : 'http_status',
    error: null,
    responsePreview: 'ok',
    requestHeaders: { 'webhook-id': 'x' },
  },
  outcome: statusCode < 300 ? { kind: 'succeeded' } : { kind: 'failed' },
});

describe('SqliteStore.recordAttempts', () => {
  it('records many attempts in one transaction, like recordAttempt one by one', async () => {
    h = await harness();
    await h.store.createEndpoint(h.tenantId, {
      url: 'https://hooks.example.com/',
      secret: generateEndpointSecret(),
    });
    await h.store.publishBatch(
      h.tenantId,
      Array.from({ length: 5 }, (_, i) => ({ eventType: 'a.b', data: { i } })),
    );
    const claimed = await h.store.claimDue('w1', 5, 60_000);
    expect(claimed).toHaveLength(5);
    const results = await h.store.recordAttempts!(
      claimed.map((c, i) => attemptOf(c.delivery.id, i === 4 ? 500 : 200)),
    );
    expect(results.map((r) => [r.applied, r.delivery.status])).toEqual([
      [true, 'succeeded'],
      [true, 'succeeded'],
      [true, 'succeeded'],
      [true, 'succeeded'],
      [true, 'failed'],
    ]);
    expect(results.map((r) => r.delivery.id)).toEqual(claimed.map((c) => c.delivery.id));
    const attempts = await h.store.listAttempts(h.tenantId, claimed[0]!.delivery.id);
    expect(attempts.items).toHaveLength(1);
    expect(results[4]!.endpointFailingSince).toBeInstanceOf(Date);
  });

  it('is all or nothing: an unknown delivery fails the batch and writes nothing', async () => {
    h = await harness();
    await h.store.createEndpoint(h.tenantId, {
      url: 'https://hooks.example.com/',
      secret: generateEndpointSecret(),
    });
    await h.store.publish(h.tenantId, { eventType: 'a.b', data: {} });
    const [c] = await h.store.claimDue('w1', 1, 60_000);
    await expect(
      h.store.recordAttempts!([attemptOf(c!.delivery.id), attemptOf('dlv_missing')]),
    ).rejects.toThrow();
    expect((await h.store.listAttempts(h.tenantId, c!.delivery.id)).items).toHaveLength(0);
    expect((await h.store.getDelivery(h.tenantId, c!.delivery.id))?.status).toBe('in_flight');
  });
});

describe('dispatcher attempt writes', () => {
  it('batches the attempts that finish together, and falls back to one by one when a batch fails', async () => {
    h = await harness();
    const receiver = await startReceiver();
    try {
      await h.store.createEndpoint(h.tenantId, { url: `${receiver.url}/`, secret: generateEndpointSecret() });
      const total = 200;
      await h.store.publishBatch(
        h.tenantId,
        Array.from({ length: total }, (_, i) => ({ eventType: 'a.b', data: { i } })),
      );
      const batches: number[] = [];
      let failNext = true;
      const recordAttempts = h.store.recordAttempts!.bind(h.store);
      h.store.recordAttempts = async (inputs) => {
        batches.push(inputs.length);
        if (failNext) {
          failNext = false; // the first batch fails as a whole: each of its attempts must still be recorded
          throw new Error('database is locked');
        }
        return recordAttempts(inputs);
      };
      const d = h.dispatcher({ maxConcurrency: 32, endpointConcurrency: 32 });
      d.start();
      await waitFor(async () => (await h!.store.queueStats()).pending === 0, 'queue drained', 800);
      await waitFor(async () => (await h!.store.queueStats()).inFlight === 0, 'nothing in flight');
      const deliveries = await h.store.listDeliveries(h.tenantId, { limit: 250 });
      expect(deliveries.items.filter((x) => x.status === 'succeeded')).toHaveLength(total);
      expect(deliveries.items.every((x) => x.attemptCount === 1)).toBe(true);
      expect(batches.length).toBeGreaterThan(0);
      expect(batches.reduce((a, b) => a + b, 0)).toBeGreaterThan(total / 2); // most writes went in batches
      expect(Math.max(...batches)).toBeGreaterThan(1);
    } finally {
      await receiver.close();
    }
  });
});
