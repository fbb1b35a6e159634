/**
 * A message's `data` travels as JSON text from the API to SQLite and from SQLite to the receiver. The publish
 * path serialised each payload twice (size check, insert) and parsed it back for a result that answers ids;
 * the dispatcher serialised a payload it had just parsed from the same text. The text rides along on the
 * object that carries the value (a publish input, a claimed message), so each side serialises once.
 *
 * On the object itself, under a non-enumerable symbol (invisible to JSON, spreads and equality): a WeakMap
 * keyed by these short-lived objects made every young-generation GC walk its entries and tripled the
 * claim's p99 (2 -> 6 ms in bench/delivery's backlog phase).
 */
const kDataText = Symbol('hookwire.dataText');

type WithDataText = { [kDataText]?: string };

/** Records that `carrier.data` serialises to `text`; the carrier's data must not change afterwards. */
export function attachDataText<T extends object>(carrier: T, text: string): T {
  Object.defineProperty(carrier, kDataText, {
    value: text,
    enumerable: false,
    writable: true,
    configurable: true,
  });
  return carrier;
}

/** The text `attachDataText` recorded for `carrier.data`, if any. */
export function dataTextOf(carrier: object): string | undefined {
  return (carrier as WithDataText)[kDataText];
}
