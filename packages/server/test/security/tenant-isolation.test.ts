import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTAL_OPERATIONS } from '../../src/http/portal-token.js';
import type { CallOptions, CallResult } from '../http/support.js';
import { ADMIN_KEY, createSecureHarness, operationIds, operations, type SecureHarness } from './support.js';

/**
 * Tenant B calls EVERY operation of the spec with tenant A's ids. The table below has one row per
 * operationId; a new operation without a row fails the first test, so isolation is decided for it on
 * purpose. Afterwards A's objects are checked to be exactly as they were.
 */

interface Tenant {
  id: string;
  key: string;
  keyId: string;
}
interface World {
  a: Tenant;
  b: Tenant;
  /** A's objects. */
  own: {
    webhookId: string;
    eventId: string;
    deliveryId: string;
    sourceId: string;
    sourceToken: string;
    extraKeyId: string;
    /** An event type only A has. */
    typeName: string;
    /** A's cursor into its own webhook list. */
    webhookCursor: string;
    eventCursor: string;
  };
  /** Every id and secret of A's that must never appear in an answer to B. */
  secrets: string[];
}

let h: SecureHarness;
let w: World;
const seenByB: { op: string; status: number; code: string | undefined }[] = [];

const asB = async (operationId: string, opts: Parameters<SecureHarness['call']>[1] = {}) => {
  const r = await h.call(operationId, { auth: w.b.key, ...opts });
  seenByB.push({ op: operationId, status: r.status, code: r.body?.code });
  // Echoing what B itself sent (a problem's `instance` or `detail` naming the id) is no leak; any other of
  // A's ids or secrets in the answer is.
  const sent = JSON.stringify(opts);
  for (const s of w.secrets.filter((x) => !sent.includes(x))) {
    expect(r.text, `${operationId} answered B with A's ${s}`).not.toContain(s);
  }
  return r;
};
const expectCode = (r: CallResult, status: number, code: string, what: string) => {
  expect(r.status, `${what}: ${r.text}`).toBe(status);
  expect(r.body.code, what).toBe(code);
};
const notFound = (r: CallResult, what: string) => expectCode(r, 404, 'NOT_FOUND', what);
const forbidden = (r: CallResult, what: string) => expectCode(r, 403, 'FORBIDDEN', what);
const idsOf = (r: CallResult) =>
  (r.body.data as { id?: string; name?: string }[]).map((x) => x.id ?? x.name ?? '');

