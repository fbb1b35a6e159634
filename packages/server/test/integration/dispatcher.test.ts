import { gzipSync } from 'node:zlib';
import { schemes, verify } from '@hookwire/signatures';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateEndpointSecret } from '../../src/crypto/keys.js';
import type {
  Delivery,
  Endpoint,
  EndpointInput,
  EnvelopeVersion,
  SignatureConfig,
} from '../../src/store/store.js';
import { type Harness, harness, type Receiver, startReceiver, waitFor } from './helpers.js';

let h: Harness;
let receivers: Receiver[];

beforeEach(async () => {
  h = await harness();
  receivers = [];
});
afterEach(async () => {
  await h.close();
  await Promise.all(receivers.map((r) => r.close()));
});

async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

async function endpoint(url: string, over: Partial<EndpointInput> = {}): Promise<Endpoint> {
  return h.store.createEndpoint(h.tenantId, { url, secret: generateEndpointSecret(), ...over });
}

async function deliveriesOf(endpointId: string) {
  return (await h.store.listDeliveries(h.tenantId, { endpointId })).items;
}

async function settled(endpointId: string, status: string, count = 1) {
  return waitFor<Delivery[]>(async () => {
    const ds = await deliveriesOf(endpointId);
    return ds.filter((d) => d.status === status).length >= count ? ds : null;
  }, `${count} ${status} deliveries`);
}

describe('seed formats are emitted and verify with @hookwire/signatures', () => {
  const formats: [
    string,
    SignatureConfig,
    EnvelopeVersion,
    ReturnType<(typeof schemes)[keyof typeof schemes]>,
  ][] = [
    ['Standard Webhooks', { scheme: 'standard' }, 'standard', schemes.standard()],
    ['Hookwire default (Standard Webhooks, v2 envelope)', { scheme: 'standard' }, 'v2', schemes.standard()],
    [
      'Acturity (X-Acturity-Signature: sha256=<hex>)',
      { scheme: 'hmac', header: 'X-Acturity-Signature', prefix: 'sha256=' },
      'flat',
      schemes.hmac({ header: 'x-acturity-signature', prefix: 'sha256=' }),
    ],
    [
      'AWSYS.CO (X-AWSYS-Signature: <hex>)',
      { scheme: 'hmac', header: 'X-AWSYS-Signature' },
      'v2',
      schemes.hmac({ header: 'x-awsys-signature' }),
    ],
    [
      'Linka Factory (t=<s>,v1=<hex> over t.body)',
      { scheme: 'timestamped', header: 'X-Linka-Factory-Signature', unit: 's', version: 'v1' },
      'object',
      schemes.timestamped({ header: 'x-linka-factory-signature', unit: 's', version: 'v1' }),
    ],
    [
      'Aktify v1 (t=<ms>,v1=<hex> over the body, v1 envelope)',
      { scheme: 'timestamped', header: 'aktify-signature', unit: 'ms', version: 'v1', content: '{body}' },
      'v1',
      schemes.timestamped({ header: 'aktify-signature', unit: 'ms', version: 'v1', content: '{body}' }),
    ],
    [
      'Aktify v2 (t=<ms>,v2=<hex> over t.body, v2 envelope)',
      { scheme: 'timestamped', header: 'aktify-signature', unit: 'ms', version: 'v2' },
      'v2',
      schemes.timestamped({ header: 'aktify-signature', unit: 'ms', version: 'v2' }),
    ],
  ];

  it.each(formats)('%s', async (_name, signature, envelope, scheme) => {
    const r = await receiver();
    const ep = await endpoint(`${r.url}/hooks`, {
      signature,
      envelope,
      headers: { authorization: 'Bearer t' },
    });
    const d = h.dispatcher();
    d.start();
    const { message } = await h.store.publish(h.tenantId, {
      eventType: 'link.click',
      data: { linkId: 'lnk_1', country: 'FR' },
      customData: { source: 'chat' },
    });
    d.notify();
    await settled(ep.id, 'succeeded');
    const [req] = r.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/hooks');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['accept-encoding']).toBe('identity');
    expect(req?.headers['webhook-id']).toBe(message.id);
    expect(req?.headers.authorization).toBe('Bearer t');
    await expect(
      verify(scheme, { secret: ep.secrets.current, body: req!.body, headers: req!.headers }),
    ).resolves.toBeDefined();
    // A single flipped byte must fail: the check is real.
    await expect(
      verify(scheme, { secret: ep.secrets.current, body: `${req!.body} `, headers: req!.headers }),
    ).rejects.toMatchObject({ name: 'WebhookVerificationError' });
    const body = JSON.parse(req!.body);
    const eventTime = message.timestamp.toISOString();
    if (envelope === 'standard') {
      expect(body).toEqual({
        type: 'link.click',
        timestamp: eventTime,
        data: { linkId: 'lnk_1', country: 'FR' },
      });
    } else if (envelope === 'object') {
      // Linka Factory's event object, the tenant context (accountId) at the top level.
      expect(req!.body).toBe(
        JSON.stringify({
          id: message.id,
          type: 'link.click',
          created_at: eventTime,
          accountId: 'acc_1',
          data: { linkId: 'lnk_1', country: 'FR' },
        }),
      );
    } else if (envelope === 'flat') {
      // Acturity's flat payload: the event name beside the data fields.
      expect(req!.body).toBe(JSON.stringify({ event: 'link.click', linkId: 'lnk_1', country: 'FR' }));
    } else if (envelope === 'v1') {
      expect(body).toEqual({
        apiVersion: '2021-08-23',
        type: 'link.click',
        data: { linkId: 'lnk_1', country: 'FR' },
        customData: { source: 'chat' },
      });
    } else {
      expect(body).toEqual({
        metadata: {
          id: message.id,
          apiVersion: '2026-02-09',
          eventType: 'link.click',
          eventTime: message.timestamp.toISOString(),
          accountId: 'acc_1',
        },
        data: { linkId: 'lnk_1', country: 'FR' },
      });
    }
  });

  it('Standard Webhooks requests verify with the third-party standardwebhooks package', async () => {
    const r = await receiver();
    const ep = await endpoint(r.url);
    h.dispatcher().start();
    await h.store.publish(h.tenantId, { eventType: 'link.created', data: { id: 1 } });
    await settled(ep.id, 'succeeded');
    const req = r.requests[0]!;
    const wh = new Webhook(ep.secrets.current);
    expect(wh.verify(req.body, req.headers as Record<string, string>)).toMatchObject({ data: { id: 1 } });
    expect(() =>
      new Webhook(generateEndpointSecret()).verify(req.body, req.headers as Record<string, string>),
    ).toThrow();
  });
});

