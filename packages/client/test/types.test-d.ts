import { describe, expectTypeOf, it } from 'vitest';
import {
  type ApiErrorCode,
  createHookwireClient,
  type Delivery,
  type DeliveryDetail,
  type HookwireApiError,
  type PageIterator,
  type Webhook,
  type WebhookCreated,
} from '../src/index.js';

type LinkEvents = {
  'link.click': { linkId: string; country: string; referrer?: string };
  'link.created': { linkId: string; url: string };
};

const options = { baseUrl: 'http://127.0.0.1:1', apiKey: 'hwk_k' };

describe('publishing with a catalog', () => {
  const hw = createHookwireClient<LinkEvents>(options);

  it('accepts a known event with its data', () => {
    hw.events.publish({ type: 'link.click', data: { linkId: 'lnk_1', country: 'FR' } });
    hw.events.publish({ type: 'link.created', data: { linkId: 'lnk_1', url: 'https://x.test' }, id: 'my-1' });
    hw.events.publishBatch([
      { type: 'link.click', data: { linkId: 'l', country: 'US', referrer: 'news' } },
      { type: 'link.created', data: { linkId: 'l', url: 'https://x.test' } },
    ]);
  });

  it('rejects unknown event names, including short ones', () => {
    // @ts-expect-error 'click' is not in the catalog (AWSYS.CO: short names are invalid)
    hw.events.publish({ type: 'click', data: { linkId: 'lnk_1', country: 'FR' } });
    // @ts-expect-error a typo in the name
    hw.events.publish({ type: 'link.clicked', data: { linkId: 'lnk_1', country: 'FR' } });
  });

  it('rejects wrong field types, missing fields and foreign data', () => {
    // @ts-expect-error linkId must be a string
    hw.events.publish({ type: 'link.click', data: { linkId: 42, country: 'FR' } });
    // @ts-expect-error country is required for link.click
    hw.events.publish({ type: 'link.click', data: { linkId: 'lnk_1' } });
    // @ts-expect-error link.created data on a link.click
    hw.events.publish({ type: 'link.click', data: { linkId: 'lnk_1', url: 'https://x.test' } });
    // @ts-expect-error data is required
    hw.events.publish({ type: 'link.click' });
  });

  it('infers the catalog from the `catalog` option', () => {
    const typed = createHookwireClient({ ...options, catalog: {} as LinkEvents });
    typed.events.publish({ type: 'link.created', data: { linkId: 'l', url: 'u' } });
    // @ts-expect-error unknown event with an inferred catalog
    typed.events.publish({ type: 'link.deleted', data: {} });
  });
});

describe('publishing without a catalog', () => {
  const hw = createHookwireClient(options);

  it('takes any type with object data', () => {
    hw.events.publish({ type: 'anything.goes', data: { n: 1 } });
    // @ts-expect-error data must be an object
    hw.events.publish({ type: 'link.click', data: 'text' });
    // @ts-expect-error type is required
    hw.events.publish({ data: {} });
  });
});

describe('requests are checked against the spec', () => {
  const hw = createHookwireClient(options);

  it('webhooks.create', () => {
    hw.webhooks.create({ url: 'https://x.test', events: ['link.click'], envelope: 'v1' });
    hw.webhooks.create({
      url: 'https://x.test',
      signature: { scheme: 'timestamped', header: 'aktify-signature', unit: 'ms', version: 'v2' },
    });
    // @ts-expect-error url is required
    hw.webhooks.create({ events: ['link.click'] });
    // @ts-expect-error events is a list
    hw.webhooks.create({ url: 'https://x.test', events: 'link.click' });
    // @ts-expect-error there is no envelope v3
    hw.webhooks.create({ url: 'https://x.test', envelope: 'v3' });
    // @ts-expect-error hmac needs a header
    hw.webhooks.create({ url: 'https://x.test', signature: { scheme: 'hmac' } });
    const url = 'https://x.test';
    // @ts-expect-error unit is s or ms
    hw.webhooks.create({ url, signature: { scheme: 'timestamped', header: 'h', unit: 'us' } });
    // @ts-expect-error rate limit is a number
    hw.webhooks.create({ url: 'https://x.test', rateLimitPerSecond: '10' });
  });

  it('filters', () => {
    hw.deliveries.list({ status: 'failed', since: new Date(), webhookId: 'wh_x' });
    // @ts-expect-error not a delivery status
    hw.deliveries.list({ status: 'done' });
    // @ts-expect-error limit is a number
    hw.deliveries.list({ limit: '10' });
    // @ts-expect-error replay needs since
    hw.webhooks.replay('wh_x', {});
  });
});

