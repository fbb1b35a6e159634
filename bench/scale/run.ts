/**
 * Scale-out: deliveries per second and publish latency with 1, 2 and 3 worker processes on PostgreSQL, and
 * the single SQLite process alongside, in one run.
 *
 *   pnpm --filter @hookwire/bench bench:scale      (env N=10000, HOOKWIRE_BENCH_DATABASE_URL)
 *
 * Each configuration publishes N single events over HTTP (32 in flight) to one endpoint, a 204 receiver in
 * its own process, and waits until all N are delivered; throughput = N / (last delivery - first publish).
 * - SQLite: one `hookwire serve` (API and worker) on a fresh data directory.
 * - PostgreSQL, k = 1, 2, 3: `hookwire migrate` on a fresh schema, then one `--role api` process (all
 *   publishes go through it) and k `--role worker` processes; the schema is dropped afterwards.
 * Bounded: N events per configuration, every wait has a deadline, every child is killed at the end.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PostgresStore } from '@hookwire/server';
import type { Pool } from 'undici';
import { callApi, data1KiB, setUpTenant, waitDelivered } from '../delivery/harness.js';
import {
  cpuSeconds,
  cpuSecondsOf,
  type HookwireChild,
  localPorts,
  machineTicks,
  migrate,
  type ReceiverChild,
  startHookwire,
  startReceiver,
} from './processes.js';

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.N ?? 10_000);
const WARMUP = 500;
const PUBLISH_IN_FLIGHT = 32;
const BATCH = 100;
const BATCHES_IN_FLIGHT = 4;
const MAX_PROBES = 20_000;
/** `WORKERS=1` runs one PostgreSQL configuration (while iterating); a full run writes RESULTS.md. */
const WORKER_COUNTS = (process.env.WORKERS ?? '1,2,3').split(',').map(Number);
const SKIP_SQLITE = process.env.SQLITE === '0';
const DATABASE_URL =
  process.env.HOOKWIRE_BENCH_DATABASE_URL ??
  process.env.HOOKWIRE_TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const SERVER_ENV = {
  HOOKWIRE_ENDPOINT_CONCURRENCY: '64',
  HOOKWIRE_MAX_CONCURRENCY: '64',
  HOOKWIRE_RETENTION_DAYS: '0',
};

const log = (...a: unknown[]) => console.log('[scale]', ...a);
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const epochMs = () => performance.timeOrigin + performance.now();

/** Publishes `n` single events, PUBLISH_IN_FLIGHT at a time; returns each publish's latency (ms). */
async function publishMany(pool: Pool, key: string, n: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: PUBLISH_IN_FLIGHT }, async () => {
      while (next < n) {
        const i = next++;
        const t = performance.now();
        await callApi(pool, 'POST', '/api/events', key, { type: 'link.click', data: data1KiB(i) });
        latencies.push(performance.now() - t);
      }
    }),
  );
  return latencies;
}

/** Publishes `n` events through `POST /api/events/batch`, BATCH a request, BATCHES_IN_FLIGHT at a time. */
async function publishBatches(pool: Pool, key: string, n: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: BATCHES_IN_FLIGHT }, async () => {
      while (next < n) {
        const first = next;
        next += BATCH;
        const events = Array.from({ length: Math.min(BATCH, n - first) }, (_, i) => ({
          type: 'link.click',
          data: data1KiB(first + i),
        }));
        await callApi(pool, 'POST', '/api/events/batch', key, { events });
      }
    }),
  );
}

/** Single publishes, one in flight, until `stop()` (at most MAX_PROBES); returns their latencies (ms). */
async function probe(pool: Pool, key: string, stop: () => boolean): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < MAX_PROBES && !stop(); i++) {
    const t = performance.now();
    await callApi(pool, 'POST', '/api/events', key, { type: 'link.click', data: data1KiB(i) });
    latencies.push(performance.now() - t);
  }
  return latencies;
}

