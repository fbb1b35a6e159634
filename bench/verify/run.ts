/**
 * Verifications per second for @hookwire/signatures (the BUILT package) against the bare node:crypto limit
 * and the peers, at 256 B, 4 KiB and 64 KiB. Each measurement: warm-up, then ROUNDS time-boxed rounds;
 * the median round counts. Run: pnpm --filter @hookwire/bench bench:verify
 * Writes the table, machine and date to bench/verify/RESULTS.md.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { schemes, sign, verify } from '@hookwire/signatures';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';

const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 250);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 300);

type Fn = () => unknown;

/** Runs `fn` in batches until `ms` elapse; returns ops/s. Bounded by time, never by an open loop. */
async function round(fn: Fn, ms: number): Promise<number> {
  const start = performance.now();
  const deadline = start + ms;
  let ops = 0;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 64; i++) {
      const r = fn();
      if (r instanceof Promise) {
        await r;
      }
    }
    ops += 64;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

/**
 * Measures every candidate of one body size. Rounds are interleaved (A B C … A B C …) so that load from other
 * processes on a shared machine hits every candidate alike; each candidate's median round is kept.
 */
async function measureAll(candidates: [string, Fn][]): Promise<[string, number][]> {
  for (const [, fn] of candidates) {
    // A wrong verifier must fail loudly rather than be measured.
    const first = fn();
    if (first instanceof Promise) {
      await first;
    }
    await round(fn, WARMUP_MS);
  }
  const results = candidates.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, [, fn]] of candidates.entries()) {
      results[i]!.push(await round(fn, ROUND_MS));
    }
  }
  return candidates.map(([name], i) => {
    const sorted = results[i]!.sort((a, b) => a - b);
    return [name, sorted[Math.floor(sorted.length / 2)]!];
  });
}

function makeBody(size: number): string {
  const unit = '{"type":"link.click","data":{"linkId":"lnk_1","country":"FR"},"pad":"';
  let s = unit;
  while (s.length < size - 2) {
    s += 'x';
  }
  return `${s.slice(0, size - 2)}"}`;
}

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const PLAIN = 'bench_plain_secret_0123456789';
const SIZES: [string, number][] = [
  ['256 B', 256],
  ['4 KiB', 4096],
  ['64 KiB', 65536],
];

interface Row {
  name: string;
  values: number[];
}

async function main(): Promise<void> {
  const rows = new Map<string, number[]>();
  const candidates: [string, Fn][] = [];
  const put = (name: string, fn: Fn) => {
    candidates.push([name, fn]);
  };
  const stripe = new Stripe('sk_test_bench');
  const now = new Date();
  const nowS = Math.floor(now.getTime() / 1000);
  const swKey = Buffer.from(SECRET.slice(6), 'base64');
  for (const [label, size] of SIZES) {
    const text = makeBody(size);
    const buf = Buffer.from(text);
    process.stderr.write(`${label}...\n`);

    // Physical limit: one HMAC over the body and a constant-time compare, nothing else.
    const bareSig = createHmac('sha256', PLAIN).update(buf).digest();
    put('bare node:crypto createHmac + timingSafeEqual (limit)', () => {
      if (!timingSafeEqual(createHmac('sha256', PLAIN).update(buf).digest(), bareSig)) {
        throw new Error('bare');
      }
    });

    const std = schemes.standard();
    const stdHeaders = await sign(std, { secret: SECRET, body: buf, id: 'msg_bench', timestamp: now });
    put('hookwire standard (v1)', () => verify(std, { secret: SECRET, body: buf, headers: stdHeaders }));

    const ts = schemes.timestamped({ header: 'stripe-signature' });
    const tsHeaders = await sign(ts, { secret: PLAIN, body: buf, timestamp: now });
    put('hookwire timestamped (Stripe-style)', () =>
      verify(ts, { secret: PLAIN, body: buf, headers: tsHeaders }),
    );

    const hm = schemes.hmac({ header: 'x-hub-signature-256', prefix: 'sha256=' });
    const hmHeaders = await sign(hm, { secret: PLAIN, body: buf });
    put('hookwire hmac (GitHub-style)', () => verify(hm, { secret: PLAIN, body: buf, headers: hmHeaders }));

    const sw = new StandardWebhook(SECRET);
    const swHeaders = {
      'webhook-id': 'msg_bench',
      'webhook-timestamp': String(nowS),
      'webhook-signature': stdHeaders['webhook-signature']!,
    };
    put('standardwebhooks verify (parses JSON)', () => sw.verify(text, swHeaders));
    put('standardwebhooks verify (jsonParse: false)', () =>
      sw.verify(text, swHeaders, { jsonParse: false } as never),
    );

    const svix = new SvixWebhook(SECRET);
    const svixHeaders = {
      'svix-id': 'msg_bench',
      'svix-timestamp': String(nowS),
      'svix-signature': stdHeaders['webhook-signature']!,
    };
    put('svix verify (parses JSON)', () => svix.verify(text, svixHeaders));

    const stripeHeader = stripe.webhooks.generateTestHeaderString({
      payload: text,
      secret: PLAIN,
      timestamp: nowS,
    });
    put('stripe constructEvent (parses JSON)', () =>
      stripe.webhooks.constructEvent(buf, stripeHeader, PLAIN),
    );

    const octoSig = await octokitSign(PLAIN, text);
    put('@octokit/webhooks-methods verify', async () => {
      if (!(await octokitVerify(PLAIN, text, octoSig))) {
        throw new Error('octokit');
      }
    });

    // What a Web Crypto-only verifier costs on Node: import once, subtle.verify per request.
    const subtleKey = await crypto.subtle.importKey('raw', swKey, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'verify',
    ]);
    const subtleSig = createHmac('sha256', swKey).update(buf).digest();
    put('Web Crypto subtle.verify (key imported once)', async () => {
      if (!(await crypto.subtle.verify('HMAC', subtleKey, subtleSig, buf))) {
        throw new Error('subtle');
      }
    });
    for (const [name, v] of await measureAll(candidates)) {
      rows.set(name, [...(rows.get(name) ?? []), v]);
    }
    candidates.length = 0;
  }
  const table = render([...rows].map(([name, values]) => ({ name, values })));
  process.stdout.write(`${table}\n`);
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const header = [
    '# Verify benchmark',
    '',
    `Date: ${new Date().toISOString()}  `,
    `Machine: ${availableParallelism()} cores (nproc), ${cpu}, Node ${process.version}  `,
    `Method: per size and verifier, ${WARMUP_MS} ms warm-up then ${ROUNDS} rounds of ${ROUND_MS} ms, median round; ratio = ops/s divided by the bare node:crypto limit measured in the same run.`,
    '',
  ].join('\n');
  const out = new URL('./RESULTS.md', import.meta.url);
  const notes = process.env.BENCH_NOTES ? `\n${process.env.BENCH_NOTES}\n` : '';
  writeFileSync(out, `${header}\n${table}\n${notes}`);
}

function render(rows: Row[]): string {
  const limit = rows[0]!.values;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const lines = [
    `| verifier | ${SIZES.map(([l]) => `${l} ops/s | ${l} ratio`).join(' | ')} |`,
    `| --- | ${SIZES.map(() => '---: | ---:').join(' | ')} |`,
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${r.values.map((v, i) => `${fmt(v)} | ${(v / limit[i]!).toFixed(2)}x`).join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

await main();
