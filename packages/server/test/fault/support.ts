import { afterAll, beforeAll, expect } from 'vitest';
import {
  ADMIN_KEY,
  type HookwireProcess,
  type Receiver,
  startHookwire,
  startReceiver,
  tempDir,
  waitFor,
} from '../e2e/helpers.js';

export { type HookwireProcess, type Received, type Receiver, waitFor } from '../e2e/helpers.js';

/**
 * Server settings of the fault runs: a short request timeout and lease, so an attempt cut off by a kill or an
 * outage is claimed again within seconds.
 */
export const FAST_RECOVERY_ENV = {
  HOOKWIRE_REQUEST_TIMEOUT_MS: '2000',
  HOOKWIRE_LEASE_MS: '4000',
  HOOKWIRE_ENDPOINT_CONCURRENCY: '16',
};

/**
 * A compressed retry policy (as an operator would configure one): a failed attempt, or one that timed out on
 * a busy CI machine, is retried within seconds, not after the default plan's 5 minutes; the poll finds it.
 */
export const COMPRESSED_RETRY_ENV = {
  HOOKWIRE_POLL_INTERVAL_MS: '500',
  HOOKWIRE_PLANS: JSON.stringify({
    fault: { maxEndpoints: 10, retrySchedule: [200, 500, 1000, 2000, 4000] },
  }),
  HOOKWIRE_DEFAULT_PLAN: 'fault',
};

/** What a fault test runs against: a receiver, data directories and the servers it starts. */
export interface FaultRig {
  /** Started in beforeAll. */
  readonly receiver: Receiver;
  /** `dataDirs` fresh directories; `dir` is the first. */
  readonly dirs: { path: string; remove(): void }[];
  readonly dir: { path: string; remove(): void };
  /** Every server `start` started, in order. */
  readonly servers: HookwireProcess[];
  /** `hookwire serve` on `dir` unless another data directory is given; stopped in afterAll. */
  start(opts?: { dataDir?: string; args?: string[]; env?: Record<string, string> }): Promise<HookwireProcess>;
}

/**
 * Registers the hooks of a fault test (in the calling file or describe block): the receiver starts before
 * the tests; afterwards the servers stop, the receiver closes and the directories are removed. Hooks the
 * caller registers before this one run before it and after its cleanup (vitest runs after-hooks as a stack).
 */
export function useFaultRig(dirPrefix: string, dataDirs = 1): FaultRig {
  const dirs = Array.from({ length: dataDirs }, () => tempDir(dirPrefix));
  const servers: HookwireProcess[] = [];
  let receiver: Receiver | undefined;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await receiver?.close();
    for (const d of dirs) {
      d.remove();
    }
  });
  return {
    get receiver() {
      if (!receiver) {
        throw new Error('the receiver starts in beforeAll: use it inside hooks and tests');
      }
      return receiver;
    },
    dirs,
    dir: dirs[0]!,
    servers,
    async start(opts = {}) {
      const server = await startHookwire({ ...opts, dataDir: opts.dataDir ?? dirs[0]!.path });
      servers.push(server);
      return server;
    },
  };
}

/** One HTTP call to a running server: status, parsed body and headers; network errors reject. */
export async function api(
  baseUrl: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
}

/** A tenant with a key, the `link.click` type and one webhook per receiver URL; returns the key. */
export async function setUpTenant(
  baseUrl: string,
  name: string,
  webhookUrls: string[],
): Promise<{ key: string; webhookIds: string[] }> {
  const tenant = await api(baseUrl, ADMIN_KEY, 'POST', '/api/tenants', { name });
  const tenantId = (tenant.body as { id: string }).id;
  const created = await api(baseUrl, ADMIN_KEY, 'POST', `/api/tenants/${tenantId}/api-keys`, { name });
  const key = (created.body as { key: string }).key;
  const type = await api(baseUrl, key, 'POST', '/api/event-types', { name: 'link.click' });
  if (type.status !== 201) {
    throw new Error(`creating the event type answered ${type.status}`);
  }
  const webhookIds: string[] = [];
  for (const url of webhookUrls) {
    const w = await api(baseUrl, key, 'POST', '/api/webhooks', { url, events: ['link.click'] });
    if (w.status !== 201) {
      throw new Error(`creating webhook ${url} answered ${w.status}: ${JSON.stringify(w.body)}`);
    }
    webhookIds.push((w.body as { id: string }).id);
  }
  return { key, webhookIds };
}

/** Milliseconds since `t0`, for the printed timelines (never asserted on). */
export const since = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

export interface BatchResult {
  ids: string[];
  replayed: boolean;
}

/**
 * Publishes batch number `batch`: `size` `link.click` events with `data.seq` numbered on from `batch * size`,
 * under `idempotencyKey`. Anything but a 202 throws; a network error rejects.
 */
