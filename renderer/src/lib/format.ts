// Numbers as a person reads them in the window: durations, ETAs, rates, percentages, sizes, scan results.
import type { ScanReport } from '../../../electron/shared/library.js';

export function formatDuration(sec: number | null | undefined): string {
  if (sec == null || !Number.isFinite(sec) || sec < 0) return '–';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

/** "about 3 min left" style, rounded so it does not flicker every update. */
export function formatEta(sec: number | null | undefined): string {
  if (sec == null || !Number.isFinite(sec) || sec < 0) return 'estimating…';
  if (sec < 5) return 'almost done';
  if (sec < 60) return `${Math.round(sec / 5) * 5} s left`;
  if (sec < 3600) return `${Math.round(sec / 60)} min left`;
  const h = Math.floor(sec / 3600);
  const m = Math.round((sec % 3600) / 60);
  return `${h} h ${m} min left`;
}

export function formatRate(rate: number, unit: string): string {
  if (!Number.isFinite(rate) || rate <= 0) return `– ${unit}/s`;
  if (rate >= 100) return `${Math.round(rate)} ${unit}/s`;
  if (rate >= 10) return `${rate.toFixed(0)} ${unit}/s`;
  return `${rate.toFixed(1)} ${unit}/s`;
}

export function formatPercent(p: number | null | undefined, digits = 0): string {
  if (p == null || !Number.isFinite(p)) return '–';
  return `${(p * 100).toFixed(digits)} %`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 file", "2 files": a count with its noun (regular plurals only). */
export function countOf(n: number, noun: string): string {
  return `${formatCount(n)} ${n === 1 ? noun : `${noun}s`}`;
}

/** Sizes: decimal SI units, the same text the command line prints. */
export { formatBytes, SIZE_UNITS_NOTE } from '../../../electron/shared/units.js';

/** The last `segments` parts of a path, for narrow columns (the full path goes in the tooltip). */
export function shortPath(path: string, segments = 2): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts.length <= segments ? path : `…/${parts.slice(-segments).join('/')}`;
}

/**
 * What a scan did, in one line: the counts, then what it could not do (roots or folders it could not read,
 * the first named) and the other names of files it indexed once (hard links), so that nothing is skipped unseen.
 */
export function scanSummary(r: ScanReport): string {
  let s = `${formatCount(r.seen)} files: ${r.added} new, ${r.updated} changed, ${r.missing} missing, ${r.errors} unreadable`;
  const roots = r.rootErrors.filter((e) => !e.folder);
  const folders = r.rootErrors.filter((e) => e.folder);
  if (roots.length) s += `; ${roots.length === 1 ? 'a folder' : `${roots.length} folders`} could not be scanned (${roots[0]!.message})`;
  if (folders.length) s += `; ${folders.length === 1 ? '1 folder inside was' : `${formatCount(folders.length)} folders inside were`} not read (${folders[0]!.message})`;
  if (r.folded.count) s += `; ${formatCount(r.folded.count)} other ${r.folded.count === 1 ? 'name' : 'names'} of files already indexed (hard links) not listed again`;
  return s;
}
