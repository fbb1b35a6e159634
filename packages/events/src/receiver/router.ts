import type { WebhookEvent } from '../index.js';
import type { AnyCatalog, ReceivedEvent } from './options.js';

/** The event of type `T` out of the union `E` (all of `E` when `E` is the untyped `WebhookEvent`). */
export type EventOfType<E extends WebhookEvent, T extends string> = string extends E['type']
  ? E
  : Extract<E, { type: T }>;

/** A function that handles one event. Its return value is ignored; throw to make the sender retry. */
export type WebhookEventHandler<E> = (event: E) => unknown;

/**
 * Routes events to handlers by type. Typed by the catalog: `on('link.click', e => e.data.country)` knows
 * `data`, and `on('link.clik', ...)` does not compile.
 */
export interface WebhookRouter<E extends WebhookEvent = WebhookEvent> {
  /** Runs `handler` for events of `type`. Several handlers for one type run in registration order. */
  on<T extends E['type']>(type: T, handler: WebhookEventHandler<EventOfType<E, T>>): this;
  /** Runs `handler` for every event, after the type-specific ones. */
  onAny(handler: WebhookEventHandler<E>): this;
  /**
   * Runs the matching handlers; `handled` is false when none matched (answered 200 all the same). Takes any
   * `WebhookEvent` so adapters can pass `request.webhook`: only dispatch events from a receiver configured
   * with the same catalog (it validated them).
   */
  dispatch(event: WebhookEvent): Promise<{ handled: boolean }>;
}

/**
 * Creates a typed event router. Pass the catalog for typed events; its runtime check also rejects a
 * misspelt type at registration time in plain JavaScript.
 *
 * @example
 * ```ts
 * const router = createRouter(links).on('link.click', (event) => console.log(event.data.country));
 * export const POST = createWebhookHandler({ secret, catalog: links, handler: router });
 * ```
 * @throws {TypeError} from `on` when the type is not in the catalog.
 */
export function createRouter<C extends AnyCatalog | undefined = undefined>(
  catalog?: C,
): WebhookRouter<ReceivedEvent<C>> {
  type E = ReceivedEvent<C>;
  const byType = new Map<string, WebhookEventHandler<never>[]>();
  const any: WebhookEventHandler<E>[] = [];
  const router: WebhookRouter<E> = {
    on(type, handler) {
      if (catalog && !catalog.has(type)) {
        throw new TypeError(`createRouter: "${type}" is not an event type of this catalog`);
      }
      const list = byType.get(type) ?? [];
      list.push(handler as WebhookEventHandler<never>);
      byType.set(type, list);
      return this;
    },
    onAny(handler) {
      any.push(handler);
      return this;
    },
    async dispatch(event) {
      const handlers = [...(byType.get(event.type) ?? []), ...any] as WebhookEventHandler<WebhookEvent>[];
      for (const handler of handlers) {
        await handler(event);
      }
      return { handled: handlers.length > 0 };
    },
  };
  return router;
}

/** True for a {@link WebhookRouter} (as opposed to a plain handler function). */
export function isWebhookRouter<E extends WebhookEvent>(value: unknown): value is WebhookRouter<E> {
  return (
    typeof value === 'object' && value !== null && typeof (value as WebhookRouter).dispatch === 'function'
  );
}
