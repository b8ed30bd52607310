// The engine API for writing decided genres into files: plan (dry run), apply (journaled, atomic, verified
// per file), undo (itself journaled and atomic). Errors on one file never stop the batch.
import { statSync } from 'node:fs';
import { notRegularReason, regularFileStatSync } from '../library/regular-file.js';
import { dirname, resolve, sep } from 'node:path';
import type { IAudioMetadata } from 'music-metadata';
import type { Db } from '../db/open.js';
import { FileStore } from '../db/files.js';
import { DecisionStore, JournalStore, decidedGenreProblem, type FileState, type JournalEntry } from '../db/decisions.js';
import { LeaseLostError, LibraryBusyError, WriteLease } from '../db/write-lease.js';
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
import { readMetadata, verifyRewrite } from './verify.js';
import { audioStreamHash } from '../audio/stream-hash.js';
import { keepAnalysisAfterTagWrite } from '../db/analysis.js';

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
    // decided before such genres were refused: it would not read back as written
    const problem = d.genres.map(decidedGenreProblem).find((x) => x != null);
    if (problem) return { ...base, reason: `${problem} (decide the file again)` };
    if (f.status === 'missing') return { ...base, reason: 'the file is missing (not found at the last scan)' };
    if (f.status === 'error' || !f.container) return { ...base, reason: `the file could not be read at the last scan (${f.errorMessage ?? f.errorKind})` };
    try {
      const st = statSync(f.path);
      if (!st.isFile()) return { ...base, reason: notRegularReason(st) };
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
  return { batchId: null, kind, dryRun, written: 0, unchanged: 0, skipped: 0, failed: 0, unrecorded: 0, cancelled: false, durationMs: 0, files: [] };
}

