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

let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
afterEach(async () => {
  await receiver?.close();
  await h?.close();
  h = undefined;
  receiver = undefined;
});

/** A store with one endpoint (every event) pointing at a receiver that answers 200 at once. */
async function setUp() {
  const harnessed = await harness();
  h = harnessed;
  const answering = await startReceiver();
  receiver = answering;
  await harnessed.store.createEndpoint(harnessed.tenantId, {
    url: `${answering.url}/`,
    events: [],
    secret: generateEndpointSecret(),
  });
  return { h: harnessed, store: harnessed.store, receiver: answering };
}

/** setUp with `count` events published, and a receiver that holds each request until its answer in `held` runs. */
async function setUpHolding(count: number) {
  const set = await setUp();
  const held: (() => void)[] = [];
  set.receiver.setHandler((_req, res) => held.push(() => res.end('ok')));
  await set.store.publishBatch(
    set.h.tenantId,
    Array.from({ length: count }, (_, i) => ({ eventType: 'a.b', data: { i } })),
  );
  return { ...set, held };
}

/** A promise and the function that resolves it. */
function gateOf(): { gate: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { gate, open };
}

describe('dispatcher slots', () => {
  it('a slot frees when the receiver answers, while the attempt is still being recorded', async () => {
    const { h: run, store, receiver } = await setUp();
    await store.publishBatch(run.tenantId, [
      { eventType: 'a.b', data: { i: 1 } },
      { eventType: 'a.b', data: { i: 2 } },
    ]);
    const { gate, open } = gateOf();
    let writes = 0;
    gateWrites(store, gate, (n) => {
      writes += n;
    });
    const d = run.dispatcher({ maxConcurrency: 1, endpointConcurrency: 1, batchSize: 1 });
    d.start();
    // With one slot, the second request can only go out because the first one's slot freed at its answer.
    await waitFor(() => receiver.requests.length >= 2, 'the second request before the first write');
    // The second answer may still be on its way back when the receiver has logged the request.
    await waitFor(() => writes === 2, 'both attempts waiting for their write');
    expect(writes).toBe(2);
    expect((await store.queueStats()).inFlight).toBe(2); // neither attempt recorded yet: both still leased
    open();
    await waitFor(async () => (await store.queueStats()).inFlight === 0, 'both attempts recorded');
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(2);
    await d.stop({ deadlineMs: 1000 });
  });

  it('stop() waits for attempts that are answered but not yet recorded', async () => {
    const { h: run, store, receiver } = await setUp();
    await store.publish(run.tenantId, { eventType: 'a.b', data: { i: 1 } });
    const { gate, open } = gateOf();
    gateWrites(store, gate);
    const d = run.dispatcher();
    d.start();
    await waitFor(() => receiver.requests.length >= 1, 'the request');
    const stopped = d.stop({ deadlineMs: 5000 });
    setTimeout(open, 100);
    await stopped;
    const delivery = (await store.listDeliveries(run.tenantId)).items[0];
    expect(delivery).toMatchObject({ status: 'succeeded', attemptCount: 1 });
  });

  it('claims ahead of free slots, so an answered request is followed at once by one already claimed', async () => {
    const { h: run, store, receiver, held } = await setUpHolding(6);
    const claimed = new Set<string>();
    const claimDue = store.claimDue.bind(store);
    store.claimDue = async (...args: Parameters<typeof store.claimDue>) => {
      const claims = await claimDue(...args);
      for (const c of claims) {
        claimed.add(c.message.id);
      }
      return claims;
    };
    const d = run.dispatcher({ maxConcurrency: 2, endpointConcurrency: 2, batchSize: 10 });
    d.start();
    await waitFor(() => receiver.requests.length >= 2, 'both slots in use');
    // Two on the wire and one more claimed, ready for the first slot that frees.
    await waitFor(() => claimed.size >= 3, 'a third delivery claimed ahead');
    const claimedBefore = new Set(claimed);
    expect(claimedBefore.size).toBe(3);
    held.shift()?.();
    await waitFor(() => receiver.requests.length >= 3, 'the third request');
    expect(claimedBefore.has(String(receiver.requests[2]?.headers['webhook-id']))).toBe(true);
    receiver.setHandler((_req, res) => res.end('ok'));
    for (const answer of held.splice(0)) {
      answer();
    }
    await waitFor(async () => {
      const stats = await store.queueStats();
      return stats.pending + stats.inFlight === 0;
    }, 'all delivered');
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(6);
    await d.stop({ deadlineMs: 1000 });
  });

  it('an endpoint at its cap is not claimed and given back on every wake-up', async () => {
    // The receiver holds every request until the end of the test: the endpoint stays at its cap of 1.
    const { h: run, store, receiver, held } = await setUpHolding(100);
    let claims = 0;
    let releases = 0;
    const claimDue = store.claimDue.bind(store);
    const release = store.release.bind(store);
    store.claimDue = (...args: Parameters<typeof store.claimDue>) => {
      claims++;
      return claimDue(...args);
    };
    store.release = (...args: Parameters<typeof store.release>) => {
      releases++;
      return release(...args);
    };
    const d = run.dispatcher({ endpointConcurrency: 1, batchSize: 50, idleIntervalMs: 1000 });
    d.start();
    await waitFor(() => receiver.requests.length >= 1, 'the first request');
    // 40 publishes, each waking the dispatcher, within about 200 ms (well inside one 250 ms deferral).
    for (let i = 0; i < 40; i++) {
      await store.publish(run.tenantId, { eventType: 'a.b', data: { late: i } });
      d.notify();
      await new Promise((r) => setTimeout(r, 5));
    }
    // One round claims the first 50 (one starts, 49 go back in one release); then claiming pauses until
    // the deferral ends or an attempt finishes. Before: a claim of 50 and 50 releases per wake-up.
    expect(claims).toBeLessThanOrEqual(3);
    expect(releases).toBeLessThanOrEqual(3);
    expect(receiver.requests).toHaveLength(1);
    for (const answer of held.splice(0)) {
      answer();
    }
    // Then drains the capped endpoint's backlog (held deliveries start as its one slot frees).
    receiver.setHandler((_req, res) => res.end('ok'));
    await waitFor(() => receiver.requests.length >= 140, 'all 140 delivered', 600);
    await d.stop({ deadlineMs: 1000 });
  }, 20_000);
});
