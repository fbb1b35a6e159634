import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, type Harness, operations } from './support.js';

let h: Harness;
let a: { id: string; key: string; keyId: string };
let b: { id: string; key: string; keyId: string };
let revoked: string;

const ids: Record<string, string> = {
  tenantId: 'tnt_00000000000000000000000000',
  keyId: 'key_00000000000000000000000000',
  webhookId: 'wh_00000000000000000000000000',
  name: 'link.click',
  eventId: 'msg_00000000000000000000000000',
  deliveryId: 'dlv_00000000000000000000000000',
  sourceId: 'src_00000000000000000000000000',
};
const paramsOf = (path: string, over: Record<string, string> = {}) =>
  Object.fromEntries(
    [...path.matchAll(/\{([^}]+)\}/g)].map(([, n]) => [
      n as string,
      over[n as string] ?? ids[n as string] ?? '',
    ]),
  );

beforeAll(async () => {
  h = await createHarness();
  a = await h.tenant({ name: 'A' });
  b = await h.tenant({ name: 'B' });
  const k = await h.call('createApiKey', {
    auth: a.key,
    params: { tenantId: a.id },
    body: { name: 'to revoke' },
  });
  revoked = k.body.key;
  await h.call('deleteApiKey', { auth: ADMIN_KEY, params: { tenantId: a.id, keyId: k.body.id } });
}, 60_000);
afterAll(async () => {
  await h.close();
}, 60_000);

describe('auth matrix, for every operation', () => {
  const bearer = operations.filter(
    (op) => op.security.includes('apiKey') || op.security.includes('adminKey'),
  );
  it.each(bearer.map((op) => [op.operationId, op] as const))(
    '%s: no key, a malformed key, an unknown key and a revoked key are 401',
    async (operationId, op) => {
      for (const auth of [null, 'nope', 'hw_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', revoked]) {
        const r = await h.call(operationId, { auth, params: paramsOf(op.path) });
        expect(r.status, `${operationId} with ${auth}`).toBe(401);
        expect(r.body.code).toBe('UNAUTHORIZED');
      }
      const r = await h.raw(op.method, op.path.replace(/\{[^}]+\}/g, 'x'), {
        headers: { authorization: `Basic ${ADMIN_KEY}` },
      });
      expect(r.status).toBe(401);
    },
  );

  const adminOnly = operations.filter(
    (op) => op.security.includes('adminKey') && !op.security.includes('apiKey'),
  );
  it.each(adminOnly.map((op) => [op.operationId, op] as const))(
    '%s: a tenant key is 403 FORBIDDEN',
    async (operationId, op) => {
      const r = await h.call(operationId, { auth: a.key, params: paramsOf(op.path, { tenantId: a.id }) });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('FORBIDDEN');
    },
  );

  const tenantOnly = operations.filter(
    (op) => op.security.includes('apiKey') && !op.security.includes('adminKey'),
  );
  it.each(tenantOnly.map((op) => [op.operationId, op] as const))(
    '%s: the admin key is 401 (use a tenant key)',
    async (operationId, op) => {
      const r = await h.call(operationId, { auth: ADMIN_KEY, params: paramsOf(op.path) });
      expect(r.status).toBe(401);
      expect(r.body.detail).toContain('tenant API key');
    },
  );

  const tenantPath = operations.filter(
    (op) => op.path.includes('{tenantId}') && op.security.includes('apiKey'),
  );
  it.each(tenantPath.map((op) => [op.operationId, op] as const))(
    "%s: a tenant key on another tenant's path is 403, existing or not",
    async (operationId, op) => {
      for (const tenantId of [b.id, ids.tenantId as string]) {
        const r = await h.call(operationId, {
          auth: a.key,
          params: paramsOf(op.path, { tenantId }),
          body: { name: 'x' },
        });
        expect(r.status).toBe(403);
        expect(r.body.code).toBe('FORBIDDEN');
      }
    },
  );

  const publicOps = operations.filter((op) => op.security.length === 0);
  it.each(publicOps.map((op) => [op.operationId] as const))('%s needs no key', async (operationId) => {
    const r = await h.call(operationId);
    expect(r.status).toBe(200);
  });

  it('keys are looked up by prefix and compared by hash: a forged key with a real prefix is 401', async () => {
    const prefix = a.key.split('_')[1];
    const forged = `hw_${prefix}_${'A'.repeat(32)}`;
    const r = await h.call('listWebhooks', { auth: forged });
    expect(r.status).toBe(401);
  });
});