function count(report: WriteReport, r: FileWriteResult & { unrecorded?: boolean }): void {
  const { unrecorded, ...file } = r;
  report.files.push(file);
  if (r.status === 'written') report.written++;
  else if (r.status === 'unchanged') report.unchanged++;
  else if (r.status === 'skipped') report.skipped++;
  else report.failed++;
  if (unrecorded) report.unrecorded++;
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

/** The library database failed: before a file was touched (it was not), or after (the file was changed). */
const dbMessage = (err: unknown) => (err as Error)?.message ?? String(err);

/** Run a database step whose failure must not change what the report says (the report is then the record). */
function bestEffort(step: () => void): void {
  try {
    step();
  } catch {
    // the database is failing; the per-file result already says what happened to the file
  }
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

type FileOutcome = FileWriteResult & {
  /** the file was replaced but the database could not record it (its entry stays pending) */
  unrecorded?: boolean;
  /** the database could not be written: the batch stops */
  databaseFailed?: boolean;
};

/**
 * One file through temp copy → change → verify → journal entry (committed) → rename → database. The file is
 * replaced only once its journal entry, with the old and the new genre values, is committed; a database failure
 * before that leaves it untouched, one after it is reported as such (the file was written). Never throws.
 */
async function processFile(db: Db, journal: JournalStore, batchId: number, lease: WriteLease, f: OneFile, options: { preserveMtime: boolean },
  job: WriteJobOptions): Promise<FileOutcome> {
  const result: FileOutcome = {
    fileId: f.fileId, path: f.path, status: 'failed', oldGenres: f.oldGenres, newGenres: f.newGenres, errorKind: null, message: null,
  };
  let entryId: number | null = null;
  // the audio's identity before and after (verified equal): the analysis of the audio stays valid
  let audioBefore = '';
  let audioAfter = '';
  try {
    let metaBefore: IAudioMetadata | null = null;
    let oldRaw = '';
    let newRaw = '';
    let intended: { expected: ExpectedGenreTag[]; genres: string[]; snapshot?: GenreSnapshot } | null = null;
    await replaceFileSafely(f.path, {
      expected: f.expected,
      preserveMtime: options.preserveMtime,
      signal: job.signal,
      onStep: job.onStep ? (step, temp) => job.onStep!(f.path, step, temp) : undefined,
      modify: async (temp) => {
        // the copy is byte-identical to the original: read the "before" state from it
        audioBefore = await audioStreamHash(temp, { signal: job.signal });
        metaBefore = await readMetadata(temp, f.container);
        oldRaw = JSON.stringify(readGenreSnapshot(temp, f.container));
        intended = f.modify(temp);
        newRaw = JSON.stringify(readGenreSnapshot(temp, f.container));
      },
      verify: async (temp) => {
        const metaAfter = await readMetadata(temp, f.container);
        audioAfter = await audioStreamHash(temp, { signal: job.signal });
        const problems = verifyRewrite({
          before: metaBefore!, after: metaAfter, expected: intended!.expected, genres: intended!.genres, audioBefore, audioAfter,
        });
        // an undo must give back the exact previous values
        if (intended!.snapshot && newRaw !== JSON.stringify(intended!.snapshot)) problems.push('the restored genre values differ from the journaled ones');
        return problems;
      },
      beforeRename: (_temp, temp) => {
        try {
          // still ours? (a process that stood still past the lease's expiry may have been replaced meanwhile)
          lease.renew();
        } catch (err) {
          if (err instanceof LeaseLostError) throw new SafeReplaceError('cancelled', `${f.path} was not changed: ${err.message}`);
          result.databaseFailed = true;
          throw new SafeReplaceError('database', `${f.path} was not changed: the library database could not be written (${dbMessage(err)})`);
        }
        try {
          entryId = journal.addEntry({
            batchId, fileId: f.fileId, path: f.path, decisionId: f.decisionId, oldGenres: f.oldGenres, oldRaw, newGenres: f.newGenres, newRaw,
            before: { size: f.expected.size, mtimeMs: f.expected.mtimeMs, contentId: contentIdOf(db, f.fileId) },
            after: { size: temp.size, mtimeMs: temp.mtimeMs, contentId: null },
          });
        } catch (err) {
          result.databaseFailed = true;
          throw new SafeReplaceError('database', `${f.path} was not changed: the library database could not record the write first (${dbMessage(err)})`);
        }
      },
    });
  } catch (err) {
    const e = err instanceof SafeReplaceError ? err : new SafeReplaceError('io', `${f.path} was not changed: ${(err as Error).message ?? String(err)}`);
    result.errorKind = e.kind;
    result.message = e.message;
    if (e.kind === 'cancelled') result.status = 'skipped';
    const id = entryId;
    bestEffort(() => {
      if (id != null) journal.markFailed(id, e.kind, e.message);
      else journal.addFailure(batchId, f.fileId, f.path, f.oldGenres, f.newGenres, result.status === 'skipped' ? 'skipped' : 'failed', e.kind, e.message);
    });
    // a file changed behind our back: read it again, so the library shows what is really there
    if (e.kind === 'changed-on-disk') await refreshFileRow(db, f.fileId).catch(() => null);
    return result;
  }
  // the file holds the new values now: whatever the database does from here, the report says it was written
  result.status = 'written';
  try {
    const after = await refreshFileRow(db, f.fileId);
    // only the tags changed (the verification compared the audio): what was heard of the file still holds
    if (after && audioAfter && audioAfter === audioBefore) keepAnalysisAfterTagWrite(db, f.fileId, f.expected, after, audioAfter);
    if (after) journal.markWritten(entryId!, after);
    else journal.markWritten(entryId!, { size: f.expected.size, mtimeMs: f.expected.mtimeMs, contentId: null });
  } catch (err) {
    result.unrecorded = true;
    result.databaseFailed = true;
    result.errorKind = 'database';
    result.message = `${f.path} was written, but the library database could not record it (${dbMessage(err)}); ` +
      `its journal entry, made before the file was replaced, stays pending: \`spectag undo ${batchId}\` restores the file by the values it finds in it`;
  }
  return result;
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

/** The library database could not start a write or undo: nothing was changed. */
export class WriteDatabaseError extends Error {
  constructor(db: Db, cause: unknown) {
    super(`${db.name}: the library database could not be written (${dbMessage(cause)}); no file was changed`, { cause });
  }
}

/** Hold the library: one write or undo at a time, across processes. */
function holdLibrary(db: Db, kind: 'write' | 'undo'): WriteLease {
  try {
    return WriteLease.acquire(db, kind);
  } catch (err) {
    if (err instanceof LibraryBusyError) throw err;
    throw new WriteDatabaseError(db, err);
  }
}

/** With the library held: mark batches a dead process left running as interrupted, and create this one. */
function beginBatch(db: Db, journal: JournalStore, lease: WriteLease, create: () => number): number {
  try {
    journal.markInterrupted();
    const batchId = create();
    lease.setBatch(batchId);
    return batchId;
  } catch (err) {
    throw new WriteDatabaseError(db, err);
  }
}

/** Between files: the lease must still be ours (else another process writes now) and the database writable. */
function stopReason(lease: WriteLease, databaseFailed: boolean): string | null {
  if (databaseFailed) return 'not attempted: the library database cannot be written (see above); free space or repair it, then write again';
  try {
    lease.renew();
    return null;
  } catch (err) {
    return err instanceof LeaseLostError ? `not attempted: ${err.message}` : `not attempted: the library database cannot be written (${dbMessage(err)})`;
  }
}

/** The library now knows the file changed since the plan, and it holds the planned genres already. */
function writtenSincePlan(db: Db, p: PlannedFile): boolean {
  const row = new FileStore(db).getByPath(p.path);
  return !!row && (row.size !== p.expectedSize || row.mtimeMs !== p.expectedMtimeMs) && sameList(row.genres, p.newGenres);
}

/** Write a plan: one journal batch; every file atomic and verified; errors recorded per file. */
export async function applyWrite(db: Db, plan: WritePlan, job: WriteJobOptions = {}): Promise<WriteReport> {
  const started = Date.now();
  const report = emptyReport('write', false);
  const journal = new JournalStore(db);
  const toWrite = plan.files.filter((f) => f.action === 'write');
  const progress = progressEmitter(plan.files.length, job.onProgress);
  let batch: { lease: WriteLease; batchId: number } | null = null;
  if (toWrite.length) {
    const lease = holdLibrary(db, 'write');
    try {
      batch = { lease, batchId: beginBatch(db, journal, lease, () => journal.createBatch('write', plan.options, null)) };
    } catch (err) {
      lease.release();
      throw err;
    }
  }
  report.batchId = batch?.batchId ?? null;
  try {
    cleanStaleTemps(plan.files.map((f) => dirname(f.path)));
    const opts = { id3v23Join: plan.options.id3v23Join, id3v2Version: plan.options.id3v2Version };
    let databaseFailed = false;
    for (const p of plan.files) {
      const base = { fileId: p.fileId, path: p.path, oldGenres: p.oldGenres, newGenres: p.newGenres };
      if (p.action !== 'write' || !batch) {
        progress.start(p.path);
        count(report, { ...base, status: p.action === 'unchanged' ? 'unchanged' : 'skipped', errorKind: null, message: p.reason });
        progress.finish(false);
        continue;
      }
      if (job.signal?.aborted) {
        count(report, { ...base, status: 'skipped', errorKind: 'cancelled', message: 'cancelled before this file' });
        continue;
      }
      const stop = stopReason(batch.lease, databaseFailed);
      if (stop) {
        count(report, { ...base, status: 'skipped', errorKind: databaseFailed ? 'database' : 'cancelled', message: stop });
        continue;
      }
      if (writtenSincePlan(db, p)) {
        // another write (waited for by the lease) put these genres in since this plan was made
        count(report, { ...base, status: 'unchanged', errorKind: null, message: 'the file already has these genres (written since this plan was made)' });
        continue;
      }
      progress.start(p.path);
      const r = await processFile(db, journal, batch.batchId, batch.lease, {
        fileId: p.fileId, path: p.path, container: p.container as Container, expected: { size: p.expectedSize, mtimeMs: p.expectedMtimeMs },
        oldGenres: p.oldGenres, newGenres: p.newGenres, decisionId: p.decisionId,
        modify: (temp) => {
          const { expected } = writeGenreTags(temp, p.container as Container, p.newGenres, opts);
          return { expected, genres: genresAsRead(expected, p.newGenres) };
        },
      }, plan.options, job);
      databaseFailed ||= !!r.databaseFailed;
      const { databaseFailed: _d, ...file } = r;
      count(report, file);
      progress.finish(r.status === 'failed');
    }
    report.cancelled = !!job.signal?.aborted;
  } finally {
    if (batch) {
      bestEffort(() => journal.finishBatch(batch.batchId, report.cancelled ? 'cancelled' : 'done'));
      batch.lease.release();
    }
  }
  report.durationMs = Date.now() - started;
  return report;
}

export class UndoError extends Error {}

/**
 * The journal entries of a batch that undo restores: those written, and those whose write the database could not
 * confirm (pending, or failed after the rename) when the file shows exactly the values the write put in.
 */
function entriesToUndo(journal: JournalStore, batchId: number): JournalEntry[] {
  return journal.entries(batchId).filter((e) => {
    if (e.status === 'written') return true;
    if ((e.status !== 'pending' && e.status !== 'failed') || !e.newRaw) return false;
    try {
      const snapshot = JSON.parse(e.oldRaw) as GenreSnapshot;
      regularFileStatSync(e.path); // a FIFO in its place would block the tag reader
      return JSON.stringify(readGenreSnapshot(e.path, snapshot.container)) === e.newRaw;
    } catch {
      return false; // gone or unreadable: nothing of ours to restore
    }
  }).reverse();
}

/**
 * Undo a batch: put back, in every file it wrote, the exact genre values journaled before the write. The
 * undo is a batch of its own (journaled, atomic per file, verified against the journal), so it can be undone too.
 */
export async function undoWrite(db: Db, batchId: number, job: WriteJobOptions = {}): Promise<WriteReport> {
  const started = Date.now();
  const journal = new JournalStore(db);
  const report = emptyReport('undo', false);
  // the lease first: a second undo of the same batch waits for nothing and finds it undone, or is refused
  const lease = holdLibrary(db, 'undo');
  let undoId: number | null = null;
  try {
    const batch = journal.batch(batchId);
    if (!batch) throw new UndoError(`there is no write batch ${batchId} (spectag undo lists the recent ones)`);
    if (batch.undoneByBatchId != null) throw new UndoError(`batch ${batchId} was already undone by batch ${batch.undoneByBatchId}`);
    const entries = entriesToUndo(journal, batchId);
    if (!entries.length) {
      report.durationMs = Date.now() - started;
      return report;
    }
    undoId = beginBatch(db, journal, lease, () => journal.createBatch('undo', null, batchId));
    report.batchId = undoId;
    cleanStaleTemps(entries.map((e) => dirname(e.path)));
    const progress = progressEmitter(entries.length, job.onProgress);
    let databaseFailed = false;
    for (const e of entries) {
      const stop = stopReason(lease, databaseFailed);
      if (stop) {
        count(report, { fileId: e.fileId ?? 0, path: e.path, oldGenres: e.newGenres, newGenres: e.oldGenres, status: 'skipped',
          errorKind: databaseFailed ? 'database' : 'cancelled', message: stop });
        continue;
      }
      const r = await undoOne(db, journal, undoId, lease, e, batch.options?.preserveMtime ?? false, job, progress);
      databaseFailed ||= !!r.databaseFailed;
      const { databaseFailed: _d, ...file } = r;
      count(report, file);
    }
    report.cancelled = !!job.signal?.aborted;
  } finally {
    const id = undoId;
    if (id != null) bestEffort(() => journal.finishBatch(id, report.cancelled ? 'cancelled' : 'done'));
    lease.release();
  }
  report.durationMs = Date.now() - started;
  return report;
}

async function undoOne(db: Db, journal: JournalStore, undoId: number, lease: WriteLease, e: JournalEntry, preserveMtime: boolean, job: WriteJobOptions,
  progress: ReturnType<typeof progressEmitter>): Promise<FileOutcome> {
  const base = { fileId: e.fileId ?? 0, path: e.path, oldGenres: e.newGenres, newGenres: e.oldGenres };
  if (job.signal?.aborted) return { ...base, status: 'skipped', errorKind: 'cancelled', message: 'cancelled before this file' };
  progress.start(e.path);
  const snapshot = JSON.parse(e.oldRaw) as GenreSnapshot;
  if (!e.after || e.fileId == null) {
    progress.finish(true);
    return { ...base, status: 'failed', errorKind: 'io', message: `${e.path}: the journal has no record of the written file` };
  }
  const r = await processFile(db, journal, undoId, lease, {
    fileId: e.fileId, path: e.path, container: snapshot.container, expected: { size: e.after.size, mtimeMs: e.after.mtimeMs },
    oldGenres: e.newGenres, newGenres: e.oldGenres, decisionId: null,
    modify: (temp) => {
      restoreGenreTags(temp, snapshot);
      return { expected: [], genres: e.oldGenres, snapshot };
    },
  }, { preserveMtime }, job);
  if (r.status === 'written') {
    try {
      journal.markUndone(e.id);
    } catch (err) {
      r.unrecorded = true;
      r.databaseFailed = true;
      r.errorKind = 'database';
      r.message = `${e.path} was restored, but the library database could not record it (${dbMessage(err)})`;
    }
  }
  if (r.errorKind === 'changed-on-disk') r.message = `${e.path} changed on disk after Spectag wrote it; its genres were not restored (${r.message})`;
  progress.finish(r.status === 'failed');
  return r;
}
