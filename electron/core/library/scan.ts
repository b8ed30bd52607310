// Scanning library roots into the database: walk, diff against what is known, read only new and
// changed files (in worker threads), recognise moved files, mark vanished ones missing.
import { existsSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { Db } from '../db/open.js';
import { FileStore, type FileStat, type KnownFile, type ReadResult } from '../db/files.js';
import type { ScanProgress, ScanReport } from '../../shared/library.js';
import { acquireReadPool, defaultWorkerCount, releaseReadPool, type ReadPool } from './read-pool.js';
import { walkRoot, describeFsError, newWalkState } from './walk.js';
import { BatchWriter, ProgressMeter } from '../jobs/progress-meter.js';

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

type ReadDone = { rootId: number; stat: FileStat; known: KnownFile | undefined; result: ReadResult };

export async function scanLibrary(db: Db, roots: string[], opts: ScanOptions = {}): Promise<ScanReport> {
  return new LibraryScan(db, roots, opts).run();
}

/** One scan: the roots walked in the order given, reads in flight bounded, results stored in batches. */
class LibraryScan {
  private readonly store: FileStore;
  private readonly signal: AbortSignal | undefined;
  private readonly report: ScanReport;
  private readonly meter: ProgressMeter<ScanProgress>;
  private readonly writer: BatchWriter<ReadDone>;
  private readonly workerCount: number;
  private readonly maxInFlight: number;
  private pool: ReadPool | null = null;
  private inFlight = 0;
  private wake: (() => void) | null = null;
  private readonly movedAway = new Set<number>();
  private readonly seenPaths = new Set<string>();
  /** shared by all roots, in the order given: a file reachable from two roots is indexed under the first */
  private readonly walk = newWalkState();

  constructor(db: Db, roots: string[], opts: ScanOptions) {
    this.store = new FileStore(db);
    this.signal = opts.signal;
    this.report = {
      roots: roots.map((r) => resolve(r)), seen: 0, added: 0, updated: 0, moved: 0, unchanged: 0, missing: 0, errors: 0,
      cancelled: false, durationMs: 0, rootErrors: [], folded: { count: 0, paths: [] },
    };
    this.meter = new ProgressMeter<ScanProgress>({ phase: 'walking', seen: 0, done: 0, errors: 0, currentPath: null, rate: 0, etaSec: null }, {
      onProgress: opts.onProgress,
      intervalMs: opts.progressIntervalMs ?? 100,
      remaining: (p) => (p.phase === 'walking' ? null : p.seen - p.done),
    });
    this.writer = new BatchWriter((batch) => this.save(batch), BATCH);
    this.workerCount = opts.workers ?? defaultWorkerCount();
    this.maxInFlight = this.workerCount * MAX_IN_FLIGHT_PER_WORKER;
  }

  private get progress(): ScanProgress {
    return this.meter.progress;
  }

  async run(): Promise<ScanReport> {
    const { report, signal } = this;
    try {
      for (const root of report.roots) {
        if (signal?.aborted) break;
        await this.scanRoot(root);
      }
    } finally {
      await this.drain();
      const used = this.pool as ReadPool | null;
      if (used) await releaseReadPool(used);
    }
    report.folded = { count: this.walk.folded.length, paths: this.walk.folded.slice(0, FOLDED_LISTED) };
    report.cancelled = !!signal?.aborted;
    report.durationMs = this.meter.elapsedMs;
    this.progress.phase = 'done';
    this.progress.currentPath = null;
    this.meter.emit(true);
    return report;
  }

  private async scanRoot(root: string): Promise<void> {
    const { report, store, signal } = this;
    try {
      if (!statSync(root).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    } catch (err) {
      report.rootErrors.push({ root, message: `${root}: ${describeFsError(err)}` });
      return;
    }
    const rootId = store.ensureRoot(root);
    const known = store.knownFiles(rootId);
    const firstIssue = this.walk.issues.length;
    const complete = await this.walkRoot(root, rootId, known);
    const issues = this.walk.issues.slice(firstIssue);
    for (const i of issues) report.rootErrors.push({ root, folder: i.path, message: `${i.path}: ${i.message}` });
    this.progress.phase = 'reading';
    this.meter.emit(true);
    await this.drain();
    if (complete && !signal?.aborted) {
      // only a complete walk may conclude that a file is gone; folders that could not be read prove nothing
      const unreadable = issues.map((i) => i.path + sep);
      const gone = [...known.values()].filter(
        (k) => !this.seenPaths.has(k.path) && !this.movedAway.has(k.id) && k.status !== 'missing' && !unreadable.some((u) => k.path.startsWith(u)),
      );
      store.markMissing(gone.map((k) => k.id));
      report.missing += gone.length;
      store.markRootScanned(rootId);
    }
  }

  /** Walks one root, sending new and changed files to the readers; false when stopped before its end. */
  private async walkRoot(root: string, rootId: number, known: Map<string, KnownFile>): Promise<boolean> {
    const { report, progress } = this;
    let sinceYield = 0;
    for (const stat of walkRoot(root, this.walk)) {
      if (++sinceYield >= 1000) {
        sinceYield = 0;
        this.meter.emit();
        await new Promise((r) => setImmediate(r)); // let reads complete, progress flow, abort arrive
      }
      if (this.signal?.aborted) return false;
      if (this.seenPaths.has(stat.path)) continue; // an escaped non-UTF-8 name that reads like a real one
      report.seen++;
      progress.seen++;
      this.seenPaths.add(stat.path);
      const k = known.get(stat.path);
      if (k && unchanged(k, stat)) {
        if (k.status === 'missing') this.store.markPresent(k.id);
        report.unchanged++;
        progress.done++;
        continue;
      }
      if (stat.nameError) {
        // recorded as an error under its escaped name, so that it shows among the files that need attention
        const { nameError, ...fileStat } = stat;
        this.writer.push({ rootId, stat: fileStat, known: k, result: { ok: false, contentId: null, errorKind: 'unreadable', errorMessage: nameError } });
        progress.done++;
        progress.errors++;
        continue;
      }
      await this.dispatch(rootId, stat, k);
    }
    return true;
  }

  private async dispatch(rootId: number, stat: FileStat, known: KnownFile | undefined): Promise<void> {
    const pool = (this.pool ??= acquireReadPool(this.workerCount));
    while (this.inFlight >= this.maxInFlight) await new Promise<void>((r) => (this.wake = r));
    this.inFlight++;
    void pool.read(stat.path).then((result) => {
      this.inFlight--;
      this.progress.done++;
      if (!result.ok) this.progress.errors++;
      this.progress.currentPath = stat.path;
      this.writer.push({ rootId, stat, known, result });
      this.meter.emit();
      const w = this.wake;
      this.wake = null;
      w?.();
    });
  }

  /** Waits for the reads in flight, then stores what is waiting. */
  private async drain(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((r) => (this.wake = r));
    this.writer.flush();
  }

  private save(batch: ReadDone[]): void {
    const { store, report } = this;
    store.batch(() => {
      for (const d of batch) {
        let id = d.known?.id ?? null;
        if (id == null && d.result.contentId) {
          // a new path with the content of a file that is no longer where it was: the same file, moved
          const from = store
            .findByContentId(d.result.contentId)
            .find((c) => !this.movedAway.has(c.id) && !this.seenPaths.has(c.path) && (c.status === 'missing' || !existsSync(c.path)));
          if (from) {
            id = from.id;
            this.movedAway.add(from.id);
            report.moved++;
          }
        }
        if (id == null) report.added++;
        else if (d.known) report.updated++;
        store.saveRead(d.rootId, d.stat, d.result, id);
        if (!d.result.ok) report.errors++;
      }
    });
  }
}
