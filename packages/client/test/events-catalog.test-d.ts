import type { CatalogMap } from '@hookwire/events';
import { links } from '@hookwire/events/catalogs/links';
import { describe, expectTypeOf, it } from 'vitest';
import { createHookwireClient, type EventMapOf } from '../src/index.js';

// The real built-in catalog of @hookwire/events (a dev dependency; an optional peer for users).
const options = { baseUrl: 'http://127.0.0.1:1', apiKey: 'hwk_k' };

describe('a catalog from @hookwire/events', () => {
  it('resolves to the same map as CatalogMap', () => {
    type Ours = EventMapOf<typeof links>;
    type Theirs = CatalogMap<typeof links>;
    expectTypeOf<keyof Ours>().toEqualTypeOf<keyof Theirs>();
    expectTypeOf<Ours['link.click']>().toExtend<Theirs['link.click']>();
    expectTypeOf<Theirs['link.click']>().toExtend<Ours['link.click']>();
  });

  it('types publish by `typeof catalog` and by the catalog option', () => {
    const explicit = createHookwireClient<typeof links>(options);
    explicit.events.publish({ type: 'link.click', data: { link_id: 'lnk_1', country: 'FR' } });
    // @ts-expect-error short names are not in the catalog
    explicit.events.publish({ type: 'click', data: { link_id: 'lnk_1' } });
    // @ts-expect-error link_id is required for link.click
    explicit.events.publish({ type: 'link.click', data: { country: 'FR' } });
    const inferred = createHookwireClient({ ...options, catalog: links });
    // @ts-expect-error link_id must be a string
    inferred.events.publish({ type: 'link.click', data: { link_id: 42 } });
  });
});