/** One row per operation: call it as B aimed at A, assert B gets nothing of A's and changes nothing. */
const TABLE: Record<string, () => Promise<void>> = {
  // Admin routes: a tenant key is 403 whatever the target.
  createTenant: async () => forbidden(await asB('createTenant', { body: { name: 'evil' } }), 'createTenant'),
  listTenants: async () => forbidden(await asB('listTenants'), 'listTenants'),
  getTenant: async () => forbidden(await asB('getTenant', { params: { tenantId: w.a.id } }), 'getTenant'),
  updateTenant: async () =>
    forbidden(
      await asB('updateTenant', { params: { tenantId: w.a.id }, body: { name: 'x' } }),
      'updateTenant',
    ),
  deleteTenant: async () =>
    forbidden(await asB('deleteTenant', { params: { tenantId: w.a.id } }), 'deleteTenant'),
  // Key routes are shared between admin and the tenant itself: A's tenant path is 403 for B's key, and A's
  // key id under B's own path does not exist.
  createPortalLink: async () =>
    forbidden(await asB('createPortalLink', { params: { tenantId: w.a.id }, body: {} }), 'createPortalLink'),
  createApiKey: async () =>
    forbidden(
      await asB('createApiKey', { params: { tenantId: w.a.id }, body: { name: 'x' } }),
      'createApiKey',
    ),
  listApiKeys: async () => {
    forbidden(await asB('listApiKeys', { params: { tenantId: w.a.id } }), 'listApiKeys on A');
    const own = await asB('listApiKeys', { params: { tenantId: w.b.id } });
    expect(idsOf(own)).toEqual([w.b.keyId]);
  },
  deleteApiKey: async () => {
    forbidden(
      await asB('deleteApiKey', { params: { tenantId: w.a.id, keyId: w.own.extraKeyId } }),
      'deleteApiKey on A',
    );
    notFound(
      await asB('deleteApiKey', { params: { tenantId: w.b.id, keyId: w.own.extraKeyId } }),
      "deleteApiKey of A's key under B",
    );
  },
  listPlans: async () => expect((await asB('listPlans')).status).toBe(200),
  createWebhook: async () => {
    const r = await asB('createWebhook', {
      body: { url: 'https://b.example.com/hook', events: ['link.click'] },
    });
    expect(r.status).toBe(201);
  },
  listWebhooks: async () => {
    const r = await asB('listWebhooks');
    expect(idsOf(r)).not.toContain(w.own.webhookId);
    expect(r.body.data).toHaveLength(2); // B's own two (setup + createWebhook row)
    // A's cursor is foreign to B (spec: "a malformed or foreign cursor is 400 INVALID_CURSOR").
    const foreign = await asB('listWebhooks', { query: { cursor: w.own.webhookCursor } });
    expect(foreign.status === 400 ? foreign.body.code : idsOf(foreign), 'foreign cursor').not.toContain(
      w.own.webhookId,
    );
  },
  getWebhook: async () =>
    notFound(await asB('getWebhook', { params: { webhookId: w.own.webhookId } }), 'getWebhook'),
  getWebhookStats: async () =>
    notFound(await asB('getWebhookStats', { params: { webhookId: w.own.webhookId } }), 'getWebhookStats'),
  updateWebhook: async () =>
    notFound(
      await asB('updateWebhook', {
        params: { webhookId: w.own.webhookId },
        body: { description: 'owned', url: 'https://evil.example.com/' },
      }),
      'updateWebhook',
    ),
  deleteWebhook: async () =>
    notFound(await asB('deleteWebhook', { params: { webhookId: w.own.webhookId } }), 'deleteWebhook'),
  rotateWebhookSecret: async () =>
    notFound(
      await asB('rotateWebhookSecret', { params: { webhookId: w.own.webhookId }, body: {} }),
      'rotateWebhookSecret',
    ),
  sendTestEvent: async () =>
    notFound(
      await asB('sendTestEvent', { params: { webhookId: w.own.webhookId }, body: {} }),
      'sendTestEvent',
    ),
  replayWebhook: async () =>
    notFound(
      await asB('replayWebhook', {
        params: { webhookId: w.own.webhookId },
        body: { since: '2020-01-01T00:00:00.000Z' },
      }),
      'replayWebhook',
    ),
  listEventTypes: async () => {
    const r = await asB('listEventTypes');
    expect(idsOf(r)).not.toContain(w.own.typeName);
  },
  createEventType: async () => {
    // B may create a type with A's name: catalogs are per tenant.
    const r = await asB('createEventType', { body: { name: 'link.b_only' } });
    expect(r.status).toBe(201);
  },
  getEventType: async () =>
    notFound(await asB('getEventType', { params: { name: w.own.typeName } }), 'getEventType'),
  updateEventType: async () =>
    notFound(
      await asB('updateEventType', { params: { name: w.own.typeName }, body: { description: 'x' } }),
      'updateEventType',
    ),
  deleteEventType: async () =>
    notFound(await asB('deleteEventType', { params: { name: w.own.typeName } }), 'deleteEventType'),
  publishEvent: async () => {
    // link.click: both tenants subscribe to it; B's publish must reach only B's endpoints.
    const r = await asB('publishEvent', { body: { type: 'link.click', data: { from: 'b' } } });
    expect(r.status).toBe(202);
    expect(r.body.deliveries).toBe(2);
    // A's type is not in B's catalog.
    const foreignType = await asB('publishEvent', { body: { type: w.own.typeName, data: {} } });
    expectCode(foreignType, 400, 'INVALID_EVENTS', "publishing A's event type");
  },
  publishEventBatch: async () => {
    const r = await asB('publishEventBatch', { body: { events: [{ type: 'link.click', data: {} }] } });
    expect(r.status).toBe(202);
    expect(r.body.data[0].deliveries).toBe(2);
  },
  listEvents: async () => {
    const r = await asB('listEvents');
    expect(idsOf(r)).not.toContain(w.own.eventId);
    const foreign = await asB('listEvents', { query: { cursor: w.own.eventCursor } });
    expect(foreign.status === 400 ? [] : idsOf(foreign)).not.toContain(w.own.eventId);
  },
  getEvent: async () => notFound(await asB('getEvent', { params: { eventId: w.own.eventId } }), 'getEvent'),
  listDeliveries: async () => {
    expect(idsOf(await asB('listDeliveries'))).not.toContain(w.own.deliveryId);
    const filters: Record<string, string>[] = [{ webhookId: w.own.webhookId }, { messageId: w.own.eventId }];
    for (const query of filters) {
      expect((await asB('listDeliveries', { query })).body.data, JSON.stringify(query)).toEqual([]);
    }
  },
  getDelivery: async () =>
    notFound(await asB('getDelivery', { params: { deliveryId: w.own.deliveryId } }), 'getDelivery'),
  redeliverDelivery: async () =>
    notFound(
      await asB('redeliverDelivery', { params: { deliveryId: w.own.deliveryId } }),
      'redeliverDelivery',
    ),
  createSource: async () => {
    const r = await asB('createSource', { body: { name: 'b source', eventType: 'link.click' } });
    expect(r.status).toBe(201);
  },
  listSources: async () => expect(idsOf(await asB('listSources'))).not.toContain(w.own.sourceId),
  getSource: async () =>
    notFound(await asB('getSource', { params: { sourceId: w.own.sourceId } }), 'getSource'),
  updateSource: async () =>
    notFound(
      await asB('updateSource', { params: { sourceId: w.own.sourceId }, body: { enabled: false } }),
      'updateSource',
    ),
  deleteSource: async () =>
    notFound(await asB('deleteSource', { params: { sourceId: w.own.sourceId } }), 'deleteSource'),
  rotateSourceToken: async () =>
    notFound(
      await asB('rotateSourceToken', { params: { sourceId: w.own.sourceId }, body: {} }),
      'rotateSourceToken',
    ),
  receiveInbound: async () => {
    // B's own source token (or B's API key) does not open A's inbound URL.
    const bSource = await asB('createSource', { body: { name: 'b inbound', eventType: 'link.click' } });
    const credentials: CallOptions[] = [
      { query: { token: bSource.body.token as string } },
      { headers: { 'x-hookwire-token': bSource.body.token as string } },
      { headers: { authorization: `Bearer ${w.b.key}` } },
    ];
    for (const opts of credentials) {
      const r = await h.call('receiveInbound', {
        auth: null,
        params: { sourceId: w.own.sourceId },
        body: { event: 'purchase' },
        ...opts,
      });
      expectCode(r, 401, 'INVALID_TOKEN', `receiveInbound ${JSON.stringify(opts)}`);
    }
  },
  // Public operations carry no tenant data at all.
  getHealth: async () => expect((await asB('getHealth')).status).toBe(200),
  getReadiness: async () => expect((await asB('getReadiness')).status).toBe(200),
  getMetrics: async () => expect((await asB('getMetrics')).status).toBe(200),
  getOpenApiDocument: async () => expect((await asB('getOpenApiDocument')).status).toBe(200),
};

