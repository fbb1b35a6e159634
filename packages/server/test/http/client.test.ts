import type { AddressInfo } from 'node:net';
import { createHookwireClient, isHookwireApiError } from '@hookwire/client';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, type Harness, specCheckingFetch, startReceiver } from './support.js';

let h: Harness;
let baseUrl: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  h = await createHarness({ publicBaseUrl: undefined });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  receiver = await startReceiver(200);
  h.dispatcher.start();
}, 60_000);
afterAll(async () => {
  await receiver.close();
  await h.close();
}, 60_000);

async function caught(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('@hookwire/client against a listening server', { timeout: 30_000 }, () => {
  it('admin and tenant flows end to end, with typed errors', async () => {
    // Every response the client sees is checked against the spec on the way.
    const checked: string[] = [];
    const opts = { baseUrl, retries: false as const, fetch: specCheckingFetch(checked) };
    const admin = createHookwireClient({ ...opts, apiKey: ADMIN_KEY });
    const tenant = await admin.tenants.create({ name: 'Client Co', metadata: { crmId: '7' } });
    const key = await admin.apiKeys.create(tenant.id, { name: 'sdk' });
    const hw = createHookwireClient({ ...opts, apiKey: key.key });

    await hw.eventTypes.create({ name: 'link.click', schema: { type: 'object', required: ['linkId'] } });
    const endpoint = await hw.webhooks.create({ url: receiver.url, events: ['link.click'] });
    expect(endpoint.secret).toMatch(/^whsec_/);

    const test = await hw.webhooks.sendTest(endpoint.id);
    expect(test.succeeded).toBe(true);

    const published = await hw.events.publish({ type: 'link.click', data: { linkId: 'lnk_1' } });
    expect(published.deliveries).toBe(1);
    const received = await receiver.waitFor(2);
    const delivered = received.find((r) => r.body.includes('lnk_1'));
    expect(delivered).toBeDefined();
    const payload = new StandardWebhook(endpoint.secret).verify(
      delivered!.body,
      delivered!.headers as Record<string, string>,
    );
    expect(payload).toMatchObject({
      metadata: { id: published.id, eventType: 'link.click' },
      data: { linkId: 'lnk_1' },
    });

    const deliveries = await hw.deliveries.list({ webhookId: endpoint.id }).toArray();
    expect(deliveries.length).toBe(2);

    // Sources hand out an absolute inbound URL on this server; POSTing to it publishes.
    await hw.eventTypes.create({ name: 'activity.purchase' });
    const source = await hw.sources.create({ name: 'shop', eventType: 'activity.purchase' });
    expect(source.url.startsWith(`${baseUrl}/in/${source.id}?token=`)).toBe(true);
    const res = await fetch(source.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        event: 'purchase',
        first_name: 'Alex',
        city: 'Berlin',
        country: 'DE',
        product: 'Pro Plan',
        timestamp: '2026-02-28T12:00:00Z',
      }),
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);

    const invalid = await caught(hw.webhooks.create({ url: receiver.url, events: ['click'] }));
    expect(isHookwireApiError(invalid) && invalid.code).toBe('INVALID_EVENTS');
    expect((invalid as { invalid?: string[] }).invalid).toEqual(['click']);
    const validation = await caught(hw.events.publish({ type: 'link.click', data: {} }));
    expect(isHookwireApiError(validation) && validation.code).toBe('VALIDATION_FAILED');
    const forbidden = await caught(hw.tenants.list().firstPage());
    expect(isHookwireApiError(forbidden) && forbidden.code).toBe('FORBIDDEN');
    const other = await admin.tenants.create({ name: 'Other' });
    const otherKey = await admin.apiKeys.create(other.id, { name: 'sdk' });
    const hw2 = createHookwireClient({ ...opts, apiKey: otherKey.key });
    const notFound = await caught(hw2.webhooks.get(endpoint.id));
    expect(isHookwireApiError(notFound) && notFound.code).toBe('NOT_FOUND');
    expect(isHookwireApiError(notFound) && notFound.requestId).toMatch(/^req_/);
    expect((await hw.health()).status).toBe('ok');
    expect((await hw.plans.list()).map((p) => p.name)).toContain('default');
    expect(new Set(checked).size).toBeGreaterThanOrEqual(12);
  });
});
