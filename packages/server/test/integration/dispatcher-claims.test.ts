import { afterEach, describe, expect, it } from 'vitest';
import { generateEndpointSecret } from '../../src/crypto/keys.js';
import { type Harness, harness, startReceiver, waitFor } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('dispatcher claims under load', () => {
  it('claims in batches instead of once per finished attempt, and still delivers everything', async () => {
    h = await harness();
    const receiver = await startReceiver((_r, res) => {
      setTimeout(() => res.end('ok'), 2); // a little latency, so attempts overlap
    });
    try {
      await h.store.createEndpoint(h.tenantId, {
        url: `${receiver.url}/`,
        events: [],
        secret: generateEndpointSecret(),
      });
      const total = 400;
      const inputs = Array.from({ length: total }, (_, i) => ({ eventType: 'a.b', data: { i } }));
      await h.store.publishBatch(h.tenantId, inputs);
      let claims = 0;
      const claimDue = h.store.claimDue.bind(h.store);
      h.store.claimDue = (...args) => {
        claims++;
        return claimDue(...args);
      };
      const d = h.dispatcher({ maxConcurrency: 32, endpointConcurrency: 32, batchSize: 50 });
      d.start();
      await waitFor(() => receiver.requests.length >= total, `${total} deliveries`, 800);
      await waitFor(async () => (await h!.store.queueStats()).inFlight === 0, 'no attempt in flight');
      expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(total);
      // One claim per attempt would be >= 400; batches of at least 8 (a quarter of 32) need at most ~50.
      expect(claims).toBeLessThan(total / 4);
    } finally {
      await receiver.close();
    }
  });
});
