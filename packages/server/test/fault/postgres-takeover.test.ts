import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { adminQuery, dropSchema, reportSkip, TEST_DATABASE_URL, uniqueSchema } from '../postgres-support.js';
import {
  type BatchResult,
  COMPRESSED_RETRY_ENV,
  expectOneMessagePerSeq,
  expectReceivedAll,
  expectReceivedOnly,
  FAST_RECOVERY_ENV,
  type HookwireProcess,
  publishSeqBatch,
  type StatusCount,
  setUpTenant,
  since,
  tallyDeliveries,
  useFaultRig,
  waitFor,
  waitForAllSucceeded,
} from './support.js';

/**
 * Fault case 2 (issue #6): three `hookwire serve --role all` processes on one PostgreSQL schema of their own,
 * started at the same moment (their migrations serialise on the advisory lock). A burst of batches is
 * published round-robin through all three to two endpoints. Once the victim process holds leases (read from
 * the database, so the kill really lands mid-run) it gets SIGKILL. Its clients do what a load balancer and a
 * client do: a batch without an answer is sent again, with the same Idempotency-Key, to a surviving process.
 * Then:
 * - the survivors take over every delivery the victim had leased once the (short) lease expires;
 * - every 202-acknowledged message reaches both endpoints at least once, and every delivery ends `succeeded`;
 * - a batch committed by the victim whose answer was lost is replayed by a survivor, not stored twice;
 * - duplicates (attempts the victim made but never recorded) and the takeover time are printed.
 */

vi.setConfig({ testTimeout: 180_000, hookTimeout: 60_000 });
reportSkip('fault 2 (PostgreSQL takeover)');

const PROCESSES = 3;
const TOTAL = 3000;
const BATCH = 50;
const IN_FLIGHT = 3;
const KILL_AFTER_BATCHES = 15;
const LEASE_MS = 4000;
// Each receiver answer takes a little while, so the victim always has attempts in flight when it dies.
const RECEIVER_DELAY_MS = 10;
const ENV = { ...FAST_RECOVERY_ENV, HOOKWIRE_LEASE_MS: String(LEASE_MS), ...COMPRESSED_RETRY_ENV };

