/**
 * Delivery throughput and latency of the Hookwire server against the physical limit of this machine.
 *
 *   pnpm --filter @hookwire/bench bench:delivery        (env N=20000, SEED=1000000, PAIRS=7)
 *
 * (a) limit: a bare undici Pool sends N signed 1 KiB bodies, 64 in flight, to a 204 receiver (own process),
 *     before and again right after (b); ratios are against the mean of the two.
 * (b) hookwire: `hookwire serve` (built CLI, own process) gets N events published over HTTP (32 in flight) and
 *     delivers them to the same receiver; throughput = N / (last delivery - first publish). Every attempt is
 *     recorded in SQLite before the next claim of its slot (checked through /metrics at the end).
 * (b-pairs) (a) and (b-batch) again, PAIRS rounds of 10 000 each side by side; the ratio is their median.
 * (b2) publish latency while the dispatcher drains a backlog at full speed (1 publish in flight), then two
 *     references: each event delivered by an otherwise idle dispatcher, and nothing to deliver. During each,
 *     a process that only sleeps 1 ms at a time (wakeup-probe.ts) measures the machine's scheduling delay.
 * (c) claim latency (store.claimDue of 50, measured in this process on the same file), publish latency and
 *     server RSS with 10 000 and with SEED due deliveries in the database (server dispatching to a receiver
 *     that never answers, so the backlog stays).
 * Everything is bounded: each phase has a deadline and every child is killed at the end.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateEndpointSecret, SqliteStore } from '@hookwire/server';
import { schemes, sign } from '@hookwire/signatures';
import { Pool } from 'undici';
import {
  ADMIN_KEY,
  askChild,
  callApi,
  data1KiB,
  forkScript,
  type ReceiverChild,
  setUpTenant,
  startReceiver,
  waitDelivered,
} from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.N ?? 20_000);
const SEED = Number(process.env.SEED ?? 1_000_000);
const IN_FLIGHT = 64;
/** `PHASES=ab` skips the slow 1M backlog phase (c) while iterating; a full run writes RESULTS.md. */
const PHASES = process.env.PHASES ?? 'abc';
/** `LAYOUTS=threads` measures only the default layout in (b) while iterating (RESULTS.md needs all three). */
const LAYOUTS = (process.env.LAYOUTS ?? 'threads,one-thread,split').split(',');
/** Extra node flags for the server process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it. */
const SERVER_NODE_ARGS = (process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const PUBLISH_IN_FLIGHT = 32;
/**
 * Interleaved rounds of (a) and (b-batch), PAIR_EVENTS each (about two seconds a round): the VM's speed
 * drifts within seconds, so a ratio of two measurements taken side by side is the steadier one.
 */
const PAIRS = Number(process.env.PAIRS ?? 7);
const PAIR_EVENTS = 10_000;
/** Timed publishes of each 1-in-flight reference probe, after untimed warm-up ones. */
const PROBE_SAMPLES = 2000;
const PROBE_WARMUP = 200;
/** An event type no endpoint subscribes to: publishing it stores the message and delivers nothing. */
const QUIET_TYPE = 'probe.quiet';
const BATCH = 100;
/** `HOOKWIRE_CLI=/path/to/other/dist/cli.js` runs another build (A/B comparisons in one session). */
const cli =
  process.env.HOOKWIRE_CLI ??
  join(dirname(createRequire(import.meta.url).resolve('@hookwire/server/package.json')), 'dist/cli.js');
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) {
    c.kill('SIGKILL');
  }
});

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: pct(s, 0.5), p99: pct(s, 0.99), n: s.length };
};
const ms = (x: number) => x.toFixed(2);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const log = (...a: unknown[]) => console.log('[delivery]', ...a);

// ---------------------------------------------------------------- wake-up probe (child process)

interface WakeupDelay {
  p50: number;
  p99: number;
  max: number;
}

/** wakeup-probe.ts in its own process; `start` then `stop` measures how late it woke in between. */
function startWakeupProbe() {
  const child = forkScript('wakeup-probe.ts');
  children.add(child);
  const ready = new Promise<void>((resolve) => child.once('message', () => resolve()));
  return {
    async start() {
      await ready;
      await askChild(child, 'start');
    },
    async stop(): Promise<WakeupDelay> {
      const delay = await askChild<WakeupDelay>(child, 'read');
      await askChild(child, 'stop');
      return delay;
    },
    close() {
      child.kill();
    },
  };
}
const wakeup = startWakeupProbe();

// ---------------------------------------------------------------- receiver (child process)

// ---------------------------------------------------------------- hookwire (child process)

