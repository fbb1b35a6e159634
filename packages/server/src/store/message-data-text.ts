/**
 * A message's `data` travels as JSON text from the API to SQLite and from SQLite to the receiver. Parsing
 * it only to stringify it again cost ~4 % of the dispatch thread (a 1 KiB payload is parsed at claim and
 * serialised into the envelope), and the publish path serialised each payload twice and parsed it once.
 * These helpers keep the text next to the value, so each side does the conversion it needs once.
 */

/** Texts of values the API already serialised (to measure the payload), by object identity. */
const measured = new WeakMap<object, string>();
/** Stored texts of messages whose `data` nobody has read yet. */
const stored = new WeakMap<object, string>();

/** `JSON.stringify(value)`, remembered for the store (objects only; a request's body is not mutated). */
export function measureJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (typeof value === 'object' && value !== null && text !== undefined) {
    measured.set(value, text);
  }
  return text;
}

/** The text `measureJson` made for `value`, or a fresh `JSON.stringify`. */
export function jsonTextOf(value: unknown): string {
  return (
    (typeof value === 'object' && value !== null ? measured.get(value) : undefined) ?? JSON.stringify(value)
  );
}

/**
 * Gives `target` a `data` property parsed from `text` on first read. Until then `storedDataText` returns
 * the text; once read (and so possibly changed in place), only the value counts.
 */
export function withStoredData<T extends object>(target: T, text: string): T & { data: unknown } {
  const settle = (self: object, value: unknown) => {
    stored.delete(self);
    Object.defineProperty(self, 'data', { value, enumerable: true, writable: true, configurable: true });
  };
  Object.defineProperty(target, 'data', {
    enumerable: true,
    configurable: true,
    get(this: object) {
      const value: unknown = JSON.parse(text);
      settle(this, value);
      return value;
    },
    set(this: object, value: unknown) {
      settle(this, value);
    },
  });
  stored.set(target, text);
  return target as T & { data: unknown };
}

/** The stored JSON text of `message.data` while nobody has read the value, else undefined. */
export function storedDataText(message: object): string | undefined {
  return stored.get(message);
}
