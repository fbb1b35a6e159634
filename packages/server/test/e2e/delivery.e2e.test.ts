import { isHookwireApiError } from '@hookwire/client';
import { schemes, verify } from '@hookwire/signatures';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createTenant,
  type HookwireProcess,
  type Received,
  type Receiver,
  startHookwire,
  startReceiver,
  tempDir,
  waitFor,
} from './helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

// A compressed retry schedule so retries finish in well under a second: 200 ms, then 400 ms (±20 %).
const PLANS = JSON.stringify({ fast: { maxEndpoints: 10, retrySchedule: [200, 400] } });

const dir = tempDir('hookwire-e2e-');
let server: HookwireProcess;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  server = await startHookwire({
    dataDir: dir.path,
    env: { HOOKWIRE_PLANS: PLANS, HOOKWIRE_DEFAULT_PLAN: 'fast' },
  });
});

afterAll(async () => {
  const code = await server?.stop();
  await receiver?.close();
  dir.remove();
  // Graceful shutdown must end with exit code 0.
  expect(code).toBe(0);
});

const at = (path: string) => (r: Received) => r.path === path;
const waitRequests = (path: string, n: number) =>
  waitFor(`${n} request(s) on ${path}`, () => {
    const got = receiver.requests.filter(at(path));
    return got.length >= n ? got : undefined;
  });

