/**
 * The store's share of one delivered event, without HTTP: the A/B tool for SQLite changes.
 *
 *   pnpm --filter @hookwire/bench exec tsx delivery/store-cycle.ts        (env EVENTS=40000 BATCH=100 ROUNDS=5)
 *
 * Each cycle does what the server does for a batch publish and its deliveries: `publishBatch` of BATCH events
 * (one endpoint), `claimDue` of everything due, and `recordAttempts` of a 204 for each (one group commit),
 * on a SqliteStore file in a temporary directory. Reported: CPU µs and wall µs per event (median of ROUNDS,
 * each on a fresh file), so a change to the store's statements, indexes or commits shows up in seconds, on a
 * busy machine too (CPU time per event moves far less than throughput there).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEndpointSecret, SqliteStore } from '@hookwire/server';

const EVENTS = Number(process.env.EVENTS ?? 40_000);
const BATCH = Number(process.env.BATCH ?? 100);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const data = { link: 'https://example.com/'.padEnd(900, 'x'), country: 'NL' };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

const phaseCpu = { publish: 0, claim: 0, record: 0 };

async function round(): Promise<{ cpu: number; wall: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'hookwire-store-cycle-'));
  const store = new SqliteStore({ filename: join(dir, 'hookwire.db') });
  try {
    await store.migrate();
    if (process.env.AB_SQL) {
      store.db.exec(process.env.AB_SQL);
    }
    const tenant = await store.createTenant({ name: 'cycle' });
    await store.upsertEventType(tenant.id, { name: 'link.click' });
    await store.createEndpoint(tenant.id, {
      url: 'https://receiver.example/hook',
      events: ['link.click'],
      secret: generateEndpointSecret(),
    });
    const inputs = Array.from({ length: BATCH }, () => ({ eventType: 'link.click', data }));
    const cpu0 = cpuMicros();
    const t0 = performance.now();
    for (let done = 0; done < EVENTS; done += BATCH) {
      let c = cpuMicros();
      await store.publishBatch(tenant.id, inputs);
      phaseCpu.publish += cpuMicros() - c;
      c = cpuMicros();
      const claimed = await store.claimDue('cycle', BATCH, 60_000);
      phaseCpu.claim += cpuMicros() - c;
      c = cpuMicros();
      if (claimed.length !== BATCH) {
        throw new Error(`claimed ${claimed.length} of ${BATCH}`);
      }
      const startedAt = new Date();
      await store.recordAttempts(
        claimed.map((c) => ({
          deliveryId: c.delivery.id,
          workerId: 'cycle',
          // As the dispatcher records: with the claimed delivery, so the store need not read it back.
          claimed: c.delivery,
          attempt: {
            startedAt,
            durationMs: 1,
            statusCode: 204,
            errorKind: 'none' as const,
            error: null,
            responsePreview: '',
            requestHeaders: { 'webhook-id': c.message.id },
            url: 'https://receiver.example/hook',
            ...(c.trigger ? { trigger: c.trigger } : {}),
          },
          outcome: { kind: 'succeeded' as const },
        })),
      );
      phaseCpu.record += cpuMicros() - c;
    }
    return { cpu: (cpuMicros() - cpu0) / EVENTS, wall: ((performance.now() - t0) * 1000) / EVENTS };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rounds: { cpu: number; wall: number }[] = [];
for (let i = 0; i < ROUNDS; i++) {
  rounds.push(await round());
}
console.log(
  `[store-cycle] ${EVENTS} events in batches of ${BATCH}, ${ROUNDS} rounds: ` +
    `CPU ${median(rounds.map((r) => r.cpu)).toFixed(1)} us/event, wall ${median(rounds.map((r) => r.wall)).toFixed(1)} us/event ` +
    `(publish / claim / record: ${Object.values(phaseCpu)
      .map((v) => (v / EVENTS / ROUNDS).toFixed(1))
      .join(' / ')} us; ` +
    `CPU per round: ${rounds.map((r) => r.cpu.toFixed(1)).join(', ')})`,
);