type Mode = 'single' | 'batch';

interface Measured {
  label: string;
  mode: Mode;
  processes: string;
  events: number;
  deliveriesPerSec: number;
  publishesPerSec: number;
  p50: number;
  p99: number;
  cpuPerEventUs: number;
  /** Per process, in the order of `servers` (workers first, the API process last). */
  cpuPerProcessUs: number[];
  /** CPU of the PostgreSQL backends serving the hookwire processes (0 for SQLite). */
  postgresCpuPerEventUs: number;
  machineBusyPct: number;
  duplicates: number;
  seconds: number;
}

/**
 * One measured run through `api`, delivered by the workers among `servers`:
 * - single: N single publishes, PUBLISH_IN_FLIGHT at a time (the API process's publish path is in the loop);
 * - batch: N events through the batch route (cheap per event, so the workers are what is measured) while a
 *   probe publishes single events one at a time for the publish latency, until N are delivered.
 */
async function measure(
  mode: Mode,
  label: string,
  processes: string,
  servers: HookwireChild[],
  tenant: { pool: Pool; key: string },
  receiver: ReceiverChild,
  backends: () => Promise<number[]>,
): Promise<Measured> {
  const { pool, key } = tenant;
  await receiver.reset();
  const cpu0 = servers.map((s) => cpuSeconds(s.child));
  const backendCpu0 = new Map((await backends()).map((pid) => [pid, cpuSecondsOf(pid)]));
  const ticks0 = machineTicks();
  const t0 = epochMs();
  let latencies: number[];
  let publishedAt: number;
  let events = N;
  if (mode === 'single') {
    latencies = await publishMany(pool, key, N);
    publishedAt = epochMs();
  } else {
    let delivered = false;
    const probing = probe(pool, key, () => delivered);
    await publishBatches(pool, key, N);
    publishedAt = epochMs();
    await waitDelivered(receiver, N, 600_000);
    delivered = true;
    latencies = await probing;
    events += latencies.length;
  }
  const c = await waitDelivered(receiver, events, 600_000);
  const ticks1 = machineTicks();
  const cpuUs = servers.map((s, i) => ((cpuSeconds(s.child) - cpu0[i]!) / events) * 1e6);
  // Backends opened during the run count from zero; one that closed before the end is missed (the pools
  // keep their connections while busy).
  const backendSeconds = (await backends()).reduce(
    (a, pid) => a + cpuSecondsOf(pid) - (backendCpu0.get(pid) ?? 0),
    0,
  );
  latencies.sort((x, y) => x - y);
  const seconds = (c.lastAt - t0) / 1000;
  const m: Measured = {
    label,
    mode,
    processes,
    events,
    deliveriesPerSec: events / seconds,
    publishesPerSec: N / ((publishedAt - t0) / 1000),
    p50: pct(latencies, 0.5),
    p99: pct(latencies, 0.99),
    cpuPerEventUs: cpuUs.reduce((a, x) => a + x, 0),
    cpuPerProcessUs: cpuUs,
    postgresCpuPerEventUs: (backendSeconds / events) * 1e6,
    machineBusyPct: (100 * (ticks1.busy - ticks0.busy)) / (ticks1.total - ticks0.total),
    duplicates: c.requests - c.unique,
    seconds,
  };
  log(
    `${label}, ${mode}: ${m.deliveriesPerSec.toFixed(0)} deliveries/s (${events} in ${seconds.toFixed(2)} s), ` +
      `publish p50 ${m.p50.toFixed(1)} ms p99 ${m.p99.toFixed(1)} ms, ${m.cpuPerEventUs.toFixed(0)} µs hookwire ` +
      `CPU/event (${m.cpuPerProcessUs.map((x) => x.toFixed(0)).join(' + ')}), ` +
      `${m.postgresCpuPerEventUs.toFixed(0)} µs PostgreSQL backends CPU/event, ` +
      `machine ${m.machineBusyPct.toFixed(0)} % busy, ${m.duplicates} duplicates`,
  );
  return m;
}

