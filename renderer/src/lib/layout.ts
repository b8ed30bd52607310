// The review screen's layout the person arranges and the window remembers: the track pane's width and the
// library table's columns (which are shown, how wide). Pure functions over a plain object, kept in
// localStorage by the components (tested under plain Node).
import type { LibrarySortKey } from '../../../electron/shared/api-names.js';

export type ColumnId = 'cover' | 'status' | 'title' | 'artist' | 'album' | 'genre' | 'suggested' | 'yours' | 'confidence' | 'decided' | 'time';

export interface ColumnDef {
  id: ColumnId;
  label: string;
  /** the header's sort key; null: not sortable */
  sort: LibrarySortKey | null;
  /** narrowest it may be dragged to, and its width before the person sets one: px, or a share of the rest */
  min: number;
  grow: number | null;
  /** hidden until the person shows it */
  hiddenByDefault?: boolean;
}

export const COLUMNS: readonly ColumnDef[] = [
  { id: 'cover', label: 'Cover', sort: null, min: 28, grow: null },
  // the minimums fit each header's label, with room for the sort arrow where it can sort; Suggested, the column the
  // review is about, has room for a name such as "Soundtrack" beside its '+N' marker at 1280 px
  { id: 'status', label: 'Status', sort: 'status', min: 84, grow: null },
  { id: 'title', label: 'Title', sort: 'title', min: 106, grow: 2 },
  { id: 'artist', label: 'Artist', sort: 'artist', min: 72, grow: 1.3 },
  { id: 'album', label: 'Album', sort: 'album', min: 72, grow: 1.3 },
  { id: 'genre', label: 'In file', sort: 'genre', min: 76, grow: 1 },
  { id: 'suggested', label: 'Suggested', sort: 'suggested', min: 126, grow: 1.6 },
  { id: 'yours', label: 'Yours', sort: null, min: 52, grow: 0.9 },
  { id: 'confidence', label: 'Confidence', sort: 'confidence', min: 98, grow: null },
  { id: 'decided', label: 'Decided', sort: null, min: 74, grow: 1 },
  { id: 'time', label: 'Time', sort: 'durationSec', min: 56, grow: null },
];

export interface ReviewLayout {
  /** width of the track pane, px (null: the default) */
  trackPane: number | null;
  columns: Partial<Record<ColumnId, { width?: number; hidden?: boolean }>>;
}

export const LAYOUT_KEY = 'spectag-layout';
export const TRACK_PANE = { default: 400, min: 300, minTable: 360 } as const;

export function emptyLayout(): ReviewLayout {
  return { trackPane: null, columns: {} };
}

/** A stored layout, or the default for anything missing or malformed (a hand-edited store never breaks the window). */
export function parseLayout(text: string | null): ReviewLayout {
  const out = emptyLayout();
  if (!text) return out;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return out;
  }
  if (typeof raw !== 'object' || raw == null) return out;
  const r = raw as { trackPane?: unknown; columns?: unknown };
  if (typeof r.trackPane === 'number' && Number.isFinite(r.trackPane) && r.trackPane > 0) out.trackPane = Math.round(r.trackPane);
  if (typeof r.columns === 'object' && r.columns != null) {
    for (const c of COLUMNS) {
      const v = (r.columns as Record<string, unknown>)[c.id];
      if (typeof v !== 'object' || v == null) continue;
      const { width, hidden } = v as { width?: unknown; hidden?: unknown };
      const entry: { width?: number; hidden?: boolean } = {};
      if (typeof width === 'number' && Number.isFinite(width)) entry.width = Math.max(c.min, Math.round(width));
      if (typeof hidden === 'boolean') entry.hidden = hidden;
      out.columns[c.id] = entry;
    }
  }
  return out;
}

export function isHidden(layout: ReviewLayout, c: ColumnDef): boolean {
  return layout.columns[c.id]?.hidden ?? c.hiddenByDefault ?? false;
}

/** The columns shown, in order; `available` leaves out those this library cannot fill (no personal model). */
export function shownColumns(layout: ReviewLayout, available: (id: ColumnId) => boolean = () => true): ColumnDef[] {
  return COLUMNS.filter((c) => available(c.id) && !isHidden(layout, c));
}

/** CSS grid-template-columns: a width the person set, else the column's default (fixed, or a share of the rest). */
export function gridTemplate(columns: readonly ColumnDef[], layout: ReviewLayout): string {
  return columns
    .map((c) => {
      const w = layout.columns[c.id]?.width;
      if (w != null) return `${w}px`;
      return c.grow == null ? `${c.min}px` : `minmax(${c.min}px, ${c.grow}fr)`;
    })
    .join(' ');
}

/** The narrowest the table may get before it scrolls sideways (no column is ever clipped). */
export function minTableWidth(columns: readonly ColumnDef[], layout: ReviewLayout): number {
  return columns.reduce((sum, c) => sum + (layout.columns[c.id]?.width ?? c.min), 0);
}

export function withColumn(layout: ReviewLayout, id: ColumnId, patch: { width?: number | null; hidden?: boolean }): ReviewLayout {
  const c = COLUMNS.find((x) => x.id === id);
  if (!c) return layout;
  const entry = { ...(layout.columns[id] ?? {}) };
  if (patch.width === null) delete entry.width;
  else if (patch.width != null) entry.width = Math.max(c.min, Math.round(patch.width));
  if (patch.hidden != null) entry.hidden = patch.hidden;
  return { ...layout, columns: { ...layout.columns, [id]: entry } };
}

/** The track pane's width for a window `total` px wide: the person's choice, kept within what leaves the table usable. */
export function trackPaneWidth(layout: ReviewLayout, total: number): number {
  const want = layout.trackPane ?? TRACK_PANE.default;
  const max = Math.max(TRACK_PANE.min, total - TRACK_PANE.minTable);
  return Math.round(Math.min(max, Math.max(TRACK_PANE.min, want)));
}
