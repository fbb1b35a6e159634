import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHookwireClient, type HookwireClient, PageIterator } from '../src/index.js';
import { type SpecServer, startSpecServer } from './support/spec-server.js';

const WH = 'wh_01jc8y0c3t9k1w6t0f4q3x9v2c';
const MSG = 'msg_01jc8y0c3t9k1w6t0f4q3x9v2d';
const DLV = 'dlv_01jc8y0c3t9k1w6t0f4q3x9v2e';
const TNT = 'tnt_01jc8y0c3t9k1w6t0f4q3x9v2a';
const KEY = 'key_01jc8y0c3t9k1w6t0f4q3x9v2b';
const SRC = 'src_01jc8y0c3t9k1w6t0f4q3x9v2k';

let server: SpecServer;
let hw: HookwireClient;

beforeAll(async () => {
  server = await startSpecServer();
  hw = createHookwireClient({ baseUrl: server.url, apiKey: 'hwk_test_key', retries: false });
});
afterAll(() => server.close());
afterEach(() => {
  const violations = server.violations.splice(0);
  server.requests.length = 0;
  // Every request any test made must have matched the spec.
  expect(violations).toEqual([]);
});

/** The spec's first example for an operation's 2xx answer: what the test server sends back. */
const example = (operationId: string): unknown => {
  const op = server.spec.operations.find((o) => o.operationId === operationId);
  return op?.responses.find((r) => r.status >= 200 && r.status < 300)?.examples[0];
};

const listed = (operationId: string): unknown => (example(operationId) as { data: unknown }).data;

type Case = [
  operationId: string,
  call: (hw: HookwireClient) => Promise<unknown>,
  expected: (id: string) => unknown,
];

const same = (id: string): unknown => example(id);
const none = (): unknown => undefined;
const firstPage = (id: string): unknown => example(id);

const cases: Case[] = [
  ['createTenant', (c) => c.tenants.create({ name: 'Acme', plan: 'pro' }), same],
  ['listTenants', (c) => c.tenants.list({ limit: 10 }).firstPage(), firstPage],
  ['getTenant', (c) => c.tenants.get(TNT), same],
  ['updateTenant', (c) => c.tenants.update(TNT, { plan: 'builder' }), same],
  ['deleteTenant', (c) => c.tenants.delete(TNT), none],
  ['createPortalLink', (c) => c.tenants.createPortalLink(TNT, { expiresInSeconds: 900 }), same],
  ['createApiKey', (c) => c.apiKeys.create(TNT, { name: 'ci' }), same],
  ['listApiKeys', (c) => c.apiKeys.list(TNT).firstPage(), firstPage],
  ['deleteApiKey', (c) => c.apiKeys.delete(TNT, KEY), none],
  ['listPlans', (c) => c.plans.list(), listed],
  [
    'createWebhook',
    (c) =>
      c.webhooks.create({
        url: 'https://hooks.acme.test/acturity',
        events: ['link.click'],
        signature: { scheme: 'hmac', header: 'X-Acturity-Signature', prefix: 'sha256=' },
        headers: { 'X-Team': 'growth' },
        metadata: { owner: 'growth' },
      }),
    same,
  ],
  ['listWebhooks', (c) => c.webhooks.list({ enabled: true, eventType: 'link.click' }).firstPage(), firstPage],
  ['getWebhook', (c) => c.webhooks.get(WH), same],
  ['updateWebhook', (c) => c.webhooks.update(WH, { enabled: false }), same],
  ['deleteWebhook', (c) => c.webhooks.delete(WH), none],
  ['rotateWebhookSecret', (c) => c.webhooks.rotateSecret(WH, { overlapSeconds: 3600 }), same],
  ['sendTestEvent', (c) => c.webhooks.sendTest(WH), same],
  ['getWebhookStats', (c) => c.webhooks.stats(WH, { hours: 2 }), same],
  ['replayWebhook', (c) => c.webhooks.replay(WH, { since: new Date('2026-11-22T00:00:00Z') }), same],
  ['listEventTypes', (c) => c.eventTypes.list({ includeDeprecated: false }).firstPage(), firstPage],
  ['createEventType', (c) => c.eventTypes.create({ name: 'link.click', schema: { type: 'object' } }), same],
  ['getEventType', (c) => c.eventTypes.get('link.click'), same],
  ['updateEventType', (c) => c.eventTypes.update('link.click', { deprecated: true }), same],
  ['deleteEventType', (c) => c.eventTypes.delete('link.click'), none],
  ['publishEvent', (c) => c.events.publish({ type: 'link.click', data: { linkId: 'lnk_1' } }), same],
  [
    'publishEventBatch',
    (c) =>
      c.events.publishBatch([
        { type: 'link.click', data: { linkId: 'lnk_1' } },
        { type: 'link.created', data: { linkId: 'lnk_2' }, id: 'import-1' },
      ]),
    listed,
  ],
  ['getEvent', (c) => c.events.get(MSG), same],
  [
    'listEvents',
    (c) => c.events.list({ eventType: 'link.click', since: new Date(0) }).firstPage(),
    firstPage,
  ],
  [
    'listDeliveries',
    (c) => c.deliveries.list({ webhookId: WH, status: 'failed', since: '2026-11-22T00:00:00Z' }).firstPage(),
    firstPage,
  ],
  ['getDelivery', (c) => c.deliveries.get(DLV), same],
  ['redeliverDelivery', (c) => c.deliveries.redeliver(DLV), same],
  ['createSource', (c) => c.sources.create({ name: 'Storefront', eventType: 'activity.purchase' }), same],
  ['listSources', (c) => c.sources.list().firstPage(), firstPage],
  ['getSource', (c) => c.sources.get(SRC), same],
  ['updateSource', (c) => c.sources.update(SRC, { enabled: false }), same],
  ['deleteSource', (c) => c.sources.delete(SRC), none],
  ['rotateSourceToken', (c) => c.sources.rotateToken(SRC), same],
  ['getHealth', (c) => c.health(), same],
  ['getReadiness', async (c) => (await c.raw.GET('/readyz')).data, same],
  ['getOpenApiDocument', async (c) => (await c.raw.GET('/openapi.json')).data, same],
  ['getMetrics', async (c) => (await c.raw.GET('/metrics', { parseAs: 'text' })).data, same],
  [
    'receiveInbound',
    async (c) =>
      (
        await c.raw.POST('/in/{sourceId}', {
          params: { path: { sourceId: SRC }, query: { token: 'hwt_x' } as never },
          body: { event: 'purchase', first_name: 'Alex', timestamp: '2026-02-28T12:00:00Z' },
        })
      ).data,
    same,
  ],
];