/** Both modes on one set of processes: a tenant, a warm-up, then `single` and `batch`. */
async function measureBoth(
  label: string,
  processes: string,
  api: HookwireChild,
  servers: HookwireChild[],
  receiver: ReceiverChild,
  /** PostgreSQL: the pids of the backends serving `servers` right now. */
  backends: () => Promise<number[]> = async () => [],
): Promise<Measured[]> {
  const tenant = await setUpTenant(api.url, receiver.url, PUBLISH_IN_FLIGHT);
  try {
    await receiver.reset();
    await publishMany(tenant.pool, tenant.key, WARMUP);
    await waitDelivered(receiver, WARMUP, 120_000);
    const out: Measured[] = [];
    for (const mode of ['single', 'batch'] as const) {
      out.push(await measure(mode, label, processes, servers, tenant, receiver, backends));
    }
    return out;
  } finally {
    await tenant.pool.close();
  }
}

async function sqliteRun(receiver: ReceiverChild): Promise<Measured[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hookwire-bench-scale-'));
  const server = await startHookwire(['--data-dir', dir], SERVER_ENV);
  try {
    return await measureBoth('SQLite, 1 process (api + worker)', '1', server, [server], receiver);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresRun(
  receiver: ReceiverChild,
  workers: number,
  admin: PostgresStore,
): Promise<Measured[]> {
  const schema = `hw_bench_scale_${process.pid}_${workers}`;
  const database = ['--database-url', DATABASE_URL, '--database-schema', schema];
  const dir = mkdtempSync(join(tmpdir(), 'hookwire-bench-scale-'));
  const started: HookwireChild[] = [];
  try {
    log(await migrate(database));
    for (let i = 0; i < workers; i++) {
      started.push(await startHookwire(['--role', 'worker', '--data-dir', dir, ...database], SERVER_ENV));
    }
    const api = await startHookwire(['--role', 'api', '--data-dir', dir, ...database], SERVER_ENV);
    started.push(api);
    const backends = async () => {
      const ports = [...localPorts(started.map((s) => s.child.pid!))];
      const r = await admin.pool.query(
        'SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[])',
        [ports],
      );
      return r.rows.map((row) => (row as { pid: number }).pid);
    };
    return await measureBoth(
      `PostgreSQL, ${workers} worker${workers > 1 ? 's' : ''}`,
      `1 api + ${workers}`,
      api,
      started,
      receiver,
      backends,
    );
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    await admin.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresInfo(admin: PostgresStore): Promise<string | null> {
  try {
    const r = await admin.pool.query(
      `SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sync,
              current_setting('max_connections') AS max, current_setting('shared_buffers') AS buffers`,
    );
    const row = r.rows[0] as { version: string; sync: string; max: string; buffers: string };
    return `PostgreSQL ${row.version} (synchronous_commit=${row.sync}, shared_buffers=${row.buffers}, max_connections=${row.max})`;
  } catch (err) {
    log(`PostgreSQL at ${DATABASE_URL} is not reachable (${(err as Error).message}): SQLite only`);
    return null;
  }
}

function table(results: Measured[]): string {
  const base = results.find((r) => r.label === 'PostgreSQL, 1 worker');
  const f = (x: number) => Math.round(x).toLocaleString('en-US');
  const rows = results.map((r) => {
    const ratio = base ? `${(r.deliveriesPerSec / base.deliveriesPerSec).toFixed(2)}x` : '';
    // servers are [workers..., api] on PostgreSQL and [the one process] on SQLite.
    const perProcess =
      r.cpuPerProcessUs.length > 1
        ? ` (api ${f(r.cpuPerProcessUs.at(-1)!)}, workers ${r.cpuPerProcessUs.slice(0, -1).map(f).join(' + ')})`
        : '';
    const pgCpu = r.postgresCpuPerEventUs > 0 ? `${f(r.postgresCpuPerEventUs)} µs` : '-';
    return (
      `| ${r.label} | ${r.processes} | **${f(r.deliveriesPerSec)}** | ${ratio} | ${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} ms ` +
      `| ${f(r.publishesPerSec)} | ${f(r.cpuPerEventUs)} µs${perProcess} | ${pgCpu} | ${r.machineBusyPct.toFixed(0)} % | ${r.duplicates} |`
    );
  });
  return `| configuration | hookwire processes | deliveries/s | vs PostgreSQL 1 worker | publish p50 / p99 | events published/s | hookwire CPU per event | PostgreSQL backends CPU per event | machine CPU busy | duplicates |
| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: |
${rows.join('\n')}`;
}

function report(results: Measured[], pgInfo: string, load: { before: number[]; after: number[] }): string {
  const la = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(' / ');
  const f = (x: number) => x.toLocaleString('en-US');
  return `# Scale: worker processes on PostgreSQL (\`bench/scale\`)

Measured ${new Date().toISOString()} on ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM,
Node ${process.version} (${process.platform}/${process.arch}); ${pgInfo} on the same machine.
Load average (1/5/15 min) before ${la(load.before)}, after ${la(load.after)}: **the cores were shared with other work**.
Reproduce: \`pnpm --filter @hookwire/bench bench:scale\` (env N, HOOKWIRE_BENCH_DATABASE_URL).

One endpoint, a 204 receiver in its own process, ~1 KiB events, ${f(WARMUP)} warm-up events per configuration.
SQLite: one \`hookwire serve\` (API and worker). PostgreSQL: \`hookwire migrate\` on a fresh schema, one
\`--role api\` process taking every publish and k \`--role worker\` processes; the schema is dropped afterwards.
Every process: \`HOOKWIRE_ENDPOINT_CONCURRENCY=64\`, \`HOOKWIRE_MAX_CONCURRENCY=64\`, a pool of 10 connections.

## Single publishes (${f(N)} \`POST /api/events\`, ${PUBLISH_IN_FLIGHT} in flight, delivered as they come)

The publish path of the one API process is part of the loop; publish latency is under that load.

${table(results.filter((r) => r.mode === 'single'))}

## Batch publishes (${f(N)} events through \`POST /api/events/batch\`, ${BATCH} a request, ${BATCHES_IN_FLIGHT} in flight) + a latency probe

Batches are cheap per event, so the workers are what is measured; meanwhile a probe publishes single events
one at a time until all are delivered (its events are delivered and counted too): that is the publish latency.

${table(results.filter((r) => r.mode === 'batch'))}

deliveries/s = events / (last delivery - first publish). CPU per event is user + system time from /proc over the
measured run divided by the events: the hookwire processes, and the PostgreSQL backends serving their connections
(found by client port; PostgreSQL's background processes are not included). "machine CPU busy" is the whole
machine over the run (/proc/stat): PostgreSQL, the receiver, this client and other work included.
`;
}

async function main() {
  const load = { before: loadavg(), after: [] as number[] };
  const receiver = await startReceiver();
  const admin = new PostgresStore({ connectionString: DATABASE_URL, poolSize: 1 });
  const results: Measured[] = [];
  try {
    const pgInfo = await postgresInfo(admin);
    if (!SKIP_SQLITE) {
      results.push(...(await sqliteRun(receiver)));
    }
    if (pgInfo) {
      for (const k of WORKER_COUNTS) {
        results.push(...(await postgresRun(receiver, k, admin)));
      }
      load.after = loadavg();
      const text = report(results, pgInfo, load);
      writeFileSync(join(here, 'RESULTS.md'), text);
      console.log(text);
    }
  } finally {
    await admin.close();
    receiver.child.kill();
  }
}

await main();
process.exit(0);