describe('retries', () => {
  it('retries failures on the plan schedule with the same webhook-id and a fresh signature each time', async () => {
    const r = await receiver((_req, res, i) => {
      res.statusCode = i < 2 ? 500 : 200;
      res.end(i < 2 ? 'boom' : 'ok');
    });
    const ep = await endpoint(r.url, { signature: { scheme: 'timestamped', header: 'x-sig', unit: 'ms' } });
    h.dispatcher().start();
    const { message } = await h.store.publish(h.tenantId, { eventType: 'a.b', data: {} });
    const [d] = await settled(ep.id, 'succeeded');
    expect(d).toMatchObject({ attemptCount: 3, status: 'succeeded' });
    expect(r.requests.map((q) => q.headers['webhook-id'])).toEqual([message.id, message.id, message.id]);
    const sigs = r.requests.map((q) => q.headers['x-sig']);
    expect(new Set(sigs).size).toBe(3); // re-signed per attempt (HARDENING 46)
    const attempts = (await h.store.listAttempts(h.tenantId, d!.id)).items.reverse();
    expect(attempts.map((a) => [a.statusCode, a.errorKind])).toEqual([
      [500, 'http_status'],
      [500, 'http_status'],
      [200, 'none'],
    ]);
    expect(attempts[0]?.responsePreview).toBe('boom');
    // The schedule is 40 ms with random() = 0.5 (no jitter offset).
    expect(attempts[0]!.nextRetryAt!.getTime() - attempts[0]!.startedAt.getTime()).toBeGreaterThanOrEqual(40);
    expect(attempts[0]!.nextRetryAt!.getTime() - attempts[0]!.startedAt.getTime()).toBeLessThan(40 + 2000);
  });

  it('marks the delivery failed when the schedule is exhausted and tells the tenant (HARDENING 44)', async () => {
    const r = await receiver((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const ops = await receiver();
    const ep = await endpoint(r.url, { events: ['a.b'] });
    const opsEp = await endpoint(ops.url, { events: ['delivery.exhausted'] });
    h.dispatcher().start();
    const published = await h.store.publish(h.tenantId, { eventType: 'a.b', data: {} });
    const [d] = await settled(ep.id, 'failed');
    expect(d?.attemptCount).toBe(4); // 1 + 3 retries
    expect(r.requests).toHaveLength(4);
    await settled(opsEp.id, 'succeeded');
    const event = JSON.parse(ops.requests[0]!.body);
    expect(event.metadata.eventType).toBe('delivery.exhausted');
    expect(event.data).toMatchObject({
      deliveryId: d!.id,
      messageId: published.message.id,
      eventType: 'a.b',
      endpointId: ep.id,
      attempts: 4,
      lastStatusCode: 503,
    });
  });

  it('a down endpoint subscribed to everything gets one delivery.exhausted per failed message, never one for it', async () => {
    const r = await receiver((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const ep = await endpoint(r.url); // every event type, delivery.exhausted included
    h.dispatcher({ disableAfterMs: 3_600_000 }).start();
    await h.store.publish(h.tenantId, { eventType: 'a.b', data: {} });
    // The message's delivery exhausts, then the delivery.exhausted event's own delivery to the same endpoint.
    const ds = await settled(ep.id, 'failed', 2);
    expect(ds.map((d) => d.eventType).sort()).toEqual(['a.b', 'delivery.exhausted']);
    // Nothing more comes: the failed delivery.exhausted is an operational event and emits nothing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await h.store.listMessages(h.tenantId)).items).toHaveLength(2);
    expect(r.requests).toHaveLength(8);
  });

  it('honours Retry-After on 429 and 503, clamped to the cap', async () => {
    const r = await receiver((_req, res, i) => {
      res.statusCode = i === 0 ? 429 : i === 1 ? 503 : 200;
      res.setHeader('retry-after', i === 0 ? '1' : '3600');
      res.end();
    });
    const ep = await endpoint(r.url);
    h.dispatcher({ maxRetryAfterMs: 1200 }).start();
    await h.store.publish(h.tenantId, { eventType: 'a.b', data: {} });
    const [d] = await settled(ep.id, 'succeeded');
    const attempts = (await h.store.listAttempts(h.tenantId, d!.id)).items.reverse();
    const gap = (i: number) => attempts[i]!.nextRetryAt!.getTime() - attempts[i]!.startedAt.getTime();
    expect(gap(0)).toBeGreaterThanOrEqual(1000); // Retry-After: 1 beats the 40 ms schedule
    expect(gap(0)).toBeLessThan(1200 + 1000);
    expect(gap(1)).toBeGreaterThanOrEqual(1200); // Retry-After: 3600 clamped to 1.2 s
    expect(gap(1)).toBeLessThan(3_600_000);
  });
});

describe('endpoint health', () => {
  it('410 Gone disables the endpoint, cancels its queue and tells the tenant', async () => {
    const gone = await receiver((_req, res) => {
      res.statusCode = 410;
      res.end();
    });
    const ops = await receiver();
    const ep = await endpoint(gone.url, { events: ['link.click'] });
    const opsEp = await endpoint(ops.url, { events: ['webhook.disabled'] });
    // A second message queued behind, due later, is cancelled with the endpoint.
    await h.store.publish(h.tenantId, { eventType: 'link.click', data: 1 });
    await h.store.publish(
      h.tenantId,
      { eventType: 'link.click', data: 2 },
      undefined,
      new Date(Date.now() + 60_000),
    );
    h.dispatcher().start();
    await settled(opsEp.id, 'succeeded');
    const disabled = await h.store.getEndpoint(h.tenantId, ep.id);
    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'the receiver answered 410 Gone' });
    expect((await deliveriesOf(ep.id)).map((d) => d.status).sort()).toEqual(['cancelled', 'failed']);
    expect(gone.requests).toHaveLength(1);
    const event = JSON.parse(ops.requests[0]!.body);
    expect(event.metadata.eventType).toBe('webhook.disabled');
    expect(event.data).toMatchObject({ endpointId: ep.id, reason: 'the receiver answered 410 Gone' });
  });

  it('disables an endpoint that keeps failing for the configured period', async () => {
    const r = await receiver((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const ops = await receiver();
    const ep = await endpoint(r.url, { events: ['a.b'] });
    const opsEp = await endpoint(ops.url, { events: ['webhook.disabled'] });
    h.dispatcher({ disableAfterMs: 30 }).start();
    await h.store.publish(h.tenantId, { eventType: 'a.b', data: {} });
    await settled(opsEp.id, 'succeeded');
    const e = await h.store.getEndpoint(h.tenantId, ep.id);
    expect(e?.enabled).toBe(false);
    expect(e?.disabledReason).toMatch(/^failing continuously since /);
    expect(r.requests.length).toBeGreaterThanOrEqual(2);
    expect(r.requests.length).toBeLessThan(4);
    expect(JSON.parse(ops.requests[0]!.body).data.failingSince).toBeDefined();
  });

  it('a success resets the failure streak', async () => {
    const r = await receiver((_req, res, i) => {
      res.statusCode = i === 0 ? 500 : 200;
      res.end();
    });
    const ep = await endpoint(r.url);
    h.dispatcher().start();
    await h.store.publish(h.tenantId, { eventType: 'a.b', data: {} });
    await settled(ep.id, 'succeeded');
    expect((await h.store.getEndpoint(h.tenantId, ep.id))?.failingSince).toBeNull();
  });
});

describe('redeliver, replay, rotation, test sends', () => {
  it('redeliver sends the same message again with the same webhook-id', async () => {
    const r = await receiver();
    const ep = await endpoint(r.url);
    const d = h.dispatcher();
    d.start();
    const { message } = await h.store.publish(h.tenantId, { eventType: 'a.b', data: {} });
    const [first] = await settled(ep.id, 'succeeded');
    await h.store.redeliver(h.tenantId, first!.id);
    d.notify();
    await waitFor(() => r.requests.length === 2, 'the redelivery');
    await settled(ep.id, 'succeeded');
    expect(r.requests.map((q) => q.headers['webhook-id'])).toEqual([message.id, message.id]);
    expect((await h.store.getDelivery(h.tenantId, first!.id))?.attemptCount).toBe(2);
  });

  it('replayFailedSince resends every failed delivery once the receiver is back', async () => {
    let up = false;
    const r = await receiver((_req, res) => {
      res.statusCode = up ? 200 : 500;
      res.end();
    });
    const ep = await endpoint(r.url, { events: ['a.b'] }); // not the delivery.exhausted events of the failures
    const d = h.dispatcher({ plans: { test: { name: 'test', retryScheduleMs: [] } } });
    d.start();
    const since = new Date(Date.now() - 1000);
    await h.store.publishBatch(
      h.tenantId,
      [1, 2, 3].map((n) => ({ eventType: 'a.b', data: n })),
    );
    await settled(ep.id, 'failed', 3);
    up = true;
    expect(await h.store.replayFailedSince(h.tenantId, ep.id, since)).toBe(3);
    d.notify();
    await settled(ep.id, 'succeeded', 3);
    expect(r.requests).toHaveLength(6);
  });

  it('during a rotation overlap both secrets sign, and each verifies alone', async () => {
    const r = await receiver();
    const ep = await endpoint(r.url);
    const oldSecret = ep.secrets.current;
    const newSecret = generateEndpointSecret();
    await h.store.rotateEndpointSecret(h.tenantId, ep.id, newSecret, 60_000);
    h.dispatcher().start();
    await h.store.publish(h.tenantId, { eventType: 'a.b', data: {} });
    await settled(ep.id, 'succeeded');
    const req = r.requests[0]!;
    expect(String(req.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [oldSecret, newSecret]) {
      await expect(
        verify(schemes.standard(), { secret, body: req.body, headers: req.headers }),
      ).resolves.toBeDefined();
      expect(() => new Webhook(secret).verify(req.body, req.headers as Record<string, string>)).not.toThrow();
    }
  });

  it('after the overlap only the new secret signs', async () => {
    const r = await receiver();
    const ep = await endpoint(r.url);
    const oldSecret = ep.secrets.current;
    await h.store.rotateEndpointSecret(h.tenantId, ep.id, generateEndpointSecret(), -1);
    h.dispatcher().start();
    await h.store.publish(h.tenantId, { eventType: 'a.b', data: {} });
    await settled(ep.id, 'succeeded');
    const req = r.requests[0]!;
    expect(String(req.headers['webhook-signature']).split(' ')).toHaveLength(1);
    await expect(
      verify(schemes.standard(), { secret: oldSecret, body: req.body, headers: req.headers }),
    ).rejects.toMatchObject({ code: 'no_matching_signature' });
  });

  it('sendTest performs one attempt now and returns it', async () => {
    const r = await receiver((_req, res) => {
      res.statusCode = 201;
      res.end('{"received":true}');
    });
    const ep = await endpoint(r.url);
    const attempt = await h.dispatcher().sendTest(ep);
    expect(attempt).toMatchObject({
      statusCode: 201,
      errorKind: 'none',
      responsePreview: '{"received":true}',
    });
    expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(r.requests[0]!.body).metadata.eventType).toBe('webhook.test');
    const [d] = await deliveriesOf(ep.id);
    expect(d?.status).toBe('succeeded');
    const failing = await receiver((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const ep2 = await endpoint(failing.url);
    expect((await h.dispatcher().sendTest(ep2)).statusCode).toBe(500);
    expect((await h.store.getEndpoint(h.tenantId, ep2.id))?.failingSince).toBeNull();
    expect((await deliveriesOf(ep2.id))[0]?.status).toBe('failed');
  });
});

describe('egress safety', () => {
  it('blocks a hostname that resolves to 127.0.0.1 when not in dev mode (connect-time guard)', async () => {
    const r = await receiver();
    const ep = await endpoint(`http://hooks.customer.example:${r.port}/in`);
    const resolver = async () => [{ address: '127.0.0.1', family: 4 as const }];
    h.dispatcher({ dev: false, resolver }).start();
    await h.store.publish(h.tenantId, { eventType: 'a.b', data: {} });
    const [d] = await waitFor(async () => {
      const ds = await deliveriesOf(ep.id);
      return ds[0]?.attemptCount ? ds : null;
    }, 'an attempt');
    const [attempt] = (await h.store.listAttempts(h.tenantId, d!.id)).items;
    expect(attempt).toMatchObject({ errorKind: 'blocked', statusCode: null });
    expect(attempt?.error).toContain('127.0.0.1');
    expect(r.requests).toHaveLength(0);
  });

  it('blocks an IP literal at connect time too, and lets the same name through in dev mode', async () => {
    const r = await receiver();
    const literal = await endpoint(`http://127.0.0.1:${r.port}/in`);
    const named = await endpoint(`http://hooks.customer.example:${r.port}/in`);
    const resolver = async () => [
      { address: '10.0.0.7', family: 4 as const },
      { address: '127.0.0.1', family: 4 as const },
    ];
    const strict = h.dispatcher({ dev: false, resolver });
    expect((await strict.sendTest(literal)).errorKind).toBe('blocked');
    // Dev mode: loopback allowed; the private record of the mixed answer is dropped, loopback dialled.
    const dev = h.dispatcher({ dev: true, resolver });
    expect((await dev.sendTest(named)).statusCode).toBe(200);
    expect(r.requests).toHaveLength(1);
    const onlyPrivate = h.dispatcher({
      dev: true,
      resolver: async () => [{ address: '169.254.169.254', family: 4 }],
    });
    expect((await onlyPrivate.sendTest(named)).errorKind).toBe('blocked');
  });

  it('does not follow a 302 to an internal address', async () => {
    const internal = await receiver();
    const r = await receiver((_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', `${internal.url}/latest/meta-data`);
      res.end();
    });
    const ep = await endpoint(r.url);
    const attempt = await h.dispatcher().sendTest(ep);
    expect(attempt).toMatchObject({ statusCode: 302, errorKind: 'redirect' });
    expect(attempt.error).toContain('not followed');
    expect(internal.requests).toHaveLength(0);
  });

  it('keeps at most 1 KiB of a huge response and never inflates a gzip body', async () => {
    const huge = await receiver((_req, res) => {
      res.statusCode = 200;
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        // 64 MiB offered; the reader stops after 1 KiB, so most of it is never read.
        while (sent < 1024 && res.write(chunk)) {
          sent++;
        }
        if (sent < 1024) {
          res.once('drain', pump);
        } else {
          res.end();
        }
      };
      res.on('error', () => {});
      pump();
    });
    const a = await h.dispatcher().sendTest(await endpoint(huge.url));
    expect(a.errorKind).toBe('none');
    expect(a.responsePreview).toBe('a'.repeat(1024));

    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0));
    const gz = await receiver((_req, res) => {
      res.statusCode = 200;
      res.setHeader('content-encoding', 'gzip');
      res.end(bomb);
    });
    const b = await h.dispatcher().sendTest(await endpoint(gz.url));
    expect(b.errorKind).toBe('none');
    expect(b.responsePreview).toBe('[gzip-encoded response not decoded]');
    expect(gz.requests[0]?.headers['accept-encoding']).toBe('identity');
  });

  it('times out a receiver that stalls before or during the response', async () => {
    const stall = await receiver(() => {
      // never answers
    });
    const a = await h.dispatcher({ timeoutMs: 300 }).sendTest(await endpoint(stall.url));
    expect(a).toMatchObject({ errorKind: 'timeout', statusCode: null });
    const trickle = await receiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial'); // then nothing: a slowloris body under 1 KiB
    });
    const b = await h.dispatcher({ timeoutMs: 300 }).sendTest(await endpoint(trickle.url));
    expect(b).toMatchObject({ errorKind: 'timeout', statusCode: 200 });
  });

  it('records a connection refusal as a network error', async () => {
    const r = await receiver();
    const url = r.url;
    await r.close();
    const a = await h.dispatcher().sendTest(await endpoint(url));
    expect(a).toMatchObject({ errorKind: 'network', statusCode: null });
    expect(a.error).toContain('ECONNREFUSED');
  });
});

describe('leases, shutdown, limits', () => {
  it('a delivery claimed by a worker that died is delivered after the lease expires', async () => {
    const r = await receiver();
    const ep = await endpoint(r.url);
    await h.store.publish(h.tenantId, { eventType: 'a.b', data: {} });
    const [claimed] = await h.store.claimDue('crashed-worker', 10, 300);
    expect(claimed).toBeDefined();
    h.dispatcher().start();
    const [d] = await settled(ep.id, 'succeeded');
    expect(d?.id).toBe(claimed?.delivery.id);
    expect(r.requests).toHaveLength(1);
  });

  it('stop() lets in-flight attempts finish within the deadline', async () => {
    const r = await receiver((_req, res) => {
      setTimeout(() => res.end('slow ok'), 300);
    });
    const ep = await endpoint(r.url);
    const d = h.dispatcher();
    d.start();
    await h.store.publish(h.tenantId, { eventType: 'a.b', data: {} });
    await waitFor(() => r.requests.length === 1, 'the request');
    await d.stop({ deadlineMs: 5000 });
    expect((await deliveriesOf(ep.id))[0]?.status).toBe('succeeded');
  });

  it('stop() past the deadline aborts, records nothing and gives the lease back', async () => {
    const r = await receiver(() => {
      // stalls
    });
    const ep = await endpoint(r.url);
    const d = h.dispatcher({ timeoutMs: 10_000 });
    d.start();
    await h.store.publish(h.tenantId, { eventType: 'a.b', data: {} });
    await waitFor(() => r.requests.length === 1, 'the request');
    await d.stop({ deadlineMs: 50 });
    const [delivery] = await deliveriesOf(ep.id);
    expect(delivery).toMatchObject({ status: 'pending', attemptCount: 0 });
    expect((await h.store.claimDue('next-process', 10, 1000)).map((c) => c.delivery.id)).toEqual([
      delivery!.id,
    ]);
  });

  it('caps concurrent attempts per endpoint', async () => {
    let current = 0;
    let max = 0;
    const r = await receiver((_req, res) => {
      current++;
      max = Math.max(max, current);
      setTimeout(() => {
        current--;
        res.end();
      }, 30);
    });
    const ep = await endpoint(r.url);
    h.dispatcher({ endpointConcurrency: 2 }).start();
    await h.store.publishBatch(
      h.tenantId,
      Array.from({ length: 8 }, (_, i) => ({ eventType: 'a.b', data: i })),
    );
    await settled(ep.id, 'succeeded', 8);
    expect(max).toBeLessThanOrEqual(2);
    expect(r.requests).toHaveLength(8);
  });

  it('applies the endpoint rate limit', async () => {
    const r = await receiver();
    const ep = await endpoint(r.url, { rateLimitPerSecond: 2 });
    h.dispatcher().start();
    await h.store.publishBatch(
      h.tenantId,
      Array.from({ length: 3 }, (_, i) => ({ eventType: 'a.b', data: i })),
    );
    await settled(ep.id, 'succeeded', 3);
    const attempts = await Promise.all(
      (await deliveriesOf(ep.id)).map(async (d) =>
        (await h.store.listAttempts(h.tenantId, d.id)).items[0]!.startedAt.getTime(),
      ),
    );
    attempts.sort((a, b) => a - b);
    // Burst of 2, the third waits for a token (~500 ms at 2/s).
    expect(attempts[2]! - attempts[0]!).toBeGreaterThanOrEqual(400);
  });

  it('publish wakes an idle dispatcher through notify()', async () => {
    const r = await receiver();
    const ep = await endpoint(r.url);
    const d = h.dispatcher({ idleIntervalMs: 60_000 });
    d.start();
    await new Promise((res) => setTimeout(res, 50)); // let it go idle
    await h.store.publish(h.tenantId, { eventType: 'a.b', data: {} });
    d.notify();
    await settled(ep.id, 'succeeded');
  });
});
