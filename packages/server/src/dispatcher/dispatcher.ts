import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { getOrCompute } from '../bounded-map.js';
import type {
  Attempt,
  AttemptOutcome,
  ClaimedDelivery,
  Endpoint,
  MessageInput,
  RecordAttemptInput,
  RecordAttemptResult,
  Store,
  Tenant,
} from '../store/store.js';
import { renderEnvelopeBody } from './envelope.js';
import { HttpSender, SendAbortedError, type SendResult } from './http-sender.js';
import { DEFAULT_JITTER, DEFAULT_PLANS, type Plan, parseRetryAfter, retryDelayMs } from './retry-policy.js';
import { signRequest } from './sign-request.js';
import { type Resolver, redactUrl } from './ssrf.js';
import { TokenBucket } from './token-bucket.js';

/** Minimal logger shape (pino fits). */
export interface DispatcherLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DispatcherOptions {
  store: Store;
  /** Lease owner name; default `<host>:<pid>:<random>`. Unique per process. */
  workerId?: string;
  /** Allows http:// and loopback receivers (never private or metadata addresses). */
  dev?: boolean;
  /** DNS resolver used at connect time; default the system resolver. */
  resolver?: Resolver;
  /** Plans by name; a tenant's plan picks its retry schedule. Default: `DEFAULT_PLANS`. */
  plans?: Record<string, Plan>;
  /** Plan for tenants whose plan is not configured. Default `default`. */
  defaultPlan?: string;
  /** Deliveries claimed per round trip. Default 50. */
  batchSize?: number;
  /** Lease length; must exceed `timeoutMs` comfortably. Default `3 × timeoutMs + 30 s`. */
  leaseMs?: number;
  /** Total deadline of one attempt: connect, TLS, headers and preview read. Default 10 s. */
  timeoutMs?: number;
  /** Attempts in flight in this process. Default 64. */
  maxConcurrency?: number;
  /** Attempts in flight per endpoint. Default 4. */
  endpointConcurrency?: number;
  /** Longest idle sleep; bounds how late a publish from another process is noticed. Default 1 s. */
  idleIntervalMs?: number;
  /** Upper bound for honouring `Retry-After`. Default 1 h. */
  maxRetryAfterMs?: number;
  /** An endpoint failing without a single success for this long is disabled. Default 5 days. */
  disableAfterMs?: number;
  /** Retry jitter fraction. Default 0.2 (±20 %). */
  jitter?: number;
  random?: () => number;
  now?: () => Date;
  userAgent?: string;
  logger?: DispatcherLogger;
  /** Called after every recorded attempt (metrics, tests). */
  onAttempt?: (event: { attempt: Attempt; endpoint: Endpoint; outcome: AttemptOutcome }) => void;
}

const DEFER_BUSY_MS = 250;
/** A claimed delivery kept in memory until it can start, with its endpoint as loaded at the claim. */
interface KeptDelivery {
  claim: ClaimedDelivery;
  endpoint: Endpoint;
}
/** An attempt waiting for its write, and the caller waiting for it. */
interface PendingWrite {
  input: RecordAttemptInput;
  resolve: (r: RecordAttemptResult) => void;
  reject: (e: unknown) => void;
}

/** Most attempts written in one transaction. */
const MAX_WRITE_BATCH = 256;
/**
 * Attempts per `recordAttempts` call (all-or-nothing each; see flushWrites). A chunk is where the group
 * commit may stop for a waiting API request, so smaller chunks let publishes in sooner: 4 against 16 in
 * three A/B pairs of bench/delivery, more deliveries/s and less server CPU per event in all three
 * (batch 7,581 / 6,177 / 6,369 vs 6,488 / 6,062 / 5,445 per s).
 */
const WRITE_CHUNK = 4;
const TENANT_CACHE_MS = 30_000;
/** Redacted endpoint URLs kept; the map starts over when full. */
const MAX_REDACTED_URLS = 10_000;

/** The operational event published to a tenant when one of its endpoints is disabled. */
export const WEBHOOK_DISABLED_EVENT = 'webhook.disabled';
/** The operational event published to a tenant when a delivery failed for good (its retries ran out). */
export const DELIVERY_EXHAUSTED_EVENT = 'delivery.exhausted';
/**
 * Events the server publishes itself. A delivery of one of them that fails for good emits nothing, so an
 * endpoint subscribed to everything that is down cannot make its own failures multiply.
 */