describe('responses are fully typed', () => {
  const hw = createHookwireClient(options);

  it('create returns the secret once; get does not', () => {
    expectTypeOf(hw.webhooks.create({ url: 'https://x.test' })).resolves.toEqualTypeOf<WebhookCreated>();
    expectTypeOf<WebhookCreated['secret']>().toEqualTypeOf<string>();
    expectTypeOf(hw.webhooks.get('wh_x')).resolves.toEqualTypeOf<Webhook>();
    expectTypeOf<Webhook>().not.toHaveProperty('secret');
    expectTypeOf<Webhook['envelope']>().toEqualTypeOf<'v1' | 'v2' | 'standard' | 'object' | 'flat'>();
    expectTypeOf<Webhook['disabledReason']>().toEqualTypeOf<'manual' | 'gone' | 'failing' | null>();
  });

  it('keys, tokens and secrets appear only where the spec returns them', async () => {
    const key = await hw.apiKeys.create('tnt_x', { name: 'ci' });
    expectTypeOf(key.key).toEqualTypeOf<string>();
    const source = await hw.sources.create({ name: 's', eventType: 'activity.purchase' });
    expectTypeOf(source.token).toEqualTypeOf<string>();
    const rotated = await hw.webhooks.rotateSecret('wh_x');
    expectTypeOf(rotated.secret).toEqualTypeOf<string>();
    expectTypeOf(rotated.previousSecretExpiresAt).toEqualTypeOf<string | null>();
  });

  it('lists iterate typed items; a delivery has typed attempts', async () => {
    expectTypeOf(hw.deliveries.list()).toEqualTypeOf<PageIterator<Delivery>>();
    for await (const d of hw.deliveries.list()) {
      expectTypeOf(d.status).toEqualTypeOf<'pending' | 'in_flight' | 'succeeded' | 'failed' | 'cancelled'>();
    }
    const detail = await hw.deliveries.get('dlv_x');
    expectTypeOf(detail).toEqualTypeOf<DeliveryDetail>();
    expectTypeOf(detail.attempts[0]!.statusCode).toEqualTypeOf<number | null>();
    expectTypeOf(detail.attempts[0]!.errorKind).toEqualTypeOf<
      'none' | 'timeout' | 'network' | 'http_status' | 'blocked' | 'tls' | 'redirect'
    >();
    const page = await hw.webhooks.list().firstPage();
    expectTypeOf(page.nextCursor).toEqualTypeOf<string | null>();
    expectTypeOf(hw.webhooks.delete('wh_x')).resolves.toEqualTypeOf<void>();
  });

  it('errors carry the documented codes', () => {
    expectTypeOf<'INVALID_EVENTS'>().toExtend<ApiErrorCode>();
    expectTypeOf<'QUOTA_EXCEEDED'>().toExtend<HookwireApiError['code']>();
    expectTypeOf<HookwireApiError['invalid']>().toEqualTypeOf<string[]>();
  });

  it('raw is the openapi-fetch client over the same paths', async () => {
    const { data } = await hw.raw.GET('/api/webhooks/{webhookId}', {
      params: { path: { webhookId: 'wh_x' } },
    });
    expectTypeOf(data).toEqualTypeOf<Webhook | undefined>();
    // @ts-expect-error not a path of the API
    hw.raw.GET('/api/nope');
  });
});

describe('catalogs shaped like @hookwire/events Catalog<TMap>', () => {
  // The same shape as `Catalog<TMap>` of @hookwire/events: the map rides on the type-only '~types' property.
  interface CatalogLike<TMap extends Record<string, unknown>> {
    readonly types: readonly (keyof TMap & string)[];
    readonly '~types'?: TMap | undefined;
  }
  const catalog = {} as CatalogLike<LinkEvents>;

  it('types publish from `typeof catalog` and from the catalog option', () => {
    const explicit = createHookwireClient<typeof catalog>(options);
    explicit.events.publish({ type: 'link.click', data: { linkId: 'l', country: 'FR' } });
    // @ts-expect-error unknown event name
    explicit.events.publish({ type: 'link.gone', data: {} });
    const inferred = createHookwireClient({ ...options, catalog });
    // @ts-expect-error wrong data type
    inferred.events.publish({ type: 'link.created', data: { linkId: 'l', url: 1 } });
  });
});