interface Server {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Other work on this machine may be rebuilding packages/server (tsup cleans dist/ first): retry a few times. */
async function startServer(
  dataDir: string,
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<Server> {
  for (let i = 0; ; i++) {
    try {
      return await startServerOnce(dataDir, env, args);
    } catch (err) {
      if (i >= 5 || !/Cannot find module/.test(String(err))) {
        throw err;
      }
      await sleep(3000);
    }
  }
}

async function startServerOnce(
  dataDir: string,
  env: Record<string, string>,
  args: string[],
): Promise<Server> {
  const child = spawn(
    process.execPath,
    [...SERVER_NODE_ARGS, cli, 'serve', '--dev', '--port', '0', '--data-dir', dataDir, ...args],
    {
      env: {
        ...process.env,
        HOOKWIRE_ADMIN_KEY: ADMIN_KEY,
        HOOKWIRE_LOG_LEVEL: 'warn',
        HOOKWIRE_ENDPOINT_CONCURRENCY: String(IN_FLIGHT),
        HOOKWIRE_MAX_CONCURRENCY: String(IN_FLIGHT),
        HOOKWIRE_RETENTION_DAYS: '0',
        ...env,
      },
      stdio: ['ignore', 'inherit', 'pipe'],
    },
  );
  children.add(child);
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${err}`)), 60_000);
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}:\n${err}`)));
  });
  return {
    url,
    child,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
      children.delete(child);
    },
  };
}

/** user + system CPU seconds of a child process so far (Linux /proc; NaN elsewhere). */
function cpuSeconds(child: ChildProcess): number {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

/**
 * A process's CPU seconds by thread: the main (API) thread, the threads the server runs at nice 5 (the
 * dispatch and checkpoint threads, on Linux) and the rest (V8's GC and compiler helpers, libuv's pool).
 */
function cpuByThread(child: ChildProcess): { api: number; dispatch: number; other: number } {
  const out = { api: 0, dispatch: 0, other: 0 };
  try {
    for (const tid of readdirSync(`/proc/${child.pid}/task`)) {
      const fields = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
      const part = Number(tid) === child.pid ? 'api' : Number(fields[16]) > 0 ? 'dispatch' : 'other';
      out[part] += seconds;
    }
  } catch {
    return { api: Number.NaN, dispatch: Number.NaN, other: Number.NaN };
  }
  return out;
}

/**
 * A process's resident memory split into its own (anonymous) pages and file-backed ones: SQLite reads the
 * database through a memory map, and mapped pages it touched count in RSS while being the OS page cache.
 */
function rssSplit(child: ChildProcess): { anonMiB: number; fileMiB: number } {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { anonMiB: kib('RssAnon') / 1024, fileMiB: (kib('RssFile') + kib('RssShmem')) / 1024 };
  } catch {
    return { anonMiB: Number.NaN, fileMiB: Number.NaN };
  }
}

async function metric(serverUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${serverUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : Number.NaN;
}

// ---------------------------------------------------------------- (a) the physical limit

async function physicalLimit(receiver: ReceiverChild, requests = N): Promise<number> {
  const pool = new Pool(receiver.url, { connections: IN_FLIGHT });
  const secret = generateEndpointSecret();
  const scheme = schemes.standard();
  const body = JSON.stringify({ metadata: { id: 'msg_x', eventType: 'link.click' }, data: data1KiB(0) });
  let next = 0;
  const run = async (total: number) => {
    next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < total) {
          const i = next++;
          const headers = await sign(scheme, { secret, body, id: `msg_${i}` });
          const res = await pool.request({
            method: 'POST',
            path: '/hook',
            headers: { ...headers, 'content-type': 'application/json' },
            body,
          });
          await res.body.dump();
        }
      }),
    );
  };
  await run(2000); // warm-up
  const t0 = performance.now();
  await run(requests);
  const rps = requests / ((performance.now() - t0) / 1000);
  await pool.close();
  return rps;
}

// ---------------------------------------------------------------- (b) hookwire end to end

/**
 * How the server runs: one `--role all` process (its dispatcher on a second thread, the default), the same
 * with HOOKWIRE_DISPATCH_THREAD=0 (API and dispatcher on one event loop), or a `--role api` and a
 * `--role worker` process on the same SQLite file.
 */
type Layout = 'threads' | 'one-thread' | 'split';

/** The running server of one layout. */
interface Deployment {
  url: string;
  metricsUrl: string;
  /** CPU seconds of every Hookwire process so far. */
  cpu(): number;
  /** The same by thread (one process only; NaN for the split layout). */
  threads(): { api: number; dispatch: number; other: number };
  stop(): Promise<void>;
}