describe('every operation through the client', () => {
  it.each(cases)('%s', async (operationId, call, expected) => {
    const result = await call(hw);
    expect(server.requests.map((r) => r.operationId)).toEqual([operationId]);
    expect(result).toEqual(expected(operationId));
    expect(server.requests[0]?.headers.authorization).toBe('Bearer hwk_test_key');
  });

  it('covers every operation of the spec', () => {
    const covered = new Set(cases.map(([id]) => id));
    expect(server.spec.operations.map((o) => o.operationId).filter((id) => !covered.has(id))).toEqual([]);
  });
});

describe('request shapes', () => {
  it('sends JSON bodies and converts Date filters to RFC 3339', async () => {
    await hw.webhooks.replay(WH, { since: new Date('2026-11-22T00:00:00Z'), until: '2026-11-23T00:00:00Z' });
    await hw.deliveries.list({ since: new Date('2026-11-22T10:00:00.000Z'), status: 'failed' }).firstPage();
    const [replay, list] = server.requests;
    expect(replay?.headers['content-type']).toBe('application/json');
    expect(replay?.body).toEqual({ since: '2026-11-22T00:00:00.000Z', until: '2026-11-23T00:00:00Z' });
    const query = new URL(list?.url ?? '', 'http://x').searchParams;
    expect([...query].sort()).toEqual([
      ['since', '2026-11-22T10:00:00.000Z'],
      ['status', 'failed'],
    ]);
  });

  it('encodes path parameters', async () => {
    await hw.eventTypes.get('campaign.click.recorded');
    expect(server.requests[0]?.url).toBe('/api/event-types/campaign.click.recorded');
  });

  it('gives each publish its own Idempotency-Key, or the one passed', async () => {
    await hw.events.publish({ type: 'link.click', data: {} });
    await hw.events.publish({ type: 'link.click', data: {} });
    await hw.events.publish({ type: 'link.click', data: {} }, { idempotencyKey: 'job-42' });
    await hw.events.publishBatch([{ type: 'link.click', data: {} }]);
    const keys = server.requests.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBe('job-42');
    expect(keys[3]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('passes per-call and client-wide headers; never lets them replace the API key', async () => {
    const client = createHookwireClient({
      baseUrl: server.url,
      apiKey: 'hwk_real',
      headers: { 'X-Trace': 'abc', Authorization: 'Bearer hwk_spoofed' },
    });
    await client.webhooks.get(WH, { headers: { 'X-Call': '1' } });
    const headers = server.requests[0]?.headers;
    expect(headers?.['x-trace']).toBe('abc');
    expect(headers?.['x-call']).toBe('1');
    expect(headers?.authorization).toBe('Bearer hwk_real');
  });

  it('hands the injected fetch a real Request', async () => {
    const seen: Request[] = [];
    const client = createHookwireClient({
      baseUrl: server.url,
      apiKey: 'hwk_k',
      fetch: (request) => {
        seen.push(request);
        return fetch(request);
      },
    });
    await client.events.publish({ type: 'link.click', data: { linkId: 'lnk_1' } });
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request).toBeInstanceOf(Request);
    expect(request?.method).toBe('POST');
    expect(new URL(request?.url ?? '').pathname).toBe('/api/events');
    expect(request?.headers.get('idempotency-key')).toBe(server.requests[0]?.headers['idempotency-key']);
  });
});

describe('pagination', () => {
  const page = (ids: string[], nextCursor: string | null) => ({
    status: 200,
    body: {
      data: ids.map((id) => ({ ...(listed('listDeliveries') as object[])[0], id })),
      nextCursor,
    },
  });
  const dlv = (n: number) => `dlv_01jc8y0c3t9k1w6t0f4q3x9v${String(n).padStart(2, '0')}`;

  it('walks every page with for await, passing the cursor along', async () => {
    server.script('listDeliveries', page([dlv(1), dlv(2)], 'c2'), page([dlv(3)], 'c3'), page([dlv(4)], null));
    const ids: string[] = [];
    for await (const d of hw.deliveries.list({ webhookId: WH, limit: 2 })) {
      ids.push(d.id);
    }
    expect(ids).toEqual([dlv(1), dlv(2), dlv(3), dlv(4)]);
    expect(server.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('cursor'))).toEqual([
      null,
      'c2',
      'c3',
    ]);
    expect(server.requests.every((r) => r.url.includes('limit=2') && r.url.includes(`webhookId=${WH}`))).toBe(
      true,
    );
  });

  it('loads lazily: breaking out early fetches no further page', async () => {
    server.script('listDeliveries', page([dlv(1), dlv(2)], 'c2'), page([dlv(3)], null));
    for await (const d of hw.deliveries.list()) {
      expect(d.id).toBe(dlv(1));
      break;
    }
    expect(server.requests).toHaveLength(1);
    server.script('listDeliveries'); // leave nothing queued for later tests
    await hw.deliveries.list().firstPage();
  });

  it('starts at a given cursor and returns one page for UIs', async () => {
    server.script('listDeliveries', page([dlv(5)], 'c6'));
    const it = hw.deliveries.list({ cursor: 'c5' });
    expect(it).toBeInstanceOf(PageIterator);
    const first = await it.firstPage();
    expect(first.nextCursor).toBe('c6');
    expect(server.requests[0]?.url).toContain('cursor=c5');
  });

  it('stops when the server repeats a cursor, and caps toArray', async () => {
    server.script('listDeliveries', page([dlv(1)], 'loop'), page([dlv(2)], 'loop'));
    const all = await hw.deliveries.list().toArray();
    expect(all.map((d) => d.id)).toEqual([dlv(1), dlv(2)]);
    server.script('listDeliveries', page([dlv(1), dlv(2)], 'more'));
    expect((await hw.deliveries.list().toArray({ max: 1 })).map((d) => d.id)).toEqual([dlv(1)]);
  });
});

describe('the test server', () => {
  it('rejects requests that break the spec (so the per-test violation check can fail)', async () => {
    const { response } = await hw.raw.POST('/api/webhooks', {
      // biome-ignore lint/suspicious/noExplicitAny: deliberately invalid body to exercise the validator
      body: { events: 'link.click' } as any,
    });
    expect(response.status).toBe(400);
    const violations = server.violations.splice(0);
    expect(violations.join('\n')).toMatch(/required property 'url'/);
    expect(violations.join('\n')).toMatch(/events must be array/);
  });
});

describe('createHookwireClient options', () => {
  it('rejects a relative or non-http baseUrl and an empty apiKey', () => {
    expect(() => createHookwireClient({ baseUrl: '/api', apiKey: 'k' })).toThrow(TypeError);
    expect(() => createHookwireClient({ baseUrl: 'ftp://x', apiKey: 'k' })).toThrow(/http/);
    expect(() => createHookwireClient({ baseUrl: server.url, apiKey: ' ' })).toThrow(/apiKey/);
  });
});
