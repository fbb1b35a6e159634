import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DispatcherOptions } from './dispatcher/dispatcher.js';
import type { AttemptOutcome, QueueStats, Store } from './store/store.js';

/** The server's Prometheus metrics, in their own registry (never the global one). */
export interface ServerMetrics {
  registry: Registry;
  /** Messages accepted by the API (incremented by the publish routes). */
  published: Counter<string>;
  /** Delivery attempts by outcome (`succeeded`, `retry`, `failed`). */
  attempts: Counter<'outcome'>;
  /** Duration of attempts (connect to preview read), in seconds. */
  attemptDuration: Histogram<'outcome'>;
  /** Deliveries by queue state (`pending`, `due`, `in_flight`), read from the store at scrape time. */
  queueDepth: Gauge<'state'>;
  /** Age of the oldest due delivery in seconds: how far the dispatcher lags behind. */
  oldestDueAge: Gauge<string>;
  /** Pass as the dispatcher's `onAttempt` hook. */
  onAttempt: NonNullable<DispatcherOptions['onAttempt']>;
  /** Counts one attempt made elsewhere (the dispatch thread reports its attempts here). */
  observeAttempt(outcome: AttemptOutcome['kind'], durationMs: number): void;
}

export interface CreateMetricsOptions {
  /** Store read by the queue gauges when Prometheus scrapes; omit for a process without one. */
  store?: Store;
  /** Also export the process metrics of prom-client (CPU, RSS, event-loop lag, GC). Default true. */
  processMetrics?: boolean;
  /** A failing queue read is reported here (the gauges keep their previous value). */
  onError?: (err: unknown) => void;
}

/**
 * Creates the metrics of one server process. The queue gauges query `store.queueStats()` once per scrape
 * (shared by both gauges), so an idle server does no work for them.
 *
 * @example
 * const metrics = createMetrics({ store });
 * const dispatcher = new Dispatcher({ store, onAttempt: metrics.onAttempt });
 * // GET /metrics: reply.type(metrics.registry.contentType).send(await metrics.registry.metrics())
 */
export function createMetrics(options: CreateMetricsOptions = {}): ServerMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) {
    collectDefaultMetrics({ register: registry });
  }
  const published = new Counter({
    name: 'hookwire_events_published_total',
    help: 'Messages accepted by the API.',
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'hookwire_delivery_attempts_total',
    help: 'Delivery attempts by outcome (succeeded, retry, failed).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const attemptDuration = new Histogram({
    name: 'hookwire_delivery_attempt_duration_seconds',
    help: 'Duration of delivery attempts, from connect to the end of the response preview.',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  // One queueStats() per scrape feeds both gauges.
  let pendingStats: Promise<QueueStats | null> | null = null;
  const stats = (): Promise<QueueStats | null> => {
    if (!options.store) {
      return Promise.resolve(null);
    }
    if (!pendingStats) {
      pendingStats = options.store.queueStats().catch((err: unknown) => {
        options.onError?.(err);
        return null;
      });
      // Both collect() calls start in the same tick of registry.metrics(), so they share this read; the
      // next scrape starts a fresh one.
      void pendingStats.finally(() => {
        pendingStats = null;
      });
    }
    return pendingStats;
  };

  const queueDepth = new Gauge({
    name: 'hookwire_queue_depth',
    help: 'Deliveries by queue state: pending (all), due (pending and due now), in_flight.',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const s = await stats();
      if (s) {
        this.set({ state: 'pending' }, s.pending);
        this.set({ state: 'due' }, s.due);
        this.set({ state: 'in_flight' }, s.inFlight);
      }
    },
  });
  const oldestDueAge = new Gauge({
    name: 'hookwire_queue_oldest_due_age_seconds',
    help: 'Age of the oldest due delivery (0 when none is due): the dispatcher lag.',
    registers: [registry],
    async collect() {
      const s = await stats();
      if (s) {
        this.set(s.oldestDueAgeMs / 1000);
      }
    },
  });

  return {
    registry,
    published,
    attempts,
    attemptDuration,
    queueDepth,
    oldestDueAge,
    onAttempt({ attempt, outcome }) {
      attempts.inc({ outcome: outcome.kind });
      attemptDuration.observe({ outcome: outcome.kind }, attempt.durationMs / 1000);
    },
    observeAttempt(outcome, durationMs) {
      attempts.inc({ outcome });
      attemptDuration.observe({ outcome }, durationMs / 1000);
    },
  };
}
