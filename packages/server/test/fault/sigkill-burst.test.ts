import { describe, expect, it, vi } from 'vitest';
import {
  type BatchResult,
  expectOneMessagePerSeq,
  expectReceivedAll,
  expectReceivedOnly,
  FAST_RECOVERY_ENV,
  publishSeqBatch,
  setUpTenant,
  since,
  tallyDeliveries,
  useFaultRig,
  waitFor,
} from './support.js';

/**
 * Fault case 1 (issue #6): SIGKILL the server in the middle of a 10,000-message burst published through the
 * batch API to two endpoints, restart it on the same data directory, and let the client do what a client
 * does: retry every batch it got no answer for, with the same Idempotency-Key. Then:
 * - every 202-acknowledged message reaches both endpoints at least once;
 * - idempotency keys survive the kill: a batch acknowledged before it, sent again, replays its answer; a
 *   batch whose commit survived but whose answer was lost is replayed too, not stored twice: every sequence
 *   number ends up in exactly one message;
 * - a batch is all or nothing across the kill (per event `seq`, per batch);
 * - duplicates (re-sent after the lease of a killed attempt expired) are counted and printed.
 * Replaces test/e2e/crash.e2e.test.ts (500 single publishes, one endpoint, no retry of lost answers).
 */

vi.setConfig({ testTimeout: 240_000, hookTimeout: 60_000 });

const TOTAL = 10_000;
const BATCH = 100;
const IN_FLIGHT = 4;
const KILL_AFTER_BATCHES = 50;
// Short leases so deliveries leased by the killed process are claimed again within seconds.
const ENV = FAST_RECOVERY_ENV;

const rig = useFaultRig('hookwire-fault-burst-');

const publishBatch = (url: string, key: string, batch: number): Promise<BatchResult> =>
  publishSeqBatch(url, key, batch, BATCH, `burst-${batch}`);

describe('fault 1: SIGKILL mid-burst (10,000 messages, 2 endpoints)', () => {
  it('delivers every acknowledged message to both endpoints after a restart; lost answers are replayed, not doubled', async () => {
    const t0 = performance.now();
    const { receiver } = rig;
    const first = await rig.start({ env: ENV });
    const { key } = await setUpTenant(first.url, 'burst', [`${receiver.url}/a`, `${receiver.url}/b`]);

    const acked = new Map<number, BatchResult>();
    const unanswered: number[] = [];
    let killed: Promise<number | string> | null = null;
    let killedAt = '';
    let next = 0;
    const batches = TOTAL / BATCH;
    const worker = async () => {
      while (next < batches) {
        const b = next++;
        try {
          acked.set(b, await publishBatch(first.url, key, b));
        } catch {
          unanswered.push(b); // the process is gone: no answer, so nothing was promised yet
        }
        if (!killed && acked.size >= KILL_AFTER_BATCHES) {
          killedAt = since(t0);
          killed = first.kill();
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    expect(await killed).toBe('SIGKILL');
    const ackedBeforeKill = acked.size;
    const deliveredBeforeRestart = receiver.requests.length;
    expect(unanswered.length, 'the kill really happened mid-burst').toBeGreaterThan(0);

    const second = await rig.start({ env: ENV });
    const restartedAt = since(t0);
    // The client retries every batch it got no answer for, with the same Idempotency-Key.
    let replayed = 0;
    for (const b of unanswered.sort((x, y) => x - y)) {
      const r = await publishBatch(second.url, key, b);
      acked.set(b, r);
      replayed += r.replayed ? 1 : 0;
    }
    expect(acked.size).toBe(batches);
    // Idempotency keys outlive the kill: batches acknowledged before it replay their first answer.
    const ackedEarly = [...acked.keys()].filter((b) => !unanswered.includes(b));
    for (const b of [Math.min(...ackedEarly), Math.max(...ackedEarly)]) {
      const again = await publishBatch(second.url, key, b);
      expect(again.replayed, `batch ${b} re-sent after the restart`).toBe(true);
      expect(again.ids).toEqual(acked.get(b)!.ids);
    }

    // Wait (bounded) until both endpoints have seen every acknowledged message.
    const want = new Set([...acked.values()].flatMap((r) => r.ids));
    expect(want.size, 'one message per event, replayed batches included').toBe(TOTAL);
    const tally = tallyDeliveries(receiver);
    await waitFor(
      `${TOTAL} messages at both endpoints`,
      () => {
        tally.scan();
        return tally.seen['/a'].size >= TOTAL && tally.seen['/b'].size >= TOTAL;
      },
      180_000,
      250,
    );
    const drainedAt = since(t0);
    // Let in-flight retries of leased deliveries land, so the duplicate count is complete.
    await new Promise((r) => setTimeout(r, 500));
    tally.scan();

    expectReceivedAll(tally, want);
    expectReceivedOnly(tally, want);
    // A replayed batch did not store its events a second time.
    expectOneMessagePerSeq(tally, TOTAL);

    const duplicates = tally.duplicates();
    console.log(
      `fault 1 (SIGKILL mid-burst): ${TOTAL} messages in ${batches} batches of ${BATCH}, ${IN_FLIGHT} in flight; ` +
        `killed at ${killedAt} after ${ackedBeforeKill} acknowledged batches (${deliveredBeforeRestart} deliveries made); ` +
        `${unanswered.length} batches unanswered, re-sent after the restart (${restartedAt}): ${replayed} replayed ` +
        `(committed before the kill), ${unanswered.length - replayed} stored anew; ` +
        `all ${TOTAL} at both endpoints at ${drainedAt}; ${receiver.requests.length} requests in total, ` +
        `duplicate deliveries /a ${duplicates['/a']}, /b ${duplicates['/b']}`,
    );
  });
});
