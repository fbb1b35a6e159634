/**
 * Whether an endpoint subscribed to `filter` receives `eventType`. Empty filter = everything;
 * `link.*` matches `link.click` and `link.geo.blocked`, never `link` itself.
 */
export function matchesEventFilter(filter: readonly string[], eventType: string): boolean {
  if (filter.length === 0) {
    return true;
  }
  return filter.some((f) => (f.endsWith('.*') ? eventType.startsWith(f.slice(0, -1)) : f === eventType));
}
