import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRetentionJob } from '../../src/retention.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'hookwire-retention-'));
let store: SqliteStore;
let tenantId: string;

beforeAll(async () => {
  store = new SqliteStore({ filename: join(dir, 'hookwire.db') });
  await store.migrate();
  tenantId = (await store.createTenant({ name: 't' })).id;
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('startRetentionJob', () => {
  it('deletes finished messages older than the retention, keeps pending and recent ones', async () => {
    const old = new Date(Date.now() - 40 * DAY);
    const gone = await store.publish(tenantId, { eventType: 'a.b', data: {} }, undefined, old);
    const ep = await store.createEndpoint(tenantId, {
      url: 'https://hooks.example.com/',
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    });
    const waiting = await store.publish(tenantId, { eventType: 'a.b', data: {} }, undefined, old);
    const recent = await store.publish(tenantId, { eventType: 'a.b', data: {} });
    const logs: object[] = [];
    const job = startRetentionJob({
      store,
      days: 30,
      initialDelayMs: 60_000,
      logger: { info: (o) => logs.push(o), error: (o) => logs.push(o) },
    });
    const result = await job.runOnce();
    await job.stop();
    expect(result).toMatchObject({ messages: 1 });
    expect(await store.getMessage(tenantId, gone.message.id)).toBeNull();
    expect(await store.getMessage(tenantId, waiting.message.id)).not.toBeNull(); // its delivery is pending
    expect(await store.getMessage(tenantId, recent.message.id)).not.toBeNull();
    expect(logs).toEqual([expect.objectContaining({ messages: 1 })]);
    await store.deleteEndpoint(tenantId, ep.id);
  });

  it('runs on its timer and stops', async () => {
    const calls: number[] = [];
    const fake = {
      deleteOlderThan: async (days: number) => {
        calls.push(days);
        return { messages: 0, deliveries: 0, attempts: 0, idempotencyKeys: 0 };
      },
    } as unknown as Store;
    const job = startRetentionJob({ store: fake, days: 7, initialDelayMs: 0, intervalMs: 1000 });
    for (let i = 0; i < 100 && calls.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await job.stop();
    expect(calls).toEqual([7]);
  });

  it('does nothing with days = 0 and survives a failing pass', async () => {
    let calls = 0;
    const failing = {
      deleteOlderThan: async () => {
        calls++;
        throw new Error('locked');
      },
    } as unknown as Store;
    const off = startRetentionJob({ store: failing, days: 0, initialDelayMs: 0 });
    expect(await off.runOnce()).toBeNull();
    await off.stop();
    expect(calls).toBe(0);
    const errors: object[] = [];
    const job = startRetentionJob({
      store: failing,
      days: 1,
      initialDelayMs: 60_000,
      logger: { info() {}, error: (o) => errors.push(o) },
    });
    expect(await job.runOnce()).toBeNull();
    await job.stop();
    expect(calls).toBe(1);
    expect(errors).toHaveLength(1);
  });
});
