import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../src/crypto/secret-box.js';
import { PostgresStore } from '../src/store/postgres-store.js';
import {
  adminQuery,
  DatabaseProxy,
  dropSchema,
  freshStore,
  reportSkip,
  TEST_DATABASE_URL,
  uniqueSchema,
} from './postgres-support.js';
import { describeStoreConformance } from './store-conformance.js';

reportSkip('PostgresStore tests');

const endpoint = { url: 'https://receiver.example/hooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };

/** Resolves on the listener's next call. The test's own timeout bounds the wait. */
function nextCall(): { fn: () => void; next: () => Promise<void> } {
  let waiters: (() => void)[] = [];
  return {
    fn: () => {
      const w = waiters;
      waiters = [];
      for (const resolve of w) {
        resolve();
      }
    },
    next: () => new Promise<void>((resolve) => waiters.push(resolve)),
  };
}

/**
 * Counts the round trips `store` makes from now on (each `query` call on one of its pooled connections; the
 * pool opens them lazily, so a store created after migrating is counted from its first call).
 */
function countRoundTrips(store: PostgresStore): { take: () => number } {
  let n = 0;
  store.pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      n++;
      return query(...args);
    };
  });
  return {
    take: () => {
      const taken = n;
      n = 0;
      return taken;
    },
  };
}

const okAttempt = () => ({
  startedAt: new Date(),
  durationMs: 3,
  statusCode: 204,
  errorKind: 'none' as const,
  error: null,
  responsePreview: '',
  requestHeaders: { 'webhook-id': 'x' },
});