beforeAll(async () => {
  h = await createSecureHarness();
  const a = await h.tenant({ name: 'A' });
  const b = await h.tenant({ name: 'B' });
  await h.eventTypes(a.key, ['link.click', 'link.only_a']);
  await h.eventTypes(b.key, ['link.click']);
  const extraKey = await h.call('createApiKey', {
    auth: a.key,
    params: { tenantId: a.id },
    body: { name: 'second' },
  });
  const webhooks: string[] = [];
  for (const url of ['https://a1.example.com/hook', 'https://a2.example.com/hook']) {
    const r = await h.call('createWebhook', { auth: a.key, body: { url, events: ['link.click'] } });
    webhooks.push(r.body.id, r.body.secret);
  }
  await h.call('createWebhook', { auth: b.key, body: { url: 'https://b0.example.com/hook' } });
  const pubs: string[] = [];
  for (let i = 0; i < 2; i++) {
    pubs.push(
      (await h.call('publishEvent', { auth: a.key, body: { type: 'link.click', data: { i } } })).body.id,
    );
  }
  const event = await h.call('getEvent', { auth: a.key, params: { eventId: pubs[1] as string } });
  const src = await h.call('createSource', { auth: a.key, body: { name: 'a', eventType: 'link.click' } });
  const whPage = await h.call('listWebhooks', { auth: a.key, query: { limit: 1 } });
  const evPage = await h.call('listEvents', { auth: a.key, query: { limit: 1 } });
  expect(whPage.body.nextCursor).toBeTypeOf('string');
  expect(evPage.body.nextCursor).toBeTypeOf('string');
  w = {
    a,
    b,
    own: {
      webhookId: whPage.body.data[0].id,
      eventId: pubs[1] as string,
      deliveryId: event.body.deliveries[0].id,
      sourceId: src.body.id,
      sourceToken: src.body.token,
      extraKeyId: extraKey.body.id,
      typeName: 'link.only_a',
      webhookCursor: whPage.body.nextCursor,
      eventCursor: evPage.body.nextCursor,
    },
    secrets: [
      a.id,
      a.key,
      extraKey.body.id,
      extraKey.body.key,
      ...webhooks,
      ...pubs,
      ...event.body.deliveries.map((d: { id: string }) => d.id),
      src.body.id,
      src.body.token,
    ],
  };
}, 60_000);