export async function publishSeqBatch(
  url: string,
  key: string,
  batch: number,
  size: number,
  idempotencyKey: string,
): Promise<BatchResult> {
  const events = Array.from({ length: size }, (_, i) => ({
    type: 'link.click',
    data: { seq: batch * size + i, batch },
  }));
  const r = await api(
    url,
    key,
    'POST',
    '/api/events/batch',
    { events },
    { 'idempotency-key': idempotencyKey },
  );
  if (r.status !== 202) {
    throw new Error(`batch ${batch} answered ${r.status}: ${JSON.stringify(r.body)}`);
  }
  return {
    ids: (r.body as { data: { id: string }[] }).data.map((d) => d.id),
    replayed: r.headers.get('idempotent-replayed') === 'true',
  };
}

type EndpointPath = '/a' | '/b';

/** What the receiver's two endpoints `/a` and `/b` got, by message id. */
export interface DeliveryTally {
  /** Per endpoint: how often each message (webhook-id) arrived. */
  seen: Record<EndpointPath, Map<string, number>>;
  /** The `data.seq` each message carried. */
  seqOf: Map<string, number>;
  /** Takes in the requests that arrived since the last scan. */
  scan(): void;
  /** Arrivals beyond the first, per endpoint. */
  duplicates(): Record<EndpointPath, number>;
}

export function tallyDeliveries(receiver: Receiver): DeliveryTally {
  const seen = { '/a': new Map<string, number>(), '/b': new Map<string, number>() };
  const seqOf = new Map<string, number>();
  let scanned = 0;
  return {
    seen,
    seqOf,
    scan() {
      for (; scanned < receiver.requests.length; scanned++) {
        const req = receiver.requests[scanned]!;
        const id = String(req.headers['webhook-id']);
        const m = seen[req.path as EndpointPath];
        m.set(id, (m.get(id) ?? 0) + 1);
        seqOf.set(id, (JSON.parse(req.body) as { data: { seq: number } }).data.seq);
      }
    },
    duplicates: () => ({
      '/a': [...seen['/a'].values()].reduce((a, n) => a + n - 1, 0),
      '/b': [...seen['/b'].values()].reduce((a, n) => a + n - 1, 0),
    }),
  };
}

/** Every acknowledged message (`want`, by id) reached both endpoints. */
export function expectReceivedAll(tally: DeliveryTally, want: Set<string>): void {
  for (const [path, m] of Object.entries(tally.seen)) {
    const missing = [...want].filter((id) => !m.has(id));
    expect(missing, `acknowledged messages never delivered to ${path}`).toEqual([]);
  }
}

/** No endpoint got a message that was not acknowledged (`want`, by id). */
export function expectReceivedOnly(tally: DeliveryTally, want: Set<string>): void {
  for (const [path, m] of Object.entries(tally.seen)) {
    expect(
      [...m.keys()].filter((id) => !want.has(id)),
      `${path} got messages nobody published`,
    ).toEqual([]);
  }
}

/** Exactly one message per sequence number 0..total-1: a re-sent or replayed batch was not stored twice. */
export function expectOneMessagePerSeq(tally: DeliveryTally, total: number): void {
  const seqs = new Map<number, Set<string>>();
  for (const [id, seq] of tally.seqOf) {
    seqs.set(seq, (seqs.get(seq) ?? new Set()).add(id));
  }
  expect(seqs.size).toBe(total);
  expect([...seqs.values()].filter((ids) => ids.size !== 1)).toEqual([]);
}

/** Deliveries with one status, counted (a type, not an interface, so query rows cast to it). */
export type StatusCount = { status: string; n: number };

/**
 * Waits (bounded by `timeoutMs`) until both endpoints have `want` messages and `statuses` (deliveries counted
 * by status, read from the database) says every delivery `succeeded`: the attempts were recorded, not only
 * made. On timeout the error says what was missing. Returns the last counts.
 */
export async function waitForAllSucceeded(
  what: string,
  tally: DeliveryTally,
  want: number,
  statuses: () => Promise<StatusCount[]>,
  timeoutMs: number,
): Promise<StatusCount[]> {
  let last: StatusCount[] = [];
  try {
    await waitFor(
      what,
      async () => {
        tally.scan();
        if (tally.seen['/a'].size < want || tally.seen['/b'].size < want) {
          return undefined;
        }
        last = await statuses();
        return (last.length === 1 && last[0]!.status === 'succeeded') || undefined;
      },
      timeoutMs,
      250,
    );
  } catch (err) {
    throw new Error(
      `${(err as Error).message}: /a has ${tally.seen['/a'].size}, /b ${tally.seen['/b'].size} of ${want}; ` +
        `deliveries by status ${JSON.stringify(await statuses())}`,
    );
  }
  return last;
}
