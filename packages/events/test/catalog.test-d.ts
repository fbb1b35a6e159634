import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { type LinksCatalog, links } from '../src/catalogs/links.js';
import {
  type CatalogData,
  type CatalogEvent,
  type CatalogEventType,
  type CatalogMap,
  defineCatalog,
  parseEnvelope,
  type WebhookEvent,
} from '../src/index.js';

/** A minimal typed `on`, the shape the receiver router builds on these types. */
declare function on<C extends LinksCatalog, T extends CatalogEventType<C>>(
  catalog: C,
  type: T,
  handler: (event: Extract<CatalogEvent<C>, { type: T }>) => void,
): void;

describe('links catalog types', () => {
  it('types data per event', () => {
    on(links, 'link.click', (e) => {
      expectTypeOf(e.type).toEqualTypeOf<'link.click'>();
      expectTypeOf(e.data.country).toEqualTypeOf<string | undefined>();
      expectTypeOf(e.data.link_id).toEqualTypeOf<string>();
    });
    on(links, 'campaign.click.recorded', (e) => {
      expectTypeOf(e.data.campaignId).toEqualTypeOf<string>();
      expectTypeOf(e.data.routingRuleId).toEqualTypeOf<string | null | undefined>();
      expectTypeOf(e.data.suspicious).toEqualTypeOf<boolean | undefined>();
    });
  });

  it('rejects misspelt event names', () => {
    // @ts-expect-error 'link.clik' is not an event of the links catalog
    on(links, 'link.clik', () => {});
    // @ts-expect-error short names are not event names
    on(links, 'click', () => {});
  });

  it('rejects fields an event does not declare as typed fields', () => {
    on(links, 'link.deleted', (e) => {
      // @ts-expect-error link.deleted has no `country` typed as string (open objects type extras as unknown)
      e.data.country satisfies string;
    });
  });

  it('narrows the union on type', () => {
    const event = {} as CatalogEvent<LinksCatalog>;
    if (event.type === 'link.limit_reached') {
      expectTypeOf(event.data.max_clicks).toEqualTypeOf<number | undefined>();
    } else if (event.type === 'short_link.click.recorded') {
      expectTypeOf(event.data.shortLinkId).toEqualTypeOf<string>();
    }
    switch (event.type) {
      case 'link.click':
        expectTypeOf(event.data.link_id).toEqualTypeOf<string>();
        break;
      // @ts-expect-error not a member of the union
      case 'link.clik':
        break;
    }
    expectTypeOf(event).toExtend<WebhookEvent>();
  });

  it('exposes the map and per-event data', () => {
    expectTypeOf<keyof CatalogMap<LinksCatalog>>().toEqualTypeOf<(typeof links.types)[number]>();
    expectTypeOf<CatalogData<LinksCatalog, 'link.geo_blocked'>['country']>().toEqualTypeOf<string>();
    expectTypeOf(links.has).guards.toEqualTypeOf<CatalogEventType<LinksCatalog>>();
  });
});

describe('Standard Schema and inline JSON Schema inference', () => {
  const catalog = defineCatalog({
    'order.paid': z.object({ amount: z.number(), currency: z.string().optional() }),
    'order.refunded': v.object({ amount: v.number() }),
    'order.shipped': type({ carrier: 'string', 'eta?': 'string' }),
    'order.created': {
      type: 'object',
      properties: { id: { type: 'string' }, items: { type: 'array', items: { type: 'string' } } },
      required: ['id'],
      additionalProperties: false,
    },
    'order.transformed': z.object({ n: z.string().transform(Number) }),
  });
  type E = CatalogEvent<typeof catalog>;

  it('infers each library', () => {
    expectTypeOf<Extract<E, { type: 'order.paid' }>['data']>().toEqualTypeOf<{
      amount: number;
      currency?: string | undefined;
    }>();
    expectTypeOf<Extract<E, { type: 'order.refunded' }>['data']>().toEqualTypeOf<{ amount: number }>();
    expectTypeOf<Extract<E, { type: 'order.shipped' }>['data']['carrier']>().toEqualTypeOf<string>();
    expectTypeOf<Extract<E, { type: 'order.created' }>['data']>().toEqualTypeOf<{
      id: string;
      items?: string[];
    }>();
  });

  it('uses the output type (after transforms)', () => {
    expectTypeOf<Extract<E, { type: 'order.transformed' }>['data']['n']>().toEqualTypeOf<number>();
  });

  it('keeps untyped events untyped', () => {
    const event = parseEnvelope({});
    expectTypeOf(event.type).toEqualTypeOf<string>();
    expectTypeOf(event.data).toEqualTypeOf<unknown>();
  });
});
