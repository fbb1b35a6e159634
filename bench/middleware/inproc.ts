/**
 * Per-request CPU cost of each middleware target, for judging one change at a time on a busy machine
 * (autocannon's requests/s swing by 30% there; CPU time per request and instruction counts do not).
 *
 *   tsx middleware/inproc.ts                       both sections below, rounds interleaved, medians
 *   tsx middleware/inproc.ts core                  only (1)
 *   tsx middleware/inproc.ts http                  only (2)
 *   tsx middleware/inproc.ts only node/hookwire N  one target, N requests, then exit (for callgrind)
 *   tsx middleware/inproc.ts only core/hookwire N  N core calls, then exit (for callgrind)
 *
 * (1) core: one verified 1 KiB request through hand-written verification vs the receiver core
 *     (`receive` + `run`), as function calls in this process.
 * (2) http: every target of `targets.ts` listening in this process; a child process (`client.ts`) sends a
 *     fixed number of requests over 64 keep-alive sockets and this process's CPU time is divided by it, so
 *     the client's work is not counted (the same split as autocannon in `run.ts`).
 *
 * Instruction counts, stable under load: run `only` twice under
 * `valgrind --tool=callgrind` with N and 2N and divide the difference of the totals by N.
 * Env: ROUNDS (default 7), REQUESTS per measurement (4000), CALLS per core round (20000).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWebhookReceiver } from '@hookwire/events/receiver';
import { generateSecret } from '@hookwire/signatures';
import { handVerify } from './hand-verify.js';
import { signedRequest } from './request.js';
import { createTarget, type Framework, frameworks, type Variant, variants } from './targets.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const REQUESTS = Number(process.env.REQUESTS ?? 4000);
const CALLS = Number(process.env.CALLS ?? 20_000);
const CONNECTIONS = 64;
const TOLERANCE = 86_400;

const secret = generateSecret();
const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
const { body, headers } = await signedRequest(secret);
const bodyBytes = Buffer.from(body);
const rawRequest =
  `POST /webhooks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: ${bodyBytes.byteLength}\r\n` +
  `${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n${body}`;

/** CPU time (user + system) of this process in microseconds. */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

// ---------------------------------------------------------------------------------------------- (1) core

type CoreCall = () => Promise<unknown>;

function coreCalls(): Record<'hand' | 'hookwire', CoreCall> {
  const receiver = createWebhookReceiver({ secret, dedupe: false, toleranceSeconds: TOLERANCE });
  const handler = () => undefined;
  // Node hands adapters a plain header object with lower-case names.
  const nodeHeaders: Record<string, string> = { ...headers, 'content-length': '1024', host: '127.0.0.1' };
  return {
    // As an async route would run it: one promise per request.
    hand: async () => handVerify(key, nodeHeaders, bodyBytes, TOLERANCE),
    hookwire: async () => {
      const result = await receiver.receive({ body: bodyBytes, headers: nodeHeaders });
      if (!result.ok) {
        throw new Error(`core rejected the request: ${result.response.body}`);
      }
      return receiver.run(result, handler);
    },
  };
}

async function coreRound(call: CoreCall, calls: number): Promise<number> {
  const start = cpuMicros();
  for (let i = 0; i < calls; i++) {
    await call();
  }
  return (cpuMicros() - start) / calls;
}

async function coreSection(): Promise<void> {
  const calls = coreCalls();
  const samples: Record<string, number[]> = { hand: [], hookwire: [] };
  for (const name of ['hand', 'hookwire'] as const) {
    await coreRound(calls[name], CALLS); // warm-up
  }
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate the order so drift on a shared machine hits both alike.
    const order = r % 2 === 0 ? (['hand', 'hookwire'] as const) : (['hookwire', 'hand'] as const);
    for (const name of order) {
      samples[name]!.push(await coreRound(calls[name], CALLS));
    }
  }
  const hand = median(samples['hand']!);
  const ours = median(samples['hookwire']!);
  console.log(
    '\n(1) core, CPU µs per verified 1 KiB request (median of %d rounds of %d calls)\n',
    ROUNDS,
    CALLS,
  );
  console.log('| hand-written | receiver core (receive + run) | hand / core |');
  console.log('| ---: | ---: | ---: |');
  console.log(`| ${hand.toFixed(2)} | ${ours.toFixed(2)} | ${(hand / ours).toFixed(2)}x |`);
}

// ---------------------------------------------------------------------------------------------- (2) http

function startClient(): ChildProcess {
  return fork(join(here, 'client.ts'), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Sends `requests` requests to `port` and returns this process's CPU µs per request. */
async function measure(client: ChildProcess, port: number, requests: number, label: string): Promise<number> {
  const start = cpuMicros();
  client.send({ port, requests, connections: CONNECTIONS, request: rawRequest });
  const [result] = (await once(client, 'message')) as [{ non2xx?: number; error?: string }];
  const perRequest = (cpuMicros() - start) / requests;
  if (result.error !== undefined || result.non2xx !== 0) {
    throw new Error(`${label}: ${result.error ?? `${result.non2xx} non-2xx answers`}`);
  }
  return perRequest;
}

async function httpSection(): Promise<void> {
  const client = startClient();
  const ports = new Map<string, number>();
  const servers: Server[] = [];
  for (const framework of frameworks) {
    for (const variant of variants) {
      const server = await createTarget(framework, variant, secret);
      servers.push(server);
      ports.set(`${framework}/${variant}`, await listen(server));
    }
  }
  const samples = new Map<string, number[]>([...ports.keys()].map((k) => [k, []]));
  for (const [label, port] of ports) {
    await measure(client, port, REQUESTS, label); // warm-up
  }
  for (let r = 0; r < ROUNDS; r++) {
    const labels = [...ports.keys()];
    for (const label of r % 2 === 0 ? labels : labels.reverse()) {
      samples.get(label)!.push(await measure(client, ports.get(label)!, REQUESTS, label));
    }
  }
  client.disconnect();
  for (const server of servers) {
    server.close();
  }
  console.log(
    '\n(2) http, target CPU µs per request (median of %d rounds of %d requests, %d sockets)\n',
    ROUNDS,
    REQUESTS,
    CONNECTIONS,
  );
  console.log('| framework | bare | hand-written | @hookwire | hand / @hookwire |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const framework of frameworks) {
    const [bare, hand, ours] = variants.map((v) => median(samples.get(`${framework}/${v}`)!));
    console.log(
      `| ${framework} | ${bare!.toFixed(1)} | ${hand!.toFixed(1)} | ${ours!.toFixed(1)} | ${(hand! / ours!).toFixed(2)}x |`,
    );
  }
}

// ---------------------------------------------------------------------------------------------- single

async function only(target: string, count: number): Promise<void> {
  const [framework, variant] = target.split('/') as [Framework | 'core', Variant];
  if (framework === 'core') {
    const call = coreCalls()[variant as 'hand' | 'hookwire'];
    for (let i = 0; i < count; i++) {
      await call();
    }
    return;
  }
  const client = startClient();
  const server = await createTarget(framework, variant, secret);
  await measure(client, await listen(server), count, target);
  client.disconnect();
  server.close();
}

const [mode = 'all', target = '', count = '0'] = process.argv.slice(2);
if (mode === 'only') {
  await only(target, Number(count));
} else {
  if (mode !== 'http') {
    await coreSection();
  }
  if (mode !== 'core') {
    await httpSection();
  }
}
