/**
 * Caches keyed by things callers choose (tenants, event names, endpoint URLs) must not grow without bound.
 * They are small and rarely miss, so a full map is simply emptied: no LRU bookkeeping on every hit.
 */

/** `map.set(key, value)`, emptying the map first when it already holds `max` entries. Returns `value`. */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): V {
  if (map.size >= max) {
    map.clear();
  }
  map.set(key, value);
  return value;
}

/** The value cached under `key`, or `compute(key)` stored with {@link setBounded} on a miss. */
export function getOrCompute<K, V>(map: Map<K, V>, key: K, max: number, compute: (key: K) => V): V {
  const hit = map.get(key);
  return hit === undefined ? setBounded(map, key, compute(key), max) : hit;
}
