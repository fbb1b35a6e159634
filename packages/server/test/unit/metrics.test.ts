import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Attempt, Endpoint, Store } from '../../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'hookwire-metrics-'));
let store: SqliteStore;
let tenantId: string;

beforeAll(async () => {
  store = new SqliteStore({ filename: join(dir, 'hookwire.db') });
  await store.migrate();
  tenantId = (await store.createTenant({ name: 't' })).id;
  await store.createEndpoint(tenantId, {
    url: 'https://hooks.example.com/a',
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function sample(text: string, line: string): number | undefined {
  const hit = text.split('\n').find((l) => l.startsWith(`${line} `));
  return hit === undefined ? undefined : Number(hit.slice(line.length + 1));
}

describe('createMetrics', () => {
  it('reads queue depth and the oldest due age from the store at scrape time', async () => {
    const metrics = createMetrics({ store, processMetrics: false });
    let text = await metrics.registry.metrics();
    expect(sample(text, 'hookwire_queue_depth{state="pending"}')).toBe(0);
    const t0 = new Date(Date.now() - 5000);
    await store.publish(tenantId, { eventType: 'link.click', data: {} }, undefined, t0);
    await store.publish(tenantId, { eventType: 'link.click', data: {} });
    text = await metrics.registry.metrics();
    expect(sample(text, 'hookwire_queue_depth{state="pending"}')).toBe(2);
    expect(sample(text, 'hookwire_queue_depth{state="due"}')).toBe(2);
    expect(sample(text, 'hookwire_queue_depth{state="in_flight"}')).toBe(0);
    expect(sample(text, 'hookwire_queue_oldest_due_age_seconds')).toBeGreaterThanOrEqual(5);
    await store.claimDue('w1', 1, 60_000);
    text = await metrics.registry.metrics();
    expect(sample(text, 'hookwire_queue_depth{state="in_flight"}')).toBe(1);
    expect(sample(text, 'hookwire_queue_depth{state="pending"}')).toBe(1);
  });

  it('counts attempts by outcome and observes their duration', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const attempt = { durationMs: 30 } as Attempt;
    const endpoint = {} as Endpoint;
    metrics.onAttempt({ attempt, endpoint, outcome: { kind: 'succeeded' } });
    metrics.onAttempt({ attempt, endpoint, outcome: { kind: 'succeeded' } });
    metrics.onAttempt({
      attempt: { durationMs: 2000 } as Attempt,
      endpoint,
      outcome: { kind: 'retry', nextAttemptAt: new Date() },
    });
    metrics.published.inc();
    const text = await metrics.registry.metrics();
    expect(sample(text, 'hookwire_delivery_attempts_total{outcome="succeeded"}')).toBe(2);
    expect(sample(text, 'hookwire_delivery_attempts_total{outcome="retry"}')).toBe(1);
    expect(
      sample(text, 'hookwire_delivery_attempt_duration_seconds_bucket{le="0.05",outcome="succeeded"}'),
    ).toBe(2);
    expect(sample(text, 'hookwire_delivery_attempt_duration_seconds_bucket{le="1",outcome="retry"}')).toBe(0);
    expect(sample(text, 'hookwire_delivery_attempt_duration_seconds_sum{outcome="retry"}')).toBe(2);
    expect(sample(text, 'hookwire_events_published_total')).toBe(1);
    // No store: the gauges stay empty instead of failing the scrape.
    expect(text).not.toContain('hookwire_queue_depth{');
  });

  it('keeps serving metrics when the store read fails, and reports the error', async () => {
    const errors: unknown[] = [];
    const failing = { queueStats: () => Promise.reject(new Error('disk gone')) } as unknown as Store;
    const metrics = createMetrics({ store: failing, processMetrics: false, onError: (e) => errors.push(e) });
    const text = await metrics.registry.metrics();
    expect(text).toContain('hookwire_delivery_attempts_total');
    expect(errors).toHaveLength(1);
  });

  it('exports process metrics (RSS) in its own registry', async () => {
    const a = createMetrics();
    const b = createMetrics();
    const text = await a.registry.metrics();
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(await b.registry.metrics()).toContain('process_resident_memory_bytes');
  });
});
