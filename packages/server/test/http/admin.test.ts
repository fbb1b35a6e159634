import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, type Harness } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
}, 60_000);
afterAll(async () => {
  await h.close();
}, 60_000);

describe('tenants (admin key)', () => {
  it('create, get, list with paging, update, delete', async () => {
    const created = await h.call('createTenant', {
      auth: ADMIN_KEY,
      body: { name: 'Acme Links', plan: 'tiny', metadata: { crmId: '4471' } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Acme Links',
      plan: 'tiny',
      metadata: { crmId: '4471' },
      usage: { webhooks: 0 },
    });
    const id = created.body.id as string;

    const dflt = await h.call('createTenant', { auth: ADMIN_KEY, body: { name: 'Default plan' } });
    expect(dflt.body.plan).toBe('default');

    expect((await h.call('getTenant', { auth: ADMIN_KEY, params: { tenantId: id } })).body.id).toBe(id);

    const page1 = await h.call('listTenants', { auth: ADMIN_KEY, query: { limit: 1 } });
    expect(page1.body.data).toHaveLength(1);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await h.call('listTenants', {
      auth: ADMIN_KEY,
      query: { limit: 1, cursor: page1.body.nextCursor },
    });
    expect(page2.body.data[0].id).not.toBe(page1.body.data[0].id);

    const updated = await h.call('updateTenant', {
      auth: ADMIN_KEY,
      params: { tenantId: id },
      body: { plan: 'default', metadata: {} },
    });
    expect(updated.body).toMatchObject({ plan: 'default', metadata: {}, name: 'Acme Links' });

    const unknownPlan = await h.call('updateTenant', {
      auth: ADMIN_KEY,
      params: { tenantId: id },
      body: { plan: 'gold' },
    });
    expect(unknownPlan.status).toBe(400);
    expect(unknownPlan.body.code).toBe('VALIDATION_FAILED');
    expect(unknownPlan.body.errors[0].path).toBe('/plan');
    const badCreate = await h.call('createTenant', { auth: ADMIN_KEY, body: { name: 'x', plan: 'gold' } });
    expect(badCreate.body.code).toBe('VALIDATION_FAILED');

    expect((await h.call('deleteTenant', { auth: ADMIN_KEY, params: { tenantId: id } })).status).toBe(204);
    const gone = await h.call('getTenant', { auth: ADMIN_KEY, params: { tenantId: id } });
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('NOT_FOUND');
    expect((await h.call('deleteTenant', { auth: ADMIN_KEY, params: { tenantId: id } })).status).toBe(404);
    expect(
      (await h.call('updateTenant', { auth: ADMIN_KEY, params: { tenantId: id }, body: { name: 'x' } }))
        .status,
    ).toBe(404);
  });

  it('usage counts webhooks', async () => {
    const t = await h.tenant();
    await h.call('createWebhook', { auth: t.key, body: { url: 'https://example.com/a' } });
    const r = await h.call('getTenant', { auth: t.key, params: { tenantId: t.id } });
    expect(r.body.usage).toEqual({ webhooks: 1 });
  });
});

describe('API keys', () => {
  it('create shows the key once, list hides it, revoke stops it at once', async () => {
    const t = await h.tenant();
    const created = await h.call('createApiKey', {
      auth: t.key,
      params: { tenantId: t.id },
      body: { name: 'publisher', expiresAt: '2099-01-01T00:00:00.000Z' },
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^hw_/);
    expect(created.body.key.startsWith(created.body.prefix)).toBe(true);
    expect(created.body.expiresAt).toBe('2099-01-01T00:00:00.000Z');

    const listed = await h.call('listApiKeys', { auth: ADMIN_KEY, params: { tenantId: t.id } });
    expect(listed.body.data.map((k: { id: string }) => k.id)).toContain(created.body.id);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);

    expect(created.body.lastUsedAt).toBeNull();
    // The new key works (and records its use), then stops working once revoked.
    expect((await h.call('listWebhooks', { auth: created.body.key })).status).toBe(200);
    const used = await h.call('listApiKeys', { auth: ADMIN_KEY, params: { tenantId: t.id } });
    const record = used.body.data.find((k: { id: string }) => k.id === created.body.id);
    expect(record.lastUsedAt).toEqual(expect.any(String));
    const del = await h.call('deleteApiKey', {
      auth: t.key,
      params: { tenantId: t.id, keyId: created.body.id },
    });
    expect(del.status).toBe(204);
    const after = await h.call('listWebhooks', { auth: created.body.key });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('UNAUTHORIZED');
    const relisted = await h.call('listApiKeys', { auth: t.key, params: { tenantId: t.id } });
    expect(relisted.body.data.map((k: { id: string }) => k.id)).not.toContain(created.body.id);
  });

  it('expiry in the past is rejected; an expired key is 401', async () => {
    const t = await h.tenant();
    const past = await h.call('createApiKey', {
      auth: ADMIN_KEY,
      params: { tenantId: t.id },
      body: { name: 'old', expiresAt: '2001-01-01T00:00:00.000Z' },
    });
    expect(past.status).toBe(400);
    expect(past.body.errors).toEqual([{ path: '/expiresAt', message: 'must be in the future' }]);

    let clock = new Date('2030-01-01T00:00:00.000Z');
    const timed = await createHarness({ now: () => clock });
    try {
      const tt = await timed.tenant();
      const k = await timed.call('createApiKey', {
        auth: ADMIN_KEY,
        params: { tenantId: tt.id },
        body: { name: 'short', expiresAt: '2030-01-01T00:01:00.000Z' },
      });
      expect((await timed.call('listEventTypes', { auth: k.body.key })).status).toBe(200);
      clock = new Date('2030-01-01T00:02:00.000Z');
      const expired = await timed.call('listEventTypes', { auth: k.body.key });
      expect(expired.status).toBe(401);
      expect(expired.body.detail).toContain('expired');
    } finally {
      await timed.close();
    }
  });

  it('unknown tenant or key is 404 for the admin', async () => {
    const t = await h.tenant();
    const missingTenant = 'tnt_00000000000000000000000000';
    expect(
      (
        await h.call('createApiKey', {
          auth: ADMIN_KEY,
          params: { tenantId: missingTenant },
          body: { name: 'x' },
        })
      ).status,
    ).toBe(404);
    expect(
      (await h.call('listApiKeys', { auth: ADMIN_KEY, params: { tenantId: missingTenant } })).status,
    ).toBe(404);
    const r = await h.call('deleteApiKey', {
      auth: ADMIN_KEY,
      params: { tenantId: t.id, keyId: 'key_00000000000000000000000000' },
    });
    expect(r.status).toBe(404);
  });
});

describe('plans', () => {
  it('lists the configured plans with the default marked', async () => {
    const t = await h.tenant();
    for (const auth of [ADMIN_KEY, t.key]) {
      const r = await h.call('listPlans', { auth });
      expect(r.status).toBe(200);
      const byName = Object.fromEntries(r.body.data.map((p: { name: string }) => [p.name, p]));
      expect(byName.default).toMatchObject({ default: true, maxWebhooks: null, retrySchedule: [5, 300] });
      expect(byName.tiny).toMatchObject({
        default: false,
        maxWebhooks: 2,
        maxPayloadBytes: 1024,
        retrySchedule: [1],
      });
      expect(byName.throttled).toMatchObject({ publishRateLimitPerSecond: 1 });
    }
  });
});