describe.skipIf(!TEST_DATABASE_URL)('fault 2: three processes on one PostgreSQL, one SIGKILLed', () => {
  const schema = uniqueSchema();
  // Registered before the rig, so it runs after the rig has stopped the servers.
  afterAll(async () => {
    await dropSchema(schema);
  });
  const rig = useFaultRig('hookwire-fault-pg-takeover-', PROCESSES);

  beforeAll(() => {
    for (const path of ['/a', '/b']) {
      rig.receiver.on(path, (_req, res) => {
        setTimeout(() => {
          res.statusCode = 204;
          res.end();
        }, RECEIVER_DELAY_MS);
      });
    }
  });

  const table = (name: string) => `"${schema}".${name}`;

  it('survivors take over the killed process leases; every acknowledged message reaches both endpoints', async () => {
    const t0 = performance.now();
    const database = ['--dev', '--database-url', TEST_DATABASE_URL, '--database-schema', schema];
    const { receiver } = rig;
    // All three at once: each migrates the fresh schema under the advisory lock on start.
    const servers = await Promise.all(
      rig.dirs.map((d) => rig.start({ dataDir: d.path, args: database, env: ENV })),
    );
    const [victim] = servers as [HookwireProcess, ...HookwireProcess[]];
    const { key } = await setUpTenant(victim.url, 'takeover', [`${receiver.url}/a`, `${receiver.url}/b`]);
    // The dispatcher's worker id is `${hostname}:${pid}:${random}`; the pid names the victim's leases.
    const victimOwner = `${hostname()}:${victim.child.pid}:%`;

    const dead = new Set<HookwireProcess>();
    let resent = 0;
    /** Publishes batch `b` through the processes in turn, starting at b % 3; a dead one is skipped. */
    const publishBatch = async (b: number): Promise<BatchResult> => {
      for (let i = 0; i < PROCESSES; i++) {
        const target = servers[(b + i) % PROCESSES]!;
        if (dead.has(target)) {
          continue;
        }
        try {
          return await publishSeqBatch(target.url, key, b, BATCH, `takeover-${b}`);
        } catch (err) {
          // Only the killed process may fail (the killer marks it dead before the SIGKILL): its batch goes
          // to the next process with the same key. Any other failure is a real one.
          if (!dead.has(target)) {
            throw err;
          }
          resent++;
        }
      }
      throw new Error(`batch ${b}: no process answered`);
    };

    const acked = new Map<number, BatchResult>();
    let next = 0;
    const batches = TOTAL / BATCH;
    const publisher = async () => {
      while (next < batches) {
        const b = next++;
        acked.set(b, await publishBatch(b));
      }
    };

    /** Deliveries leased by the victim right now. */
    const victimLeases = async () =>
      (
        (
          await adminQuery(
            `SELECT count(*)::int AS n FROM ${table('deliveries')} WHERE status = 'in_flight' AND lease_owner LIKE $1`,
            [victimOwner],
          )
        ).rows[0] as { n: number }
      ).n;

    // The kill: after some batches are in, and only once the victim really holds leases.
    const killer = async () => {
      await waitFor('the first batches', () => acked.size >= KILL_AFTER_BATCHES, 60_000, 20);
      const held = await waitFor(
        'the victim to hold leases',
        async () => (await victimLeases()) > 0 || undefined,
        60_000,
        20,
      );
      dead.add(victim);
      const code = await victim.kill();
      const killedAt = performance.now();
      const killedAtText = since(t0);
      const ackedAtKill = acked.size;
      // What the victim left behind, read after it is gone (nothing can change its rows any more), and the
      // backlog the survivors face: expired leases must not wait behind it.
      const left = await victimLeases();
      const backlog = (
        (await adminQuery(`SELECT count(*)::int AS n FROM ${table('deliveries')} WHERE status = 'pending'`))
          .rows[0] as { n: number }
      ).n;
      // Takeover, while the burst goes on: no delivery is leased by the victim any more.
      await waitFor(
        "the survivors to take over the victim's leases",
        async () => (await victimLeases()) === 0 || undefined,
        60_000,
        50,
      );
      const takeoverMs = performance.now() - killedAt;
      return { held, code, killedAtText, left, ackedAtKill, takeoverMs, backlog };
    };

    const [kill] = await Promise.all([killer(), ...Array.from({ length: IN_FLIGHT }, publisher)]);
    expect(kill.held).toBe(true);
    expect(kill.code).toBe('SIGKILL');
    expect(acked.size).toBe(batches);

    const want = new Set([...acked.values()].flatMap((r) => r.ids));
    expect(want.size, 'one message per event, replayed batches included').toBe(TOTAL);
    const tally = tallyDeliveries(receiver);
    // The survivors recorded their attempts, not only made them.
    const last = await waitForAllSucceeded(
      `${TOTAL} messages at both endpoints, every delivery succeeded`,
      tally,
      TOTAL,
      async () =>
        (
          await adminQuery(
            `SELECT status, count(*)::int AS n FROM ${table('deliveries')} GROUP BY status ORDER BY status`,
          )
        ).rows as StatusCount[],
      120_000,
    );
    const drainedAt = since(t0);
    expect(last).toEqual([{ status: 'succeeded', n: 2 * TOTAL }]);
    tally.scan();

    expectReceivedAll(tally, want);
    expectReceivedOnly(tally, want);
    // A batch re-sent to a survivor was not stored a second time.
    expectOneMessagePerSeq(tally, TOTAL);

    const replayed = [...acked.values()].filter((r) => r.replayed).length;
    const failedAttempts = (
      (await adminQuery(`SELECT count(*)::int AS n FROM ${table('attempts')} WHERE error_kind <> 'none'`))
        .rows[0] as { n: number }
    ).n;
    const duplicates = tally.duplicates();
    console.log(
      `fault 2 (PostgreSQL takeover): ${PROCESSES} processes on schema ${schema}, ${TOTAL} messages in ` +
        `${batches} batches of ${BATCH} to 2 endpoints; victim SIGKILLed at ${kill.killedAtText} after ` +
        `${kill.ackedAtKill} acknowledged batches, holding ${kill.left} leased deliveries with ${kill.backlog} pending behind them ` +
        `(lease ${LEASE_MS} ms); survivors took all of them over ${(kill.takeoverMs / 1000).toFixed(1)} s after ` +
        `the kill; ${resent} batches re-sent to a survivor (${replayed} replayed: committed by the victim); ` +
        `all ${TOTAL} at both endpoints at ${drainedAt}; ${receiver.requests.length} requests in total, ` +
        `duplicate deliveries /a ${duplicates['/a']}, /b ${duplicates['/b']}; ${failedAttempts} failed attempts retried`,
    );
  });
});