async function startDeployment(dir: string, layout: Layout): Promise<Deployment> {
  if (layout !== 'split') {
    const server = await startServer(dir, layout === 'one-thread' ? { HOOKWIRE_DISPATCH_THREAD: '0' } : {});
    return {
      url: server.url,
      metricsUrl: server.url,
      cpu: () => cpuSeconds(server.child),
      threads: () => cpuByThread(server.child),
      stop: server.stop,
    };
  }
  const apiServer = await startServer(dir, {}, ['--role', 'api']);
  // SQLite has no NOTIFY across processes: the worker finds new work by polling, at the shortest interval.
  const worker = await startServer(dir, { HOOKWIRE_POLL_INTERVAL_MS: '10' }, ['--role', 'worker']);
  return {
    url: apiServer.url,
    metricsUrl: worker.url,
    cpu: () => cpuSeconds(apiServer.child) + cpuSeconds(worker.child),
    threads: () => ({ api: Number.NaN, dispatch: Number.NaN, other: Number.NaN }),
    async stop() {
      await Promise.all([apiServer.stop(), worker.stop()]);
    },
  };
}

async function hookwireThroughput(receiver: ReceiverChild, layout: Layout = 'threads') {
  const dir = mkdtempSync(join(tmpdir(), 'hookwire-bench-'));
  const server = await startDeployment(dir, layout);
  try {
    const { pool, key } = await setUpTenant(server.url, receiver.url, PUBLISH_IN_FLIGHT);
    await callApi(pool, 'POST', '/api/event-types', key, { name: QUIET_TYPE, description: 'no endpoint' });
    // Warm-up: 1000 events end to end.
    await receiver.reset();
    await publishMany(pool, key, 1000, 'warm');
    await waitDelivered(receiver, 1000, 60_000);
    await receiver.reset();

    const cpu0 = server.cpu();
    const threads0 = server.threads();
    const receiver0 = cpuSeconds(receiver.child);
    const self0 = process.cpuUsage();
    const t0 = performance.timeOrigin + performance.now();
    const latencies = await publishMany(pool, key, N, 'run');
    const publishedAt = performance.timeOrigin + performance.now();
    const c = await waitDelivered(receiver, N, 300_000);
    // CPU time the server spent per event (publish + delivery): unlike wall-clock throughput it hardly
    // moves when other work shares the cores, so it is the number to compare A/B on a busy machine.
    const cpuPerEventUs = ((server.cpu() - cpu0) / N) * 1e6;
    const budget = cpuBudget(server, threads0, receiver, receiver0, self0);
    const seconds = (c.lastAt - t0) / 1000;
    const attempts = await metric(server.metricsUrl, 'hookwire_delivery_attempts_total{outcome="succeeded"}');

    // (b-batch) the same, published through POST /api/events/batch (100 events a request, 4 in flight).
    await receiver.reset();
    const bcpu0 = server.cpu();
    const bthreads0 = server.threads();
    const breceiver0 = cpuSeconds(receiver.child);
    const bself0 = process.cpuUsage();
    const bt0 = performance.timeOrigin + performance.now();
    await publishBatched(pool, key, N, 'batch');
    const bc = await waitDelivered(receiver, N, 300_000);
    const batched = {
      rps: N / ((bc.lastAt - bt0) / 1000),
      cpuPerEventUs: ((server.cpu() - bcpu0) / N) * 1e6,
      budget: cpuBudget(server, bthreads0, receiver, breceiver0, bself0),
      duplicates: bc.requests - bc.unique,
    };

    // (a) and (b-batch) side by side, round after round (default layout only).
    const pairs: { limit: number; batch: number; ratio: number }[] = [];
    for (let r = 0; layout === 'threads' && r < PAIRS; r++) {
      const pairLimit = await physicalLimit(receiver, PAIR_EVENTS);
      await receiver.reset();
      const pt0 = performance.timeOrigin + performance.now();
      await publishBatched(pool, key, PAIR_EVENTS, `pair${r}`);
      const pc = await waitDelivered(receiver, PAIR_EVENTS, 120_000);
      const rps = PAIR_EVENTS / ((pc.lastAt - pt0) / 1000);
      pairs.push({ limit: pairLimit, batch: rps, ratio: rps / pairLimit });
    }

    // (b2) publish latency while the dispatcher drains a backlog at full speed.
    await receiver.reset();
    const backlog = N;
    const batch = Array.from({ length: 100 }, (_, i) => ({ type: 'link.click', data: data1KiB(i) }));
    let queued = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (queued < backlog) {
          queued += 100;
          await callApi(pool, 'POST', '/api/events/batch', key, { events: batch });
        }
      }),
    );
    const probe: number[] = [];
    await wakeup.start();
    for (let i = 0; i < 5000; i++) {
      const c2 = await receiver.count();
      if (c2.unique >= backlog * 0.9) {
        break; // the backlog is (nearly) drained: no longer "full speed"
      }
      const s = performance.now();
      await callApi(pool, 'POST', '/api/events', key, { type: 'link.click', data: data1KiB(i) });
      probe.push(performance.now() - s);
    }
    const probeWakeup = await wakeup.stop();
    await waitDelivered(receiver, backlog, 300_000);
    // The same 1-in-flight publish with ever less behind it: each event delivered by an otherwise idle
    // dispatcher, then an event type no endpoint takes (nothing to deliver). What these show is what the
    // machine allows at all; the full-speed probe can only be judged against them.
    await receiver.reset();
    const light = await probePublishes(pool, key, 'link.click');
    await waitDelivered(receiver, PROBE_SAMPLES + PROBE_WARMUP, 60_000);
    const quiet = await probePublishes(pool, key, QUIET_TYPE);
    await pool.close();
    return {
      rps: N / seconds,
      seconds,
      cpuPerEventUs,
      batched,
      pairs,
      budget,
      publishSeconds: (publishedAt - t0) / 1000,
      burst: summary(latencies),
      probe: summary(probe),
      probeWakeup,
      light,
      quiet,
      attempts,
      duplicates: c.requests - c.unique,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where the two cores went since the marks, in µs per event: the server's threads, the receiver, the publisher. */
function cpuBudget(
  server: Deployment,
  threads0: { api: number; dispatch: number; other: number },
  receiver: ReceiverChild,
  receiver0: number,
  self0: NodeJS.CpuUsage,
) {
  const perEvent = (seconds: number) => (seconds / N) * 1e6;
  const threads = server.threads();
  const self = process.cpuUsage(self0);
  return {
    api: perEvent(threads.api - threads0.api),
    dispatch: perEvent(threads.dispatch - threads0.dispatch),
    other: perEvent(threads.other - threads0.other),
    receiver: perEvent(cpuSeconds(receiver.child) - receiver0),
    publisher: perEvent((self.user + self.system) / 1e6),
  };
}

/** Publishes one event at a time (1 in flight) and times each, while the wake-up probe measures the machine. */
async function probePublishes(pool: Pool, key: string, type: string) {
  const latencies: number[] = [];
  await wakeup.start();
  for (let i = 0; i < PROBE_WARMUP + PROBE_SAMPLES; i++) {
    const s = performance.now();
    await callApi(pool, 'POST', '/api/events', key, { type, data: data1KiB(i) });
    if (i >= PROBE_WARMUP) {
      latencies.push(performance.now() - s);
    }
  }
  return { latency: summary(latencies), wakeup: await wakeup.stop() };
}

async function publishBatched(pool: Pool, key: string, total: number, tag: string): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < total) {
        const from = next;
        next = Math.min(total, next + BATCH);
        const events = Array.from({ length: next - from }, (_, j) => ({
          type: 'link.click',
          data: data1KiB(from + j),
          id: `${tag}_${from + j}`,
        }));
        await callApi(pool, 'POST', '/api/events/batch', key, { events });
      }
    }),
  );
}