export const OPERATIONAL_EVENTS: ReadonlySet<string> = new Set([
  WEBHOOK_DISABLED_EVENT,
  DELIVERY_EXHAUSTED_EVENT,
  'webhook.test',
]);

const silentLogger: DispatcherLogger = { warn() {}, error() {} };

/**
 * Claims due deliveries with a lease, sends them, records every attempt and schedules the retry. One per
 * process; many processes may share a store (leases keep them apart).
 *
 * @example
 * const dispatcher = new Dispatcher({ store });
 * dispatcher.start();
 * // after store.publish(...): dispatcher.notify();
 * await dispatcher.stop({ deadlineMs: 10_000 });
 */
export class Dispatcher {
  readonly workerId: string;
  private readonly store: Store;
  private readonly sender: HttpSender;
  private readonly o: Required<
    Pick<
      DispatcherOptions,
      | 'batchSize'
      | 'leaseMs'
      | 'timeoutMs'
      | 'maxConcurrency'
      | 'endpointConcurrency'
      | 'idleIntervalMs'
      | 'maxRetryAfterMs'
      | 'disableAfterMs'
      | 'jitter'
      | 'defaultPlan'
      | 'userAgent'
    >
  >;
  private readonly plans: Record<string, Plan>;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly logger: DispatcherLogger;
  private readonly onAttempt: DispatcherOptions['onAttempt'];

  private running = false;
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  private readonly active = new Set<Promise<void>>();
  /** Attempts whose HTTP exchange is under way: what `maxConcurrency` bounds (the rest are being recorded). */
  private sending = 0;
  private readonly perEndpoint = new Map<string, number>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly tenants = new Map<string, { tenant: Tenant | null; at: number }>();
  private readonly redactedUrls = new Map<string, string>();
  private readonly shutdown = new AbortController();
  private writes: PendingWrite[] = [];
  private flushScheduled = false;
  private wakePending = false;
  private wake: (() => void) | null = null;
  /**
   * Set when a claim round could start nothing (every delivery's endpoint at its concurrency cap or out of
   * rate tokens): no claim before this time unless an attempt finishes first. Without it, every publish's
   * wake-up claimed the same capped endpoint's backlog again and gave it straight back (measured: one
   * receiver that holds its requests, endpoint concurrency 4, 1,455 publishes/s with the dispatch thread at
   * 547 µs per publish; 7,400/s and 9 µs with the cap out of the way).
   */
  private claimPausedUntil = 0;
  private finishedSincePause = false;
  /**
   * Claimed deliveries of endpoints at their concurrency cap, kept (leased) and started as the endpoint's
   * slots free, up to a limit per endpoint (see hold); the rest are given back for later. Giving them all
   * back made a capped endpoint's backlog drain at one or two deliveries per 250 ms deferral.
   */
  private readonly waiting = new Map<string, KeptDelivery[]>();
  private waitingCount = 0;
  /**
   * Claimed deliveries waiting for a free slot of the process, started the moment an exchange ends. Claiming
   * only once slots were free left them empty for the claim's round trip: bench/delivery sampled 36 of 64
   * requests on the wire on average, with the receiver and a core idle.
   */
  private readonly ready: KeptDelivery[] = [];
  /** How many deliveries `ready` may hold (claimed ahead of free slots). */
  private readonly readyLimit: number;

