import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { generateEndpointSecret } from '../../src/crypto/keys.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';

// The publish path caches the tenant, API key, event type and the tenant's endpoints (SqliteReadCache).
// These tests prove every write is seen by the next read, in this store and through another connection.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) {
    await c();
  }
});

async function twoStores() {
  const dir = mkdtempSync(join(tmpdir(), 'hookwire-cache-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const filename = join(dir, 'hookwire.db');
  const a = new SqliteStore({ filename });
  await a.migrate();
  cleanups.push(() => a.close());
  // Another process's connection to the same file.
  const b = new SqliteStore({ filename });
  cleanups.push(() => b.close());
  const tenant = await a.createTenant({ name: 't' });
  await a.upsertEventType(tenant.id, { name: 'a.b' });
  await a.upsertEventType(tenant.id, { name: 'c.d' });
  return { a, b, tenantId: tenant.id };
}

const url = 'https://hooks.example.com/';
const publish = (store: SqliteStore, tenantId: string, eventType = 'a.b') =>
  store.publish(tenantId, { eventType, data: {} }).then((r) => r.deliveries);

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('publish read cache invalidation', () => {
  it('checks the version once per event-loop turn, and sees another thread or process in the next', async () => {
    const { a, tenantId } = await twoStores();
    const cache = (a as unknown as { cache: { checks: number } }).cache;
    await nextTurn();
    const before = cache.checks;
    // One request's reads: the key, the tenant, the event type.
    await a.findApiKeyByPrefix('p1');
    await a.getTenant(tenantId);
    await a.getEventType(tenantId, 'a.b');
    expect(cache.checks).toBe(before + 1);
    // A write from outside this thread (a raw connection: no SqliteStore here knows of it).
    const other = new Database((a.db as unknown as { name: string }).name);
    cleanups.push(() => {
      other.close();
    });
    other.prepare('UPDATE tenants SET plan = ? WHERE id = ?').run('pro', tenantId);
    await nextTurn();
    expect((await a.getTenant(tenantId))?.plan).toBe('pro');
    expect(cache.checks).toBe(before + 2);
  });

  it("sees this store's endpoint writes on the next publish", async () => {
    const { a, tenantId } = await twoStores();
    expect(await publish(a, tenantId)).toBe(0); // caches "no endpoints"
    const ep = await a.createEndpoint(tenantId, { url, secret: generateEndpointSecret(), events: ['a.b'] });
    expect(await publish(a, tenantId)).toBe(1);
    expect(await publish(a, tenantId, 'c.d')).toBe(0);
    await a.updateEndpoint(tenantId, ep.id, { events: ['c.d'] });
    expect(await publish(a, tenantId)).toBe(0);
    expect(await publish(a, tenantId, 'c.d')).toBe(1);
    await a.updateEndpoint(tenantId, ep.id, { enabled: false });
    expect(await publish(a, tenantId, 'c.d')).toBe(0);
    await a.updateEndpoint(tenantId, ep.id, { enabled: true });
    expect(await publish(a, tenantId, 'c.d')).toBe(1);
    await a.disableEndpoint(tenantId, ep.id, 'gone');
    expect(await publish(a, tenantId, 'c.d')).toBe(0);
    await a.updateEndpoint(tenantId, ep.id, { enabled: true });
    await a.deleteEndpoint(tenantId, ep.id);
    expect(await publish(a, tenantId, 'c.d')).toBe(0);
  });

  it('sees endpoints created, disabled and deleted through another connection', async () => {
    const { a, b, tenantId } = await twoStores();
    expect(await publish(a, tenantId)).toBe(0);
    const ep = await b.createEndpoint(tenantId, { url, secret: generateEndpointSecret() });
    expect(await publish(a, tenantId)).toBe(1);
    await b.disableEndpoint(tenantId, ep.id, 'gone');
    expect(await publish(a, tenantId)).toBe(0);
    await b.updateEndpoint(tenantId, ep.id, { enabled: true });
    expect(await publish(a, tenantId)).toBe(1);
    await b.deleteEndpoint(tenantId, ep.id);
    expect(await publish(a, tenantId)).toBe(0);
  });

  it('sees API key revocation and new keys at once, in this store and through another connection', async () => {
    const { a, b, tenantId } = await twoStores();
    const one = await a.createApiKey(tenantId, { name: 'one', prefix: 'p1', hash: 'h1' });
    const two = await a.createApiKey(tenantId, { name: 'two', prefix: 'p2', hash: 'h2' });
    expect((await a.findApiKeyByPrefix('p1'))?.revokedAt).toBeNull();
    expect((await a.findApiKeyByPrefix('p2'))?.revokedAt).toBeNull();
    await a.revokeApiKey(tenantId, one.id);
    expect((await a.findApiKeyByPrefix('p1'))?.revokedAt).toBeInstanceOf(Date);
    expect((await a.findApiKeyByPrefix('p2'))?.revokedAt).toBeNull(); // cached again
    await b.revokeApiKey(tenantId, two.id);
    expect((await a.findApiKeyByPrefix('p2'))?.revokedAt).toBeInstanceOf(Date);
    expect(await a.findApiKeyByPrefix('p3')).toBeNull();
    await b.createApiKey(tenantId, { name: 'three', prefix: 'p3', hash: 'h3' });
    expect((await a.findApiKeyByPrefix('p3'))?.name).toBe('three');
    const used = new Date('2030-01-01T00:00:00Z');
    await a.touchApiKey(one.id, used);
    expect((await a.findApiKeyByPrefix('p1'))?.lastUsedAt).toEqual(used);
  });

  it('sees event type and tenant changes, in this store and through another connection', async () => {
    const { a, b, tenantId } = await twoStores();
    expect((await a.getEventType(tenantId, 'a.b'))?.schema).toBeNull();
    expect(await a.getEventType(tenantId, 'e.f')).toBeNull();
    const schema = { type: 'object', required: ['x'] };
    await b.upsertEventType(tenantId, { name: 'a.b', schema });
    expect((await a.getEventType(tenantId, 'a.b'))?.schema).toEqual(schema);
    await a.upsertEventType(tenantId, { name: 'e.f' });
    expect((await a.getEventType(tenantId, 'e.f'))?.name).toBe('e.f');
    await b.deleteEventType(tenantId, 'e.f');
    expect(await a.getEventType(tenantId, 'e.f')).toBeNull();

    expect((await a.getTenant(tenantId))?.plan).toBe('default');
    await b.updateTenant(tenantId, { plan: 'pro' });
    expect((await a.getTenant(tenantId))?.plan).toBe('pro');
    await a.updateTenant(tenantId, { plan: 'free' });
    expect((await a.getTenant(tenantId))?.plan).toBe('free');
    await b.deleteTenant(tenantId);
    expect(await a.getTenant(tenantId)).toBeNull();
  });

  it("keeps the cache through another connection's delivery writes (claims, attempts, failure streaks)", async () => {
    const { a, b, tenantId } = await twoStores();
    const ep = await a.createEndpoint(tenantId, { url, secret: generateEndpointSecret(), events: ['a.b'] });
    const cache = (a as unknown as { cache: { clears: number } }).cache;
    expect(await publish(a, tenantId)).toBe(1); // fills the cache
    const clears = cache.clears;
    // What a dispatcher on another connection (the dispatch thread) writes all the time.
    for (const outcome of ['retry', 'succeeded'] as const) {
      const [claimed] = await b.claimDue('w', 1, 60_000, new Date(Date.now() + 3_600_000));
      await b.recordAttempt({
        deliveryId: claimed!.delivery.id,
        workerId: 'w',
        attempt: {
          startedAt: new Date(),
          durationMs: 1,
          statusCode: outcome === 'retry' ? 500 : 204,
          errorKind: outcome === 'retry' ? 'http_status' : 'none',
          error: null,
          responsePreview: '',
          requestHeaders: {},
        },
        outcome: outcome === 'retry' ? { kind: 'retry', nextAttemptAt: new Date() } : { kind: 'succeeded' },
      });
      expect(await publish(a, tenantId)).toBe(1);
    }
    expect(cache.clears).toBe(clears);
    // ...while a change the fan-out depends on still empties it at once.
    await b.updateEndpoint(tenantId, ep.id, { events: ['c.d'] });
    expect(await publish(a, tenantId)).toBe(0);
    expect(cache.clears).toBe(clears + 1);
  });
});
