/**
 * Receiver middleware throughput: per framework, the bare route (reads the raw body only), hand-written
 * Standard Webhooks verification (createHmac + timingSafeEqual + JSON.parse: the limit for any verifying
 * middleware) and our adapter. Targets run in a child process; autocannon runs here.
 *
 *   pnpm --filter @hookwire/bench bench:middleware            (RUNS=2 by default)
 *
 * The same signed request is replayed, so the targets use dedupe: false and a 24 h tolerance.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSecret, schemes, sign } from '@hookwire/signatures';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.RUNS ?? 2);
const DURATION = Number(process.env.DURATION ?? 5);
const WARMUP = 1;
const CONNECTIONS = 64;
const frameworks = ['node', 'fastify', 'express'] as const;
const variants = ['bare', 'hand', 'hookwire'] as const;
type Variant = (typeof variants)[number];

function body1KiB(): string {
  const base = {
    metadata: {
      id: 'msg_bench',
      apiVersion: '2026-02-09',
      eventType: 'link.click',
      eventTime: new Date().toISOString(),
    },
    data: { linkId: 'lnk_2Zy1', country: 'FR', city: 'Paris', userAgent: 'Mozilla/5.0', pad: '' },
  };
  base.data.pad = 'x'.repeat(1024 - JSON.stringify(base).length);
  const text = JSON.stringify(base);
  if (Buffer.byteLength(text) !== 1024) {
    throw new Error('body must be exactly 1 KiB');
  }
  return text;
}

async function startTarget(
  framework: string,
  variant: Variant,
  secret: string,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'server.ts'), framework, variant], {
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
const body = body1KiB();
const headers = {
  'content-type': 'application/json',
  ...(await sign(schemes.standard(), { secret, body, id: 'msg_bench', timestamp: new Date() })),
};

const runs: Record<string, Record<Variant, number>>[] = [];
for (let run = 1; run <= RUNS; run += 1) {
  const table: Record<string, Record<Variant, number>> = {};
  for (const framework of frameworks) {
    table[framework] = { bare: 0, hand: 0, hookwire: 0 };
    for (const variant of variants) {
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
const markdown = lines.join('\n');
console.log(`\n${markdown}\n`);

const cpu = cpus()[0]?.model ?? 'unknown CPU';
writeFileSync(
  join(here, 'RESULTS.md'),
  `# Receiver middleware throughput

Measured ${new Date().toISOString()} on ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM,
Node ${process.version} (${process.platform}/${process.arch}); the cores were shared with other work.

autocannon, ${CONNECTIONS} connections, ${WARMUP} s warm-up then ${DURATION} s per measurement, one 1 KiB signed
JSON body (standard scheme) replayed; each target in its own child process. Because the same signed request is
replayed, every target runs with **dedupe off and a 24 h timestamp tolerance**. Target: adapter >= 0.9x of the
hand-written verification on the same framework.

${markdown}

Reproduce: \`pnpm --filter @hookwire/bench bench:middleware\` (env RUNS, DURATION).
`,
);
