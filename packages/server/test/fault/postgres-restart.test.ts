import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type PrivateCluster, privateClusterUnavailable, startPrivateCluster } from './postgres-cluster.js';
import {
  api,
  COMPRESSED_RETRY_ENV,
  expectReceivedOnly,
  FAST_RECOVERY_ENV,
  type StatusCount,
  setUpTenant,
  since,
  tallyDeliveries,
  useFaultRig,
  waitFor,
  waitForAllSucceeded,
} from './support.js';

/**
 * Fault case 4 (issue #6): PostgreSQL stops and starts again in the middle of a run. The database is a
 * private cluster of this test (its own data directory and port, see postgres-cluster.ts), never the
 * machine's shared PostgreSQL, which other test files use in parallel. One `hookwire serve` process
 * (API and worker) publishes and delivers to two endpoints while four clients publish single events in a
 * bounded loop. Timeline: publish until some are acknowledged -> `pg_ctl stop -m fast` -> keep publishing
 * until the outage has answered a number of 503s -> `pg_ctl start` -> keep publishing until the server
 * acknowledges again. Then:
 * - every answer was a 202 or a 503 problem+json `SERVICE_UNAVAILABLE` with Retry-After, nothing else;
 * - the stored messages are exactly the 202-acknowledged ones: no false 202, and no 503 stored anything;
 * - every acknowledged message reaches both endpoints (the dispatcher and its LISTEN connection reconnect),
 *   and every delivery ends `succeeded`;
 * - the server process never exited.
 */

vi.setConfig({ testTimeout: 150_000, hookTimeout: 90_000 });

const unavailable = privateClusterUnavailable();
if (unavailable) {
  console.log(`fault 4 (PostgreSQL restart): skipped, ${unavailable}`);
}

const CLIENTS = 4;
/** Hard cap on publishes: the loop also stops itself when the timeline is done. */
const MAX_PUBLISHES = 20_000;
const ACKED_BEFORE = 200;
const REFUSED_DURING = 20;
const ACKED_AFTER = 200;
const MIN_OUTAGE_MS = 2000;
const SCHEMA = 'hookwire_fault';
const ENV = {
  ...FAST_RECOVERY_ENV,
  // Compressed retries: an attempt that fails while the database is away is retried within seconds.
  ...COMPRESSED_RETRY_ENV,
  // The outage is expected: its connection errors are not worth the log lines.
  HOOKWIRE_LOG_LEVEL: 'fatal',
};

type Phase = 'before' | 'outage' | 'after' | 'done';

