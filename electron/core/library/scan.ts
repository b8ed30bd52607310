// Scanning library roots into the database: walk, diff against what is known, read only new and
// changed files (in worker threads), recognise moved files, mark vanished ones missing.
import { existsSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { Db } from '../db/open.js';
import { FileStore, type FileStat, type KnownFile, type ReadResult } from '../db/files.js';
import type { ScanProgress, ScanReport } from '../../shared/library.js';
import { acquireReadPool, defaultWorkerCount, releaseReadPool, type ReadPool } from './read-pool.js';
import { walkRoot, describeFsError, newWalkState } from './walk.js';

export interface ScanOptions {
  signal?: AbortSignal;
  onProgress?: (p: ScanProgress) => void;
  /** reader threads (default: cores, at most 4) */
  workers?: number;
  /** progress events at most this often (ms) */
  progressIntervalMs?: number;
}

const MAX_IN_FLIGHT_PER_WORKER = 8;
const BATCH = 256;
/** folded paths listed in the report (all are counted): a library of hard-linked copies can have tens of thousands */
const FOLDED_LISTED = 1000;

function unchanged(k: KnownFile, s: FileStat): boolean {
  return k.size === s.size && k.mtimeMs === s.mtimeMs && (k.fileKey == null || s.fileKey == null || k.fileKey === s.fileKey);
}

export async function scanLibrary(db: Db, roots: string[], opts: ScanOptions = {}): Promise<ScanReport> {
  const started = Date.now();
  const store = new FileStore(db);
  const signal = opts.signal;
  const report: ScanReport = {
    roots: roots.map((r) => resolve(r)), seen: 0, added: 0, updated: 0, moved: 0, unchanged: 0, missing: 0, errors: 0,
    cancelled: false, durationMs: 0, rootErrors: [], folded: { count: 0, paths: [] },
  };
  const progress: ScanProgress = { phase: 'walking', seen: 0, done: 0, errors: 0, currentPath: null, rate: 0, etaSec: null };
  let lastEmit = 0;
  const interval = opts.progressIntervalMs ?? 100;
  const emit = (force = false) => {
    if (!opts.onProgress) return;
    const now = Date.now();
    if (!force && now - lastEmit < interval) return;
    lastEmit = now;
    const secs = (now - started) / 1000;
    progress.rate = secs > 0 ? progress.done / secs : 0;
    progress.etaSec = progress.rate > 0 && progress.phase !== 'walking' ? (progress.seen - progress.done) / progress.rate : null;
    opts.onProgress({ ...progress });
  };

  let pool: ReadPool | null = null;
  const workerCount = opts.workers ?? defaultWorkerCount();
  const maxInFlight = workerCount * MAX_IN_FLIGHT_PER_WORKER;
  let inFlight = 0;
  let wake: (() => void) | null = null;
  type Done = { rootId: number; stat: FileStat; known: KnownFile | undefined; result: ReadResult };
  let results: Done[] = [];
  const movedAway = new Set<number>();
  const seenPaths = new Set<string>();

  const flush = () => {
    if (!results.length) return;
    const batch = results;
    results = [];
    store.batch(() => {
      for (const d of batch) {
        let id = d.known?.id ?? null;
        if (id == null && d.result.contentId) {
          // a new path with the content of a file that is no longer where it was: the same file, moved
          const from = store
            .findByContentId(d.result.contentId)
            .find((c) => !movedAway.has(c.id) && !seenPaths.has(c.path) && (c.status === 'missing' || !existsSync(c.path)));
          if (from) {
            id = from.id;
            movedAway.add(from.id);
            report.moved++;
          }
        }
        if (id == null) report.added++;
        else if (d.known) report.updated++;
        store.saveRead(d.rootId, d.stat, d.result, id);
        if (!d.result.ok) report.errors++;
      }
    });
  };

  const dispatch = async (rootId: number, stat: FileStat, known: KnownFile | undefined) => {
    pool ??= acquireReadPool(workerCount);
    while (inFlight >= maxInFlight) await new Promise<void>((r) => (wake = r));
    inFlight++;
    void pool.read(stat.path).then((result) => {
      inFlight--;
      progress.done++;
      if (!result.ok) progress.errors++;
      progress.currentPath = stat.path;
      results.push({ rootId, stat, known, result });
      if (results.length >= BATCH) flush();
      emit();
      const w = wake;
      wake = null;
      w?.();
    });
  };

  // shared by all roots, in the order given: a file reachable from two roots is indexed under the first
  const walk = newWalkState();
  try {
    for (const root of report.roots) {
      if (signal?.aborted) break;
      try {
        if (!statSync(root).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
      } catch (err) {
        report.rootErrors.push({ root, message: `${root}: ${describeFsError(err)}` });
        continue;
      }
      const rootId = store.ensureRoot(root);
      const known = store.knownFiles(rootId);
      const firstIssue = walk.issues.length;
      let sinceYield = 0;
      let complete = true;
      for (const stat of walkRoot(root, walk)) {
        if (++sinceYield >= 1000) {
          sinceYield = 0;
          emit();
          await new Promise((r) => setImmediate(r)); // let reads complete, progress flow, abort arrive
        }
        if (signal?.aborted) {
          complete = false;
          break;
        }
        if (seenPaths.has(stat.path)) continue; // an escaped non-UTF-8 name that reads like a real one
        report.seen++;
        progress.seen++;
        seenPaths.add(stat.path);
        const k = known.get(stat.path);
        if (k && unchanged(k, stat)) {
          if (k.status === 'missing') store.markPresent(k.id);
          report.unchanged++;
          progress.done++;
          continue;
        }
        if (stat.nameError) {
          // recorded as an error under its escaped name, so that it shows among the files that need attention
          const { nameError, ...fileStat } = stat;
          results.push({ rootId, stat: fileStat, known: k, result: { ok: false, contentId: null, errorKind: 'unreadable', errorMessage: nameError } });
          progress.done++;
          progress.errors++;
          continue;
        }
        await dispatch(rootId, stat, k);
      }
      const issues = walk.issues.slice(firstIssue);
      for (const i of issues) report.rootErrors.push({ root, folder: i.path, message: `${i.path}: ${i.message}` });
      progress.phase = 'reading';
      emit(true);
      while (inFlight > 0) await new Promise<void>((r) => (wake = r));
      flush();
      if (complete && !signal?.aborted) {
        // only a complete walk may conclude that a file is gone; folders that could not be read prove nothing
        const unreadable = issues.map((i) => i.path + sep);
        const gone = [...known.values()].filter(
          (k) => !seenPaths.has(k.path) && !movedAway.has(k.id) && k.status !== 'missing' && !unreadable.some((u) => k.path.startsWith(u)),
        );
        store.markMissing(gone.map((k) => k.id));
        report.missing += gone.length;
        store.markRootScanned(rootId);
      }
    }
  } finally {
    while (inFlight > 0) await new Promise<void>((r) => (wake = r));
    flush();
    const used = pool as ReadPool | null;
    if (used) await releaseReadPool(used);
  }
  report.folded = { count: walk.folded.length, paths: walk.folded.slice(0, FOLDED_LISTED) };
  report.cancelled = !!signal?.aborted;
  report.durationMs = Date.now() - started;
  progress.phase = 'done';
  progress.currentPath = null;
  emit(true);
  return report;
}
