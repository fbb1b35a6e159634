import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, type Harness, startReceiver } from './support.js';

let h: Harness;
let t: { id: string; key: string };
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  h = await createHarness();
  t = await h.tenant();
  await h.eventTypes(t.key, ['link.click', 'link.created', 'link.deleted']);
  receiver = await startReceiver(200);
}, 60_000);
afterAll(async () => {
  await receiver.close();
  await h.close();
}, 60_000);

const create = (body: Record<string, unknown>, key = t.key) => h.call('createWebhook', { auth: key, body });

describe('createWebhook', () => {
  it('returns the endpoint with every default filled in and the secret, once', async () => {
    const r = await create({
      url: 'https://hooks.acme.test/awsys',
      events: ['link.click', 'link.created'],
      signature: { scheme: 'hmac', header: 'X-AWSYS-Signature' },
      headers: { 'X-Team': 'growth' },
      rateLimitPerSecond: 20,
      metadata: { owner: 'growth' },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      enabled: true,
      disabledReason: null,
      envelope: 'v2',
      signature: { scheme: 'hmac', header: 'x-awsys-signature', prefix: '', encoding: 'hex' },
      headers: { 'x-team': 'growth' },
      previousSecretExpiresAt: null,
    });
    expect(r.body.secret).toMatch(/^whsec_/);
    const got = await h.call('getWebhook', { auth: t.key, params: { webhookId: r.body.id } });
    expect(got.body).not.toHaveProperty('secret');
    expect(got.body.id).toBe(r.body.id);
  });

  it.each(['v1', 'v2', 'standard', 'object', 'flat'])(
    'accepts and keeps the %s body format',
    async (envelope) => {
      const r = await create({ url: 'https://hooks.acme.test/in', envelope });
      expect(r.status).toBe(201);
      expect(r.body.envelope).toBe(envelope);
      const patched = await h.call('updateWebhook', {
        auth: t.key,
        params: { webhookId: r.body.id },
        body: { envelope: envelope === 'flat' ? 'object' : 'flat' },
      });
      expect(patched.body.envelope).toBe(envelope === 'flat' ? 'object' : 'flat');
    },
  );

  it('timestamped and standard/svix schemes get their defaults', async () => {
    const ts = await create({
      url: 'https://a.example.com',
      signature: { scheme: 'timestamped', header: 'X-Linka-Factory-Signature' },
    });
    expect(ts.body.signature).toEqual({
      scheme: 'timestamped',
      header: 'x-linka-factory-signature',
      unit: 's',
      version: 'v1',
      content: '{t}.{body}',
    });
    const svix = await create({
      url: 'https://a.example.com',
      signature: { scheme: 'standard', headerPrefix: 'svix' },
    });
    expect(svix.body.signature).toEqual({ scheme: 'standard', headerPrefix: 'svix' });
  });

  it('rejects short and unknown event names with INVALID_EVENTS listing them', async () => {
    const r = await create({
      url: 'https://a.example.com',
      events: ['click', 'link.click', 'link.nope', 'link.*'],
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('INVALID_EVENTS');
    expect(r.body.invalid).toEqual(['click', 'link.nope', 'link.*']);
  });

  it("subscribes to the server's operational events without a catalog entry for them", async () => {
    const r = await create({
      url: 'https://a.example.com',
      events: ['webhook.disabled', 'delivery.exhausted'],
    });
    expect(r.status).toBe(201);
    expect(r.body.events).toEqual(['webhook.disabled', 'delivery.exhausted']);
    const wrong = await create({
      url: 'https://a.example.com',
      events: ['delivery.exhausted', 'webhook.nope'],
    });
    expect(wrong.body.invalid).toEqual(['webhook.nope']);
  });

  it('rejects reserved custom headers (INVALID_HEADER)', async () => {
    for (const name of ['Content-Type', 'webhook-id', 'svix-signature', 'hookwire-x', 'host']) {
      const r = await create({ url: 'https://a.example.com', headers: { [name]: 'x' } });
      expect(r.status, name).toBe(400);
      expect(r.body.code).toBe('INVALID_HEADER');
    }
    const own = await create({
      url: 'https://a.example.com',
      signature: { scheme: 'hmac', header: 'X-Sig' },
      headers: { 'x-sig': 'forged' },
    });
    expect(own.body.code).toBe('INVALID_HEADER');
  });

  it('rejects private, loopback-outside-dev, link-local and metadata destinations (BLOCKED_URL)', async () => {
    for (const url of [
      'http://10.0.0.1/x',
      'http://192.168.1.10/x',
      'http://169.254.169.254/latest',
      'http://[fd00::1]/x',
      'ftp://example.com/x',
      'https://user:pw@example.com/x',
    ]) {
      const r = await create({ url });
      expect(r.status, url).toBe(400);
      expect(r.body.code, url).toBe('BLOCKED_URL');
    }
  });

  it('validates the body against the spec (VALIDATION_FAILED with paths)', async () => {
    const r = await create({ url: 'not a url', envelope: 'v3', extra: true });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('VALIDATION_FAILED');
    const paths = r.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/url', '/envelope', '/extra']));
    const missing = await create({});
    expect(missing.body.errors).toContainEqual({ path: '/url', message: 'is required' });
    const badSecret = await create({ url: 'https://a.example.com', secret: 'whsec_c2hvcnQ=' });
    expect(badSecret.body.errors[0].path).toBe('/secret');
  });

  it('enforces the plan quota (QUOTA_EXCEEDED)', async () => {
    const tiny = await h.tenant({ plan: 'tiny' });
    expect((await create({ url: 'https://a.example.com' }, tiny.key)).status).toBe(201);
    expect((await create({ url: 'https://b.example.com' }, tiny.key)).status).toBe(201);
    const third = await create({ url: 'https://c.example.com' }, tiny.key);
    expect(third.status).toBe(403);
    expect(third.body.code).toBe('QUOTA_EXCEEDED');
    expect(third.body.detail).toContain('tiny');
  });

  it('outside dev mode, http:// is INSECURE_URL and loopback is BLOCKED_URL', async () => {
    const prod = await createHarness({ dev: false });
    try {
      const pt = await prod.tenant();
      const insecure = await prod.call('createWebhook', {
        auth: pt.key,
        body: { url: 'http://example.com/hook' },
      });
      expect(insecure.status).toBe(400);
      expect(insecure.body.code).toBe('INSECURE_URL');
      const loop = await prod.call('createWebhook', {
        auth: pt.key,
        body: { url: 'https://127.0.0.1/hook' },
      });
      expect(loop.body.code).toBe('BLOCKED_URL');
      // HARDENING 26-29, 38, 41: literal, alternatively spelled and wrapped internal addresses, internal names,
      // other schemes and credentials are refused at registration.
      for (const url of [
        'https://2130706433/',
        'https://0x7f.1/',
        'https://127.1/',
        'https://0/',
        'https://[::1]/',
        'https://[::ffff:10.0.0.1]/',
        'https://[::ffff:169.254.169.254]/',
        'https://[fd00:ec2::254]/',
        'https://localhost/',
        'https://localhost./',
        'https://db.internal/',
        'file:///etc/passwd',
        'gopher://example.com/',
        'https://user:secret@example.com/',
      ]) {
        const r = await prod.call('createWebhook', { auth: pt.key, body: { url } });
        expect(r.status, url).toBe(400);
        expect(r.body.code, url).toBe('BLOCKED_URL');
        expect(r.text, url).not.toContain('secret@');
      }
      const ok = await prod.call('createWebhook', {
        auth: pt.key,
        body: { url: 'https://example.com/hook' },
      });
      expect(ok.status).toBe(201);
      const upd = await prod.call('updateWebhook', {
        auth: pt.key,
        params: { webhookId: ok.body.id },
        body: { url: 'http://example.com/x' },
      });
      expect(upd.body.code).toBe('INSECURE_URL');
    } finally {
      await prod.close();
    }
  });
});

describe('list, update, delete', () => {
  it('filters by enabled and event type; pages with a cursor; bad cursors are INVALID_CURSOR', async () => {
    const u = await h.tenant();
    await h.eventTypes(u.key, ['link.click', 'sms.sent']);
    const all = await create({ url: 'https://a.example.com' }, u.key);
    const clicks = await create({ url: 'https://b.example.com', events: ['link.click'] }, u.key);
    const off = await create({ url: 'https://c.example.com', events: ['sms.sent'], enabled: false }, u.key);
    const ids = async (query: Record<string, string | boolean>) =>
      (await h.call('listWebhooks', { auth: u.key, query })).body.data
        .map((w: { id: string }) => w.id)
        .sort();
    expect(await ids({ eventType: 'link.click' })).toEqual([all.body.id, clicks.body.id].sort());
    expect(await ids({ enabled: false })).toEqual([off.body.id]);
    expect(await ids({ enabled: 'true' })).toEqual([all.body.id, clicks.body.id].sort());
    const p1 = await h.call('listWebhooks', { auth: u.key, query: { limit: 2 } });
    const p2 = await h.call('listWebhooks', { auth: u.key, query: { limit: 2, cursor: p1.body.nextCursor } });
    expect([...p1.body.data, ...p2.body.data]).toHaveLength(3);
    expect(p2.body.nextCursor).toBeNull();
    const bad = await h.call('listWebhooks', { auth: u.key, query: { cursor: 'garbage' } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_CURSOR');
    const foreign = (await h.call('listEventTypes', { auth: u.key, query: { limit: 1 } })).body.nextCursor;
    expect((await h.call('listWebhooks', { auth: u.key, query: { cursor: foreign } })).body.code).toBe(
      'INVALID_CURSOR',
    );
    const badLimit = await h.call('listWebhooks', { auth: u.key, query: { limit: 0 } });
    expect(badLimit.body.errors[0].path).toBe('/query/limit');
  });

  it('update changes the given fields; disabling records manual; same rejections as create', async () => {
    const w = await create({ url: 'https://a.example.com', events: ['link.click'] });
    const id = w.body.id as string;
    const r = await h.call('updateWebhook', {
      auth: t.key,
      params: { webhookId: id },
      body: { events: ['link.click', 'link.deleted'], enabled: false },
    });
    expect(r.body).toMatchObject({
      events: ['link.click', 'link.deleted'],
      enabled: false,
      disabledReason: 'manual',
      url: 'https://a.example.com',
    });
    const again = await h.call('updateWebhook', {
      auth: t.key,
      params: { webhookId: id },
      body: { enabled: true },
    });
    expect(again.body.disabledReason).toBeNull();
    expect(
      (await h.call('updateWebhook', { auth: t.key, params: { webhookId: id }, body: { events: ['click'] } }))
        .body.code,
    ).toBe('INVALID_EVENTS');
    expect(
      (
        await h.call('updateWebhook', {
          auth: t.key,
          params: { webhookId: id },
          body: { url: 'http://10.1.2.3/' },
        })
      ).body.code,
    ).toBe('BLOCKED_URL');
    expect(
      (
        await h.call('updateWebhook', {
          auth: t.key,
          params: { webhookId: id },
          body: { headers: { Host: 'x' } },
        })
      ).body.code,
    ).toBe('INVALID_HEADER');
    expect(
      (await h.call('updateWebhook', { auth: t.key, params: { webhookId: id }, body: {} })).body.code,
    ).toBe('VALIDATION_FAILED');
    const malformed = await h.call('getWebhook', { auth: t.key, params: { webhookId: 'nope' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].path).toBe('/path/webhookId');
  });

  it('delete answers 204, then 404', async () => {
    const w = await create({ url: 'https://a.example.com' });
    expect((await h.call('deleteWebhook', { auth: t.key, params: { webhookId: w.body.id } })).status).toBe(
      204,
    );
    expect((await h.call('deleteWebhook', { auth: t.key, params: { webhookId: w.body.id } })).status).toBe(
      404,
    );
    expect((await h.call('getWebhook', { auth: t.key, params: { webhookId: w.body.id } })).status).toBe(404);
  });
});

describe('test sends, rotation, replay, redeliver (real receiver)', { timeout: 30_000 }, () => {
  it('POST /test sends a signed test event now and returns the attempt', async () => {
    const w = await create({ url: receiver.url });
    const before = receiver.received.length;
    const r = await h.call('sendTestEvent', { auth: t.key, params: { webhookId: w.body.id } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      succeeded: true,
      eventType: 'hookwire.test',
      attempt: { trigger: 'test', statusCode: 200, errorKind: 'none', url: receiver.url },
    });
    const got = receiver.received[before];
    expect(got).toBeDefined();
    // Verified by the reference Standard Webhooks library with the secret from the create response.
    const payload = new StandardWebhook(w.body.secret).verify(
      got!.body,
      got!.headers as Record<string, string>,
    ) as { metadata: { eventType: string }; data: unknown };
    expect(payload.metadata.eventType).toBe('hookwire.test');
    expect(payload.data).toEqual({ message: 'This is a test event from Hookwire.' });
    const d = await h.call('getDelivery', { auth: t.key, params: { deliveryId: r.body.deliveryId } });
    expect(d.body.attempts).toHaveLength(1);
    expect(d.body.messageId).toBe(r.body.messageId);

    const typed = await h.call('sendTestEvent', {
      auth: t.key,
      params: { webhookId: w.body.id },
      body: { type: 'link.click', data: { linkId: 'lnk_1' } },
    });
    expect(typed.body.eventType).toBe('link.click');
    const unknown = await h.call('sendTestEvent', {
      auth: t.key,
      params: { webhookId: w.body.id },
      body: { type: 'link.nope' },
    });
    expect(unknown.body.code).toBe('INVALID_EVENTS');

    receiver.setStatus(500);
    const failed = await h.call('sendTestEvent', { auth: t.key, params: { webhookId: w.body.id } });
    receiver.setStatus(200);
    expect(failed.body).toMatchObject({
      succeeded: false,
      attempt: { statusCode: 500, errorKind: 'http_status', nextRetryAt: null },
    });
  });

  it('rotation: the new secret is shown once; both secrets sign during the overlap', async () => {
    const w = await create({ url: receiver.url });
    const rot = await h.call('rotateWebhookSecret', {
      auth: t.key,
      params: { webhookId: w.body.id },
      body: { overlapSeconds: 3600 },
    });
    expect(rot.status).toBe(200);
    expect(rot.body.secret).toMatch(/^whsec_/);
    expect(rot.body.secret).not.toBe(w.body.secret);
    expect(rot.body.previousSecretExpiresAt).toEqual(expect.any(String));
    const got = await h.call('getWebhook', { auth: t.key, params: { webhookId: w.body.id } });
    expect(got.body.previousSecretExpiresAt).toBe(rot.body.previousSecretExpiresAt);
    const before = receiver.received.length;
    await h.call('sendTestEvent', { auth: t.key, params: { webhookId: w.body.id } });
    const req = receiver.received[before]!;
    for (const secret of [w.body.secret, rot.body.secret]) {
      expect(() =>
        new StandardWebhook(secret).verify(req.body, req.headers as Record<string, string>),
      ).not.toThrow();
    }
    const none = await h.call('rotateWebhookSecret', {
      auth: t.key,
      params: { webhookId: w.body.id },
      body: { overlapSeconds: 0, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYqr' },
    });
    expect(none.body).toMatchObject({
      previousSecretExpiresAt: null,
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYqr',
    });
    // No body at all uses the default overlap (24 h).
    const dflt = await h.call('rotateWebhookSecret', { auth: t.key, params: { webhookId: w.body.id } });
    expect(Date.parse(dflt.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
  });

  it('published events reach the receiver; failed deliveries replay; redeliver queues one again', async () => {
    const u = await h.tenant();
    await h.eventTypes(u.key, ['link.click']);
    const recv = await startReceiver(500);
    h.dispatcher.start();
    try {
      const w = await h.call('createWebhook', {
        auth: u.key,
        body: { url: recv.url, events: ['link.click'] },
      });
      const pub = await h.call('publishEvent', {
        auth: u.key,
        body: { type: 'link.click', data: { linkId: 'a' } },
      });
      expect(pub.body.deliveries).toBe(1);
      await recv.waitFor(1);
      const list = await h.call('listDeliveries', { auth: u.key, query: { webhookId: w.body.id } });
      const deliveryId = list.body.data[0].id as string;
      const waitFor = async (pred: (d: { status: string; attemptCount: number }) => boolean) => {
        let d = await h.call('getDelivery', { auth: u.key, params: { deliveryId } });
        for (let i = 0; i < 200 && !pred(d.body); i++) {
          await new Promise((r) => setTimeout(r, 20));
          d = await h.call('getDelivery', { auth: u.key, params: { deliveryId } });
        }
        return d;
      };
      // The first attempt is recorded as a retry in 5 s; mark it failed so it can be replayed.
      await waitFor((d) => d.attemptCount === 1 && d.status === 'pending');
      h.store.db
        .prepare("UPDATE deliveries SET status = 'failed', next_attempt_at = NULL WHERE id = ?")
        .run(deliveryId);
      recv.setStatus(200);
      const replay = await h.call('replayWebhook', {
        auth: u.key,
        params: { webhookId: w.body.id },
        body: { since: '2000-01-01T00:00:00.000Z' },
      });
      expect(replay.status).toBe(202);
      expect(replay.body).toEqual({ count: 1 });
      await recv.waitFor(2);
      const detail = await waitFor((d) => d.status === 'succeeded');
      expect(detail.body.status).toBe('succeeded');
      expect(detail.body.attempts.map((x: { trigger: string }) => x.trigger)).toEqual([
        'scheduled',
        'replay',
      ]);
      expect(detail.body.payload).toMatchObject({
        metadata: { id: pub.body.id, eventType: 'link.click' },
        data: { linkId: 'a' },
      });

      const re = await h.call('redeliverDelivery', { auth: u.key, params: { deliveryId } });
      expect(re.status).toBe(202);
      expect(re.body.status).toBe('pending');
      await recv.waitFor(3);
      await waitFor((d) => d.status === 'succeeded' && d.attemptCount === 3);

      // Disabled endpoint: replay and redeliver are ENDPOINT_DISABLED.
      await h.call('updateWebhook', {
        auth: u.key,
        params: { webhookId: w.body.id },
        body: { enabled: false },
      });
      const rd = await h.call('replayWebhook', {
        auth: u.key,
        params: { webhookId: w.body.id },
        body: { since: '2000-01-01T00:00:00.000Z' },
      });
      expect(rd.status).toBe(409);
      expect(rd.body.code).toBe('ENDPOINT_DISABLED');
      const rr = await h.call('redeliverDelivery', { auth: u.key, params: { deliveryId } });
      expect(rr.body.code).toBe('ENDPOINT_DISABLED');
      // A live lease is CONFLICT.
      await h.call('updateWebhook', {
        auth: u.key,
        params: { webhookId: w.body.id },
        body: { enabled: true },
      });
      h.store.db
        .prepare(
          "UPDATE deliveries SET status = 'in_flight', lease_owner = 'x', lease_expires_at = ? WHERE id = ?",
        )
        .run(Date.now() + 60_000, deliveryId);
      const busy = await h.call('redeliverDelivery', { auth: u.key, params: { deliveryId } });
      expect(busy.body.code).toBe('CONFLICT');
      const invalid = await h.call('replayWebhook', {
        auth: u.key,
        params: { webhookId: w.body.id },
        body: { since: 'yesterday' },
      });
      expect(invalid.body.errors[0].path).toBe('/since');
    } finally {
      await recv.close();
    }
  });
});

it('admin key cannot act on webhooks', async () => {
  expect((await h.call('listWebhooks', { auth: ADMIN_KEY })).status).toBe(401);
});
