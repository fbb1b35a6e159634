/**
 * Delivery throughput and latency of the Hookwire server against the physical limit of this machine.
 *
 *   pnpm --filter @hookwire/bench bench:delivery        (env N=20000, SEED=1000000)
 *
 * (a) limit: a bare undici Pool sends N signed 1 KiB bodies, 64 in flight, to a 204 receiver (own process).
 * (b) hookwire: `hookwire serve` (built CLI, own process) gets N events published over HTTP (32 in flight) and
 *     delivers them to the same receiver; throughput = N / (last delivery - first publish). Every attempt is
 *     recorded in SQLite before the next claim of its slot (checked through /metrics at the end).
 * (b2) publish latency while the dispatcher drains a backlog at full speed (1 publish in flight).
 * (c) claim latency (store.claimDue of 50, measured in this process on the same file), publish latency and
 *     server RSS with 10 000 and with SEED due deliveries in the database (server dispatching to a receiver
 *     that never answers, so the backlog stays).
 * Everything is bounded: each phase has a deadline and every child is killed at the end.
 */
import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateEndpointSecret, SqliteStore } from '@hookwire/server';
import { schemes, sign } from '@hookwire/signatures';
import { Pool } from 'undici';

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.N ?? 20_000);
const SEED = Number(process.env.SEED ?? 1_000_000);
const IN_FLIGHT = 64;
const PUBLISH_IN_FLIGHT = 32;
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const cli = join(
  dirname(createRequire(import.meta.url).resolve('@hookwire/server/package.json')),
  'dist/cli.js',
);
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

function data1KiB(i: number): Record<string, unknown> {
  return {
    link_id: `lnk_${i}`,
    country: 'FR',
    city: 'Paris',
    user_agent: 'Mozilla/5.0',
    pad: 'x'.repeat(800),
  };
}

// ---------------------------------------------------------------- receiver (child process)

interface ReceiverChild {
  url: string;
  count(): Promise<{ requests: number; unique: number; firstAt: number; lastAt: number }>;
  reset(): Promise<void>;
  child: ChildProcess;
}

async function startReceiver(mode: 'ok' | 'paused'): Promise<ReceiverChild> {
  const child = fork(join(here, 'receiver.ts'), [mode], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  children.add(child);
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m) => resolve((m as { port: number }).port)),
  );
  const ask = <T>(msg: string) =>
    new Promise<T>((resolve) => {
      child.once('message', (m) => resolve(m as T));
      child.send(msg);
    });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    count: () => ask('count'),
    reset: async () => {
      await ask('reset');
    },
  };
}

// ---------------------------------------------------------------- hookwire (child process)

