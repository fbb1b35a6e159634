import { afterEach, describe, expect, it } from 'vitest';
import { generateEndpointSecret } from '../../src/crypto/keys.js';
import type { RecordAttemptInput, RecordAttemptResult } from '../../src/store/store.js';
import { type Harness, harness, startReceiver, waitFor } from './helpers.js';

let h: Harness | undefined;

/** Attempt writes wait for `gate`, like a group commit queued behind the other thread's transaction. */
function gateWrites(store: Harness['store'], gate: Promise<void>, count: (n: number) => void = () => {}) {
  const one = store.recordAttempt.bind(store);
  const many = store.recordAttempts.bind(store);
  store.recordAttempt = async (input: RecordAttemptInput): Promise<RecordAttemptResult> => {
    count(1);
    await gate;
    return one(input);
  };
  store.recordAttempts = async (inputs: RecordAttemptInput[]): Promise<RecordAttemptResult[]> => {
    count(inputs.length);
    await gate;
    return many(inputs);
  };
}
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('dispatcher slots', () => {
  it('a slot frees when the receiver answers, while the attempt is still being recorded', async () => {
    h = await harness();
    const store = h.store;
    const receiver = await startReceiver();
    try {
      await store.createEndpoint(h.tenantId, {
        url: `${receiver.url}/`,
        events: [],
        secret: generateEndpointSecret(),
      });
      await store.publishBatch(h.tenantId, [
        { eventType: 'a.b', data: { i: 1 } },
        { eventType: 'a.b', data: { i: 2 } },
      ]);
      let open: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      let writes = 0;
      gateWrites(store, gate, (n) => {
        writes += n;
      });
      const d = h.dispatcher({ maxConcurrency: 1, endpointConcurrency: 1, batchSize: 1 });
      d.start();
      // With one slot, the second request can only go out because the first one's slot freed at its answer.
      await waitFor(() => receiver.requests.length >= 2, 'the second request before the first write');
      expect(writes).toBe(2);
      expect((await store.queueStats()).inFlight).toBe(2); // neither attempt recorded yet: both still leased
      open();
      await waitFor(async () => (await store.queueStats()).inFlight === 0, 'both attempts recorded');
      const ids = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
      expect(ids.size).toBe(2);
      await d.stop({ deadlineMs: 1000 });
    } finally {
      await receiver.close();
    }
  });

  it('stop() waits for attempts that are answered but not yet recorded', async () => {
    h = await harness();
    const store = h.store;
    const receiver = await startReceiver();
    try {
      await store.createEndpoint(h.tenantId, {
        url: `${receiver.url}/`,
        events: [],
        secret: generateEndpointSecret(),
      });
      await store.publish(h.tenantId, { eventType: 'a.b', data: { i: 1 } });
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      gateWrites(store, gate);
      const d = h.dispatcher();
      d.start();
      await waitFor(() => receiver.requests.length >= 1, 'the request');
      const stopped = d.stop({ deadlineMs: 5000 });
      setTimeout(release, 100);
      await stopped;
      const delivery = (await store.listDeliveries(h.tenantId)).items[0];
      expect(delivery).toMatchObject({ status: 'succeeded', attemptCount: 1 });
    } finally {
      await receiver.close();
    }
  });
});
