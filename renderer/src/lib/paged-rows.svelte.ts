// The rows of a long result (the track table, the albums) fetched page by page as they come into view: one
// count per filter, pages far from the screen not fetched, answers for an older filter ignored, cached rows
// kept on screen while a change is fetched again (no flicker).
import { untrack } from 'svelte';
import { PageCache, pagesFor, type RowRange } from './virtual.js';

/** One page (or, with limit 0, only the count) of the current query. */
export type FetchPage<T> = (page: { offset?: number; limit: number; count?: boolean }) => Promise<{ total: number; rows: T[] }>;

export class PagedRows<T> {
  private readonly cache: PageCache<T>;
  /** bumped whenever cached rows change, so the visible rows re-read them */
  tick = $state(0);
  total = $state(0);
  /** the total is the engine's count (until then: only the first page is known) */
  counted = $state(false);
  loading = $state(false);
  private range: RowRange = { start: 0, end: 0 };

  constructor(
    readonly pageSize: number,
    private readonly fetch: FetchPage<T>,
    private readonly onError: (err: unknown) => void,
    /** the first page of the first query arrived, after `ms` */
    private onFirstPage?: (ms: number) => void,
  ) {
    this.cache = new PageCache<T>(pageSize, 60);
  }

  /** The rows on screen: pages near them are fetched, those far away are not. */
  show(range: RowRange): void {
    this.range = range;
    this.load(pagesFor(range, this.pageSize));
  }

  /** Still worth fetching: on screen or next to it (a fast scroll leaves many pages behind). */
  private wanted(page: number): boolean {
    const on = pagesFor(this.range, this.pageSize);
    return on.length === 0 || (page >= on[0]! - 1 && page <= on[on.length - 1]! + 1);
  }

  private async fetchPages(pages: number[], generation: number): Promise<void> {
    for (const page of pages) {
      if (generation !== this.cache.generation) return;
      if (page !== 0 && !this.wanted(page)) {
        this.cache.release(generation, page);
        continue;
      }
      const started = performance.now();
      try {
        // rows only: the matches are counted once per filter (count), not per page
        const res = await this.fetch({ offset: page * this.pageSize, limit: this.pageSize, count: false });
        if (this.cache.put(generation, page, res.rows)) {
          if (!this.counted && page === 0) this.total = Math.max(this.total, res.rows.length);
          this.tick++;
          if (page === 0 && this.onFirstPage) {
            this.onFirstPage(performance.now() - started);
            this.onFirstPage = undefined;
          }
        }
      } catch (err) {
        this.cache.release(generation, page);
        this.onError(err);
      }
    }
  }

  /** The number of matches (sizes the scroll bar); asked once per filter and after each change. */
  private async count(generation: number): Promise<void> {
    this.counted = false;
    try {
      const res = await this.fetch({ limit: 0 });
      if (generation === this.cache.generation) {
        this.total = res.total;
        this.counted = true;
        this.tick++;
      }
    } catch (err) {
      this.onError(err);
    }
  }

  private load(pages: number[]): void {
    const missing = this.cache.claimMissing(pages);
    if (!missing.length) return;
    this.loading = true;
    void this.fetchPages(missing, this.cache.generation).finally(() => (this.loading = false));
  }

  /** A new filter or sort: start over at the top. */
  reset(): void {
    const generation = this.cache.reset();
    this.total = 0;
    this.tick++;
    this.load([0]);
    void this.count(generation);
  }

  /** The same query, changed data: fetch what is on screen again, showing the cached rows meanwhile. */
  refresh(): void {
    const generation = this.cache.invalidate();
    const on = pagesFor(this.range, this.pageSize);
    this.load(on.length ? on : [0]);
    void this.count(generation);
  }

  row(index: number): T | undefined {
    void this.tick;
    return this.cache.row(index);
  }

  /** Replace a cached row in place (after a decision on it). */
  patch(match: (row: T) => boolean, next: (row: T) => T): void {
    if (this.cache.update(match, next)) this.tick++;
  }
}

/**
 * Wires a table to its rows (call while the component initialises): a new query starts over at the top
 * (`onReset` scrolls there), a change the engine reports (`version` moves) refreshes in place, and the pages
 * of the visible range are fetched.
 */
export function followQuery<T>(rows: PagedRows<T>, o: {
  key: () => string; range: () => RowRange; version: () => number; onReset: () => void; onRefresh?: () => void;
}): void {
  $effect(() => {
    void o.key();
    untrack(() => {
      o.onReset();
      rows.reset();
    });
  });
  let seen = untrack(o.version);
  $effect(() => {
    const v = o.version();
    if (v === seen) return;
    seen = v;
    untrack(() => {
      rows.refresh();
      o.onRefresh?.();
    });
  });
  $effect(() => {
    void rows.tick;
    rows.show(o.range());
  });
}