interface Server {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Other work on this machine may be rebuilding packages/server (tsup cleans dist/ first): retry a few times. */
async function startServer(dataDir: string, env: Record<string, string> = {}): Promise<Server> {
  for (let i = 0; ; i++) {
    try {
      return await startServerOnce(dataDir, env);
    } catch (err) {
      if (i >= 5 || !/Cannot find module/.test(String(err))) {
        throw err;
      }
      await sleep(3000);
    }
  }
}

async function startServerOnce(dataDir: string, env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, [cli, 'serve', '--dev', '--port', '0', '--data-dir', dataDir], {
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
  });
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

async function api<T>(
  pool: Pool,
  method: 'GET' | 'POST',
  path: string,
  key: string,
  body?: unknown,
): Promise<T> {
  const res = await pool.request({
    method,
    path,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) {
    throw new Error(`${method} ${path} -> ${res.statusCode} ${text}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

async function setupTenant(server: Server, receiverUrl: string): Promise<{ pool: Pool; key: string }> {
  const pool = new Pool(server.url, { connections: PUBLISH_IN_FLIGHT });
  const tenant = await api<{ id: string }>(pool, 'POST', '/api/tenants', ADMIN_KEY, { name: 'bench' });
  const { key } = await api<{ key: string }>(pool, 'POST', `/api/tenants/${tenant.id}/api-keys`, ADMIN_KEY, {
    name: 'bench',
  });
  await api(pool, 'POST', '/api/event-types', key, { name: 'link.click', description: 'click' });
  await api(pool, 'POST', '/api/webhooks', key, { url: `${receiverUrl}/hook`, events: ['link.click'] });
  return { pool, key };
}

async function metric(serverUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${serverUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : Number.NaN;
}

async function waitDelivered(receiver: ReceiverChild, n: number, deadlineMs: number) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const c = await receiver.count();
    if (c.unique >= n) {
      return c;
    }
    if (Date.now() > deadline) {
      throw new Error(`only ${c.unique}/${n} delivered before the deadline`);
    }
    await sleep(50);
  }
}

// ---------------------------------------------------------------- (a) the physical limit

async function physicalLimit(receiver: ReceiverChild): Promise<number> {
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
  await run(N);
  const rps = N / ((performance.now() - t0) / 1000);
  await pool.close();
  return rps;
}

// ---------------------------------------------------------------- (b) hookwire end to end

async function hookwireThroughput(receiver: ReceiverChild) {
  const dir = mkdtempSync(join(tmpdir(), 'hookwire-bench-'));
  const server = await startServer(dir);
  try {
    const { pool, key } = await setupTenant(server, receiver.url);
    // Warm-up: 1000 events end to end.
    await receiver.reset();
    await publishMany(pool, key, 1000, 'warm');
    await waitDelivered(receiver, 1000, 60_000);
    await receiver.reset();

    const t0 = performance.timeOrigin + performance.now();
    const latencies = await publishMany(pool, key, N, 'run');
    const publishedAt = performance.timeOrigin + performance.now();
    const c = await waitDelivered(receiver, N, 300_000);
    const seconds = (c.lastAt - t0) / 1000;
    const attempts = await metric(server.url, 'hookwire_delivery_attempts_total{outcome="succeeded"}');

    // (b2) publish latency while the dispatcher drains a backlog at full speed.
    await receiver.reset();
    const backlog = N;
    const batch = Array.from({ length: 100 }, (_, i) => ({ type: 'link.click', data: data1KiB(i) }));
    let queued = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (queued < backlog) {
          queued += 100;
          await api(pool, 'POST', '/api/events/batch', key, { events: batch });
        }
      }),
    );
    const probe: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const c2 = await receiver.count();
      if (c2.unique >= backlog * 0.9) {
        break; // the backlog is (nearly) drained: no longer "full speed"
      }
      const s = performance.now();
      await api(pool, 'POST', '/api/events', key, { type: 'link.click', data: data1KiB(i) });
      probe.push(performance.now() - s);
    }
    await waitDelivered(receiver, backlog, 300_000);
    await pool.close();
    return {
      rps: N / seconds,
      seconds,
      publishSeconds: (publishedAt - t0) / 1000,
      burst: summary(latencies),
      probe: summary(probe),
      attempts,
      duplicates: c.requests - c.unique,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function publishMany(pool: Pool, key: string, total: number, tag: string): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: PUBLISH_IN_FLIGHT }, async () => {
      while (next < total) {
        const i = next++;
        const s = performance.now();
        await api(pool, 'POST', '/api/events', key, {
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
  const store = new SqliteStore({ filename: join(dir, 'hookwire.db') });
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
      const admin = await api<{ data: { id: string }[] }>(pool, 'GET', '/api/tenants?limit=1', ADMIN_KEY);
      const { key } = await api<{ key: string }>(
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
        await api(pool, 'POST', '/api/events', key, { type: 'link.click', data: { probe: i } });
        pub.push(performance.now() - s);
      }
      const s = performance.now();
      const rss = await metric(server.url, 'process_resident_memory_bytes');
      const scrapeMs = performance.now() - s;
      const due = await metric(server.url, 'hookwire_queue_depth{state="due"}');
      await pool.close();
      return { rssMiB: rss / 2 ** 20, scrapeMs, due, publish: summary(pub.slice(50)) };
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

const receiver = await startReceiver('ok');
log(`(a) physical limit: ${N} signed 1 KiB POSTs, ${IN_FLIGHT} in flight`);
const limit = await physicalLimit(receiver);
log(`    ${Math.round(limit)} req/s`);
log(`(b) hookwire: ${N} events published (${PUBLISH_IN_FLIGHT} in flight) and delivered`);
const hw = await hookwireThroughput(receiver);
const ratio = hw.rps / limit;
log(
  `    ${Math.round(hw.rps)} deliveries/s = ${ratio.toFixed(2)}x; publish p50 ${ms(hw.burst.p50)} p99 ${ms(hw.burst.p99)} ms; probe p50 ${ms(hw.probe.p50)} p99 ${ms(hw.probe.p99)} ms (n=${hw.probe.n})`,
);
receiver.child.kill();
const paused = await startReceiver('paused');
log(`(c) backlog: 10 000 vs ${SEED} due deliveries`);
const bl = await backlog(paused);
log('   ', JSON.stringify(bl));
paused.child.kill();

const cpu = cpus()[0]?.model ?? 'unknown CPU';
// Written by hand after the run that produced the tables above; kept here so a re-run keeps it.
const ANALYSIS = `
## Reading these numbers (written by hand after the run)

- **Throughput target (>= 0.5x) missed: 0.11x.** One Node process does both halves: for every delivered
  event it parses and validates an HTTP publish, commits it durably before the 202, claims it, signs and
  sends it, and commits the attempt; the limit (a) only sends. A CPU profile of the server under this load
  (\`node --cpu-prof\`): the publish transaction (one WAL commit per publish) ~21 %, socket writes ~12 %,
  publish validation/auth ~4 %, the attempt writes ~5.5 %, claims ~4 %, signing ~2 %.
- **Fixed on the way** (same benchmark, same day): claims ran once per finished attempt (claimDue 19 % of
  the server's CPU; now in batches of at least a quarter of the slots: 4 %); every attempt was its own
  transaction (17 %; now the attempts that finish in one event-loop turn share one: 5.5 %); and the
  external-id duplicate check scanned every message of the tenant on each publish (delivery collapsed to
  100 deliveries/s at 40 000 messages; now an index lookup: 977/s).
- **Next steps** for the ratio: group commit for publishes (concurrent publishes in one transaction, as the
  attempts now are), and \`--role api\` + \`--role worker\` as separate processes on more cores (2 shared cores
  here run the benchmark, the receiver and the server).
- **Publish latency target (p99 < 5 ms) missed: p99 10.8 ms** with one publish in flight while the dispatcher
  drains a backlog, p50 2.5 ms. API and dispatcher share one event loop; a dispatcher turn (claim, up to 64
  sends, a batched write) delays a publish by a few ms. Under the 32-in-flight flood the server is simply
  saturated (p50 23 ms). The role split is the remedy when publish latency matters.
- **Backlog: flat.** Claiming 50 costs about the same at 10 000 and 1 000 000 due deliveries (partial indexes,
  LIMITed), publish latency stays at ~1 ms p50, and the server's RSS does not grow (106-109 MiB). One thing
  grows: a /metrics scrape counts the pending index (6.8 ms at 10 000, 169 ms at 1 000 000), fine for a 15 s
  scrape interval; keep it in mind before scraping every second.
`;
const row = (label: string, a: string, b: string) => `| ${label} | ${a} | ${b} |`;
writeFileSync(
  join(here, 'RESULTS.md'),
  `# Delivery throughput and latency

Measured ${new Date().toISOString()} on ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM,
Node ${process.version} (${process.platform}/${process.arch}); the cores were shared with other work.
Reproduce: \`pnpm --filter @hookwire/bench bench:delivery\` (env N, SEED). The server is the built
\`hookwire serve --dev\` (SQLite, WAL, synchronous=NORMAL) in its own process with
\`HOOKWIRE_ENDPOINT_CONCURRENCY=${IN_FLIGHT}\`; the receiver (204) is a third process.

## Throughput against the physical limit

| measurement | value |
| --- | --- |
| (a) bare undici Pool, signed 1 KiB bodies, ${IN_FLIGHT} in flight | ${Math.round(limit)} req/s |
| (b) Hookwire: ${N} events published over HTTP (${PUBLISH_IN_FLIGHT} in flight), all delivered | ${Math.round(hw.rps)} deliveries/s (${hw.seconds.toFixed(2)} s; publishing took ${hw.publishSeconds.toFixed(2)} s) |
| **(b) / (a)** (target >= 0.5) | **${ratio.toFixed(2)}x** |
| attempts recorded (metrics, includes 1000 warm-up) | ${hw.attempts} |
| duplicate deliveries | ${hw.duplicates} |

## Publish latency

| while | p50 | p99 | samples |
| --- | --: | --: | --: |
| publishing ${N} with ${PUBLISH_IN_FLIGHT} in flight (dispatcher delivering concurrently) | ${ms(hw.burst.p50)} ms | ${ms(hw.burst.p99)} ms | ${hw.burst.n} |
| 1 in flight, dispatcher draining a ${N}-delivery backlog at full speed (target p99 < 5 ms) | ${ms(hw.probe.p50)} ms | ${ms(hw.probe.p99)} ms | ${hw.probe.n} |

## A large backlog

The receiver never answers, so the dispatcher holds ${IN_FLIGHT} attempts open and the backlog stays. Claim
latency is \`store.claimDue(50)\` + release, measured in the benchmark process on the same database file.

| | 10 000 due | ${SEED.toLocaleString('en-US')} due |
| --- | --: | --: |
${row('claim 50, p50 / p99', `${ms(bl.small.claim.p50)} / ${ms(bl.small.claim.p99)} ms`, `${ms(bl.large.claim.p50)} / ${ms(bl.large.claim.p99)} ms`)}
${row('publish (1 in flight), p50 / p99', `${ms(bl.small.publish.p50)} / ${ms(bl.small.publish.p99)} ms`, `${ms(bl.large.publish.p50)} / ${ms(bl.large.publish.p99)} ms`)}
${row('server RSS', `${bl.small.rssMiB.toFixed(0)} MiB`, `${bl.large.rssMiB.toFixed(0)} MiB`)}
${row('/metrics scrape (queue gauges count the backlog)', `${ms(bl.small.scrapeMs)} ms`, `${ms(bl.large.scrapeMs)} ms`)}
${row('due (gauge)', String(bl.small.due), String(bl.large.due))}
${ANALYSIS}`,
);
// Format the tables the way the repository's biome config does, so `pnpm lint` stays green.
spawnSync('pnpm', ['exec', 'biome', 'format', '--write', join(here, 'RESULTS.md')], { stdio: 'ignore' });
log('wrote delivery/RESULTS.md');
process.exit(0);