describe('hookwire serve (real process, real receivers)', () => {
  it('signs each seed format so the receiver library (and standardwebhooks) verifies it', async () => {
    const { hw } = await createTenant(server.url, 'formats');
    const formats = [
      {
        name: 'acturity',
        signature: { scheme: 'hmac', header: 'X-Acturity-Signature', prefix: 'sha256=' } as const,
        scheme: schemes.hmac({ header: 'x-acturity-signature', prefix: 'sha256=' }),
      },
      {
        name: 'awsys',
        signature: { scheme: 'hmac', header: 'X-AWSYS-Signature' } as const,
        scheme: schemes.hmac({ header: 'x-awsys-signature' }),
      },
      {
        name: 'linka',
        signature: { scheme: 'timestamped', header: 'X-Linka-Factory-Signature' } as const,
        scheme: schemes.timestamped({ header: 'x-linka-factory-signature' }),
      },
      {
        name: 'aktify-v1',
        envelope: 'v1' as const,
        signature: {
          scheme: 'timestamped',
          header: 'aktify-signature',
          unit: 'ms',
          content: '{body}',
        } as const,
        scheme: schemes.timestamped({ header: 'aktify-signature', unit: 'ms', content: '{body}' }),
      },
      {
        name: 'aktify-v2',
        envelope: 'v2' as const,
        signature: { scheme: 'timestamped', header: 'aktify-signature', unit: 'ms', version: 'v2' } as const,
        scheme: schemes.timestamped({ header: 'aktify-signature', unit: 'ms', version: 'v2' }),
      },
      {
        name: 'standard',
        signature: { scheme: 'standard' } as const,
        scheme: schemes.standard(),
      },
    ];
    const secrets = new Map<string, string>();
    for (const f of formats) {
      const ep = await hw.webhooks.create({
        url: `${receiver.url}/formats/${f.name}`,
        events: ['link.click'],
        signature: f.signature,
        ...(f.envelope ? { envelope: f.envelope } : {}),
      });
      secrets.set(f.name, ep.secret);
    }
    const published = await hw.events.publish({
      type: 'link.click',
      data: { link_id: 'lnk_1', country: 'FR' },
    });
    expect(published.deliveries).toBe(formats.length);

    for (const f of formats) {
      const [req] = await waitRequests(`/formats/${f.name}`, 1);
      const secret = secrets.get(f.name) as string;
      await expect(
        verify(f.scheme, { secret, body: req!.body, headers: req!.headers }),
      ).resolves.toBeDefined();
      // A wrong secret must fail: the check above is not vacuous.
      await expect(
        verify(f.scheme, {
          secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
          body: req!.body,
          headers: req!.headers,
        }),
      ).rejects.toThrow();
      expect(req!.headers['webhook-id']).toBe(published.id);
      const body = JSON.parse(req!.body) as Record<string, unknown>;
      if (f.envelope === 'v1') {
        expect(body).toMatchObject({ type: 'link.click', data: { link_id: 'lnk_1' } });
        expect(body.apiVersion).toEqual(expect.any(String));
      } else {
        expect(body).toMatchObject({
          metadata: { id: published.id, eventType: 'link.click' },
          data: { country: 'FR' },
        });
      }
      if (f.name === 'standard') {
        const wh = new Webhook(secret);
        expect(wh.verify(req!.body, req!.headers as Record<string, string>)).toMatchObject({
          data: { link_id: 'lnk_1' },
        });
      }
    }
  });

  it('retries on the plan schedule, then succeeds; exhausted retries fail the delivery', async () => {
    const { hw } = await createTenant(server.url, 'retries');
    let calls = 0;
    receiver.on('/retry/flaky', (_r, res) => {
      calls++;
      res.statusCode = calls < 3 ? 500 : 200;
      res.end(calls < 3 ? 'boom' : 'ok');
    });
    receiver.on('/retry/down', (_r, res) => {
      res.statusCode = 503;
      res.end('down');
    });
    const flaky = await hw.webhooks.create({ url: `${receiver.url}/retry/flaky`, events: ['link.click'] });
    const down = await hw.webhooks.create({ url: `${receiver.url}/retry/down`, events: ['link.click'] });
    await hw.events.publish({ type: 'link.click', data: { link_id: 'r' } });

    const flakyReqs = await waitRequests('/retry/flaky', 3);
    // Same webhook-id on every attempt (receivers dedupe on it), each attempt signed on its own.
    expect(new Set(flakyReqs.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(flakyReqs.every((r) => typeof r.headers['webhook-signature'] === 'string')).toBe(true);
    const flakyDelivery = await waitFor('flaky delivery succeeded', async () => {
      const [d] = await hw.deliveries.list({ webhookId: flaky.id }).toArray();
      return d?.status === 'succeeded' ? d : undefined;
    });
    const detail = await hw.deliveries.get(flakyDelivery.id);
    expect(detail.attempts.map((a) => a.statusCode)).toEqual([500, 500, 200]);

    await waitRequests('/retry/down', 3);
    const failed = await waitFor('down delivery failed', async () => {
      const [d] = await hw.deliveries.list({ webhookId: down.id }).toArray();
      return d?.status === 'failed' ? d : undefined;
    });
    expect(failed.attemptCount).toBe(3);
    // 1 attempt + 2 retries: nothing more arrives.
    await new Promise((r) => setTimeout(r, 800));
    expect(receiver.requests.filter(at('/retry/down'))).toHaveLength(3);
  });

  it('honours Retry-After on 429 (waits at least that long, more than its own 200 ms schedule)', async () => {
    const { hw } = await createTenant(server.url, 'retry-after');
    let calls = 0;
    receiver.on('/retry-after', (_r, res) => {
      calls++;
      if (calls === 1) {
        res.statusCode = 429;
        res.setHeader('retry-after', '2');
      } else {
        res.statusCode = 200;
      }
      res.end();
    });
    await hw.webhooks.create({ url: `${receiver.url}/retry-after`, events: ['link.click'] });
    await hw.events.publish({ type: 'link.click', data: { link_id: 'ra' } });
    const [first, second] = await waitRequests('/retry-after', 2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1900);
  });

  it('disables the endpoint on 410 Gone and stops sending', async () => {
    const { hw } = await createTenant(server.url, 'gone');
    receiver.on('/gone', (_r, res) => {
      res.statusCode = 410;
      res.end();
    });
    const ep = await hw.webhooks.create({ url: `${receiver.url}/gone`, events: ['link.click'] });
    await hw.events.publish({ type: 'link.click', data: { link_id: 'g' } });
    await waitRequests('/gone', 1);
    const disabled = await waitFor('endpoint disabled', async () => {
      const w = await hw.webhooks.get(ep.id);
      return w.enabled ? undefined : w;
    });
    expect(disabled.disabledReason).toMatch(/gone|410/i);
    const after = await hw.events.publish({ type: 'link.click', data: { link_id: 'g2' } });
    expect(after.deliveries).toBe(0);
    const [delivery] = await hw.deliveries.list({ webhookId: ep.id }).toArray();
    expect(delivery?.status).toBe('failed');
  });

  it('redelivers one delivery on request and replays failed ones since a time', async () => {
    const { hw } = await createTenant(server.url, 'redeliver');
    let healthy = false;
    receiver.on('/replay', (_r, res) => {
      res.statusCode = healthy ? 200 : 500;
      res.end();
    });
    const ok = await hw.webhooks.create({ url: `${receiver.url}/redeliver`, events: ['link.click'] });
    const flaky = await hw.webhooks.create({ url: `${receiver.url}/replay`, events: ['link.click'] });
    const since = new Date(Date.now() - 1000);
    const msg = await hw.events.publish({ type: 'link.click', data: { link_id: 'rd' } });

    const [first] = await waitRequests('/redeliver', 1);
    const delivery = await waitFor('delivery succeeded', async () => {
      const [d] = await hw.deliveries.list({ webhookId: ok.id }).toArray();
      return d?.status === 'succeeded' ? d : undefined;
    });
    await hw.deliveries.redeliver(delivery.id);
    const [, again] = await waitRequests('/redeliver', 2);
    expect(again!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(again!.headers['webhook-id']).toBe(msg.id);

    await waitFor('replay delivery failed', async () => {
      const [d] = await hw.deliveries.list({ webhookId: flaky.id }).toArray();
      return d?.status === 'failed' ? d : undefined;
    });
    healthy = true;
    const { count } = await hw.webhooks.replay(flaky.id, { since });
    expect(count).toBe(1);
    await waitFor('replayed delivery succeeded', async () => {
      const [d] = await hw.deliveries.list({ webhookId: flaky.id }).toArray();
      return d?.status === 'succeeded' ? d : undefined;
    });
    expect(receiver.requests.filter(at('/replay'))).toHaveLength(4); // 3 failed attempts + the replay
  });

  it('sends a test event right away and reports the attempt', async () => {
    const { hw } = await createTenant(server.url, 'test-event');
    receiver.on('/test-event', (_r, res) => {
      res.statusCode = 200;
      res.end('pong');
    });
    const ep = await hw.webhooks.create({ url: `${receiver.url}/test-event`, events: ['link.click'] });
    const result = await hw.webhooks.sendTest(ep.id);
    expect(result.succeeded).toBe(true);
    expect(result.attempt.statusCode).toBe(200);
    expect(result.attempt.responsePreview).toBe('pong');
    const [req] = receiver.requests.filter(at('/test-event'));
    await expect(
      verify(schemes.standard(), { secret: ep.secret, body: req!.body, headers: req!.headers }),
    ).resolves.toBeDefined();
  });

  it('signs with both secrets during a rotation overlap', async () => {
    const { hw } = await createTenant(server.url, 'rotation');
    const ep = await hw.webhooks.create({ url: `${receiver.url}/rotation`, events: ['link.click'] });
    const rotated = await hw.webhooks.rotateSecret(ep.id, { overlapSeconds: 3600 });
    expect(rotated.secret).not.toBe(ep.secret);
    await hw.events.publish({ type: 'link.click', data: { link_id: 'rot' } });
    const [req] = await waitRequests('/rotation', 1);
    expect(String(req!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [ep.secret, rotated.secret]) {
      await expect(
        verify(schemes.standard(), { secret, body: req!.body, headers: req!.headers }),
      ).resolves.toBeDefined();
      expect(() =>
        new Webhook(secret).verify(req!.body, req!.headers as Record<string, string>),
      ).not.toThrow();
    }
  });

  it('keeps tenants apart', async () => {
    const a = await createTenant(server.url, 'tenant-a');
    const b = await createTenant(server.url, 'tenant-b');
    const epA = await a.hw.webhooks.create({ url: `${receiver.url}/tenant-a`, events: ['link.click'] });
    await b.hw.webhooks.create({ url: `${receiver.url}/tenant-b`, events: ['link.click'] });
    const msgB = await b.hw.events.publish({ type: 'link.click', data: { link_id: 'b' } });
    await waitRequests('/tenant-b', 1);
    const [deliveryB] = await b.hw.deliveries.list().toArray();

    const notFound = async (p: Promise<unknown>) => {
      const err = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(isHookwireApiError(err) && err.status).toBe(404);
    };
    await notFound(b.hw.webhooks.get(epA.id));
    await notFound(a.hw.events.get(msgB.id));
    await notFound(a.hw.deliveries.get(deliveryB!.id));
    await notFound(a.hw.deliveries.redeliver(deliveryB!.id));
    expect(await a.hw.deliveries.list().toArray()).toEqual([]);
    expect(receiver.requests.filter(at('/tenant-a'))).toHaveLength(0);
  });

  it('turns an inbound source POST into a delivered event', async () => {
    const { hw } = await createTenant(server.url, 'inbound', { eventTypes: ['activity.purchase'] });
    await hw.webhooks.create({ url: `${receiver.url}/inbound`, events: ['activity.purchase'] });
    const source = await hw.sources.create({
      name: 'storefront',
      eventType: 'activity.purchase',
      payloadSchema: {
        type: 'object',
        required: ['first_name', 'timestamp'],
        properties: { first_name: { type: 'string' }, timestamp: { type: 'string' } },
      },
    });
    const url = source.url ?? `${server.url}/in/${source.id}?token=${source.token}`;
    const bad = await fetch(url.replace(/token=[^&]+/, 'token=wrong'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ first_name: 'Sarah', timestamp: '2026-02-28T14:30:00Z' }),
    });
    expect(bad.status).toBe(401);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ first_name: 'Sarah', timestamp: '2026-02-28T14:30:00Z' }),
    });
    expect(res.status).toBe(202);
    const [req] = await waitRequests('/inbound', 1);
    expect(JSON.parse(req!.body)).toMatchObject({
      metadata: { eventType: 'activity.purchase' },
      data: { first_name: 'Sarah' },
    });
  });

  it('serves readiness and metrics that count what happened', async () => {
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('hookwire_events_published_total')).toBeGreaterThan(5);
    expect(value('hookwire_delivery_attempts_total\\{outcome="succeeded"\\}')).toBeGreaterThan(5);
    expect(value('hookwire_delivery_attempts_total\\{outcome="retry"\\}')).toBeGreaterThan(2);
    expect(text).toMatch(/^hookwire_queue_depth\{state="pending"\} \d+$/m);
    expect(text).toMatch(/^hookwire_queue_oldest_due_age_seconds \d/m);
  });
});
