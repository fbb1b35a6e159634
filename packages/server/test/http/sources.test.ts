import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support.js';

let h: Harness;
let t: { id: string; key: string };
const activity = ['activity.purchase', 'activity.signup', 'activity.review', 'activity.custom'];
const mapping = {
  pointer: '/event',
  map: {
    purchase: 'activity.purchase',
    signup: 'activity.signup',
    review: 'activity.review',
    custom: 'activity.custom',
  },
};
const sarah = {
  event: 'purchase',
  first_name: 'Sarah',
  city: 'London',
  country: 'UK',
  product: 'Running Shoes',
  timestamp: '2026-02-28T14:30:00Z',
};

beforeAll(async () => {
  h = await createHarness();
  t = await h.tenant();
  await h.eventTypes(t.key, activity);
  await h.call('createWebhook', {
    auth: t.key,
    body: { url: 'https://example.com/notify', events: ['activity.purchase'] },
  });
}, 60_000);
afterAll(async () => {
  await h.close();
}, 60_000);

const inbound = (
  sourceId: string,
  body: unknown,
  opts: { token?: string; headerToken?: string; key?: string } = {},
) =>
  h.call('receiveInbound', {
    auth: null,
    params: { sourceId },
    ...(opts.token !== undefined ? { query: { token: opts.token } } : {}),
    headers: {
      ...(opts.headerToken ? { 'x-hookwire-token': opts.headerToken } : {}),
      ...(opts.key ? { 'idempotency-key': opts.key } : {}),
    },
    body,
  });

describe('sources', () => {
  it('create returns the token URL once; get/list never show it; default schema is the Activly shape', async () => {
    const c = await h.call('createSource', {
      auth: t.key,
      body: { name: 'Storefront', eventTypeMapping: mapping },
    });
    expect(c.status).toBe(201);
    expect(c.body.token).toMatch(/^hwt_/);
    expect(c.body.url).toBe(`http://hookwire.test/in/${c.body.id}?token=${c.body.token}`);
    expect(c.body.payloadSchema.required).toEqual([
      'event',
      'first_name',
      'city',
      'country',
      'product',
      'timestamp',
    ]);
    const g = await h.call('getSource', { auth: t.key, params: { sourceId: c.body.id } });
    expect(g.body.url).toBe(`http://hookwire.test/in/${c.body.id}`);
    expect(g.body).not.toHaveProperty('token');
    const l = await h.call('listSources', { auth: t.key });
    expect(JSON.stringify(l.body)).not.toContain(c.body.token);
  });

  it('needs eventType or a mapping, catalog types and a compilable schema', async () => {
    const none = await h.call('createSource', { auth: t.key, body: { name: 'x' } });
    expect(none.body.errors).toEqual([{ path: '/eventType', message: expect.any(String) }]);
    const unknown = await h.call('createSource', {
      auth: t.key,
      body: { name: 'x', eventType: 'activity.nope' },
    });
    expect(unknown.body).toMatchObject({ code: 'INVALID_EVENTS', invalid: ['activity.nope'] });
    const badSchema = await h.call('createSource', {
      auth: t.key,
      body: { name: 'x', eventType: 'activity.custom', payloadSchema: { type: 7 } },
    });
    expect(badSchema.body.errors[0].path).toBe('/payloadSchema');
  });

  it('update: eventType clears the mapping and back; disable; delete', async () => {
    const c = await h.call('createSource', { auth: t.key, body: { name: 'S', eventTypeMapping: mapping } });
    const id = c.body.id as string;
    const u1 = await h.call('updateSource', {
      auth: t.key,
      params: { sourceId: id },
      body: { eventType: 'activity.custom' },
    });
    expect(u1.body).toMatchObject({ eventType: 'activity.custom', eventTypeMapping: null });
    const u2 = await h.call('updateSource', {
      auth: t.key,
      params: { sourceId: id },
      body: { eventTypeMapping: mapping, description: 'shop' },
    });
    expect(u2.body).toMatchObject({ eventType: null, eventTypeMapping: mapping, description: 'shop' });
    const neither = await h.call('updateSource', {
      auth: t.key,
      params: { sourceId: id },
      body: { eventTypeMapping: null },
    });
    expect(neither.body.code).toBe('VALIDATION_FAILED');
    const off = await h.call('updateSource', {
      auth: t.key,
      params: { sourceId: id },
      body: { enabled: false },
    });
    expect(off.body.enabled).toBe(false);
    expect((await inbound(id, sarah, { token: c.body.token })).body.code).toBe('INVALID_TOKEN');
    expect((await h.call('deleteSource', { auth: t.key, params: { sourceId: id } })).status).toBe(204);
    expect((await h.call('getSource', { auth: t.key, params: { sourceId: id } })).status).toBe(404);
    expect(
      (await h.call('updateSource', { auth: t.key, params: { sourceId: id }, body: { name: 'x' } })).status,
    ).toBe(404);
    expect((await h.call('rotateSourceToken', { auth: t.key, params: { sourceId: id } })).status).toBe(404);
    expect((await h.call('deleteSource', { auth: t.key, params: { sourceId: id } })).status).toBe(404);
  });
});

