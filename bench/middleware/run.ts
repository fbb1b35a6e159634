/**
 * Receiver middleware throughput: per framework, the bare route (reads the raw body only), hand-written
 * Standard Webhooks verification (createHmac + timingSafeEqual + JSON.parse: the limit for any verifying
 * middleware) and our adapter. Targets run in a child process; autocannon runs here.
 *
 *   pnpm --filter @hookwire/bench bench:middleware            (RUNS=2 by default)
 *
 * The same signed request is replayed, so the targets use dedupe: false and a 24 h tolerance.
 *
 * PIN=1 (Linux, taskset): the target runs on CPU 0 and autocannon (this process) on CPU 1, so the two do not
 * take turns on the same core; unpinned, rounds of one target swing by a factor of two on a 2-core VM.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSecret } from '@hookwire/signatures';
import autocannon from 'autocannon';
import { signedRequest } from './request.js';
import { frameworks, type Variant, variants } from './targets.js';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.RUNS ?? 2);
const DURATION = Number(process.env.DURATION ?? 5);
const WARMUP = 1;
const CONNECTIONS = 64;
const PIN = process.env.PIN === '1';
if (PIN) {
  spawnSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
}

async function startTarget(
  framework: string,
  variant: Variant,
  secret: string,
): Promise<{ child: ChildProcess; port: number }> {
  const command = [process.execPath, '--import', 'tsx', join(here, 'server.ts'), framework, variant];
  const [file, ...args] = PIN ? ['taskset', '-c', '0', ...command] : command;
  const child = spawn(file!, args, {
    env: { ...process.env, BENCH_SECRET: secret, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      out += String(chunk);
      const match = /listening (\d+)/.exec(out);
      if (match) {
        resolve(Number(match[1]));
      }
    });
    child.once('exit', () => reject(new Error(`${framework}/${variant} exited before listening`)));
  });
  return { child, port };
}

async function measure(port: number, headers: Record<string, string>, body: string, duration: number) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/webhooks`,
    method: 'POST',
    connections: CONNECTIONS,
    duration,
    headers,
    body,
  });
  return { rps: result.requests.average, non2xx: result.non2xx, errors: result.errors };
}

const secret = generateSecret();
const { body, headers } = await signedRequest(secret);

const runs: Record<string, Record<Variant, number>>[] = [];
for (let run = 1; run <= RUNS; run += 1) {
  const table: Record<string, Record<Variant, number>> = {};
  for (const framework of frameworks) {
    table[framework] = { bare: 0, hand: 0, hookwire: 0 };
    // Every other run measures the variants in reverse order, so a slow drift of the shared machine (a
    // neighbour, thermal state) does not always favour the same variant.
    for (const variant of run % 2 === 1 ? variants : [...variants].reverse()) {
      const { child, port } = await startTarget(framework, variant, secret);
      try {
        await measure(port, headers, body, WARMUP);
        const m = await measure(port, headers, body, DURATION);
        if (m.non2xx > 0 || m.errors > 0) {
          throw new Error(`${framework}/${variant}: ${m.non2xx} non-2xx and ${m.errors} errors`);
        }
        table[framework][variant] = m.rps;
        console.log(`run ${run} ${framework}/${variant}: ${Math.round(m.rps)} req/s`);
      } finally {
        child.kill();
        await once(child, 'exit');
      }
    }
  }
  runs.push(table);
}

const names = { node: 'node:http', fastify: 'Fastify', express: 'Express' } as const;
const rows: string[][] = [];
runs.forEach((table, i) => {
  for (const framework of frameworks) {
    const row = table[framework]!;
    rows.push([
      String(i + 1),
      names[framework],
      String(Math.round(row.bare)),
      String(Math.round(row.hand)),
      String(Math.round(row.hookwire)),
      `${(row.hookwire / row.hand).toFixed(2)}x`,
    ]);
  }
});
const header = [
  'run',
  'framework',
  'bare (reads raw body)',
  'hand-written verification',
  '@hookwire adapter',
  'adapter / hand-written',
];
// Columns padded the way `biome format` writes markdown tables, so the generated file passes `biome check`.
const widths = header.map((h, c) => Math.max(h.length, 3, ...rows.map((r) => r[c]!.length)));
const numeric = (c: number) => c >= 2;
const pad = (cell: string, c: number) => (numeric(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!));
const lines = [
  `| ${header.map((h, c) => h.padEnd(widths[c]!)).join(' | ')} |`,
  `| ${widths.map((w, c) => (numeric(c) ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`,
  ...rows.map((r) => `| ${r.map(pad).join(' | ')} |`),
];
// One run decides little on 2 shared cores (the target and autocannon compete for them); the median ratio over
// the runs is the number to read.
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const medianLines = [
  '| framework | median adapter / hand-written | min | max |',
  '| --------- | ----------------------------: | --: | --: |',
  ...frameworks.map((framework) => {
    const ratios = runs.map((t) => t[framework]!.hookwire / t[framework]!.hand);
    const f = (x: number) => `${x.toFixed(2)}x`;
    return `| ${names[framework]} | ${f(median(ratios))} | ${f(Math.min(...ratios))} | ${f(Math.max(...ratios))} |`;
  }),
];
const markdown = `${lines.join('\n')}\n\nOver the ${runs.length} runs:\n\n${medianLines.join('\n')}`;
console.log(`\n${markdown}\n`);

const cpu = cpus()[0]?.model ?? 'unknown CPU';
writeFileSync(
  join(here, 'RESULTS.md'),
  `# Receiver middleware throughput

Measured ${new Date().toISOString()} on ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM,
Node ${process.version} (${process.platform}/${process.arch}); ${PIN ? 'target pinned to CPU 0 and autocannon to CPU 1 (`PIN=1`, taskset)' : 'target and autocannon share both cores (unpinned)'}.

autocannon, ${CONNECTIONS} connections, ${WARMUP} s warm-up then ${DURATION} s per measurement, one 1 KiB signed
JSON body (standard scheme) replayed; each target in its own child process. Because the same signed request is
replayed, every target runs with **dedupe off and a 24 h timestamp tolerance**. Target: adapter >= 0.9x of the
hand-written verification on the same framework.

${markdown}

Reproduce: \`pnpm --filter @hookwire/bench bench:middleware\` (env RUNS, DURATION).
`,
);