describe.skipIf(!TEST_DATABASE_URL)('PostgresStore', () => {
  describeStoreConformance('PostgresStore', async () => {
    const { store, cleanup } = await freshStore();
    return { store, cleanup };
  });

  describeStoreConformance('PostgresStore with encrypted secrets', async () => {
    const { store, cleanup } = await freshStore({
      secretBox: createSecretBox('a-main-secret-of-enough-length'),
    });
    return { store, cleanup };
  });

  describe('PostgresStore specifics', () => {
    it('N processes migrating at once: one applies, the others wait under the advisory lock and find nothing', async () => {
      const schema = uniqueSchema();
      const stores = Array.from(
        { length: 5 },
        () => new PostgresStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 1 }),
      );
      try {
        const applied = await Promise.all(stores.map((s) => s.migrate()));
        expect(applied.filter((a) => a.length > 0)).toEqual([[1]]);
        const rows = await adminQuery(`SELECT version, name FROM "${schema}".schema_migrations`);
        expect(rows.rows).toEqual([{ version: 1, name: 'initial schema' }]);
        // Runs later steps too, and records them.
        expect(
          await stores[0]!.applyMigrations([
            { version: 1, name: 'initial schema', sql: 'SELECT 1' },
            { version: 2, name: 'add x', sql: 'CREATE TABLE x (a integer)' },
          ]),
        ).toEqual([2]);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
        await dropSchema(schema);
      }
    });

    it('a failing migration rolls back and is not recorded', async () => {
      const { store, schema, cleanup } = await freshStore();
      try {
        await expect(
          store.applyMigrations([
            { version: 7, name: 'broken', sql: 'CREATE TABLE y (a integer); SELECT nope' },
          ]),
        ).rejects.toThrow();
        const tables = await adminQuery(
          'SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2',
          [schema, 'y'],
        );
        expect(tables.rowCount).toBe(0);
        expect(await store.applyMigrations([{ version: 7, name: 'fixed', sql: 'SELECT 1' }])).toEqual([7]);
      } finally {
        await cleanup();
      }
    });

    it('workers in separate pools claim disjoint batches until the queue is empty (SKIP LOCKED)', async () => {
      const { store, schema, cleanup } = await freshStore();
      const workers = Array.from(
        { length: 4 },
        () => new PostgresStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 }),
      );
      try {
        const tenant = await store.createTenant({ name: 't' });
        await store.createEndpoint(tenant.id, endpoint);
        await store.createEndpoint(tenant.id, endpoint);
        for (let i = 0; i < 5; i++) {
          await store.publishBatch(
            tenant.id,
            Array.from({ length: 20 }, (_, n) => ({ eventType: 'a.b', data: i * 20 + n })),
          );
        }
        const claimed = await Promise.all(
          workers.map(async (w, i) => {
            const mine: string[] = [];
            for (let round = 0; round < 100; round++) {
              const batch = await w.claimDue(`w${i}`, 7, 60_000);
              if (batch.length === 0) {
                break;
              }
              mine.push(...batch.map((c) => c.delivery.id));
            }
            return mine;
          }),
        );
        const all = claimed.flat();
        expect(all).toHaveLength(200);
        expect(new Set(all).size).toBe(200);
        expect(await store.queueStats()).toMatchObject({ pending: 0, inFlight: 200 });
      } finally {
        await Promise.all(workers.map((w) => w.close()));
        await cleanup();
      }
    });

    it('the same idempotency key or external id published from two processes at once stores one message', async () => {
      const { store, schema, cleanup } = await freshStore();
      const other = new PostgresStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 4 });
      try {
        const tenant = await store.createTenant({ name: 't' });
        await store.createEndpoint(tenant.id, endpoint);
        const key = { key: 'order-1', requestHash: 'h' };
        const keyed = await Promise.all(
          [store, other, store, other].map((s) => s.publish(tenant.id, { eventType: 'a.b', data: 1 }, key)),
        );
        expect(new Set(keyed.map((r) => r.message.id)).size).toBe(1);
        expect(keyed.filter((r) => !r.duplicate)).toHaveLength(1);
        const external = await Promise.all(
          [store, other, store, other].map((s) =>
            s.publishBatch(tenant.id, [
              { eventType: 'a.b', data: 2, externalId: 'ext-a' },
              { eventType: 'a.b', data: 3, externalId: 'ext-b' },
            ]),
          ),
        );
        expect(new Set(external.flat().map((r) => r.message.id)).size).toBe(2);
        expect((await store.listMessages(tenant.id)).items).toHaveLength(3);
        expect((await store.listDeliveries(tenant.id)).items).toHaveLength(3);
      } finally {
        await other.close();
        await cleanup();
      }
    });

    it('parallel endpoint creates cannot overrun the quota', async () => {
      const { store, cleanup } = await freshStore();
      try {
        const tenant = await store.createTenant({ name: 't' });
        const results = await Promise.allSettled(
          Array.from({ length: 6 }, () => store.createEndpoint(tenant.id, endpoint, { maxEndpoints: 2 })),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
        expect(await store.countEndpoints(tenant.id)).toBe(2);
      } finally {
        await cleanup();
      }
    });

    it('records an attempt whose response preview and error contain NUL bytes', async () => {
      const { store, cleanup } = await freshStore();
      try {
        const tenant = await store.createTenant({ name: 't' });
        await store.createEndpoint(tenant.id, endpoint);
        await store.publish(tenant.id, { eventType: 'a.b', data: 'x\u0000y' });
        const [claim] = await store.claimDue('w', 1, 60_000);
        const r = await store.recordAttempt({
          deliveryId: claim!.delivery.id,
          workerId: 'w',
          attempt: {
            startedAt: new Date(),
            durationMs: 3,
            statusCode: 500,
            errorKind: 'http_status',
            error: 'bad\u0000byte',
            responsePreview: '\u0000\u0001binary',
            requestHeaders: {},
          },
          outcome: { kind: 'failed' },
        });
        expect(r.attempt.responsePreview).toBe('\uFFFD\u0001binary');
        expect(r.attempt.error).toBe('bad\uFFFDbyte');
        expect(claim!.message.data).toBe('x\u0000y');
      } finally {
        await cleanup();
      }
    });

    it('NOTIFY wakes a listener in another process, only for its own schema', async () => {
      const { store, schema, cleanup } = await freshStore();
      const elsewhere = await freshStore();
      const publisher = new PostgresStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 1 });
      const wake = nextCall();
      let calls = 0;
      const unsubscribe = store.onWorkAvailable(() => {
        calls++;
        wake.fn();
      });
      try {
        await wake.next(); // connected (a fresh connection always wakes once)
        calls = 0;
        const tenant = await publisher.createTenant({ name: 't' });
        await publisher.createEndpoint(tenant.id, endpoint);
        const otherTenant = await elsewhere.store.createTenant({ name: 'o' });
        await elsewhere.store.createEndpoint(otherTenant.id, endpoint);
        // Notifications arrive in commit order: had the other schema's woken us, calls would be 2 below.
        await elsewhere.store.publish(otherTenant.id, { eventType: 'a.b', data: 1 });
        const woken = wake.next();
        await publisher.publish(tenant.id, { eventType: 'a.b', data: 1 });
        await woken;
        expect(calls).toBe(1);
      } finally {
        unsubscribe();
        await publisher.close();
        await elsewhere.cleanup();
        await cleanup();
      }
    });

    it('one process sends one NOTIFY per burst, after COMMIT, and the last one of a burst is never dropped', async () => {
      const { store, schema, cleanup } = await freshStore();
      // A window longer than the test: every publish after the first falls inside it.
      const publisher = new PostgresStore({
        connectionString: TEST_DATABASE_URL,
        schema,
        poolSize: 2,
        notifyCoalesceMs: 60_000,
      });
      const sentinel = new PostgresStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 1 });
      const wake = nextCall();
      let calls = 0;
      const unsubscribe = store.onWorkAvailable(() => {
        calls++;
        wake.fn();
      });
      try {
        await wake.next(); // connected
        calls = 0;
        const tenant = await store.createTenant({ name: 't' });
        await store.createEndpoint(tenant.id, endpoint);
        const first = wake.next();
        for (let i = 0; i < 5; i++) {
          await publisher.publish(tenant.id, { eventType: 'a.b', data: i });
        }
        await first;
        // The other four are pending in the open window; closing the store sends them as one.
        const trailing = wake.next();
        await publisher.close();
        await trailing;
        // Notifications arrive in the order they were sent: once the sentinel's is here, nothing else is
        // on its way.
        const last = wake.next();
        await sentinel.publish(tenant.id, { eventType: 'a.b', data: 'sentinel' });
        await last;
        expect(calls).toBe(3);
        // Every woken claim finds what was published: the NOTIFYs went out after their COMMITs.
        expect(await store.claimDue('w', 10, 60_000)).toHaveLength(6);
      } finally {
        unsubscribe();
        await sentinel.close();
        await publisher.close().catch(() => {});
        await cleanup();
      }
    });

    it('round trips per operation: publish, batch, claim, empty claim + nextDueAt, attempt records', async () => {
      const { store, schema, cleanup } = await freshStore();
      const counted = new PostgresStore({
        connectionString: TEST_DATABASE_URL,
        schema,
        poolSize: 1,
        notifyCoalesceMs: 60_000,
      });
      const trips = countRoundTrips(counted);
      try {
        const tenant = await store.createTenant({ name: 't' });
        await store.createEndpoint(tenant.id, { ...endpoint, events: ['a.b'] });
        await store.createEndpoint(tenant.id, { ...endpoint, events: ['a.*'] });
        await store.createEndpoint(tenant.id, { ...endpoint, events: ['other.type'] });
        // BEGIN, locks + tenant, messages + endpoint match, deliveries, COMMIT + NOTIFY (one message).
        expect((await counted.publish(tenant.id, { eventType: 'a.b', data: 1 })).deliveries).toBe(2);
        expect(trips.take()).toBe(5);
        // The same plus the idempotency lookup; the key record shares the deliveries' statement.
        const key = { key: 'k1', requestHash: 'h' };
        await counted.publish(tenant.id, { eventType: 'a.b', data: 2 }, key);
        expect(trips.take()).toBe(6);
        // A replay: BEGIN, locks, the stored outcome, its messages, COMMIT.
        expect((await counted.publish(tenant.id, { eventType: 'a.b', data: 2 }, key)).replayed).toBeTruthy();
        expect(trips.take()).toBe(5);
        // A batch costs what one publish does, whatever its size (external ids share the lock statement).
        const batch = await counted.publishBatch(
          tenant.id,
          Array.from({ length: 20 }, (_, i) => ({ eventType: 'a.b', data: i, externalId: `e${i % 10}` })),
        );
        expect(batch.filter((r) => r.duplicate)).toHaveLength(10);
        expect(batch.reduce((n, r) => n + r.deliveries, 0)).toBe(20);
        expect(trips.take()).toBe(5);
        const claims = await counted.claimDue('w', 100, 60_000);
        expect(claims).toHaveLength(24);
        expect(trips.take()).toBe(1);
        // An idle wake-up: the empty claim reads the next due time, nextDueAt reuses it.
        expect(await counted.claimDue('w', 100, 60_000)).toEqual([]);
        expect((await counted.nextDueAt())?.getTime()).toBe(claims[0]!.leaseExpiresAt.getTime());
        expect(trips.take()).toBe(1);
        // BEGIN, endpoint streak, attempt + delivery, COMMIT.
        const one = await counted.recordAttempt({
          deliveryId: claims[0]!.delivery.id,
          workerId: 'w',
          attempt: okAttempt(),
          outcome: { kind: 'succeeded' },
        });
        expect(one).toMatchObject({ applied: true, delivery: { status: 'succeeded' } });
        expect(trips.take()).toBe(4);
        // BEGIN, the endpoint order, then streak + attempt per delivery, COMMIT.
        const three = await counted.recordAttempts(
          claims.slice(1, 4).map((c) => ({
            deliveryId: c.delivery.id,
            workerId: 'w',
            attempt: okAttempt(),
            outcome: { kind: 'succeeded' as const },
          })),
        );
        expect(three.every((r) => r.applied)).toBe(true);
        expect(trips.take()).toBe(3 + 2 * 3);
      } finally {
        await counted.close();
        await cleanup();
      }
    });

    it('the LISTEN connection comes back after being killed, and wakes once when it does', async () => {
      const { store, schema, cleanup } = await freshStore();
      const wake = nextCall();
      const unsubscribe = store.onWorkAvailable(wake.fn);
      try {
        await wake.next();
        const reconnected = wake.next();
        const killed = await adminQuery(
          'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1',
          [`hookwire listen ${schema}`],
        );
        expect(killed.rows).toEqual([{ ok: true }]);
        await reconnected;
        const tenant = await store.createTenant({ name: 't' });
        await store.createEndpoint(tenant.id, endpoint);
        const woken = wake.next();
        await store.publish(tenant.id, { eventType: 'a.b', data: 1 });
        await woken;
      } finally {
        unsubscribe();
        await cleanup();
      }
    });

    it('while PostgreSQL is unreachable every call fails with DATABASE_UNAVAILABLE, then recovers', async () => {
      const proxy = new DatabaseProxy();
      await proxy.up();
      const schema = uniqueSchema();
      const store = new PostgresStore({
        connectionString: proxy.url,
        schema,
        poolSize: 2,
        connectionTimeoutMs: 2000,
      });
      try {
        await store.migrate();
        const tenant = await store.createTenant({ name: 't' });
        await store.createEndpoint(tenant.id, endpoint);
        await proxy.down();
        for (const call of [
          () => store.publish(tenant.id, { eventType: 'a.b', data: 1 }),
          () => store.claimDue('w', 10, 60_000),
          () => store.getTenant(tenant.id),
        ]) {
          await expect(call()).rejects.toMatchObject({
            name: 'HookwireServerError',
            code: 'DATABASE_UNAVAILABLE',
          });
        }
        await proxy.up();
        expect((await store.publish(tenant.id, { eventType: 'a.b', data: 2 })).deliveries).toBe(1);
        // Only the publish made after the outage exists.
        expect((await store.listMessages(tenant.id)).items.map((m) => m.data)).toEqual([2]);
      } finally {
        await store.close();
        await proxy.down();
        await dropSchema(schema);
      }
    });
  });
});