  constructor(options: DispatcherOptions) {
    this.store = options.store;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    const timeoutMs = options.timeoutMs ?? 10_000;
    this.o = {
      batchSize: options.batchSize ?? 50,
      leaseMs: options.leaseMs ?? timeoutMs * 3 + 30_000,
      timeoutMs,
      maxConcurrency: options.maxConcurrency ?? 64,
      endpointConcurrency: options.endpointConcurrency ?? 4,
      idleIntervalMs: options.idleIntervalMs ?? 1000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 3_600_000,
      disableAfterMs: options.disableAfterMs ?? 5 * 86_400_000,
      jitter: options.jitter ?? DEFAULT_JITTER,
      defaultPlan: options.defaultPlan ?? 'default',
      userAgent: options.userAgent ?? 'Hookwire/0 (+https://github.com/hookwire/hookwire)',
    };
    this.readyLimit = Math.max(1, Math.min(this.o.batchSize, Math.ceil(this.o.maxConcurrency / 2)));
    this.plans = options.plans ?? DEFAULT_PLANS;
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
    this.onAttempt = options.onAttempt;
    this.sender = new HttpSender({
      dev: options.dev,
      resolver: options.resolver,
      timeoutMs,
      // Enough sockets for one endpoint at its concurrency cap: with fewer, attempts queue inside undici
      // while their deadline runs.
      connectionsPerOrigin: Math.min(this.o.maxConcurrency, Math.max(16, this.o.endpointConcurrency)),
      now: this.now,
    });
  }

