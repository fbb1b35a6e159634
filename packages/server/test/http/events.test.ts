import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support.js';

let h: Harness;
let t: { id: string; key: string };
const clickSchema = {
  type: 'object',
  required: ['linkId', 'country'],
  properties: { linkId: { type: 'string' }, country: { type: 'string', minLength: 2, maxLength: 2 } },
};

beforeAll(async () => {
  h = await createHarness();
  t = await h.tenant();
  await h.eventTypes(t.key, ['link.click'], clickSchema);
  await h.eventTypes(t.key, ['link.created']);
  await h.call('createWebhook', { auth: t.key, body: { url: 'https://example.com/all' } });
  await h.call('createWebhook', {
    auth: t.key,
    body: { url: 'https://example.com/clicks', events: ['link.click'] },
  });
  await h.call('createWebhook', { auth: t.key, body: { url: 'https://example.com/off', enabled: false } });
}, 60_000);
afterAll(async () => {
  await h.close();
}, 60_000);

const click = { type: 'link.click', data: { linkId: 'lnk_abc', country: 'US' } };

describe('event types', () => {
  it('create, conflict, get, update, list by category, delete (409 while subscribed)', async () => {
    const u = await h.tenant();
    const c = await h.call('createEventType', {
      auth: u.key,
      body: {
        name: 'sms.sent',
        description: 'An SMS went out',
        category: 'Messaging',
        schema: { type: 'object' },
      },
    });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({
      name: 'sms.sent',
      category: 'Messaging',
      deprecated: false,
      schema: { type: 'object' },
    });
    expect((await h.call('createEventType', { auth: u.key, body: { name: 'sms.sent' } })).body.code).toBe(
      'CONFLICT',
    );
    const short = await h.call('createEventType', { auth: u.key, body: { name: 'click' } });
    expect(short.body.code).toBe('VALIDATION_FAILED');
    expect(short.body.errors[0].path).toBe('/name');
    const badSchema = await h.call('createEventType', {
      auth: u.key,
      body: { name: 'sms.bad', schema: { type: 'nonsense' } },
    });
    expect(badSchema.body.errors[0].path).toBe('/schema');
    await h.call('createEventType', { auth: u.key, body: { name: 'link.click', category: 'Links' } });

    expect(
      (await h.call('getEventType', { auth: u.key, params: { name: 'sms.sent' } })).body.description,
    ).toBe('An SMS went out');
    const upd = await h.call('updateEventType', {
      auth: u.key,
      params: { name: 'sms.sent' },
      body: { deprecated: true, schema: null },
    });
    expect(upd.body).toMatchObject({ deprecated: true, schema: null, category: 'Messaging' });
    expect(
      (
        await h.call('updateEventType', {
          auth: u.key,
          params: { name: 'sms.nope' },
          body: { deprecated: true },
        })
      ).status,
    ).toBe(404);

    const names = async (query: Record<string, string | boolean>) =>
      (await h.call('listEventTypes', { auth: u.key, query })).body.data.map((x: { name: string }) => x.name);
    expect(await names({})).toEqual(['link.click', 'sms.sent']);
    expect(await names({ includeDeprecated: false })).toEqual(['link.click']);
    expect(await names({ category: 'Messaging' })).toEqual(['sms.sent']);

    const w = await h.call('createWebhook', {
      auth: u.key,
      body: { url: 'https://example.com/x', events: ['sms.sent'] },
    });
    const busy = await h.call('deleteEventType', { auth: u.key, params: { name: 'sms.sent' } });
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('CONFLICT');
    await h.call('deleteWebhook', { auth: u.key, params: { webhookId: w.body.id } });
    expect((await h.call('deleteEventType', { auth: u.key, params: { name: 'sms.sent' } })).status).toBe(204);
    expect((await h.call('getEventType', { auth: u.key, params: { name: 'sms.sent' } })).status).toBe(404);
    expect((await h.call('deleteEventType', { auth: u.key, params: { name: 'sms.sent' } })).status).toBe(404);
  });
});

