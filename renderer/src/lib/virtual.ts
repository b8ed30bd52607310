// The arithmetic of the virtualised library table: which rows are on screen, which pages of rows to fetch,
// and a small cache of fetched pages, so that 100,000 rows scroll as smoothly as 100.

export interface RowRange {
  /** first row index to render (inclusive) */
  start: number;
  /** last row index to render (exclusive) */
  end: number;
}

/** Rows to render for a scroll position, with `overscan` extra rows above and below. */
export function visibleRange(scrollTop: number, viewportHeight: number, rowHeight: number, total: number, overscan = 8): RowRange {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const count = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(total - 1, first - overscan));
  const end = Math.min(total, first + count + overscan);
  return { start, end: Math.max(start, end) };
}

/** Page numbers covering a range of rows. */
export function pagesFor(range: RowRange, pageSize: number): number[] {
  if (range.end <= range.start) return [];
  const out: number[] = [];
  for (let p = Math.floor(range.start / pageSize); p <= Math.floor((range.end - 1) / pageSize); p++) out.push(p);
  return out;
}

/** The scrollTop that brings row `index` into view (minimal movement), or null when it is visible already. */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number | null {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight;
  return null;
}

/**
 * Fetched pages of rows for one query generation, least recently used dropped first. A new query (filter,
 * sort) starts a new generation; answers for an older one are ignored, so a slow page can never show rows
 * of a previous filter. `invalidate` keeps showing the old rows (no flicker) while fresh ones are fetched.
 */
export class PageCache<T> {
  private pages = new Map<number, { generation: number; rows: T[] }>();
  private pending = new Set<number>();
  generation = 0;

  constructor(readonly pageSize: number, private readonly maxPages = 50) {}

  /** A new query: forget everything. Returns the new generation. */
  reset(): number {
    this.pages.clear();
    this.pending.clear();
    return ++this.generation;
  }

  /** The same query, but the data changed: keep showing cached rows until fresh pages replace them. */
  invalidate(): number {
    this.pending.clear();
    return ++this.generation;
  }

  /** Fresh (current generation) page cached. */
  has(page: number): boolean {
    return this.pages.get(page)?.generation === this.generation;
  }

  /** Pages of `wanted` neither fresh nor on their way; marks them on their way. */
  claimMissing(wanted: readonly number[]): number[] {
    const out = wanted.filter((p) => !this.has(p) && !this.pending.has(p));
    for (const p of out) this.pending.add(p);
    return out;
  }

  /** Store a fetched page; false (and nothing stored) when it belongs to an older generation. */
  put(generation: number, page: number, rows: T[]): boolean {
    if (generation !== this.generation) return false;
    this.pending.delete(page);
    this.pages.delete(page);
    this.pages.set(page, { generation, rows });
    while (this.pages.size > this.maxPages) {
      const oldest = this.pages.keys().next().value as number;
      this.pages.delete(oldest);
    }
    return true;
  }

  /** A page that failed to arrive may be asked for again. */
  release(generation: number, page: number): void {
    if (generation === this.generation) this.pending.delete(page);
  }

  row(index: number): T | undefined {
    const page = this.pages.get(Math.floor(index / this.pageSize));
    if (!page) return undefined;
    return page.rows[index % this.pageSize];
  }

  /** Replace one row in place wherever it is cached (after a decision on it). */
  update(match: (row: T) => boolean, next: (row: T) => T): boolean {
    for (const page of this.pages.values()) {
      const i = page.rows.findIndex(match);
      if (i >= 0) {
        page.rows[i] = next(page.rows[i]!);
        return true;
      }
    }
    return false;
  }

  /** Index of a cached row, or -1; `freshOnly`: only in pages fetched since the last invalidate. */
  indexOf(match: (row: T) => boolean, freshOnly = false): number {
    for (const [page, { rows, generation }] of this.pages) {
      if (freshOnly && generation !== this.generation) continue;
      const i = rows.findIndex(match);
      if (i >= 0) return page * this.pageSize + i;
    }
    return -1;
  }
}