describe.skipIf(unavailable !== null)('fault 4: PostgreSQL restarted during a run', () => {
  let cluster: PrivateCluster;
  // Registered before the rig: the cluster starts before its receiver and is destroyed after its server stops.
  beforeAll(async () => {
    cluster = await startPrivateCluster();
  });
  afterAll(async () => {
    await cluster?.destroy();
  });
  const rig = useFaultRig('hookwire-fault-pg-restart-');

  /** One query on the private cluster, on a connection of its own. */
  const query = async (sql: string): Promise<Record<string, unknown>[]> => {
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };

  it('answers 503 (never a false 202) while PostgreSQL is down, reconnects and loses nothing', async () => {
    const t0 = performance.now();
    const { receiver } = rig;
    const hookwire = await rig.start({
      args: ['--dev', '--database-url', cluster.url, '--database-schema', SCHEMA],
      env: ENV,
    });
    const { key } = await setUpTenant(hookwire.url, 'restart', [`${receiver.url}/a`, `${receiver.url}/b`]);

    let phase: Phase = 'before';
    const acked = new Map<number, { id: string; phase: Phase }>(); // seq -> message
    const refused: { seq: number; phase: Phase }[] = [];
    const other: string[] = [];
    const byPhase: Record<Phase, { acked: number; refused: number }> = {
      before: { acked: 0, refused: 0 },
      outage: { acked: 0, refused: 0 },
      after: { acked: 0, refused: 0 },
      done: { acked: 0, refused: 0 },
    };
    let sent = 0;
    const publisher = async () => {
      while (phase !== 'done' && sent < MAX_PUBLISHES) {
        const seq = sent++;
        const at = phase;
        try {
          const r = await api(
            hookwire.url,
            key,
            'POST',
            '/api/events',
            { type: 'link.click', data: { seq } },
            { 'idempotency-key': `restart-${seq}` },
          );
          const body = r.body as { id?: string; code?: string } | undefined;
          if (r.status === 202 && body?.id) {
            acked.set(seq, { id: body.id, phase: at });
            byPhase[at].acked++;
          } else if (
            r.status === 503 &&
            body?.code === 'SERVICE_UNAVAILABLE' &&
            r.headers.get('content-type')?.startsWith('application/problem+json') &&
            r.headers.get('retry-after')
          ) {
            refused.push({ seq, phase: at });
            byPhase[at].refused++;
            await new Promise((resolve) => setTimeout(resolve, 20)); // a client backs off a little
          } else {
            other.push(`${seq}: ${r.status} ${JSON.stringify(r.body)}`);
          }
        } catch (err) {
          other.push(`${seq}: ${(err as Error).message}`);
        }
      }
    };

    const timeline = async () => {
      await waitFor('acknowledged publishes before the outage', () => acked.size >= ACKED_BEFORE, 60_000);
      phase = 'outage';
      const stopAt = performance.now();
      await cluster.stop();
      const stoppedIn = performance.now() - stopAt;
      // Down long enough for the dispatcher's claims and the LISTEN connection to fail too, and for a number
      // of publishes to be refused.
      await waitFor(
        'an outage with 503 answers',
        () =>
          (byPhase.outage.refused >= REFUSED_DURING && performance.now() - stopAt >= MIN_OUTAGE_MS) ||
          undefined,
        30_000,
      );
      const downMs = performance.now() - stopAt;
      await cluster.start();
      phase = 'after';
      const startedAt = performance.now();
      const firstAck = await waitFor(
        'the first 202 after the restart',
        () => (byPhase.after.acked > 0 ? performance.now() - startedAt : undefined),
        60_000,
        10,
      );
      await waitFor(
        'acknowledged publishes after the restart',
        () => byPhase.after.acked >= ACKED_AFTER,
        60_000,
      );
      phase = 'done';
      return { stoppedIn, downMs, firstAck };
    };

    const [times] = await Promise.all([timeline(), ...Array.from({ length: CLIENTS }, publisher)]);
    expect(other, 'every answer is a 202 or a 503 SERVICE_UNAVAILABLE problem').toEqual([]);
    expect(byPhase.outage.refused).toBeGreaterThanOrEqual(REFUSED_DURING);

    // What PostgreSQL holds is exactly what was acknowledged.
    const stored = new Map(
      (await query(`SELECT id, (data->>'seq')::int AS seq FROM ${SCHEMA}.messages`)).map((r) => [
        r.seq as number,
        r.id as string,
      ]),
    );
    const falseAcks = [...acked].filter(([seq, m]) => stored.get(seq) !== m.id).map(([seq]) => seq);
    expect(falseAcks, '202 answers for messages that are not stored').toEqual([]);
    // A publish whose COMMIT reached PostgreSQL as it stopped is stored, but its acknowledgement never came
    // back, so the server could only answer 503: nobody can know that outcome. At most one per client (its
    // publish in flight at the stop); the client's retry with the same Idempotency-Key must get that very
    // message back, never a second one.
    const inDoubt = refused.filter((r) => stored.has(r.seq));
    expect(
      inDoubt.length,
      '503 answers for stored messages (commit acknowledgement lost)',
    ).toBeLessThanOrEqual(CLIENTS);
    for (const r of inDoubt) {
      const again = await api(
        hookwire.url,
        key,
        'POST',
        '/api/events',
        { type: 'link.click', data: { seq: r.seq } },
        { 'idempotency-key': `restart-${r.seq}` },
      );
      expect(again.status).toBe(202);
      expect((again.body as { id?: string }).id).toBe(stored.get(r.seq));
      acked.set(r.seq, { id: stored.get(r.seq) as string, phase: r.phase });
    }
    expect(stored.size).toBe(acked.size);

    // Every acknowledged message at both endpoints, every delivery recorded as succeeded.
    const want = new Set([...acked.values()].map((m) => m.id));
    const tally = tallyDeliveries(receiver);
    const last = await waitForAllSucceeded(
      'every acknowledged message at both endpoints, every delivery succeeded',
      tally,
      want.size,
      async () =>
        (await query(
          `SELECT status, count(*)::int AS n FROM ${SCHEMA}.deliveries GROUP BY status ORDER BY status`,
        )) as StatusCount[],
      60_000,
    );
    const drainedAt = since(t0);
    expect(last).toEqual([{ status: 'succeeded', n: 2 * want.size }]);
    expectReceivedOnly(tally, want);
    expect(hookwire.child.exitCode, 'the server never exited').toBe(null);
    // The worker's LISTEN connection is back (NOTIFY wakes it again, not only the poll).
    await waitFor('the LISTEN connection to reconnect', async () => {
      const rows = await query("SELECT 1 FROM pg_stat_activity WHERE query = 'LISTEN hookwire_work'");
      return rows.length === 1 || undefined;
    });

    const duplicates = Object.values(tally.duplicates()).reduce((a, n) => a + n, 0);
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(
      `fault 4 (PostgreSQL restart, private cluster on port ${cluster.port}): ${sent} publishes from ` +
        `${CLIENTS} clients; before: ${byPhase.before.acked} x 202, ${byPhase.before.refused} x 503 (in flight at the stop); pg_ctl stop -m fast took ${s(times.stoppedIn)}, ` +
        `down for ${s(times.downMs)}: ${byPhase.outage.acked} x 202 (committed before the shutdown), ` +
        `${byPhase.outage.refused} x 503; after pg_ctl start: first 202 in ${s(times.firstAck)}, ` +
        `${byPhase.after.acked} x 202, ${byPhase.after.refused} x 503; stored = acknowledged = ${stored.size}, ` +
        `${inDoubt.length} of ${refused.length} refused were stored (acknowledgement lost at the stop; the ` +
        `client's retry with its Idempotency-Key got the same message back); all at both endpoints at ${drainedAt}, ` +
        `${receiver.requests.length} requests, ${duplicates} duplicate deliveries`,
    );
  });
});