async function publishMany(pool: Pool, key: string, total: number, tag: string): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: PUBLISH_IN_FLIGHT }, async () => {
      while (next < total) {
        const i = next++;
        const s = performance.now();
        await callApi(pool, 'POST', '/api/events', key, {
          type: 'link.click',
          data: data1KiB(i),
          id: `${tag}_${i}`,
        });
        latencies.push(performance.now() - s);
      }
    }),
  );
  return latencies;
}

// ---------------------------------------------------------------- (c) a large backlog

async function backlog(paused: ReceiverChild) {
  const dir = mkdtempSync(join(tmpdir(), 'hookwire-bench-1m-'));
  // Checkpoints outside the timed claims, as the server runs them (on a thread of their own): with SQLite's
  // automatic checkpoint, every ~1000 WAL pages one claim paid a ~5 ms checkpoint, and whether three of the
  // 250 samples did decided the p99 (1.4-5.8 ms at 300 000 due, the same code, run to run).
  const store = new SqliteStore({ filename: join(dir, 'hookwire.db'), autoCheckpoint: false });
  await store.migrate();
  const tenant = await store.createTenant({ name: 'backlog' });
  await store.upsertEventType(tenant.id, { name: 'link.click' });
  await store.createEndpoint(tenant.id, {
    url: `${paused.url}/hook`,
    events: ['link.click'],
    secret: generateEndpointSecret(),
  });
  let seeded = 0;
  const seedTo = async (n: number) => {
    const t = performance.now();
    const chunk = Array.from({ length: 1000 }, (_, i) => ({ eventType: 'link.click', data: { i } }));
    while (seeded < n) {
      await store.publishBatch(tenant.id, chunk.slice(0, Math.min(1000, n - seeded)));
      seeded += Math.min(1000, n - seeded);
      store.checkpoint();
    }
    log(`seeded ${seeded} due deliveries (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  };
  const claimLatency = async () => {
    const xs: number[] = [];
    for (let i = 0; i < 300; i++) {
      const s = performance.now();
      await store.claimDue('bench-claim', 50, 60_000);
      xs.push(performance.now() - s);
      await store.release('bench-claim');
      store.checkpoint();
    }
    return summary(xs.slice(50)); // first 50 warm the page cache
  };
  const serverSide = async () => {
    const server = await startServer(dir, {
      HOOKWIRE_REQUEST_TIMEOUT_MS: '60000',
      HOOKWIRE_SHUTDOWN_TIMEOUT_MS: '200',
    });
    try {
      await sleep(5000); // the dispatcher claims up to 64 and waits on the paused receiver
      const pool = new Pool(server.url, { connections: 1 });
      const admin = await callApi<{ data: { id: string }[] }>(pool, 'GET', '/api/tenants?limit=1', ADMIN_KEY);
      const { key } = await callApi<{ key: string }>(
        pool,
        'POST',
        `/api/tenants/${admin.data[0]!.id}/api-keys`,
        ADMIN_KEY,
        {
          name: `probe-${seeded}`,
        },
      );
      const pub: number[] = [];
      for (let i = 0; i < 500; i++) {
        const s = performance.now();
        await callApi(pool, 'POST', '/api/events', key, { type: 'link.click', data: { probe: i } });
        pub.push(performance.now() - s);
      }
      const s = performance.now();
      const rss = await metric(server.url, 'process_resident_memory_bytes');
      const scrapeMs = performance.now() - s;
      const due = await metric(server.url, 'hookwire_queue_depth{state="due"}');
      const split = rssSplit(server.child);
      await pool.close();
      return { rssMiB: rss / 2 ** 20, ...split, scrapeMs, due, publish: summary(pub.slice(50)) };
    } finally {
      await server.stop();
    }
  };
  try {
    await seedTo(10_000);
    const small = { claim: await claimLatency(), ...(await serverSide()) };
    await seedTo(SEED);
    const large = { claim: await claimLatency(), ...(await serverSide()) };
    return { small, large };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- main

/**
 * The CPU split, then the server's CPU in units of the receiver's: the receiver does the same fixed work per
 * request in every run, so its CPU per request moves with the VM's speed, and the quotient does not.
 * Compare two builds' A/B pairs on it: raw CPU per event moved up to 40 % between back-to-back runs of the
 * same build.
 */
const budgetText = (b: { api: number; dispatch: number; other: number; receiver: number }) =>
  `${Object.entries(b)
    .map(([k, v]) => `${k} ${Math.round(v)}`)
    .join(', ')}; server = ${((b.api + b.dispatch + b.other) / b.receiver).toFixed(1)} x receiver`;

const receiver = await startReceiver('ok', (c) => children.add(c));
log(`(a) physical limit: ${N} signed 1 KiB POSTs, ${IN_FLIGHT} in flight`);
const limitBefore = await physicalLimit(receiver);
log(`    ${Math.round(limitBefore)} req/s`);
log(`(b) hookwire: ${N} events published (${PUBLISH_IN_FLIGHT} in flight) and delivered`);
const hw = await hookwireThroughput(receiver);
// The VM's speed drifts within seconds (the limit read 12,000 to 27,000 req/s in one hour): (a) again right
// after (b), and the ratio against the mean of the two, so one lucky or unlucky second does not decide it.
const limitAfter = await physicalLimit(receiver);
const limit = (limitBefore + limitAfter) / 2;
log(
  `    (a) again after (b): ${Math.round(limitAfter)} req/s; ratios against the mean, ${Math.round(limit)} req/s`,
);
const ratio = hw.rps / limit;
log(
  `    batch publish: ${Math.round(hw.batched.rps)} deliveries/s = ${(hw.batched.rps / limit).toFixed(2)}x; server CPU ${Math.round(hw.batched.cpuPerEventUs)} us/event (${budgetText(hw.batched.budget)})`,
);
log(
  `    ${Math.round(hw.rps)} deliveries/s = ${ratio.toFixed(2)}x; server CPU ${Math.round(hw.cpuPerEventUs)} us/event (${budgetText(hw.budget)}); publish p50 ${ms(hw.burst.p50)} p99 ${ms(hw.burst.p99)} ms; probe p50 ${ms(hw.probe.p50)} p99 ${ms(hw.probe.p99)} ms (n=${hw.probe.n})`,
);
const pairRatios = hw.pairs.map((p) => p.ratio).sort((a, b) => a - b);
const pairMedian = pairRatios[Math.floor(pairRatios.length / 2)] ?? Number.NaN;
log(
  `    batch publish in ${hw.pairs.length} interleaved pairs of ${PAIR_EVENTS}: ${hw.pairs.map((p) => `${Math.round(p.batch)}/${Math.round(p.limit)}`).join(', ')} = median ${pairMedian.toFixed(2)}x (${pairRatios.map((r) => r.toFixed(2)).join(', ')})`,
);
const latencyText = (l: { p50: number; p99: number }, w: WakeupDelay) =>
  `p50 ${ms(l.p50)} p99 ${ms(l.p99)} ms (an idle process woke late: p99 ${ms(w.p99)}, max ${ms(w.max)} ms)`;
log(`    1 in flight at full speed: ${latencyText(hw.probe, hw.probeWakeup)}`);
log(
  `    1 in flight, each delivered, dispatcher otherwise idle: ${latencyText(hw.light.latency, hw.light.wakeup)}`,
);
log(`    1 in flight, nothing to deliver: ${latencyText(hw.quiet.latency, hw.quiet.wakeup)}`);
if (!LAYOUTS.includes('one-thread') || !LAYOUTS.includes('split')) {
  receiver.child.kill();
  wakeup.close();
  log('LAYOUTS without one-thread and split: RESULTS.md not written');
  process.exit(0);
}
log('(b-1thread) the same with HOOKWIRE_DISPATCH_THREAD=0 (API and dispatcher on one event loop)');
const one = await hookwireThroughput(receiver, 'one-thread');
log(
  `    ${Math.round(one.rps)} deliveries/s = ${(one.rps / limit).toFixed(2)}x (batch publish ${(one.batched.rps / limit).toFixed(2)}x); CPU ${Math.round(one.cpuPerEventUs)} us/event; publish p50 ${ms(one.burst.p50)} p99 ${ms(one.burst.p99)} ms; probe p50 ${ms(one.probe.p50)} p99 ${ms(one.probe.p99)} ms (n=${one.probe.n})`,
);
log(`(b-split) the same with a --role api and a --role worker process on one SQLite file`);
const split = await hookwireThroughput(receiver, 'split');
log(
  `    ${Math.round(split.rps)} deliveries/s = ${(split.rps / limit).toFixed(2)}x (batch publish ${(split.batched.rps / limit).toFixed(2)}x); CPU ${Math.round(split.cpuPerEventUs)} us/event; publish p50 ${ms(split.burst.p50)} p99 ${ms(split.burst.p99)} ms; probe p50 ${ms(split.probe.p50)} p99 ${ms(split.probe.p99)} ms (n=${split.probe.n})`,
);
receiver.child.kill();
if (!PHASES.includes('c')) {
  wakeup.close();
  log('PHASES without c: RESULTS.md not written');
  process.exit(0);
}
const paused = await startReceiver('paused', (c) => children.add(c));
log(`(c) backlog: 10 000 vs ${SEED} due deliveries`);
const bl = await backlog(paused);
log('   ', JSON.stringify(bl));
paused.child.kill();

const cpu = cpus()[0]?.model ?? 'unknown CPU';
// Written by hand after the run that produced the tables above; kept here so a re-run keeps it.
const ANALYSIS = `
## Reading these numbers (written by hand after the run)

- **The machine**: a 2-vCPU AMD EPYC Firecracker VM whose guest kernel has no preemption
  (\`CONFIG_PREEMPT_NONE\`) and packs tasks onto few vCPUs (\`sched_vcpu_pack=15\` on its command line). Its
  speed drifts within seconds: in this run (a) read 24,129 and 22,922 req/s around (b), and 13,748 to 26,086
  req/s across the seven pairs; the server's CPU per batch-published event read 130 to 240 µs in the day's
  runs of the same code. Compare builds by A/B pairs run back to back (\`HOOKWIRE_CLI\`), not run to run.
- **Throughput: 0.20x single-event publishing, 0.35x batch, 0.30x as the median of seven interleaved pairs
  (target 0.5x: missed).** The pairs put (a) and (b-batch) side by side, about two seconds each, so the
  ratio no longer depends on the VM's speed at two different moments; other runs the same evening gave
  medians of 0.33x, 0.36x and 0.37x. Single publishing is publish-bound: publishing the 20,000 events took
  as long as delivering them.
- **Where the two cores go** (per batch-published event): dispatch thread 99 µs, API thread 40, other
  threads 9, receiver 27, publisher 10. The dispatch thread is the serial bottleneck: at 99 µs per delivery
  it could deliver ~10,000/s with a whole core, and 0.5x of this limit is 11,760/s, while the API thread,
  the receiver and the publisher want most of the other core at that rate. About 26 µs of its share is the
  HTTP exchange (undici's handler API), ~35 % SQLite (claim, attempt row, delivery update, commits), the
  rest signing, rendering and bookkeeping.
- **Publish latency with the dispatcher at full speed: p50 1.54 ms, p99 5.54 ms (target p99 < 5 ms:
  missed; 4.2 to 7.2 ms in the day's runs).** The same probe with an otherwise idle dispatcher delivering
  each event reads p99 2.54 ms, and with nothing to deliver p99 1.56 ms. A process that does nothing but
  sleep 1 ms at a time woke p99 3.04 ms late during the full-speed probe (2.26 and 1.70 ms during the two
  references): that delay is paid by every thread involved, the benchmark's client included. Across eight
  runs the probe's p99 followed it (wake-up p99 2.65 -> probe p99 3.60 ms; 4.58 -> 8.34 ms). Reading
  \`/proc/thread-self/schedstat\` around each of the dispatch thread's transactions showed where the rest
  comes from: the dispatch thread waits in the run queue mid-transaction (p99.9 4-10 ms, max 20 ms), at
  1,000 events/s as at full speed and at nice 0 as at nice 5, and a publish waiting for the write lock waits
  that long too.
- **Backlog: flat.** Claiming 50 costs 1.65 vs 1.11 ms p50 (5.23 vs 1.97 ms p99) at 10 000 and 1 000 000
  due; the run before read 0.87 vs 1.15 ms p50 (1.66 vs 1.97 ms p99). Publish latency with an idle
  dispatcher does not move (0.70 vs 0.85 ms p50); RSS 150 vs 150 MiB, of it own memory 99 vs 111 MiB (the
  rest is the mapped database file, i.e. page cache). A /metrics scrape counts the pending index (6 ms vs
  67 ms).
`;
const row = (label: string, a: string, b: string) => `| ${label} | ${a} | ${b} |`;
writeFileSync(
  join(here, 'RESULTS.md'),
  `# Delivery throughput and latency

Measured ${new Date().toISOString()} on ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM,
Node ${process.version} (${process.platform}/${process.arch}).
Reproduce: \`pnpm --filter @hookwire/bench bench:delivery\` (env N, SEED). The server is the built
\`hookwire serve --dev\` (SQLite, WAL, synchronous=NORMAL) in its own process with
\`HOOKWIRE_ENDPOINT_CONCURRENCY=${IN_FLIGHT}\`; the receiver (204) is a third process.

## Throughput against the physical limit

| measurement | value |
| --- | --- |
| (a) bare undici Pool, signed 1 KiB bodies, ${IN_FLIGHT} in flight | ${Math.round(limit)} req/s (mean of ${Math.round(limitBefore)} before and ${Math.round(limitAfter)} right after (b)) |
| (b) Hookwire: ${N} events published over HTTP (${PUBLISH_IN_FLIGHT} in flight), all delivered | ${Math.round(hw.rps)} deliveries/s (${hw.seconds.toFixed(2)} s; publishing took ${hw.publishSeconds.toFixed(2)} s) |
| **(b) / (a)** (target >= 0.5) | **${ratio.toFixed(2)}x** |
| server CPU per event in (b) (publish + delivery; steadier than wall clock on a shared machine) | ${Math.round(hw.cpuPerEventUs)} µs |
| (b-batch) the same ${N} events published through \`POST /api/events/batch\` (${BATCH} per request, 4 in flight) | ${Math.round(hw.batched.rps)} deliveries/s = ${(hw.batched.rps / limit).toFixed(2)}x; ${Math.round(hw.batched.cpuPerEventUs)} µs CPU per event; ${hw.batched.duplicates} duplicates |
| **(b-batch) / (a) in ${hw.pairs.length} interleaved pairs** of ${PAIR_EVENTS} (each pair within ~2 s: deliveries/s / req/s) | ${hw.pairs.map((p) => `${Math.round(p.batch)} / ${Math.round(p.limit)}`).join('; ')}: **median ${pairMedian.toFixed(2)}x** (${pairRatios.map((r) => r.toFixed(2)).join(', ')}) |
| (b-1thread) (b) with \`HOOKWIRE_DISPATCH_THREAD=0\` (API and dispatcher on one event loop) | ${Math.round(one.rps)} deliveries/s = ${(one.rps / limit).toFixed(2)}x; batch publish ${(one.batched.rps / limit).toFixed(2)}x; ${Math.round(one.cpuPerEventUs)} µs CPU per event |
| (b-split) (b) with \`--role api\` and \`--role worker\` as two processes on the same SQLite file | ${Math.round(split.rps)} deliveries/s = ${(split.rps / limit).toFixed(2)}x; batch publish ${(split.batched.rps / limit).toFixed(2)}x; ${Math.round(split.cpuPerEventUs)} µs CPU per event (both processes) |
| where the CPU went in (b), µs per event: server threads (API, dispatch + checkpoint, other), receiver, publisher | ${budgetText(hw.budget)} |
| the same for (b-batch) | ${budgetText(hw.batched.budget)} |
| attempts recorded (metrics, includes 1000 warm-up) | ${hw.attempts} |
| duplicate deliveries | ${hw.duplicates} |

## Publish latency

| while | p50 | p99 | samples |
| --- | --: | --: | --: |
| publishing ${N} with ${PUBLISH_IN_FLIGHT} in flight (dispatcher delivering concurrently) | ${ms(hw.burst.p50)} ms | ${ms(hw.burst.p99)} ms | ${hw.burst.n} |
| 1 in flight, dispatcher (own thread) draining a ${N}-delivery backlog at full speed (target p99 < 5 ms) | ${ms(hw.probe.p50)} ms | ${ms(hw.probe.p99)} ms | ${hw.probe.n} |
| 1 in flight, each event delivered, the dispatcher otherwise idle (reference) | ${ms(hw.light.latency.p50)} ms | ${ms(hw.light.latency.p99)} ms | ${hw.light.latency.n} |
| 1 in flight, an event type no endpoint takes: nothing to deliver (reference) | ${ms(hw.quiet.latency.p50)} ms | ${ms(hw.quiet.latency.p99)} ms | ${hw.quiet.latency.n} |
| (b-1thread) publishing ${N} with ${PUBLISH_IN_FLIGHT} in flight, same event loop delivering | ${ms(one.burst.p50)} ms | ${ms(one.burst.p99)} ms | ${one.burst.n} |
| (b-1thread) 1 in flight, same event loop draining the backlog | ${ms(one.probe.p50)} ms | ${ms(one.probe.p99)} ms | ${one.probe.n} |
| (b-split) publishing ${N} with ${PUBLISH_IN_FLIGHT} in flight, worker process delivering | ${ms(split.burst.p50)} ms | ${ms(split.burst.p99)} ms | ${split.burst.n} |
| (b-split) 1 in flight, worker process draining the backlog | ${ms(split.probe.p50)} ms | ${ms(split.probe.p99)} ms | ${split.probe.n} |

How late a process that only sleeps 1 ms at a time woke up (\`wakeup-probe.ts\`, in its own process) while
each of the three 1-in-flight rows above ran: the machine's scheduling delay, which every thread of the
server and the benchmark's client meet too.

| during | p50 | p99 | max |
| --- | --: | --: | --: |
${row('full-speed delivery', `${ms(hw.probeWakeup.p50)} ms`, `${ms(hw.probeWakeup.p99)} ms | ${ms(hw.probeWakeup.max)} ms`)}
${row('each event delivered, dispatcher otherwise idle', `${ms(hw.light.wakeup.p50)} ms`, `${ms(hw.light.wakeup.p99)} ms | ${ms(hw.light.wakeup.max)} ms`)}
${row('nothing to deliver', `${ms(hw.quiet.wakeup.p50)} ms`, `${ms(hw.quiet.wakeup.p99)} ms | ${ms(hw.quiet.wakeup.max)} ms`)}

## A large backlog

The receiver never answers, so the dispatcher holds ${IN_FLIGHT} attempts open and the backlog stays. Claim
latency is \`store.claimDue(50)\` (each followed, untimed, by a release and a WAL checkpoint: the server
checkpoints on a thread of its own), measured in the benchmark process on the same database file.

| | 10 000 due | ${SEED.toLocaleString('en-US')} due |
| --- | --: | --: |
${row('claim 50, p50 / p99', `${ms(bl.small.claim.p50)} / ${ms(bl.small.claim.p99)} ms`, `${ms(bl.large.claim.p50)} / ${ms(bl.large.claim.p99)} ms`)}
${row('publish (1 in flight), p50 / p99', `${ms(bl.small.publish.p50)} / ${ms(bl.small.publish.p99)} ms`, `${ms(bl.large.publish.p50)} / ${ms(bl.large.publish.p99)} ms`)}
${row('server RSS', `${bl.small.rssMiB.toFixed(0)} MiB`, `${bl.large.rssMiB.toFixed(0)} MiB`)}
${row('of it: own memory (RssAnon) / file-backed pages (RssFile: the node binary, the mapped database)', `${bl.small.anonMiB.toFixed(0)} / ${bl.small.fileMiB.toFixed(0)} MiB`, `${bl.large.anonMiB.toFixed(0)} / ${bl.large.fileMiB.toFixed(0)} MiB`)}
${row('/metrics scrape (queue gauges count the backlog)', `${ms(bl.small.scrapeMs)} ms`, `${ms(bl.large.scrapeMs)} ms`)}
${row('due (gauge)', String(bl.small.due), String(bl.large.due))}
${ANALYSIS}`,
);
// Format the tables the way the repository's biome config does, so `pnpm lint` stays green.
spawnSync('pnpm', ['exec', 'biome', 'format', '--write', join(here, 'RESULTS.md')], { stdio: 'ignore' });
log('wrote delivery/RESULTS.md');
wakeup.close();
process.exit(0);