describe('tenant isolation, for every tenant-scoped operation', () => {
  it("another tenant's ids are 404 NOT_FOUND and never listed", async () => {
    await h.eventTypes(a.key, ['link.click']);
    await h.eventTypes(b.key, ['link.click']);
    const wh = await h.call('createWebhook', {
      auth: a.key,
      body: { url: 'https://example.com/hook', events: ['link.click'] },
    });
    const pub = await h.call('publishEvent', { auth: a.key, body: { type: 'link.click', data: { n: 1 } } });
    const ev = await h.call('getEvent', { auth: a.key, params: { eventId: pub.body.id } });
    const src = await h.call('createSource', {
      auth: a.key,
      body: { name: 'shop', eventType: 'link.click' },
    });
    const own = {
      webhookId: wh.body.id as string,
      eventId: pub.body.id as string,
      deliveryId: ev.body.deliveries[0].id as string,
      sourceId: src.body.id as string,
      name: 'link.click',
    };
    // B may use the same event type name in its own catalog; a's other resources are invisible to B.
    const bodies: Record<string, unknown> = {
      updateWebhook: { description: 'x' },
      rotateWebhookSecret: {},
      sendTestEvent: {},
      replayWebhook: { since: '2020-01-01T00:00:00.000Z' },
      updateSource: { name: 'x' },
      rotateSourceToken: {},
    };
    const scoped = operations.filter(
      (op) =>
        op.security.includes('apiKey') &&
        !op.security.includes('adminKey') &&
        /\{(webhookId|eventId|deliveryId|sourceId)\}/.test(op.path),
    );
    expect(scoped).toHaveLength(14);
    for (const op of scoped) {
      const r = await h.call(op.operationId, {
        auth: b.key,
        params: paramsOf(op.path, own),
        body: bodies[op.operationId],
      });
      expect(r.status, `${op.operationId}: ${r.text}`).toBe(404);
      expect(r.body.code).toBe('NOT_FOUND');
    }
    // Event types are per tenant: B's link.click is B's own; A's custom type is invisible to B.
    await h.eventTypes(a.key, ['link.only_a']);
    for (const opId of ['getEventType', 'updateEventType', 'deleteEventType']) {
      const r = await h.call(opId, {
        auth: b.key,
        params: { name: 'link.only_a' },
        body: opId === 'updateEventType' ? { description: 'x' } : undefined,
      });
      expect(r.status, opId).toBe(404);
    }
    const lists: [string, (body: { data: { id?: string; name?: string }[] }) => unknown[]][] = [
      ['listWebhooks', (x) => x.data.map((w) => w.id)],
      ['listEvents', (x) => x.data.map((m) => m.id)],
      ['listDeliveries', (x) => x.data.map((d) => d.id)],
      ['listSources', (x) => x.data.map((s) => s.id)],
      ['listEventTypes', (x) => x.data.map((t) => t.name)],
    ];
    for (const [opId, pick] of lists) {
      const r = await h.call(opId, { auth: b.key });
      const seen = pick(r.body);
      for (const v of [own.webhookId, own.eventId, own.deliveryId, own.sourceId, 'link.only_a']) {
        expect(seen, opId).not.toContain(v);
      }
    }
    // Filters naming A's ids find nothing for B.
    const filtered = await h.call('listDeliveries', { auth: b.key, query: { webhookId: own.webhookId } });
    expect(filtered.body.data).toEqual([]);
    // A's own view still works.
    expect((await h.call('getWebhook', { auth: a.key, params: { webhookId: own.webhookId } })).status).toBe(
      200,
    );
  });
});
