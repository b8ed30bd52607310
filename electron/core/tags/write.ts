// The engine API for writing decided genres into files: plan (dry run), apply (journaled, atomic, verified
// per file), undo (itself journaled and atomic). Errors on one file never stop the batch.
import { statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import type { IAudioMetadata } from 'music-metadata';
import type { Db } from '../db/open.js';
import { FileStore } from '../db/files.js';
import { DecisionStore, JournalStore, type FileState, type JournalEntry } from '../db/decisions.js';
import { readAudioFile } from '../library/read-file.js';
import { fileKeyOf } from '../library/walk.js';
import { splitGenres } from '../../shared/genres.js';
import type { Container, LibraryFile } from '../../shared/library.js';
import {
  DEFAULT_WRITE_OPTIONS, type FileWriteResult, type PlannedFile, type WriteMode, type WriteOptions, type WritePlan,
  type WriteProgress, type WriteReport, type WriteSelection,
} from '../../shared/tags.js';
import { readGenreSnapshot, restoreGenreTags, writeGenreTags, type ExpectedGenreTag, type GenreSnapshot } from './genre-tags.js';
import { cleanStaleTemps, replaceFileSafely, SafeReplaceError, type ReplaceStep } from './safe-replace.js';
import { audioStreamHash, readMetadata, verifyRewrite } from './verify.js';

export interface WriteJobOptions {
  signal?: AbortSignal;
  onProgress?: (p: WriteProgress) => void;
  /** called after each step of each file's replacement; throwing fails that file (fault-injection tests) */
  onStep?: (path: string, step: ReplaceStep, tempPath: string) => void | Promise<void>;
}

interface FileRow { id: number; root_id: number; path: string }

const contentIdOf = (db: Db, fileId: number) =>
  (db.prepare('SELECT content_id FROM files WHERE id = ?').get(fileId) as { content_id: string | null } | undefined)?.content_id ?? null;

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The genres a file ends up with for a decision, by mode. */
export function genresAfter(mode: WriteMode, current: readonly string[], decided: readonly string[]): string[] {
  switch (mode) {
    case 'replace':
      return [...decided];
    case 'if-empty':
      return current.length ? [...current] : [...decided];
    case 'add': {
      const have = new Set(current.map((g) => g.toLowerCase()));
      return [...current, ...decided.filter((g) => !have.has(g.toLowerCase()) && have.add(g.toLowerCase()))];
    }
  }
}

/** Files a selection names: by id, by path (a file, or every file under a folder), or all decided files. */
function selectFiles(db: Db, store: FileStore, selection: WriteSelection): LibraryFile[] {
  const byId = new Map<number, LibraryFile>();
  const get = (id: number) => {
    const row = db.prepare('SELECT path FROM files WHERE id = ?').get(id) as { path: string } | undefined;
    return row ? store.getByPath(row.path) : null;
  };
  const decidedUnder = (folder: string | null) =>
    (db.prepare(`SELECT DISTINCT f.id FROM files f JOIN decisions d ON d.file_id = f.id
        ${folder == null ? '' : 'WHERE substr(f.path, 1, ?) = ?'} ORDER BY f.path`)
      .all(...(folder == null ? [] : [folder.length + 1, folder + sep])) as { id: number }[]).map((r) => r.id);
  const none = !selection.fileIds?.length && !selection.paths?.length && selection.under == null;
  const ids: number[] = [];
  ids.push(...(selection.fileIds ?? []));
  for (const p of selection.paths ?? []) {
    const abs = resolve(p);
    const f = store.getByPath(abs);
    if (f) {
      ids.push(f.id); // a file named explicitly is listed even without a decision (the plan says why it is skipped)
    } else {
      ids.push(...decidedUnder(abs.endsWith(sep) ? abs.slice(0, -1) : abs));
    }
  }
  if (selection.under != null) ids.push(...decidedUnder(resolve(selection.under)));
  if (none) ids.push(...decidedUnder(null));
  for (const id of ids) {
    if (byId.has(id)) continue;
    const f = get(id);
    if (f) byId.set(id, f);
  }
  return [...byId.values()];
}

/** Paths given in a selection that match no library file and no folder with decided files. */
export function unknownPaths(db: Db, paths: readonly string[]): string[] {
  const store = new FileStore(db);
  return paths.filter((p) => {
    const abs = resolve(p);
    if (store.getByPath(abs)) return false;
    const n = db.prepare('SELECT count(*) AS n FROM files WHERE substr(path, 1, ?) = ?').get(abs.length + 1, abs + sep) as { n: number };
    return n.n === 0;
  });
}

/**
 * What a write would do, per file: old → new genres, or why the file is left alone. Writes nothing.
 * A file that changed on disk since its scan is marked to skip here already (a dry run shows it).
 */
export function planWrite(db: Db, selection: WriteSelection, mode: WriteMode, opts: Partial<Omit<WriteOptions, 'mode'>> = {}): WritePlan {
  const options: WriteOptions = { ...DEFAULT_WRITE_OPTIONS, ...opts, mode };
  const store = new FileStore(db);
  const decisions = new DecisionStore(db);
  const files = selectFiles(db, store, selection);
  const planned: PlannedFile[] = files.map((f) => {
    const d = decisions.latest(f.id);
    const base: PlannedFile = {
      fileId: f.id, path: f.path, container: f.container, oldGenres: f.genres, newGenres: f.genres, action: 'skip', reason: null,
      decisionId: d?.id ?? null, expectedSize: f.size, expectedMtimeMs: f.mtimeMs,
    };
    if (!d) return { ...base, reason: 'no genre decided for this file (spectag decide)' };
    if (d.source === 'rejected') return { ...base, reason: 'the suggestion was rejected: nothing to write' };
    if (f.status === 'missing') return { ...base, reason: 'the file is missing (not found at the last scan)' };
    if (f.status === 'error' || !f.container) return { ...base, reason: `the file could not be read at the last scan (${f.errorMessage ?? f.errorKind})` };
    try {
      const st = statSync(f.path);
      if (st.size !== f.size || st.mtimeMs !== f.mtimeMs) {
        return { ...base, reason: 'the file changed on disk since it was scanned: rescan it first' };
      }
    } catch {
      return { ...base, reason: 'the file is no longer there' };
    }
    const next = genresAfter(mode, f.genres, d.genres);
    if (sameList(next, f.genres)) {
      return { ...base, action: 'unchanged', reason: mode === 'if-empty' && f.genres.length ? 'the file already has genres (if-empty)' : 'the file already has these genres' };
    }
    return { ...base, newGenres: next, action: 'write' };
  });
  return { options, files: planned, createdAt: Date.now() };
}

function emptyReport(kind: 'write' | 'undo', dryRun: boolean): WriteReport {
  return { batchId: null, kind, dryRun, written: 0, unchanged: 0, skipped: 0, failed: 0, cancelled: false, durationMs: 0, files: [] };
}

function count(report: WriteReport, r: FileWriteResult): void {
  report.files.push(r);
  if (r.status === 'written') report.written++;
  else if (r.status === 'unchanged') report.unchanged++;
  else if (r.status === 'skipped') report.skipped++;
  else report.failed++;
}

/** Re-read a file into the library after Spectag changed it (or found it changed): same row, new state. */
async function refreshFileRow(db: Db, fileId: number): Promise<FileState | null> {
  const row = db.prepare('SELECT id, root_id, path FROM files WHERE id = ?').get(fileId) as FileRow | undefined;
  if (!row) return null;
  const path = row.path;
  let st;
  try {
    st = statSync(path);
  } catch {
    return null;
  }
  const result = await readAudioFile(path);
  // same row id: decisions, predictions and history stay attached; size/mtime/key make the next scan see it as unchanged
  new FileStore(db).saveRead(row.root_id, { path, size: st.size, mtimeMs: st.mtimeMs, fileKey: fileKeyOf(st) }, result, row.id);
  return { size: st.size, mtimeMs: st.mtimeMs, contentId: result.contentId };
}

/** The genres a reader lists for what was written: ID3v2.2/2.3 join with "/"-aware splitting. */
function genresAsRead(expected: ExpectedGenreTag[], genres: readonly string[]): string[] {
  const v23 = expected.some((e) => e.kind === 'id3v2' && (e.version ?? 4) < 4);
  return splitGenres(v23 ? expected.find((e) => e.kind === 'id3v2')!.values : genres, { slashJoins: v23 });
}

interface OneFile {
  fileId: number;
  path: string;
  container: Container;
  expected: { size: number; mtimeMs: number };
  oldGenres: string[];
  newGenres: string[];
  decisionId: number | null;
  /** change the temp copy; returns what the verification must find */
  modify(temp: string): { expected: ExpectedGenreTag[]; genres: string[]; snapshot?: GenreSnapshot };
}

/** One file through journal → temp copy → change → verify → rename → database. Never throws. */
async function processFile(db: Db, journal: JournalStore, batchId: number, f: OneFile, options: { preserveMtime: boolean },
  job: WriteJobOptions): Promise<FileWriteResult> {
  const result: FileWriteResult = {
    fileId: f.fileId, path: f.path, status: 'failed', oldGenres: f.oldGenres, newGenres: f.newGenres, errorKind: null, message: null,
  };
  let entryId: number | null = null;
  try {
    let metaBefore: IAudioMetadata | null = null;
    let audioBefore = '';
    let intended: { expected: ExpectedGenreTag[]; genres: string[]; snapshot?: GenreSnapshot } | null = null;
    const st = await replaceFileSafely(f.path, {
      expected: f.expected,
      preserveMtime: options.preserveMtime,
      signal: job.signal,
      onStep: job.onStep ? (step, temp) => job.onStep!(f.path, step, temp) : undefined,
      modify: async (temp) => {
        // the copy is byte-identical to the original: read the "before" state from it
        audioBefore = await audioStreamHash(temp, job.signal);
        metaBefore = await readMetadata(temp, f.container);
        const snapshot = readGenreSnapshot(temp, f.container);
        // journal first: from here on the database knows exactly what to restore
        entryId = journal.addEntry({
          batchId, fileId: f.fileId, path: f.path, decisionId: f.decisionId, oldGenres: f.oldGenres,
          oldRaw: JSON.stringify(snapshot), newGenres: f.newGenres,
          before: { size: f.expected.size, mtimeMs: f.expected.mtimeMs, contentId: contentIdOf(db, f.fileId) },
        });
        intended = f.modify(temp);
      },
      verify: async (temp) => {
        const metaAfter = await readMetadata(temp, f.container);
        const audioAfter = await audioStreamHash(temp, job.signal);
        const problems = verifyRewrite({
          before: metaBefore!, after: metaAfter, expected: intended!.expected, genres: intended!.genres, audioBefore, audioAfter,
        });
        if (intended!.snapshot) {
          // an undo must give back the exact previous values
          const now = readGenreSnapshot(temp, f.container);
          if (JSON.stringify(now) !== JSON.stringify(intended!.snapshot)) problems.push('the restored genre values differ from the journaled ones');
        }
        return problems;
      },
    });
    const after = (await refreshFileRow(db, f.fileId)) ?? { size: st.size, mtimeMs: st.mtimeMs, contentId: null };
    if (entryId != null) journal.markWritten(entryId, after);
    result.status = 'written';
    return result;
  } catch (err) {
    const e = err instanceof SafeReplaceError ? err : new SafeReplaceError('io', `${f.path} was not changed: ${(err as Error).message ?? String(err)}`);
    result.errorKind = e.kind;
    result.message = e.message;
    if (e.kind === 'cancelled') result.status = 'skipped';
    if (entryId != null) journal.markFailed(entryId, e.kind, e.message);
    else journal.addFailure(batchId, f.fileId, f.path, f.oldGenres, f.newGenres, result.status === 'skipped' ? 'skipped' : 'failed', e.kind, e.message);
    // a file changed behind our back: read it again, so the library shows what is really there
    if (e.kind === 'changed-on-disk') await refreshFileRow(db, f.fileId).catch(() => null);
    return result;
  }
}

function progressEmitter(total: number, onProgress?: (p: WriteProgress) => void) {
  const p: WriteProgress = { done: 0, total, failed: 0, currentPath: null };
  return {
    start(path: string) {
      p.currentPath = path;
      onProgress?.({ ...p });
    },
    finish(failed: boolean) {
      p.done++;
      if (failed) p.failed++;
      onProgress?.({ ...p });
    },
  };
}

/** Write a plan: one journal batch; every file atomic and verified; errors recorded per file. */
export async function applyWrite(db: Db, plan: WritePlan, job: WriteJobOptions = {}): Promise<WriteReport> {
  const started = Date.now();
  const report = emptyReport('write', false);
  const journal = new JournalStore(db);
  journal.markInterrupted();
  cleanStaleTemps(plan.files.map((f) => dirname(f.path)));
  const toWrite = plan.files.filter((f) => f.action === 'write');
  const progress = progressEmitter(plan.files.length, job.onProgress);
  const batchId = toWrite.length ? journal.createBatch('write', plan.options, null) : null;
  report.batchId = batchId;
  const opts = { id3v23Join: plan.options.id3v23Join, id3v2Version: plan.options.id3v2Version };
  for (const p of plan.files) {
    const base = { fileId: p.fileId, path: p.path, oldGenres: p.oldGenres, newGenres: p.newGenres };
    if (p.action !== 'write' || batchId == null) {
      progress.start(p.path);
      count(report, { ...base, status: p.action === 'unchanged' ? 'unchanged' : 'skipped', errorKind: null, message: p.reason });
      progress.finish(false);
      continue;
    }
    if (job.signal?.aborted) {
      count(report, { ...base, status: 'skipped', errorKind: 'cancelled', message: 'cancelled before this file' });
      continue;
    }
    progress.start(p.path);
    const r = await processFile(db, journal, batchId, {
      fileId: p.fileId, path: p.path, container: p.container as Container, expected: { size: p.expectedSize, mtimeMs: p.expectedMtimeMs },
      oldGenres: p.oldGenres, newGenres: p.newGenres, decisionId: p.decisionId,
      modify: (temp) => {
        const { expected } = writeGenreTags(temp, p.container as Container, p.newGenres, opts);
        return { expected, genres: genresAsRead(expected, p.newGenres) };
      },
    }, plan.options, job);
    count(report, r);
    progress.finish(r.status === 'failed');
  }
  report.cancelled = !!job.signal?.aborted;
  if (batchId != null) journal.finishBatch(batchId, report.cancelled ? 'cancelled' : 'done');
  report.durationMs = Date.now() - started;
  return report;
}

export class UndoError extends Error {}

/**
 * Undo a batch: put back, in every file it wrote, the exact genre values journaled before the write. The
 * undo is a batch of its own (journaled, atomic per file, verified against the journal), so it can be undone too.
 */
export async function undoWrite(db: Db, batchId: number, job: WriteJobOptions = {}): Promise<WriteReport> {
  const started = Date.now();
  const journal = new JournalStore(db);
  journal.markInterrupted();
  const batch = journal.batch(batchId);
  if (!batch) throw new UndoError(`there is no write batch ${batchId} (spectag undo lists the recent ones)`);
  if (batch.undoneByBatchId != null) throw new UndoError(`batch ${batchId} was already undone by batch ${batch.undoneByBatchId}`);
  const entries = journal.entries(batchId).filter((e) => e.status === 'written').reverse();
  const report = emptyReport('undo', false);
  if (!entries.length) {
    report.durationMs = Date.now() - started;
    return report;
  }
  cleanStaleTemps(entries.map((e) => dirname(e.path)));
  const undoId = journal.createBatch('undo', null, batchId);
  report.batchId = undoId;
  const progress = progressEmitter(entries.length, job.onProgress);
  for (const e of entries) {
    const r = await undoOne(db, journal, undoId, e, batch.options?.preserveMtime ?? false, job, progress);
    if (r) count(report, r);
  }
  report.cancelled = !!job.signal?.aborted;
  journal.finishBatch(undoId, report.cancelled ? 'cancelled' : 'done');
  report.durationMs = Date.now() - started;
  return report;
}

async function undoOne(db: Db, journal: JournalStore, undoId: number, e: JournalEntry, preserveMtime: boolean, job: WriteJobOptions,
  progress: ReturnType<typeof progressEmitter>): Promise<FileWriteResult | null> {
  const base = { fileId: e.fileId ?? 0, path: e.path, oldGenres: e.newGenres, newGenres: e.oldGenres };
  if (job.signal?.aborted) return { ...base, status: 'skipped', errorKind: 'cancelled', message: 'cancelled before this file' };
  progress.start(e.path);
  const snapshot = JSON.parse(e.oldRaw) as GenreSnapshot;
  if (!e.after || e.fileId == null) {
    const r: FileWriteResult = { ...base, status: 'failed', errorKind: 'io', message: `${e.path}: the journal has no record of the written file` };
    progress.finish(true);
    return r;
  }
  const r = await processFile(db, journal, undoId, {
    fileId: e.fileId, path: e.path, container: snapshot.container, expected: { size: e.after.size, mtimeMs: e.after.mtimeMs },
    oldGenres: e.newGenres, newGenres: e.oldGenres, decisionId: null,
    modify: (temp) => {
      restoreGenreTags(temp, snapshot);
      return { expected: [], genres: e.oldGenres, snapshot };
    },
  }, { preserveMtime }, job);
  if (r.status === 'written') journal.markUndone(e.id);
  if (r.errorKind === 'changed-on-disk') r.message = `${e.path} changed on disk after Spectag wrote it; its genres were not restored (${r.message})`;
  progress.finish(r.status === 'failed');
  return r;
}
