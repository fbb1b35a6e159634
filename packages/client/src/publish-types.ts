import type { EventCreate } from './types.js';

/** Event name to the type of its `data`: what a typed client publishes. */
export type EventMap = Record<string, unknown>;

/**
 * The event map of the client's type parameter:
 * - a catalog from `@hookwire/events` (`defineCatalog(...)`; its `Catalog<TMap>` carries the map in the
 *   type-only `'~types'` property, read here structurally so this package needs no runtime or type import;
 *   the result equals `CatalogMap<C>`, which `test/events-catalog.test-d.ts` checks);
 * - a plain map `{ 'link.click': { linkId: string } }`;
 * - `undefined` for an untyped client.
 */
export type EventMapOf<C> = [C] extends [undefined]
  ? undefined
  : '~types' extends keyof C
    ? NonNullable<C['~types' & keyof C]>
    : C extends EventMap
      ? C
      : never;

/** Everything of a publish body except `type` and `data`: `id`, `eventTime`, `context`, `customData`. */
export type PublishExtras = Omit<EventCreate, 'type' | 'data'>;

/**
 * The publish body. With a catalog it is a union over the catalog's event names, so an unknown `type`, a
 * missing field or a wrong field type in `data` is a compile error. Without one it is the API's `EventCreate`.
 */
export type PublishInput<M> = [M] extends [undefined]
  ? EventCreate
  : { [K in keyof M & string]: PublishExtras & { type: K; data: M[K] } }[keyof M & string];