afterAll(async () => {
  await h?.close();
}, 60_000);

describe('tenant isolation, every operation of the spec', () => {
  it('the table has exactly one row per operation (add a row when the spec grows)', () => {
    expect(Object.keys(TABLE).sort()).toEqual(operationIds());
  });

  it('B gets 404 (403 on admin and other-tenant paths) for A ids, and nothing of A in any answer', async () => {
    // Sequential: rows publish and create, later rows count what earlier ones made.
    for (const id of operationIds()) {
      await TABLE[id]!();
    }
    const summary = new Map<string, number>();
    for (const s of seenByB) {
      const k = `${s.status} ${s.code ?? ''}`.trim();
      summary.set(k, (summary.get(k) ?? 0) + 1);
    }
    console.log(
      `tenant isolation: ${seenByB.length} calls as B over ${operationIds().length} operations: ${[...summary]
        .map(([k, n]) => `${n}x ${k}`)
        .join(', ')}`,
    );
  });

  it("B's portal token (dashboard link) reaches none of A's objects either", async () => {
    const link = await h.call('createPortalLink', { auth: w.b.key, params: { tenantId: w.b.id }, body: {} });
    expect(link.status, link.text).toBe(201);
    const portal = link.body.token as string;
    // Bodies that pass validation, so the answer is about ownership, not shape.
    const bodies: Record<string, unknown> = {
      createTenant: { name: 'x' },
      updateTenant: { name: 'x' },
      createApiKey: { name: 'x' },
      createPortalLink: {},
      createWebhook: { url: 'https://portal-b.example.com/' },
      updateWebhook: { description: 'owned' },
      rotateWebhookSecret: {},
      sendTestEvent: {},
      replayWebhook: { since: '2020-01-01T00:00:00.000Z' },
      createEventType: { name: 'link.portal' },
      updateEventType: { description: 'x' },
      publishEvent: { type: 'link.click', data: {} },
      publishEventBatch: { events: [{ type: 'link.click', data: {} }] },
      createSource: { name: 'x', eventType: 'link.click' },
      updateSource: { name: 'x' },
      rotateSourceToken: {},
    };
    const aIds: Record<string, string> = {
      tenantId: w.a.id,
      keyId: w.own.extraKeyId,
      webhookId: w.own.webhookId,
      eventId: w.own.eventId,
      deliveryId: w.own.deliveryId,
      sourceId: w.own.sourceId,
      name: w.own.typeName,
    };
    const outcome = new Map<string, number>();
    for (const op of operations.filter((o) => o.security.includes('apiKey'))) {
      const params = Object.fromEntries(
        [...op.path.matchAll(/\{([^}]+)\}/g)].map(([, n]) => [n as string, aIds[n as string] as string]),
      );
      const r = await asB(op.operationId, { auth: portal, params, body: bodies[op.operationId] });
      const k = `${r.status} ${r.body?.code ?? ''}`.trim();
      outcome.set(k, (outcome.get(k) ?? 0) + 1);
      if (Object.keys(params).length > 0 && PORTAL_OPERATIONS.has(op.operationId)) {
        // A dashboard operation addressing A's object: it does not exist for B.
        expect(r.status, `${op.operationId}: ${r.text}`).toBe(404);
      } else if (Object.keys(params).length > 0) {
        // Any other operation does not take a portal token at all (the server answers 401 like the admin
        // key on a tenant route; the spec's createPortalLink text says 403): never a success.
        expect([401, 403], `${op.operationId}: ${r.text}`).toContain(r.status);
      } else {
        expect(r.status, `${op.operationId}: ${r.text}`).toBeLessThan(500);
      }
    }
    console.log(
      `portal token of B over ${operations.filter((o) => o.security.includes('apiKey')).length} operations: ${[...outcome].map(([k, n]) => `${n}x ${k}`).join(', ')}`,
    );
  });

  it("A's objects are untouched afterwards", async () => {
    const a = w.a.key;
    const wh = await h.call('getWebhook', { auth: a, params: { webhookId: w.own.webhookId } });
    expect(wh.status).toBe(200);
    expect(wh.body.description).not.toBe('owned');
    expect(wh.body.url).not.toContain('evil');
    expect(wh.body.previousSecretExpiresAt).toBeNull();
    expect((await h.call('getEvent', { auth: a, params: { eventId: w.own.eventId } })).status).toBe(200);
    const d = await h.call('getDelivery', { auth: a, params: { deliveryId: w.own.deliveryId } });
    expect(d.body.attempts).toEqual([]); // never sent, never redelivered
    expect(d.body.status).toBe('pending');
    const src = await h.call('getSource', { auth: a, params: { sourceId: w.own.sourceId } });
    expect(src.body.enabled).toBe(true);
    expect(src.body.previousTokenExpiresAt).toBeNull();
    expect((await h.call('getEventType', { auth: a, params: { name: w.own.typeName } })).status).toBe(200);
    const keys = await h.call('listApiKeys', { auth: ADMIN_KEY, params: { tenantId: w.a.id } });
    expect(keys.body.data.map((k: { id: string }) => k.id)).toContain(w.own.extraKeyId);
    expect((await h.call('getTenant', { auth: ADMIN_KEY, params: { tenantId: w.a.id } })).body.name).toBe(
      'A',
    );
    // A's source still takes A's token; A's deliveries only ever came from A's publishes.
    const inbound = await h.call('receiveInbound', {
      auth: null,
      params: { sourceId: w.own.sourceId },
      query: { token: w.own.sourceToken },
      body: {
        event: 'purchase',
        first_name: 'S',
        city: 'L',
        country: 'UK',
        product: 'P',
        timestamp: '2026-02-28T14:30:00Z',
      },
    });
    expect(inbound.status, inbound.text).toBe(202);
    const aDeliveries = await h.call('listDeliveries', { auth: a, query: { webhookId: w.own.webhookId } });
    const aEvents = await h.call('listEvents', { auth: a });
    expect(aEvents.body.data).toHaveLength(3); // two publishes and the inbound one
    expect(aDeliveries.body.data).toHaveLength(3);
  });
});