describe('POST /in/{sourceId}', () => {
  it('an Activly payload becomes an event of the mapped type, delivered like any publish', async () => {
    const c = await h.call('createSource', {
      auth: t.key,
      body: { name: 'Storefront', eventTypeMapping: mapping },
    });
    const r = await inbound(c.body.id, sarah, { token: c.body.token });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ deliveries: 1, duplicate: false });
    const ev = await h.call('getEvent', { auth: t.key, params: { eventId: r.body.id } });
    expect(ev.body).toMatchObject({ type: 'activity.purchase', data: sarah });
    // The token may come in a header instead (keeps it out of access logs).
    const viaHeader = await inbound(
      c.body.id,
      { ...sarah, event: 'signup', amount: 49, currency: 'GBP' },
      { headerToken: c.body.token },
    );
    expect(viaHeader.status).toBe(202);
    expect(
      (await h.call('getEvent', { auth: t.key, params: { eventId: viaHeader.body.id } })).body.type,
    ).toBe('activity.signup');
  });

  it('wrong, missing and unknown are all 401 INVALID_TOKEN', async () => {
    const c = await h.call('createSource', {
      auth: t.key,
      body: { name: 'S', eventType: 'activity.custom' },
    });
    for (const [id, token] of [
      [c.body.id, 'hwt_wrong'],
      [c.body.id, undefined],
      ['src_00000000000000000000000000', c.body.token],
      ['not-an-id', c.body.token],
    ] as const) {
      const r = await inbound(id, sarah, token === undefined ? {} : { token });
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('INVALID_TOKEN');
      expect(r.body.instance).not.toContain('token');
    }
  });

  it('validates against the payload schema (Activly default): missing fields, non-UTC timestamps, bad email', async () => {
    const c = await h.call('createSource', { auth: t.key, body: { name: 'S', eventTypeMapping: mapping } });
    const { city: _city, ...noCity } = sarah;
    const missing = await inbound(c.body.id, noCity, { token: c.body.token });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toContainEqual({ path: '/city', message: 'is required' });
    const local = await inbound(
      c.body.id,
      { ...sarah, timestamp: '2026-02-28T14:30:00+02:00' },
      { token: c.body.token },
    );
    expect(local.body.errors[0].path).toBe('/timestamp');
    const badEvent = await inbound(c.body.id, { ...sarah, event: 'refund' }, { token: c.body.token });
    expect(badEvent.body.errors[0].path).toBe('/event');
    const email = await inbound(
      c.body.id,
      { ...sarah, email: 'nope', amount: '49' },
      { token: c.body.token },
    );
    expect(email.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['/amount', '/email']);
    const notJson = await h.call('receiveInbound', {
      auth: null,
      params: { sourceId: c.body.id },
      query: { token: c.body.token },
      rawBody: 'a=b',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(notJson.status).toBe(415);
  });

  it('a custom schema and an unmapped value without fallback', async () => {
    const c = await h.call('createSource', {
      auth: t.key,
      body: {
        name: 'custom',
        payloadSchema: { type: 'object', required: ['kind'], properties: { kind: { type: 'string' } } },
        eventTypeMapping: { pointer: '/kind', map: { buy: 'activity.purchase' } },
      },
    });
    expect((await inbound(c.body.id, { kind: 'buy' }, { token: c.body.token })).status).toBe(202);
    const unmapped = await inbound(c.body.id, { kind: 'other' }, { token: c.body.token });
    expect(unmapped.body.errors).toEqual([{ path: '/kind', message: expect.any(String) }]);
    await h.call('updateSource', {
      auth: t.key,
      params: { sourceId: c.body.id },
      body: {
        eventType: 'activity.custom',
        eventTypeMapping: { pointer: '/kind', map: { buy: 'activity.purchase' } },
      },
    });
    const fallback = await inbound(c.body.id, { kind: 'other' }, { token: c.body.token });
    expect((await h.call('getEvent', { auth: t.key, params: { eventId: fallback.body.id } })).body.type).toBe(
      'activity.custom',
    );
  });

  it('Idempotency-Key dedupes per source', async () => {
    const c = await h.call('createSource', { auth: t.key, body: { name: 'S', eventTypeMapping: mapping } });
    const first = await inbound(c.body.id, sarah, { token: c.body.token, key: 'evt-1' });
    const again = await inbound(c.body.id, sarah, { token: c.body.token, key: 'evt-1' });
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const conflict = await inbound(
      c.body.id,
      { ...sarah, city: 'Paris' },
      { token: c.body.token, key: 'evt-1' },
    );
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('token rotation: the old token works during the overlap only', async () => {
    const c = await h.call('createSource', { auth: t.key, body: { name: 'S', eventTypeMapping: mapping } });
    const r1 = await h.call('rotateSourceToken', {
      auth: t.key,
      params: { sourceId: c.body.id },
      body: { overlapSeconds: 3600 },
    });
    expect(r1.status).toBe(200);
    expect(r1.body.token).not.toBe(c.body.token);
    expect(r1.body.previousTokenExpiresAt).toEqual(expect.any(String));
    expect((await inbound(c.body.id, sarah, { token: c.body.token })).status).toBe(202);
    expect((await inbound(c.body.id, sarah, { token: r1.body.token })).status).toBe(202);
    const r2 = await h.call('rotateSourceToken', { auth: t.key, params: { sourceId: c.body.id } });
    expect(r2.body.previousTokenExpiresAt).toBeNull();
    expect((await inbound(c.body.id, sarah, { token: r1.body.token })).status).toBe(401);
    expect((await inbound(c.body.id, sarah, { token: c.body.token })).status).toBe(401);
    expect((await inbound(c.body.id, sarah, { token: r2.body.token })).status).toBe(202);
    const tooLong = await h.call('rotateSourceToken', {
      auth: t.key,
      params: { sourceId: c.body.id },
      body: { overlapSeconds: 604801 },
    });
    expect(tooLong.body.errors[0].path).toBe('/overlapSeconds');
  });
});
