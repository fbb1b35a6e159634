import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isHookwireServerError } from '../src/errors.js';
import type { EndpointInput, Store } from '../src/store/store.js';

/** A fresh, migrated store plus how to throw it away. */
export type MakeStore = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const endpointInput = (over: Partial<EndpointInput> = {}): EndpointInput => ({
  url: 'https://receiver.example/hooks',
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  ...over,
});

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isHookwireServerError(err), `expected a HookwireServerError ${code}, got ${String(err)}`).toBe(true);
  expect((err as { code: string }).code).toBe(code);
}

/**
 * The behaviour every `Store` must have. Run it once per implementation:
 * `describeStoreConformance('SqliteStore', async () => ({ store, cleanup }))`.
 */
export function describeStoreConformance(name: string, makeStore: MakeStore): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let tenantId: string;

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
      tenantId = (await store.createTenant({ name: 'Acme', plan: 'pro', context: { accountId: 'acc_1' } }))
        .id;
    });
    afterEach(async () => {
      await cleanup();
    });

    describe('migrations', () => {
      it('are idempotent', async () => {
        expect(await store.migrate()).toEqual([]);
      });
    });

    describe('publish', () => {
      it('stores the message and one pending delivery per matching enabled endpoint, in one go', async () => {
        const all = await store.createEndpoint(tenantId, endpointInput());
        const clicks = await store.createEndpoint(tenantId, endpointInput({ events: ['link.click'] }));
        const wildcard = await store.createEndpoint(tenantId, endpointInput({ events: ['link.*'] }));
        const other = await store.createEndpoint(tenantId, endpointInput({ events: ['link.created'] }));
        await store.createEndpoint(tenantId, endpointInput({ enabled: false }));

        const r = await store.publish(
          tenantId,
          { eventType: 'link.click', data: { country: 'FR' } },
          undefined,
          T0,
        );
        expect(r.deliveries).toBe(3);
        expect(r.duplicate).toBe(false);
        expect(r.message.id).toMatch(/^msg_[0-9a-z]+$/);
        expect(r.message.context).toEqual({ accountId: 'acc_1' });
        expect(await store.getMessage(tenantId, r.message.id)).toEqual(r.message);

        const deliveries = (await store.listDeliveries(tenantId, { messageId: r.message.id })).items;
        expect(deliveries.map((d) => d.endpointId).sort()).toEqual([all.id, clicks.id, wildcard.id].sort());
        expect(
          deliveries.every((d) => d.status === 'pending' && d.nextAttemptAt?.getTime() === T0.getTime()),
        ).toBe(true);
        expect((await store.listDeliveries(tenantId, { endpointId: other.id })).items).toEqual([]);
      });

      it('rolls back entirely when any part fails (batch with an unknown tenant stores nothing)', async () => {
        await store.createEndpoint(tenantId, endpointInput());
        await expectCode(store.publishBatch('tnt_missing', [{ eventType: 'a.b', data: 1 }]), 'NOT_FOUND');
        const batch = await store.publishBatch(tenantId, [
          { eventType: 'a.b', data: 1 },
          { eventType: 'a.c', data: 2 },
        ]);
        expect(batch.map((b) => b.deliveries)).toEqual([1, 1]);
        expect((await store.listMessages(tenantId)).items).toHaveLength(2);
        // A message whose data cannot be stored aborts the whole batch.
        const circular: Record<string, unknown> = {};
        circular.self = circular;
        await expect(
          store.publishBatch(tenantId, [
            { eventType: 'a.d', data: 3 },
            { eventType: 'a.e', data: circular },
          ]),
        ).rejects.toThrow();
        expect((await store.listMessages(tenantId)).items).toHaveLength(2);
        expect((await store.queueStats(at(1000))).pending).toBe(2);
      });

      it('creates no delivery for an endpoint created after the publish', async () => {
        const r = await store.publish(tenantId, { eventType: 'a.b', data: {} });
        await store.createEndpoint(tenantId, endpointInput());
        expect(r.deliveries).toBe(0);
        expect((await store.listDeliveries(tenantId)).items).toEqual([]);
      });
    });

    describe('idempotency', () => {
      it('same key + same request returns the original result without new rows', async () => {
        await store.createEndpoint(tenantId, endpointInput());
        const key = { key: 'order-42', requestHash: 'h1' };
        const first = await store.publish(tenantId, { eventType: 'a.b', data: { n: 1 } }, key);
        const again = await store.publish(tenantId, { eventType: 'a.b', data: { n: 1 } }, key);
        expect(again.duplicate).toBe(true);
        expect(again.message.id).toBe(first.message.id);
        expect(again.deliveries).toBe(1);
        expect((await store.listMessages(tenantId)).items).toHaveLength(1);
        expect((await store.listDeliveries(tenantId)).items).toHaveLength(1);
      });

      it('same key + different request is a conflict', async () => {
        await store.publish(tenantId, { eventType: 'a.b', data: 1 }, { key: 'k', requestHash: 'h1' });
        await expectCode(
          store.publish(tenantId, { eventType: 'a.b', data: 2 }, { key: 'k', requestHash: 'h2' }),
          'IDEMPOTENCY_CONFLICT',
        );
        expect((await store.listMessages(tenantId)).items).toHaveLength(1);
      });

      it('keys are per tenant', async () => {
        const other = (await store.createTenant({ name: 'Other' })).id;
        const a = await store.publish(
          tenantId,
          { eventType: 'a.b', data: 1 },
          { key: 'k', requestHash: 'h1' },
        );
        const b = await store.publish(other, { eventType: 'a.b', data: 2 }, { key: 'k', requestHash: 'h2' });
        expect(b.duplicate).toBe(false);
        expect(b.message.id).not.toBe(a.message.id);
      });
    });

    describe('claim and lease', () => {
      it('claims only due deliveries, oldest first, and never the same one to two workers', async () => {
        await store.createEndpoint(tenantId, endpointInput());
        for (let i = 0; i < 10; i++) {
          await store.publish(tenantId, { eventType: 'a.b', data: i }, undefined, at(i));
        }
        await store.publish(tenantId, { eventType: 'a.b', data: 'future' }, undefined, at(60_000));
        const [a, b] = await Promise.all([
          store.claimDue('w1', 6, 30_000, at(1000)),
          store.claimDue('w2', 6, 30_000, at(1000)),
        ]);
        const ids = [...a, ...b].map((c) => c.delivery.id);
        expect(ids).toHaveLength(10);
        expect(new Set(ids).size).toBe(10);
        expect(
          [...a, ...b].every((c) => c.message.data !== 'future' && c.delivery.status === 'in_flight'),
        ).toBe(true);
        expect(await store.claimDue('w3', 10, 30_000, at(2000))).toEqual([]);
        const stats = await store.queueStats(at(2000));
        expect(stats).toMatchObject({ pending: 1, due: 0, inFlight: 10, oldestDueAgeMs: 0 });
        // The earliest thing to do is reclaiming the leases if their workers die (1 s + 30 s lease).
        expect((await store.nextDueAt())?.getTime()).toBe(at(31_000).getTime());
      });

      it('returns the message with the claim', async () => {
        await store.createEndpoint(tenantId, endpointInput());
        await store.publish(
          tenantId,
          { eventType: 'link.click', data: { x: 1 }, customData: { c: 1 } },
          undefined,
          T0,
        );
        const [claim] = await store.claimDue('w1', 10, 30_000, T0);
        expect(claim?.message).toMatchObject({
          eventType: 'link.click',
          data: { x: 1 },
          customData: { c: 1 },
        });
        expect(claim?.leaseExpiresAt.getTime()).toBe(at(30_000).getTime());
      });

      it("takes a dead worker's expired leases before a backlog of pending deliveries", async () => {
        // Found by fault case 2 (issue #6): with pending deliveries first, a claim smaller than the backlog
        // left a SIGKILLed worker's deliveries waiting until the whole backlog had drained.
        await store.createEndpoint(tenantId, endpointInput());
        for (let i = 0; i < 2; i++) {
          await store.publish(tenantId, { eventType: 'a.b', data: i }, undefined, T0);
        }
        const dead = await store.claimDue('dead', 2, 1000, T0);
        expect(dead).toHaveLength(2);
        for (let i = 0; i < 10; i++) {
          await store.publish(tenantId, { eventType: 'a.b', data: 100 + i }, undefined, at(10 + i));
        }
        const claimed = await store.claimDue('alive', 3, 30_000, at(5000));
        expect(claimed).toHaveLength(3);
        expect(claimed.map((c) => c.delivery.id)).toEqual(
          expect.arrayContaining(dead.map((d) => d.delivery.id)),
        );
        expect(claimed.every((c) => c.delivery.status === 'in_flight')).toBe(true);
      });

      it('an expired lease is claimable again (a killed worker loses nothing)', async () => {
        await store.createEndpoint(tenantId, endpointInput());
        await store.publish(tenantId, { eventType: 'a.b', data: 1 }, undefined, T0);
        const [first] = await store.claimDue('crashed', 10, 30_000, T0);
        expect(await store.claimDue('w2', 10, 30_000, at(29_999))).toEqual([]);
        const [again] = await store.claimDue('w2', 10, 30_000, at(30_000));
        expect(again?.delivery.id).toBe(first?.delivery.id);
        // The crashed worker's late result no longer moves the delivery.
        const late = await store.recordAttempt({
          deliveryId: first!.delivery.id,
          workerId: 'crashed',
          attempt: okAttempt(at(30_001)),
          outcome: { kind: 'succeeded' },
        });
        expect(late.applied).toBe(false);
        expect(late.delivery.status).toBe('in_flight');
        const mine = await store.recordAttempt({
          deliveryId: first!.delivery.id,
          workerId: 'w2',
          attempt: okAttempt(at(30_002)),
          outcome: { kind: 'succeeded' },
        });
        expect(mine.applied).toBe(true);
        expect(mine.delivery).toMatchObject({ status: 'succeeded', attemptCount: 2 });
        expect((await store.listAttempts(tenantId, first!.delivery.id)).items).toHaveLength(2);
      });

      it('release gives leases back, all of a worker or some', async () => {
        await store.createEndpoint(tenantId, endpointInput());
        await store.publishBatch(
          tenantId,
          [1, 2, 3].map((n) => ({ eventType: 'a.b', data: n })),
          T0,
        );
        const claims = await store.claimDue('w1', 10, 30_000, T0);
        expect(await store.release('w1', { deliveryIds: [claims[0]!.delivery.id], at: at(5000) })).toBe(1);
        expect(await store.release('other')).toBe(0);
        expect(await store.release('w1', { at: T0 })).toBe(2);
        expect((await store.queueStats(at(1000))).due).toBe(2);
        expect(await store.claimDue('w2', 10, 30_000, at(1000))).toHaveLength(2);
        expect(await store.claimDue('w2', 10, 30_000, at(5000))).toHaveLength(1);
      });
    });

    describe('attempts and the state machine', () => {
      it('pending -> in_flight -> pending (retry) -> in_flight -> succeeded, with the log', async () => {
        const ep = await store.createEndpoint(tenantId, endpointInput());
        await store.publish(tenantId, { eventType: 'a.b', data: 1 }, undefined, T0);
        const [c] = await store.claimDue('w', 1, 30_000, T0);
        const retry = await store.recordAttempt({
          deliveryId: c!.delivery.id,
          workerId: 'w',
          attempt: { ...okAttempt(T0), statusCode: 500, errorKind: 'http_status', error: 'HTTP 500' },
          outcome: { kind: 'retry', nextAttemptAt: at(5000) },
        });
        expect(retry.delivery).toMatchObject({ status: 'pending', attemptCount: 1, lastStatusCode: 500 });
        expect(retry.attempt.nextRetryAt?.getTime()).toBe(at(5000).getTime());
        expect(retry.endpointFailingSince?.getTime()).toBe(T0.getTime());
        expect((await store.getEndpoint(tenantId, ep.id))?.failingSince?.getTime()).toBe(T0.getTime());
        expect(await store.claimDue('w', 1, 30_000, at(4999))).toEqual([]);
        const [c2] = await store.claimDue('w', 1, 30_000, at(5000));
        const ok = await store.recordAttempt({
          deliveryId: c2!.delivery.id,
          workerId: 'w',
          attempt: okAttempt(at(5000)),
          outcome: { kind: 'succeeded' },
        });
        expect(ok.delivery).toMatchObject({ status: 'succeeded', attemptCount: 2, nextAttemptAt: null });
        expect(ok.endpointFailingSince).toBeNull();
        const log = (await store.listAttempts(tenantId, c!.delivery.id)).items;
        expect(log.map((a) => a.statusCode)).toEqual([200, 500]);
        expect(log[0]?.requestHeaders).toEqual({ 'webhook-id': 'x' });
        expect(log[0]?.responsePreview).toBe('ok');
      });

      it('retries exhausted -> failed; the failure streak starts at the first failure', async () => {
        await store.createEndpoint(tenantId, endpointInput());
        await store.publish(tenantId, { eventType: 'a.b', data: 1 }, undefined, T0);
        const [c] = await store.claimDue('w', 1, 30_000, T0);
        const r = await store.recordAttempt({
          deliveryId: c!.delivery.id,
          workerId: 'w',
          attempt: { ...okAttempt(T0), statusCode: null, errorKind: 'timeout', error: 'deadline exceeded' },
          outcome: { kind: 'failed' },
        });
        expect(r.delivery).toMatchObject({
          status: 'failed',
          nextAttemptAt: null,
          lastError: 'deadline exceeded',
        });
        expect(await store.claimDue('w', 1, 30_000, at(999_999))).toEqual([]);
      });

      it('test sends (trackHealth: false) leave the failure streak alone', async () => {
        const ep = await store.createEndpoint(tenantId, endpointInput());
        const c = await store.createDirectDelivery(
          tenantId,
          ep.id,
          { eventType: 'webhook.test', data: {} },
          'test',
          10_000,
        );
        expect(c.delivery.status).toBe('in_flight');
        const r = await store.recordAttempt({
          deliveryId: c.delivery.id,
          workerId: 'test',
          attempt: { ...okAttempt(T0), statusCode: 500, errorKind: 'http_status' },
          outcome: { kind: 'failed' },
          trackHealth: false,
        });
        expect(r.delivery.status).toBe('failed');
        expect(r.endpointFailingSince).toBeNull();
      });
    });

    describe('cancel, redeliver, replay', () => {
      it('disabling or deleting an endpoint cancels its pending and in-flight deliveries', async () => {
        const a = await store.createEndpoint(tenantId, endpointInput());
        const b = await store.createEndpoint(tenantId, endpointInput());
        const keep = await store.createEndpoint(tenantId, endpointInput());
        await store.publishBatch(
          tenantId,
          [1, 2].map((n) => ({ eventType: 'a.b', data: n })),
          T0,
        );
        await store.claimDue('w', 1, 30_000, T0);
        expect(await store.disableEndpoint(tenantId, a.id, 'HTTP 410 Gone')).toBe(2);
        expect(await store.getEndpoint(tenantId, a.id)).toMatchObject({
          enabled: false,
          disabledReason: 'HTTP 410 Gone',
        });
        await store.deleteEndpoint(tenantId, b.id);
        expect(await store.getEndpoint(tenantId, b.id)).toBeNull();
        const all = (await store.listDeliveries(tenantId)).items;
        expect(all.filter((d) => d.endpointId !== keep.id).every((d) => d.status === 'cancelled')).toBe(true);
        expect(all.filter((d) => d.endpointId === keep.id).every((d) => d.status !== 'cancelled')).toBe(true);
        // Disabled endpoints receive nothing new.
        const r = await store.publish(tenantId, { eventType: 'a.b', data: 3 });
        expect(r.deliveries).toBe(1);
        // A patch that disables cancels too.
        await store.updateEndpoint(tenantId, keep.id, { enabled: false });
        expect(
          (await store.listDeliveries(tenantId, { endpointId: keep.id, status: 'pending' })).items,
        ).toEqual([]);
        expect((await store.getEndpoint(tenantId, keep.id))?.disabledReason).toBe('disabled by user');
        await store.updateEndpoint(tenantId, keep.id, { enabled: true });
        expect((await store.getEndpoint(tenantId, keep.id))?.disabledReason).toBeNull();
      });

      it('redeliver schedules one delivery now with a fresh retry budget', async () => {
        await store.createEndpoint(tenantId, endpointInput());
        await store.publish(tenantId, { eventType: 'a.b', data: 1 }, undefined, T0);
        const [c] = await store.claimDue('w', 1, 30_000, T0);
        await store.recordAttempt({
          deliveryId: c!.delivery.id,
          workerId: 'w',
          attempt: { ...okAttempt(T0), statusCode: 500, errorKind: 'http_status' },
          outcome: { kind: 'failed' },
        });
        const d = await store.redeliver(tenantId, c!.delivery.id, at(100));
        expect(d).toMatchObject({ status: 'pending', cycleAttempts: 0, attemptCount: 1 });
        const [again] = await store.claimDue('w', 1, 30_000, at(100));
        expect(again?.delivery.id).toBe(c!.delivery.id);
        await expectCode(store.redeliver(tenantId, 'dlv_missing'), 'NOT_FOUND');
      });

      it('replayFailedSince reschedules only failed deliveries of that endpoint since the time', async () => {
        const ep = await store.createEndpoint(tenantId, endpointInput());
        const other = await store.createEndpoint(tenantId, endpointInput());
        for (let i = 0; i < 3; i++) {
          await store.publish(tenantId, { eventType: 'a.b', data: i }, undefined, at(i * 1000));
        }
        const claims = await store.claimDue('w', 10, 30_000, at(5000));
        for (const c of claims) {
          await store.recordAttempt({
            deliveryId: c.delivery.id,
            workerId: 'w',
            attempt: { ...okAttempt(at(5000)), statusCode: 500, errorKind: 'http_status' },
            outcome:
              c.message.data === 2 && c.delivery.endpointId === ep.id
                ? { kind: 'succeeded' }
                : { kind: 'failed' },
          });
        }
        // Endpoint ep: messages 0 and 1 failed, 2 succeeded. Since at(1000): only message 1 qualifies.
        expect(await store.replayFailedSince(tenantId, ep.id, at(1000), at(6000))).toBe(1);
        const due = await store.claimDue('w', 10, 30_000, at(6000));
        expect(due.map((c) => [c.delivery.endpointId, c.message.data])).toEqual([[ep.id, 1]]);
        expect(await store.replayFailedSince(tenantId, other.id, T0, at(6000))).toBe(3);
        await store.disableEndpoint(tenantId, other.id, 'manual');
        await expectCode(store.replayFailedSince(tenantId, other.id, T0), 'ENDPOINT_DISABLED');
      });
    });

    describe('retention', () => {
      it('removes old finished messages with their deliveries and attempts, keeps unfinished ones', async () => {
        await store.createEndpoint(tenantId, endpointInput());
        const old = await store.publish(
          tenantId,
          { eventType: 'a.b', data: 'old' },
          { key: 'k1', requestHash: 'h' },
          T0,
        );
        await store.publish(tenantId, { eventType: 'a.b', data: 'old-pending' }, undefined, at(1));
        const [c] = await store.claimDue('w', 1, 30_000, at(2));
        expect(c?.message.id).toBe(old.message.id);
        await store.recordAttempt({
          deliveryId: c!.delivery.id,
          workerId: 'w',
          attempt: okAttempt(at(2)),
          outcome: { kind: 'succeeded' },
        });
        const fresh = await store.publish(
          tenantId,
          { eventType: 'a.b', data: 'new' },
          undefined,
          at(20 * 86_400_000),
        );
        const r = await store.deleteOlderThan(7, at(20 * 86_400_000));
        expect(r).toEqual({ messages: 1, deliveries: 1, attempts: 1, idempotencyKeys: 1 });
        expect(await store.getMessage(tenantId, old.message.id)).toBeNull();
        expect(await store.getMessage(tenantId, fresh.message.id)).not.toBeNull();
        expect((await store.listMessages(tenantId)).items.map((m) => m.data).sort()).toEqual([
          'new',
          'old-pending',
        ]);
      });
    });

    describe('tenant scoping', () => {
      it('no read or write reaches another tenant', async () => {
        const other = (await store.createTenant({ name: 'Other' })).id;
        const ep = await store.createEndpoint(tenantId, endpointInput());
        const r = await store.publish(tenantId, { eventType: 'a.b', data: 1 });
        const [d] = (await store.listDeliveries(tenantId)).items;
        expect(await store.getEndpoint(other, ep.id)).toBeNull();
        expect(await store.getMessage(other, r.message.id)).toBeNull();
        expect(await store.getDelivery(other, d!.id)).toBeNull();
        expect((await store.listEndpoints(other)).items).toEqual([]);
        expect((await store.listMessages(other)).items).toEqual([]);
        expect((await store.listDeliveries(other)).items).toEqual([]);
        expect((await store.listAttempts(other, d!.id)).items).toEqual([]);
        await expectCode(store.updateEndpoint(other, ep.id, { description: 'x' }), 'NOT_FOUND');
        await expectCode(store.disableEndpoint(other, ep.id, 'x'), 'NOT_FOUND');
        await expectCode(store.deleteEndpoint(other, ep.id), 'NOT_FOUND');
        await expectCode(store.redeliver(other, d!.id), 'NOT_FOUND');
        await expectCode(store.replayFailedSince(other, ep.id, T0), 'NOT_FOUND');
        await expectCode(store.rotateEndpointSecret(other, ep.id, 'whsec_x', 1000), 'NOT_FOUND');
        expect((await store.publish(other, { eventType: 'a.b', data: 1 })).deliveries).toBe(0);
        expect((await store.getEndpoint(tenantId, ep.id))?.description).toBe('');
      });

      it('deleting a tenant removes everything it owns', async () => {
        await store.createEndpoint(tenantId, endpointInput());
        await store.publish(tenantId, { eventType: 'a.b', data: 1 });
        await store.deleteTenant(tenantId);
        expect(await store.getTenant(tenantId)).toBeNull();
        expect((await store.queueStats()).pending).toBe(0);
      });
    });

    describe('pagination', () => {
      it('walks every row exactly once, newest first, with opaque cursors', async () => {
        await store.createEndpoint(tenantId, endpointInput());
        const published = await store.publishBatch(
          tenantId,
          Array.from({ length: 7 }, (_, i) => ({ eventType: 'a.b', data: i })),
        );
        const seen: string[] = [];
        let cursor: string | null = null;
        for (let pages = 0; pages < 10; pages++) {
          const page: Awaited<ReturnType<Store['listMessages']>> = await store.listMessages(tenantId, {
            limit: 3,
            cursor,
          });
          seen.push(...page.items.map((m) => m.id));
          cursor = page.nextCursor;
          if (!cursor) {
            break;
          }
          expect(cursor).not.toContain(page.items.at(-1)!.id);
        }
        expect(seen).toEqual(published.map((p) => p.message.id).reverse());
        await expectCode(store.listMessages(tenantId, { cursor: 'not-a-cursor' }), 'INVALID_CURSOR');
        const d1 = await store.listDeliveries(tenantId, { limit: 5 });
        const d2 = await store.listDeliveries(tenantId, { limit: 5, cursor: d1.nextCursor });
        expect(d1.items).toHaveLength(5);
        expect(d2.items).toHaveLength(2);
        expect(d2.nextCursor).toBeNull();
      });

      it('pages the catalog by name', async () => {
        for (const n of ['link.created', 'link.click', 'link.deleted']) {
          await store.upsertEventType(tenantId, { name: n, schema: { type: 'object' } });
        }
        await store.upsertEventType(tenantId, { name: 'link.old', archived: true });
        const p1 = await store.listEventTypes(tenantId, { limit: 2 });
        const p2 = await store.listEventTypes(tenantId, { limit: 2, cursor: p1.nextCursor });
        expect([...p1.items, ...p2.items].map((e) => e.name)).toEqual([
          'link.click',
          'link.created',
          'link.deleted',
        ]);
        expect((await store.listEventTypes(tenantId, { includeArchived: true })).items).toHaveLength(4);
        expect((await store.getEventType(tenantId, 'link.click'))?.schema).toEqual({ type: 'object' });
      });
    });

    describe('delivery statistics (optional countDeliveriesByBucket)', () => {
      it("counts one endpoint's deliveries per bucket and status, inside [since, until) only", async (ctx) => {
        if (!store.countDeliveriesByBucket) {
          ctx.skip('this store does not implement countDeliveriesByBucket (the HTTP layer pages instead)');
          return;
        }
        const ep = await store.createEndpoint(tenantId, endpointInput());
        const hour = 3_600_000;
        await store.publish(tenantId, { eventType: 'a.b', data: 1 }, undefined, T0);
        const [first] = await store.claimDue('w', 10, 1e12, at(1));
        await store.recordAttempt({
          deliveryId: first!.delivery.id,
          workerId: 'w',
          attempt: okAttempt(at(1)),
          outcome: { kind: 'succeeded' },
        });
        await store.publish(tenantId, { eventType: 'a.b', data: 2 }, undefined, at(-1)); // before the window
        const other = await store.createEndpoint(tenantId, endpointInput());
        await store.publish(tenantId, { eventType: 'a.b', data: 3 }, undefined, at(hour - 1));
        await store.publish(tenantId, { eventType: 'a.b', data: 4 }, undefined, at(2 * hour + 5));
        await store.publish(tenantId, { eventType: 'a.b', data: 5 }, undefined, at(3 * hour)); // until: excluded
        await store.disableEndpoint(tenantId, other.id, 'manual');

        const window = { since: T0, until: at(3 * hour), bucketMs: hour };
        const byBucket = (cells: { bucket: number; status: string; count: number }[]) =>
          [...cells].sort((a, b) => a.bucket - b.bucket || a.status.localeCompare(b.status));
        expect(byBucket(await store.countDeliveriesByBucket(tenantId, ep.id, window))).toEqual([
          { bucket: 0, status: 'pending', count: 1 },
          { bucket: 0, status: 'succeeded', count: 1 },
          { bucket: 2, status: 'pending', count: 1 },
        ]);
        expect(byBucket(await store.countDeliveriesByBucket(tenantId, other.id, window))).toEqual([
          { bucket: 0, status: 'cancelled', count: 1 },
          { bucket: 2, status: 'cancelled', count: 1 },
        ]);
        const stranger = (await store.createTenant({ name: 'Other' })).id;
        expect(await store.countDeliveriesByBucket(stranger, ep.id, window)).toEqual([]);
      });
    });

    describe('endpoints, secrets, keys, sources', () => {
      it('enforces the endpoint quota', async () => {
        await store.createEndpoint(tenantId, endpointInput(), { maxEndpoints: 2 });
        await store.createEndpoint(tenantId, endpointInput(), { maxEndpoints: 2 });
        await expectCode(
          store.createEndpoint(tenantId, endpointInput(), { maxEndpoints: 2 }),
          'QUOTA_EXCEEDED',
        );
        expect(await store.countEndpoints(tenantId)).toBe(2);
      });

      it('rotation keeps the old secret until the overlap ends, at most 10 old ones', async () => {
        const ep = await store.createEndpoint(tenantId, endpointInput({ secret: 'whsec_first' }));
        const r = await store.rotateEndpointSecret(tenantId, ep.id, 'whsec_second', 60_000, T0);
        expect(r.secrets.current).toBe('whsec_second');
        expect(r.secrets.previous).toEqual([{ secret: 'whsec_first', expiresAt: at(60_000) }]);
        // Expired previous secrets are dropped on the next rotation.
        const r2 = await store.rotateEndpointSecret(tenantId, ep.id, 'whsec_third', 60_000, at(120_000));
        expect(r2.secrets.previous.map((p) => p.secret)).toEqual(['whsec_second']);
        let last = r2;
        for (let i = 0; i < 15; i++) {
          last = await store.rotateEndpointSecret(tenantId, ep.id, `whsec_n${i}`, 60_000, at(120_000));
        }
        expect(last.secrets.previous).toHaveLength(10);
      });

      it('stores api keys by prefix and hash only', async () => {
        const k = await store.createApiKey(tenantId, { name: 'ci', prefix: 'abc123', hash: 'f'.repeat(64) });
        expect(k).not.toHaveProperty('hash');
        expect(await store.findApiKeyByPrefix('abc123')).toMatchObject({ tenantId, hash: 'f'.repeat(64) });
        await store.revokeApiKey(tenantId, k.id, T0);
        expect((await store.listApiKeys(tenantId)).items[0]?.revokedAt?.getTime()).toBe(T0.getTime());
        const other = (await store.createTenant({ name: 'Other' })).id;
        await expectCode(store.revokeApiKey(other, k.id), 'NOT_FOUND');
      });

      it('tenants keep metadata apart from the envelope context', async () => {
        const t = await store.createTenant({ name: 'M', metadata: { crmId: '4471' } });
        expect(t).toMatchObject({ metadata: { crmId: '4471' }, context: {} });
        const u = await store.updateTenant(t.id, { name: 'M2' });
        expect(u.metadata).toEqual({ crmId: '4471' });
        expect((await store.updateTenant(t.id, { metadata: {} })).metadata).toEqual({});
      });

      it('api keys carry an optional expiry', async () => {
        const k = await store.createApiKey(tenantId, {
          name: 'temp',
          prefix: 'exp123',
          hash: 'e'.repeat(64),
          expiresAt: at(60_000),
        });
        expect(k.expiresAt?.getTime()).toBe(at(60_000).getTime());
        const plain = await store.createApiKey(tenantId, {
          name: 'p',
          prefix: 'exp124',
          hash: 'e'.repeat(64),
        });
        expect(plain.expiresAt).toBeNull();
      });

      it('event types: category filter, delete refused while an endpoint subscribes by name', async () => {
        await store.upsertEventType(tenantId, { name: 'link.click', category: 'Links' });
        await store.upsertEventType(tenantId, { name: 'sms.sent', category: 'Messaging' });
        expect((await store.getEventType(tenantId, 'link.click'))?.category).toBe('Links');
        const links = await store.listEventTypes(tenantId, { category: 'Links' });
        expect(links.items.map((t) => t.name)).toEqual(['link.click']);
        const ep = await store.createEndpoint(tenantId, endpointInput({ events: ['link.click'] }));
        await expectCode(store.deleteEventType(tenantId, 'link.click'), 'CONFLICT');
        await store.updateEndpoint(tenantId, ep.id, { events: ['sms.sent'] });
        await store.deleteEventType(tenantId, 'link.click');
        expect(await store.getEventType(tenantId, 'link.click')).toBeNull();
      });

      it('endpoints list filters by enabled and by the type they would receive', async () => {
        const all = await store.createEndpoint(tenantId, endpointInput());
        const clicks = await store.createEndpoint(tenantId, endpointInput({ events: ['link.*'] }));
        const off = await store.createEndpoint(
          tenantId,
          endpointInput({ events: ['sms.sent'], enabled: false }),
        );
        const ids = async (f: { enabled?: boolean; eventType?: string }) =>
          (await store.listEndpoints(tenantId, f)).items.map((e) => e.id).sort();
        expect(await ids({ eventType: 'link.click' })).toEqual([all.id, clicks.id].sort());
        expect(await ids({ enabled: false })).toEqual([off.id]);
        expect(await ids({ enabled: true, eventType: 'sms.sent' })).toEqual([all.id]);
      });

      it('messages: per-event context over the tenant context, external id dedupe for 24 h, time filters', async () => {
        await store.createEndpoint(tenantId, endpointInput());
        const first = await store.publish(
          tenantId,
          { eventType: 'a.b', data: 1, context: { campaignId: 'c1' }, externalId: 'ext-1' },
          undefined,
          T0,
        );
        expect(first).toMatchObject({ deliveries: 1, duplicate: false });
        expect(first.message).toMatchObject({
          externalId: 'ext-1',
          context: { accountId: 'acc_1', campaignId: 'c1' },
        });
        const again = await store.publish(
          tenantId,
          { eventType: 'a.b', data: 2, externalId: 'ext-1' },
          undefined,
          at(1000),
        );
        expect(again).toMatchObject({ deliveries: 0, duplicate: true });
        expect(again.message.id).toBe(first.message.id);
        const later = await store.publish(
          tenantId,
          { eventType: 'a.b', data: 3, externalId: 'ext-1' },
          undefined,
          at(86_400_000 + 1),
        );
        expect(later.duplicate).toBe(false);
        const inWindow = await store.listMessages(tenantId, { since: T0, until: at(1000) });
        expect(inWindow.items.map((m) => m.id)).toEqual([first.message.id]);
        const [d] = (await store.listDeliveries(tenantId, { messageId: first.message.id })).items;
        expect(d?.eventType).toBe('a.b');
        expect((await store.listDeliveries(tenantId, { eventType: 'x.y' })).items).toEqual([]);
        expect(
          (await store.listDeliveries(tenantId, { since: at(1), until: at(86_400_002) })).items,
        ).toHaveLength(1);
      });

      it('batch publish: idempotency replays the whole batch, another body conflicts', async () => {
        await store.createEndpoint(tenantId, endpointInput());
        const key = { key: 'batch-1', requestHash: 'h1' };
        const inputs = [1, 2].map((n) => ({ eventType: 'a.b', data: n }));
        const r1 = await store.publishBatch(tenantId, inputs, T0, key);
        const r2 = await store.publishBatch(tenantId, inputs, T0, key);
        expect(r2.map((r) => r.message.id)).toEqual(r1.map((r) => r.message.id));
        expect(r2.map((r) => r.deliveries)).toEqual([1, 1]);
        expect(r2.every((r) => r.duplicate)).toBe(true);
        expect(r2.map((r) => r.replayed)).toEqual([{ duplicate: false }, { duplicate: false }]);
        expect(r1.every((r) => r.replayed === undefined)).toBe(true);
        await expectCode(
          store.publishBatch(tenantId, inputs, T0, { key: 'batch-1', requestHash: 'h2' }),
          'IDEMPOTENCY_CONFLICT',
        );
        expect((await store.listMessages(tenantId)).items).toHaveLength(2);
      });

      it('attempts record their trigger: scheduled, manual after redeliver, replay, test', async () => {
        const ep = await store.createEndpoint(tenantId, endpointInput());
        await store.publish(tenantId, { eventType: 'a.b', data: 1 }, undefined, T0);
        const fail = async (now: Date) => {
          const [c] = await store.claimDue('w', 1, 30_000, now);
          return store.recordAttempt({
            deliveryId: c!.delivery.id,
            workerId: 'w',
            attempt: { ...okAttempt(now), statusCode: 500, errorKind: 'http_status' },
            outcome: { kind: 'failed' },
          });
        };
        const a1 = await fail(T0);
        expect(a1.attempt.trigger).toBe('scheduled');
        expect(a1.attempt.url).toBe('');
        await store.redeliver(tenantId, a1.delivery.id, at(10));
        expect((await fail(at(10))).attempt.trigger).toBe('manual');
        expect(await store.replayFailedSince(tenantId, ep.id, T0, at(20), at(1))).toBe(1);
        expect(await store.replayFailedSince(tenantId, ep.id, at(1), at(20))).toBe(0);
        expect((await fail(at(20))).attempt.trigger).toBe('replay');
        const direct = await store.createDirectDelivery(
          tenantId,
          ep.id,
          { eventType: 'x.test', data: {} },
          'w',
          30_000,
          at(30),
        );
        expect(direct.delivery.eventType).toBe('x.test');
        const t = await store.recordAttempt({
          deliveryId: direct.delivery.id,
          workerId: 'w',
          attempt: { ...okAttempt(at(30)), url: 'https://receiver.example/hooks' },
          outcome: { kind: 'succeeded' },
          trackHealth: false,
        });
        expect(t.attempt.trigger).toBe('test');
        expect(t.attempt.url).toBe('https://receiver.example/hooks');
      });

      it('redeliver refuses a delivery with a live lease', async () => {
        await store.createEndpoint(tenantId, endpointInput());
        await store.publish(tenantId, { eventType: 'a.b', data: 1 }, undefined, T0);
        const [c] = await store.claimDue('w', 1, 30_000, T0);
        await expectCode(store.redeliver(tenantId, c!.delivery.id, at(10)), 'CONFLICT');
        // Once the lease has expired the delivery is fair game again.
        expect((await store.redeliver(tenantId, c!.delivery.id, at(30_001))).status).toBe('pending');
      });

      it('sources: fields, update, token rotation with overlap', async () => {
        const s = await store.createSource(tenantId, {
          name: 'shop',
          description: 'storefront',
          tokenHash: 'a'.repeat(64),
          eventTypeMapping: { pointer: '/event', map: { purchase: 'activity.purchase' } },
        });
        expect(s).toMatchObject({
          description: 'storefront',
          enabled: true,
          eventType: null,
          eventTypeMapping: { pointer: '/event', map: { purchase: 'activity.purchase' } },
          previousTokenExpiresAt: null,
        });
        const u = await store.updateSource(tenantId, s.id, {
          enabled: false,
          eventType: 'activity.custom',
          eventTypeMapping: null,
        });
        expect(u).toMatchObject({
          enabled: false,
          eventType: 'activity.custom',
          eventTypeMapping: null,
          name: 'shop',
        });
        const r = await store.rotateSourceToken(tenantId, s.id, 'b'.repeat(64), 60_000, T0);
        expect(r.previousTokenExpiresAt?.getTime()).toBe(at(60_000).getTime());
        expect(await store.findSourceForIngest(s.id)).toMatchObject({
          tokenHash: 'b'.repeat(64),
          previousTokenHash: 'a'.repeat(64),
        });
        await store.rotateSourceToken(tenantId, s.id, 'c'.repeat(64));
        expect(await store.findSourceForIngest(s.id)).toMatchObject({
          previousTokenHash: null,
          previousTokenExpiresAt: null,
        });
        const other = (await store.createTenant({ name: 'Other' })).id;
        await expectCode(store.updateSource(other, s.id, { name: 'x' }), 'NOT_FOUND');
      });

      it('sources: create, find for ingest, rotate, delete', async () => {
        const s = await store.createSource(tenantId, {
          name: 'purchases',
          tokenHash: 'a'.repeat(64),
          schema: null,
        });
        expect(s.id).toMatch(/^src_/);
        expect((await store.findSourceForIngest(s.id))?.tokenHash).toBe('a'.repeat(64));
        await store.rotateSourceToken(tenantId, s.id, 'b'.repeat(64));
        expect((await store.findSourceForIngest(s.id))?.tokenHash).toBe('b'.repeat(64));
        await store.deleteSource(tenantId, s.id);
        expect(await store.findSourceForIngest(s.id)).toBeNull();
      });
    });
  });
}

function okAttempt(startedAt: Date) {
  return {
    startedAt,
    durationMs: 12,
    statusCode: 200 as number | null,
    errorKind: 'none' as const,
    error: null as string | null,
    responsePreview: 'ok',
    requestHeaders: { 'webhook-id': 'x' } as Record<string, string>,
  };
}
