/** One page of a list, as the server returns it. */
export interface Page<T> {
  data: T[];
  /** Pass as `cursor` to get the next page; `null` on the last page. */
  nextCursor: string | null;
}

/** Loads the page that starts at `cursor` (`undefined` = the first page). */
export type PageLoader<T> = (cursor: string | undefined) => Promise<Page<T>>;

/**
 * A list result. Iterate it with `for await` to walk every item across pages (one request per page, loaded
 * lazily), or take a single page for a paged UI.
 *
 * @example
 * for await (const delivery of hw.deliveries.list({ status: 'failed' })) console.log(delivery.id);
 * const { data, nextCursor } = await hw.deliveries.list({ limit: 20 }).firstPage();
 * const next = await hw.deliveries.list({ limit: 20, cursor: nextCursor ?? undefined }).firstPage();
 */
export class PageIterator<T> implements AsyncIterable<T> {
  readonly #load: PageLoader<T>;
  readonly #start: string | undefined;

  constructor(load: PageLoader<T>, startCursor?: string) {
    this.#load = load;
    this.#start = startCursor;
  }

  /** The first page (starting at the `cursor` given to `list`, if any). */
  firstPage(): Promise<Page<T>> {
    return this.#load(this.#start);
  }

  /**
   * Every page in turn. Stops at `nextCursor: null`, and also when the server hands back a cursor it already
   * gave, so a misbehaving server cannot make the loop run forever.
   */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    const seen = new Set<string>();
    let cursor = this.#start;
    while (true) {
      const page = await this.#load(cursor);
      yield page;
      if (page.nextCursor === null || page.nextCursor === '' || seen.has(page.nextCursor)) {
        return;
      }
      seen.add(page.nextCursor);
      cursor = page.nextCursor;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) {
      yield* page.data;
    }
  }

  /**
   * Collects items into an array, stopping after `max` items (default 10 000) so a huge log cannot exhaust
   * memory by accident.
   */
  async toArray(options: { max?: number } = {}): Promise<T[]> {
    const max = options.max ?? 10_000;
    const out: T[] = [];
    if (max <= 0) {
      return out;
    }
    for await (const item of this) {
      out.push(item);
      if (out.length >= max) {
        break;
      }
    }
    return out;
  }
}