describe('publishEvent', () => {
  it('stores the message and one delivery per matching enabled endpoint, then answers 202', async () => {
    const r = await h.call('publishEvent', {
      auth: t.key,
      body: { ...click, context: { campaignId: 'cmp_42' } },
    });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ deliveries: 2, duplicate: false });
    expect(r.headers['idempotent-replayed']).toBe('false');
    const other = await h.call('publishEvent', { auth: t.key, body: { type: 'link.created', data: {} } });
    expect(other.body.deliveries).toBe(1);
    const ev = await h.call('getEvent', { auth: t.key, params: { eventId: r.body.id } });
    expect(ev.body).toMatchObject({
      type: 'link.click',
      context: { campaignId: 'cmp_42' },
      externalId: null,
    });
    expect(ev.body.deliveries).toHaveLength(2);
    expect(
      (await h.call('getEvent', { auth: t.key, params: { eventId: 'msg_00000000000000000000000000' } }))
        .status,
    ).toBe(404);
  });

  it('unknown or short types are INVALID_EVENTS; data is checked against the type schema', async () => {
    for (const type of ['click', 'link.nope']) {
      const r = await h.call('publishEvent', { auth: t.key, body: { type, data: {} } });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'INVALID_EVENTS', invalid: [type] });
    }
    const bad = await h.call('publishEvent', {
      auth: t.key,
      body: { type: 'link.click', data: { linkId: 1, country: 'USA' } },
    });
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/data/country',
      '/data/linkId',
    ]);
    const shadow = await h.call('publishEvent', {
      auth: t.key,
      body: { ...click, context: { eventType: 'x' } },
    });
    expect(shadow.body.errors).toEqual([{ path: '/context/eventType', message: expect.any(String) }]);
    const missing = await h.call('publishEvent', { auth: t.key, body: { type: 'link.click' } });
    expect(missing.body.errors).toContainEqual({ path: '/data', message: 'is required' });
  });

  it('Idempotency-Key: same body replays the first answer, another body is IDEMPOTENCY_CONFLICT', async () => {
    const headers = { 'idempotency-key': 'k-1' };
    const first = await h.call('publishEvent', { auth: t.key, headers, body: click });
    const again = await h.call('publishEvent', {
      auth: t.key,
      headers,
      body: { data: click.data, type: click.type },
    });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const conflict = await h.call('publishEvent', {
      auth: t.key,
      headers,
      body: { ...click, data: { linkId: 'other', country: 'FR' } },
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('IDEMPOTENCY_CONFLICT');
    const tooLong = await h.call('publishEvent', {
      auth: t.key,
      headers: { 'idempotency-key': 'x'.repeat(256) },
      body: click,
    });
    expect(tooLong.body.errors[0].path).toBe('/header/Idempotency-Key');
    // Keys are per tenant.
    const u = await h.tenant();
    await h.eventTypes(u.key, ['link.click']);
    const elsewhere = await h.call('publishEvent', {
      auth: u.key,
      headers,
      body: { ...click, data: { any: 1 } },
    });
    expect(elsewhere.body.duplicate).toBe(false);
  });

  it('a repeated client id within 24 h is a duplicate without deliveries', async () => {
    const first = await h.call('publishEvent', { auth: t.key, body: { ...click, id: 'order-1001' } });
    const dup = await h.call('publishEvent', { auth: t.key, body: { ...click, id: 'order-1001' } });
    expect(dup.body).toEqual({ id: first.body.id, deliveries: 0, duplicate: true });
    expect(
      (await h.call('getEvent', { auth: t.key, params: { eventId: first.body.id } })).body.externalId,
    ).toBe('order-1001');
  });

  it("the plan's payload limit is PAYLOAD_TOO_LARGE; the server body limit too", async () => {
    const tiny = await h.tenant({ plan: 'tiny' });
    await h.eventTypes(tiny.key, ['link.created']);
    const big = await h.call('publishEvent', {
      auth: tiny.key,
      body: { type: 'link.created', data: { blob: 'x'.repeat(2000) } },
    });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('PAYLOAD_TOO_LARGE');
    const huge = await h.call('publishEvent', {
      auth: t.key,
      body: { type: 'link.created', data: { blob: 'x'.repeat(300 * 1024) } },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it("the plan's publish rate limit is RATE_LIMITED with Retry-After", async () => {
    const slow = await h.tenant({ plan: 'throttled' });
    await h.eventTypes(slow.key, ['link.created']);
    const body = { type: 'link.created', data: {} };
    expect((await h.call('publishEvent', { auth: slow.key, body })).status).toBe(202);
    const limited = await h.call('publishEvent', { auth: slow.key, body });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});

describe('publishEventBatch', () => {
  it('all or nothing, one result per event in order, problems point at the events', async () => {
    const u = await h.tenant();
    await h.eventTypes(u.key, ['link.click'], clickSchema);
    await h.eventTypes(u.key, ['link.created']);
    await h.call('createWebhook', { auth: u.key, body: { url: 'https://example.com/x' } });
    const bad = await h.call('publishEventBatch', {
      auth: u.key,
      body: { events: [click, { type: 'click', data: {} }, { type: 'link.nope', data: {} }] },
    });
    expect(bad.body).toMatchObject({ code: 'INVALID_EVENTS', invalid: ['click', 'link.nope'] });
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual([
      '/events/1/type',
      '/events/2/type',
    ]);
    const invalidData = await h.call('publishEventBatch', {
      auth: u.key,
      body: { events: [click, { type: 'link.click', data: {} }] },
    });
    expect(invalidData.body.code).toBe('VALIDATION_FAILED');
    expect(invalidData.body.errors[0].path).toBe('/events/1/data/linkId');
    expect((await h.call('listEvents', { auth: u.key })).body.data).toEqual([]);
    const empty = await h.call('publishEventBatch', { auth: u.key, body: { events: [] } });
    expect(empty.body.errors[0].path).toBe('/events');

    const headers = { 'idempotency-key': 'batch-1' };
    const events = [
      click,
      { type: 'link.created', data: {}, id: 'imp-1' },
      { type: 'link.created', data: {}, id: 'imp-1' },
    ];
    const ok = await h.call('publishEventBatch', { auth: u.key, headers, body: { events } });
    expect(ok.status).toBe(202);
    expect(
      ok.body.data.map((r: { deliveries: number; duplicate: boolean }) => [r.deliveries, r.duplicate]),
    ).toEqual([
      [1, false],
      [1, false],
      [0, true],
    ]);
    const replay = await h.call('publishEventBatch', { auth: u.key, headers, body: { events } });
    expect(replay.body).toEqual(ok.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const conflict = await h.call('publishEventBatch', { auth: u.key, headers, body: { events: [click] } });
    expect(conflict.body.code).toBe('IDEMPOTENCY_CONFLICT');
  });
});

describe('message and delivery logs', () => {
  it('listEvents and listDeliveries filter by type, status, webhook, message and time; cursors page', async () => {
    const u = await h.tenant();
    await h.eventTypes(u.key, ['link.click', 'link.created']);
    const w1 = await h.call('createWebhook', { auth: u.key, body: { url: 'https://example.com/1' } });
    await h.call('createWebhook', {
      auth: u.key,
      body: { url: 'https://example.com/2', events: ['link.created'] },
    });
    const start = new Date().toISOString();
    const m1 = await h.call('publishEvent', { auth: u.key, body: { type: 'link.click', data: { n: 1 } } });
    await h.call('publishEvent', { auth: u.key, body: { type: 'link.created', data: { n: 2 } } });
    await h.call('publishEvent', { auth: u.key, body: { type: 'link.created', data: { n: 3 } } });

    const events = await h.call('listEvents', { auth: u.key, query: { eventType: 'link.created' } });
    expect(events.body.data).toHaveLength(2);
    const pageA = await h.call('listEvents', { auth: u.key, query: { limit: 2 } });
    const pageB = await h.call('listEvents', {
      auth: u.key,
      query: { limit: 2, cursor: pageA.body.nextCursor },
    });
    expect(pageA.body.data[0].data).toEqual({ n: 3 });
    expect(pageB.body.data.map((m: { data: unknown }) => m.data)).toEqual([{ n: 1 }]);
    expect((await h.call('listEvents', { auth: u.key, query: { until: start } })).body.data).toEqual([]);
    expect((await h.call('listEvents', { auth: u.key, query: { since: start } })).body.data).toHaveLength(3);

    const count = async (query: Record<string, string | number>) =>
      (await h.call('listDeliveries', { auth: u.key, query })).body.data.length;
    expect(await count({})).toBe(5);
    expect(await count({ webhookId: w1.body.id })).toBe(3);
    expect(await count({ eventType: 'link.created' })).toBe(4);
    expect(await count({ messageId: m1.body.id })).toBe(1);
    expect(await count({ status: 'pending' })).toBe(5);
    expect(await count({ status: 'succeeded' })).toBe(0);
    expect(await count({ since: start, until: new Date(Date.now() + 60_000).toISOString() })).toBe(5);
    expect(await count({ until: start })).toBe(0);
    const d1 = await h.call('listDeliveries', { auth: u.key, query: { limit: 3 } });
    const d2 = await h.call('listDeliveries', {
      auth: u.key,
      query: { limit: 3, cursor: d1.body.nextCursor },
    });
    expect(d2.body.data).toHaveLength(2);
    const bad = await h.call('listDeliveries', { auth: u.key, query: { cursor: 'bad!cursor' } });
    expect(bad.body.code).toBe('INVALID_CURSOR');
    const badStatus = await h.call('listDeliveries', { auth: u.key, query: { status: 'lost' } });
    expect(badStatus.body.errors[0].path).toBe('/query/status');
    const badSince = await h.call('listDeliveries', { auth: u.key, query: { since: 'yesterday' } });
    expect(badSince.body.errors[0].path).toBe('/query/since');

    const d = await h.call('getDelivery', { auth: u.key, params: { deliveryId: d1.body.data[0].id } });
    expect(d.body).toMatchObject({ attempts: [], payload: { metadata: { eventType: expect.any(String) } } });
    expect(
      (await h.call('getDelivery', { auth: u.key, params: { deliveryId: 'dlv_00000000000000000000000000' } }))
        .status,
    ).toBe(404);
    expect(
      (
        await h.call('redeliverDelivery', {
          auth: u.key,
          params: { deliveryId: 'dlv_00000000000000000000000000' },
        })
      ).status,
    ).toBe(404);
  });
});
