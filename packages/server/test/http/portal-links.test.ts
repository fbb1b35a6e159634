import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintPortalToken } from '../../src/http/portal-token.js';
import { ADMIN_KEY, createHarness, type Harness } from './support.js';

describe('portal links (createPortalLink) and portal tokens', () => {
  let h: Harness;
  let clock = new Date('2026-11-23T10:00:00.000Z');
  let a: { id: string; key: string };
  let b: { id: string; key: string };
  let bWebhook: string;

  beforeAll(async () => {
    h = await createHarness({ now: () => clock });
    a = await h.tenant({ name: 'A' });
    b = await h.tenant({ name: 'B' });
    await h.eventTypes(a.key, ['link.click']);
    await h.eventTypes(b.key, ['link.click']);
    const wa = await h.call('createWebhook', { auth: a.key, body: { url: 'https://a.example/hooks' } });
    expect(wa.status).toBe(201);
    const wb = await h.call('createWebhook', { auth: b.key, body: { url: 'https://b.example/hooks' } });
    bWebhook = wb.body.id;
  }, 60_000);
  afterAll(async () => {
    await h.close();
  }, 60_000);

  const mint = async (auth: string, tenantId: string, body?: unknown) =>
    h.call('createPortalLink', { auth, params: { tenantId }, ...(body ? { body } : {}) });

  it('the admin key mints a 15-minute link whose URL carries the token in its fragment', async () => {
    const r = await mint(ADMIN_KEY, a.id);
    expect(r.status).toBe(201);
    expect(r.body.tenantId).toBe(a.id);
    expect(r.body.token).toMatch(/^hwp_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(r.body.url).toBe(`http://hookwire.test/ui#token=${r.body.token}`);
    expect(r.body.expiresAt).toBe('2026-11-23T10:15:00.000Z');
  });

  it('a tenant key mints for its own tenant only, with a lifetime of 60 s to 24 h', async () => {
    const own = await mint(a.key, a.id, { expiresInSeconds: 86_400 });
    expect(own.status).toBe(201);
    expect(own.body.expiresAt).toBe('2026-11-24T10:00:00.000Z');
    expect((await mint(a.key, b.id)).body.code).toBe('FORBIDDEN');
    expect((await mint(a.key, a.id, { expiresInSeconds: 59 })).body.code).toBe('VALIDATION_FAILED');
    expect((await mint(a.key, a.id, { expiresInSeconds: 86_401 })).body.code).toBe('VALIDATION_FAILED');
    expect((await mint(ADMIN_KEY, 'tnt_00000000000000000000000000')).status).toBe(404);
  });

  it("works as the tenant's bearer credential on the dashboard's operations, scoped to that tenant", async () => {
    const { token } = (await mint(ADMIN_KEY, a.id)).body;
    const list = await h.call('listWebhooks', { auth: token });
    expect(list.status).toBe(200);
    expect(list.body.data.map((w: { url: string }) => w.url)).toEqual(['https://a.example/hooks']);
    expect((await h.call('getWebhook', { auth: token, params: { webhookId: bWebhook } })).status).toBe(404);
    const created = await h.call('createWebhook', { auth: token, body: { url: 'https://a2.example/hooks' } });
    expect(created.status).toBe(201);
    expect((await h.call('getWebhook', { auth: a.key, params: { webhookId: created.body.id } })).status).toBe(
      200,
    );
    expect((await h.call('listDeliveries', { auth: token })).status).toBe(200);
    expect((await h.call('listEventTypes', { auth: token })).body.data).toHaveLength(1);
  });

  it('is refused (401) by every operation outside the dashboard: keys, links, publishing, sources', async () => {
    const { token } = (await mint(ADMIN_KEY, a.id)).body;
    const refused = [
      await h.call('createPortalLink', { auth: token, params: { tenantId: a.id } }),
      await h.call('createApiKey', { auth: token, params: { tenantId: a.id }, body: { name: 'x' } }),
      await h.call('publishEvent', { auth: token, body: { type: 'link.click', data: {} } }),
      await h.call('listSources', { auth: token }),
      await h.call('createEventType', { auth: token, body: { name: 'link.created' } }),
      await h.call('listTenants', { auth: token }),
    ];
    expect(refused.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(refused.every((r) => r.body.code === 'UNAUTHORIZED' && /portal token/.test(r.body.detail))).toBe(
      true,
    );
  });

  it('is rejected with 401 after it expires', async () => {
    const { token } = (await mint(ADMIN_KEY, a.id, { expiresInSeconds: 60 })).body;
    expect((await h.call('listWebhooks', { auth: token })).status).toBe(200);
    clock = new Date(clock.getTime() + 60_000);
    try {
      const r = await h.call('listWebhooks', { auth: token });
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('UNAUTHORIZED');
      expect(r.body.detail).toMatch(/expired/);
    } finally {
      clock = new Date(clock.getTime() - 60_000);
    }
  });

  it('is rejected when tampered with, or signed under another admin key', async () => {
    const { token } = (await mint(ADMIN_KEY, a.id)).body as { token: string };
    const [body, sig] = token.slice(4).split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...payload, t: b.id })).toString('base64url');
    const foreign = mintPortalToken('another-admin-key-0123456789', a.id, new Date('2026-11-23T11:00:00Z'));
    for (const bad of [`hwp_${forged}.${sig}`, `${token}x`, `hwp_${body}`, foreign.token, 'hwp_.']) {
      const r = await h.call('listWebhooks', { auth: bad });
      expect(r.status, bad).toBe(401);
      expect(r.body.code).toBe('UNAUTHORIZED');
    }
  });

  it('stops working when its tenant is deleted', async () => {
    const c = await h.tenant({ name: 'C' });
    const { token } = (await mint(ADMIN_KEY, c.id)).body;
    expect((await h.call('listWebhooks', { auth: token })).status).toBe(200);
    expect((await h.call('deleteTenant', { auth: ADMIN_KEY, params: { tenantId: c.id } })).status).toBe(204);
    expect((await h.call('listWebhooks', { auth: token })).status).toBe(401);
  });
});