  /** Starts the claim loop. Idempotent. */
  start(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Wakes an idle dispatcher (call after publishing). Cheap; safe to call often. */
  notify(): void {
    this.wakePending = true;
    this.wake?.();
  }

  /** Attempts in flight right now. */
  get inFlight(): number {
    return this.active.size;
  }

  /**
   * Graceful shutdown: stops claiming, lets in-flight attempts finish until `deadlineMs`, aborts the rest and
   * gives every lease back so another process picks the deliveries up at once.
   */
  async stop(opts: { deadlineMs?: number } = {}): Promise<void> {
    this.stopping = true;
    this.notify();
    await this.loopDone;
    if (this.active.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, opts.deadlineMs ?? 10_000);
      });
      await Promise.race([Promise.allSettled([...this.active]), deadline]);
      clearTimeout(timer);
    }
    this.shutdown.abort();
    await Promise.allSettled([...this.active]);
    // Held and ready deliveries were never started: the release below gives their leases back with the rest.
    this.waiting.clear();
    this.waitingCount = 0;
    this.ready.length = 0;
    try {
      await this.store.release(this.workerId);
    } catch (err) {
      this.logger.error({ err }, 'releasing leases on shutdown failed; they expire on their own');
    }
    await this.sender.close();
    this.running = false;
  }

  private sleep(ms: number): Promise<void> {
    if (this.wakePending || this.stopping) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = null;
        self.wakePending = false;
        resolve();
      }
      this.wake = done;
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      // A slot frees when its HTTP exchange ends, not when the attempt is recorded: the write waits for a
      // group commit, and holding the slot through it left the receiver idle (bench/delivery: +26 % with
      // three times the slots). Attempts still being recorded are bounded too, at three maxConcurrency: a
      // batch publish holds the write lock for milliseconds, and with one maxConcurrency the writes queued
      // behind it (bench/delivery sampled 30-40) stopped new claims while slots were free.
      // Kept deliveries (held for their endpoint, or ready for the next free slot) count as started.
      const kept = this.waitingCount + this.ready.length;
      const capacity = Math.min(
        this.o.maxConcurrency + this.readyLimit - this.sending - kept,
        4 * this.o.maxConcurrency - this.active.size - kept,
      );
      // Under load, claim in batches: wait until a quarter of the slots (or a batch) is free instead of
      // running one claim query per finished attempt. An idle dispatcher (nothing active) claims at once.
      const worthClaiming = Math.max(1, Math.min(this.o.batchSize, Math.ceil(this.o.maxConcurrency / 4)));
      if (capacity <= 0 || (this.active.size > 0 && capacity < worthClaiming)) {
        await this.sleep(this.o.idleIntervalMs); // woken when an attempt finishes
        continue;
      }
      const paused = this.claimPausedUntil - this.now().getTime();
      if (paused > 0 && !this.finishedSincePause) {
        await this.sleep(paused); // a publish's wake-up ends this sleep early; the check above runs again
        continue;
      }
      this.wakePending = false;
      let claims: ClaimedDelivery[];
      try {
        claims = await this.store.claimDue(
          this.workerId,
          Math.min(this.o.batchSize, capacity),
          this.o.leaseMs,
          this.now(),
        );
      } catch (err) {
        this.logger.error({ err }, 'claiming deliveries failed');
        await this.sleep(this.o.idleIntervalMs);
        continue;
      }
      if (claims.length === 0) {
        let wait = this.o.idleIntervalMs;
        try {
          const next = await this.store.nextDueAt();
          if (next) {
            wait = Math.min(wait, Math.max(0, next.getTime() - this.now().getTime()));
          }
        } catch (err) {
          this.logger.error({ err }, 'reading the queue failed');
        }
        await this.sleep(wait);
        continue;
      }
      const endpoints = new Map<string, Promise<Endpoint | null>>();
      const deferred: { id: string; at: Date }[] = [];
      let started = 0;
      const roundAt = this.now().getTime(); // one time per round, so deferrals share one release
      for (const claim of claims) {
        const key = `${claim.delivery.tenantId}/${claim.delivery.endpointId}`;
        let endpoint = endpoints.get(key);
        if (!endpoint) {
          endpoint = this.store.getEndpoint(claim.delivery.tenantId, claim.delivery.endpointId);
          endpoints.set(key, endpoint);
        }
        let ep: Endpoint | null;
        try {
          ep = await endpoint;
        } catch (err) {
          this.logger.error({ err, deliveryId: claim.delivery.id }, 'loading the endpoint failed');
          deferred.push({ id: claim.delivery.id, at: new Date(roundAt + this.o.idleIntervalMs) });
          continue;
        }
        if (!ep?.enabled) {
          continue; // disabling or deleting the endpoint already cancelled this delivery
        }
        const placed = this.place({ claim, endpoint: ep }, roundAt);
        if (placed === 'started') {
          started++;
        } else if (placed !== 'kept') {
          deferred.push({ id: claim.delivery.id, at: new Date(placed) });
        }
      }
      if (deferred.length > 0) {
        if (started === 0) {
          this.claimPausedUntil = Math.min(...deferred.map((d) => d.at.getTime()));
          this.finishedSincePause = false;
        }
        await this.deferAll(deferred);
      }
    }
  }

  /** Gives deferred deliveries back, due again at their time: one store call per distinct time. */
  private async deferAll(deferred: { id: string; at: Date }[]): Promise<void> {
    const byTime = new Map<number, string[]>();
    for (const d of deferred) {
      const ids = byTime.get(d.at.getTime());
      if (ids) {
        ids.push(d.id);
      } else {
        byTime.set(d.at.getTime(), [d.id]);
      }
    }
    await Promise.all(
      [...byTime].map(([at, deliveryIds]) =>
        this.store.release(this.workerId, { deliveryIds, at: new Date(at) }).catch((err: unknown) => {
          this.logger.error({ err }, 'deferring deliveries failed; their leases will expire');
        }),
      ),
    );
  }

  /** Keeps a claimed delivery of a capped endpoint until one of its slots frees; false when its queue is full. */
  private hold(claim: ClaimedDelivery, endpoint: Endpoint): boolean {
    const queue = this.waiting.get(endpoint.id) ?? [];
    // A quarter of the process's slots at most (they count against the claim capacity), and never fewer
    // than one wave of the endpoint's own concurrency.
    const limit = Math.max(this.o.endpointConcurrency, Math.ceil(this.o.maxConcurrency / 4));
    if (this.stopping || queue.length >= limit) {
      return false;
    }
    queue.push({ claim, endpoint });
    this.waiting.set(endpoint.id, queue);
    this.waitingCount++;
    return true;
  }

  /** Starts the next held delivery of an endpoint whose slot just freed. */
  private startWaiting(endpointId: string): void {
    const queue = this.waiting.get(endpointId);
    const next = queue?.shift();
    if (!next) {
      return;
    }
    if (queue?.length === 0) {
      this.waiting.delete(endpointId);
    }
    this.waitingCount--;
    this.startKept(next);
  }

  /** Starts ready deliveries while the process has free slots. */
  private startReady(): void {
    while (this.sending < this.o.maxConcurrency) {
      const next = this.ready.shift();
      if (!next) {
        return;
      }
      this.startKept(next);
    }
  }

  /** Starts a delivery kept in memory, or holds it for its endpoint, or gives it back when it cannot go. */
  private startKept(kept: KeptDelivery): void {
    if (this.stopping) {
      return; // stop() gives every lease of this worker back once the attempts in flight are done
    }
    const now = this.now().getTime();
    // Kept deliveries wait for a few attempts; the lease (3 x timeout + 30 s by default) usually has most of
    // its time left, but one that could run out mid-attempt is given back (due now) instead.
    const placed =
      kept.claim.leaseExpiresAt.getTime() - now < this.o.timeoutMs + 1000 ? now : this.place(kept, now);
    if (typeof placed === 'number') {
      void this.deferAll([{ id: kept.claim.delivery.id, at: new Date(placed) }]);
    }
  }

  /**
   * Starts a claimed delivery, or keeps it in memory (ready for the process's next free slot, or held for
   * its endpoint's), or returns when it should be due again, for the caller to give it back.
   */
  private place(kept: KeptDelivery, now: number): 'started' | 'kept' | number {
    const { claim, endpoint } = kept;
    if (this.sending >= this.o.maxConcurrency) {
      this.ready.push(kept);
      return 'kept';
    }
    if ((this.perEndpoint.get(endpoint.id) ?? 0) >= this.o.endpointConcurrency) {
      return this.hold(claim, endpoint) ? 'kept' : now + DEFER_BUSY_MS;
    }
    const wait = this.admit(endpoint);
    if (wait > 0) {
      return now + wait;
    }
    this.track(this.deliver(claim, endpoint));
    return 'started';
  }

  /** 0 = go now; otherwise how long to wait for the endpoint's rate limit. */
  private admit(ep: Endpoint): number {
    if (ep.rateLimitPerSecond) {
      let bucket = this.buckets.get(ep.id);
      if (!bucket || bucket.ratePerSecond !== ep.rateLimitPerSecond) {
        bucket = new TokenBucket(ep.rateLimitPerSecond, Date.now());
        this.buckets.set(ep.id, bucket);
      }
      const taken = bucket.take(Date.now());
      if (!taken.ok) {
        return taken.waitMs;
      }
    }
    return 0;
  }

  private track(p: Promise<void>): void {
    this.active.add(p);
    void p.finally(() => {
      this.active.delete(p);
      this.notify();
    });
  }

  private async deliver(claim: ClaimedDelivery, endpoint: Endpoint): Promise<void> {
    this.perEndpoint.set(endpoint.id, (this.perEndpoint.get(endpoint.id) ?? 0) + 1);
    this.sending++;
    let slotHeld = true;
    // Called when the receiver has answered (or the exchange failed): the endpoint's concurrency cap and
    // the process's slots count requests on the wire, not attempts waiting for their write.
    const releaseSlot = () => {
      if (!slotHeld) {
        return;
      }
      slotHeld = false;
      this.sending--;
      this.finishedSincePause = true;
      const n = (this.perEndpoint.get(endpoint.id) ?? 1) - 1;
      if (n <= 0) {
        this.perEndpoint.delete(endpoint.id);
      } else {
        this.perEndpoint.set(endpoint.id, n);
      }
      this.startWaiting(endpoint.id);
      this.startReady();
      this.notify();
    };
    try {
      await this.attempt(claim, endpoint, { trackHealth: true, retries: true }, releaseSlot);
    } catch (err) {
      if (err instanceof SendAbortedError) {
        await this.store.release(this.workerId, { deliveryIds: [claim.delivery.id] }).catch(() => {});
        return;
      }
      this.logger.error(
        { err, deliveryId: claim.delivery.id },
        'delivery failed unexpectedly; the lease will expire',
      );
    } finally {
      releaseSlot();
    }
  }

  private async tenant(tenantId: string): Promise<Tenant | null> {
    const hit = this.tenants.get(tenantId);
    if (hit && Date.now() - hit.at < TENANT_CACHE_MS) {
      return hit.tenant;
    }
    const tenant = await this.store.getTenant(tenantId);
    this.tenants.set(tenantId, { tenant, at: Date.now() });
    return tenant;
  }

  private planOf(tenant: Tenant | null): Plan {
    return (
      (tenant ? this.plans[tenant.plan] : undefined) ??
      this.plans[this.o.defaultPlan] ??
      DEFAULT_PLANS.default!
    );
  }

  /** Renders, signs, sends and records one attempt. */
  private async attempt(
    claim: ClaimedDelivery,
    endpoint: Endpoint,
    mode: { trackHealth: boolean; retries: boolean },
    onAnswered?: () => void,
  ): Promise<Attempt> {
    const { message, delivery } = claim;
    const body = renderEnvelopeBody(endpoint.envelope, message);
    // A fresh timestamp and signature per attempt, the same webhook-id every time (HARDENING 46).
    const timestamp = this.now();
    const secrets = [
      endpoint.secrets.current,
      ...endpoint.secrets.previous
        .filter((p) => p.expiresAt.getTime() > timestamp.getTime())
        .map((p) => p.secret),
    ];
    const signed = await signRequest(endpoint.signature, { secrets, body, id: message.id, timestamp });
    const headers: Record<string, string> = {
      ...endpoint.headers,
      'content-type': 'application/json',
      'user-agent': this.o.userAgent,
      'accept-encoding': 'identity',
      'webhook-id': message.id,
      ...signed,
    };
    const result = await this.sender.send(endpoint.url, body, headers, this.shutdown.signal);
    onAnswered?.();
    const outcome = mode.retries
      ? this.decide(result, delivery.cycleAttempts + 1, this.planOf(await this.tenant(delivery.tenantId)))
      : result.errorKind === 'none'
        ? ({ kind: 'succeeded' } as const)
        : ({ kind: 'failed' } as const);
    const recorded = await this.record({
      deliveryId: delivery.id,
      workerId: this.workerId,
      attempt: {
        // Parsed once per endpoint URL, not per attempt.
        url: getOrCompute(this.redactedUrls, endpoint.url, MAX_REDACTED_URLS, redactUrl),
        startedAt: result.startedAt,
        durationMs: result.durationMs,
        statusCode: result.statusCode,
        errorKind: result.errorKind,
        error: result.error,
        responsePreview: result.responsePreview,
        requestHeaders: headers,
        ...(claim.trigger ? { trigger: claim.trigger } : {}),
      },
      outcome,
      trackHealth: mode.trackHealth,
      ...(claim.trigger ? { claimed: delivery } : {}),
    });
    this.onAttempt?.({ attempt: recorded.attempt, endpoint, outcome });
    if (
      mode.retries &&
      outcome.kind === 'failed' &&
      recorded.applied &&
      result.statusCode !== 410 && // 410 disables the endpoint: webhook.disabled says it
      !OPERATIONAL_EVENTS.has(message.eventType)
    ) {
      await this.exhausted(claim, endpoint, recorded);
    }
    if (mode.trackHealth) {
      if (result.statusCode === 410) {
        await this.disable(endpoint, 'the receiver answered 410 Gone');
      } else if (
        result.errorKind !== 'none' &&
        recorded.endpointFailingSince &&
        timestamp.getTime() - recorded.endpointFailingSince.getTime() >= this.o.disableAfterMs
      ) {
        await this.disable(
          endpoint,
          `failing continuously since ${recorded.endpointFailingSince.toISOString()}`,
          recorded.endpointFailingSince,
        );
      }
    }
    return recorded.attempt;
  }

  /**
   * Records an attempt. Attempts that finish in the same turn of the event loop are written in one
   * transaction (`store.recordAttempts`), so a busy dispatcher pays one commit per batch, not per attempt.
   * Each caller still waits for its own write: nothing moves on before its attempt is durable.
   */
  private record(input: RecordAttemptInput): Promise<RecordAttemptResult> {
    if (!this.store.recordAttempts) {
      return this.store.recordAttempt(input);
    }
    return new Promise((resolve, reject) => {
      this.writes.push({ input, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.flushWrites());
      }
    });
  }

  private async flushWrites(): Promise<void> {
    const batch = this.writes.splice(0, MAX_WRITE_BATCH);
    if (this.writes.length > 0) {
      setImmediate(() => void this.flushWrites());
    } else {
      this.flushScheduled = false;
    }
    if (batch.length === 0) {
      return;
    }
    // Chunks, submitted together: on SQLite they still share one commit, but a chunk is the unit the
    // group commit may leave for the next transaction when an API request waits for the write lock.
    const chunks: PendingWrite[][] = [];
    for (let i = 0; i < batch.length; i += WRITE_CHUNK) {
      chunks.push(batch.slice(i, i + WRITE_CHUNK));
    }
    await Promise.all(chunks.map((chunk) => this.writeChunk(chunk)));
  }

  private async writeChunk(chunk: PendingWrite[]): Promise<void> {
    try {
      const results =
        chunk.length === 1
          ? [await this.store.recordAttempt(chunk[0]!.input)]
          : await this.store.recordAttempts!(chunk.map((w) => w.input));
      for (const [i, w] of chunk.entries()) {
        w.resolve(results[i]!);
      }
    } catch (err) {
      if (chunk.length === 1) {
        chunk[0]!.reject(err);
        return;
      }
      // One bad input fails the chunk's transaction: write them one by one so each gets its own answer.
      for (const w of chunk) {
        this.store.recordAttempt(w.input).then(w.resolve, w.reject);
      }
    }
  }

  private decide(result: SendResult, attemptNumber: number, plan: Plan): AttemptOutcome {
    if (result.errorKind === 'none') {
      return { kind: 'succeeded' };
    }
    if (result.statusCode === 410) {
      return { kind: 'failed' };
    }
    let delay = retryDelayMs(plan.retryScheduleMs, attemptNumber, {
      jitter: this.o.jitter,
      random: this.random,
    });
    if (delay === null) {
      return { kind: 'failed' };
    }
    if (result.statusCode === 429 || result.statusCode === 503) {
      // Honour Retry-After (never sooner than our own schedule), clamped so a receiver can't park a delivery
      // for days (HARDENING 34).
      const asked = parseRetryAfter(result.retryAfterHeader, this.now());
      if (asked !== null) {
        delay = Math.max(delay, Math.min(asked, this.o.maxRetryAfterMs));
      }
    }
    return { kind: 'retry', nextAttemptAt: new Date(this.now().getTime() + delay) };
  }

  /** HARDENING 44: the tenant hears about a delivery that ran out of retries (Svix: MessageAttemptExhausted). */
  private async exhausted(claim: ClaimedDelivery, endpoint: Endpoint, recorded: RecordAttemptResult) {
    const { delivery, message } = claim;
    try {
      await this.store.publish(endpoint.tenantId, {
        eventType: DELIVERY_EXHAUSTED_EVENT,
        data: {
          deliveryId: delivery.id,
          messageId: message.id,
          eventType: message.eventType,
          endpointId: endpoint.id,
          url: redactUrl(endpoint.url),
          attempts: recorded.delivery.attemptCount,
          lastStatusCode: recorded.attempt.statusCode,
          lastError: recorded.attempt.error,
        },
      });
      this.notify();
    } catch (err) {
      this.logger.error({ err, deliveryId: delivery.id }, 'publishing delivery.exhausted failed');
    }
  }

  private async disable(endpoint: Endpoint, reason: string, failingSince?: Date): Promise<void> {
    try {
      await this.store.disableEndpoint(endpoint.tenantId, endpoint.id, reason);
      this.buckets.delete(endpoint.id);
      await this.store.publish(endpoint.tenantId, {
        eventType: WEBHOOK_DISABLED_EVENT,
        data: {
          endpointId: endpoint.id,
          url: redactUrl(endpoint.url),
          reason,
          ...(failingSince ? { failingSince: failingSince.toISOString() } : {}),
        },
      });
      this.notify();
    } catch (err) {
      this.logger.error({ err, endpointId: endpoint.id }, 'disabling the endpoint failed');
    }
  }

  /**
   * Sends one test event to `endpoint` right away, outside the queue, and returns the attempt (status,
   * duration, response preview). It shows up in the delivery log; it is not retried and does not count
   * towards the endpoint's failure streak.
   */
  async sendTest(endpoint: Endpoint, input?: Partial<MessageInput>): Promise<Attempt> {
    const claim = await this.store.createDirectDelivery(
      endpoint.tenantId,
      endpoint.id,
      {
        eventType: input?.eventType ?? 'webhook.test',
        data: input?.data ?? { message: 'Test event from Hookwire', endpointId: endpoint.id },
        timestamp: input?.timestamp,
        customData: input?.customData,
      },
      this.workerId,
      this.o.leaseMs,
      this.now(),
    );
    return this.attempt(claim, endpoint, { trackHealth: false, retries: false });
  }
}
