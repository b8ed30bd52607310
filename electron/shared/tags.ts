// Types for deciding genres and writing them back into files: decisions, write plans, reports, undo.
// Plain TypeScript only: shared by the engine, the CLI and (later) the renderer.

/** Where a decision came from: the review UI (accepted/corrected/rejected a suggestion) or the CLI. */
export const DECISION_SOURCES = ['accepted', 'corrected', 'rejected', 'cli'] as const;
export type DecisionSource = (typeof DECISION_SOURCES)[number];

export interface Decision {
  id: number;
  fileId: number;
  path: string;
  /** the chosen genres in order; empty for a rejected suggestion */
  genres: string[];
  source: DecisionSource;
  decidedAt: number;
}

/**
 * replace: the file's genres become the decided ones.
 * add: the decided genres are appended to the ones already in the file (case-insensitive duplicates dropped).
 * if-empty: only files without any genre get the decided ones; others are left alone.
 */
export const WRITE_MODES = ['replace', 'add', 'if-empty'] as const;
export type WriteMode = (typeof WRITE_MODES)[number];

export interface WriteOptions {
  mode: WriteMode;
  /** joins several genres into the one TCON string ID3v2.2/2.3 allows (default "; ", as beets and Picard) */
  id3v23Join: string;
  /** keep the file's modification time (default off, like Picard) */
  preserveMtime: boolean;
  /** ID3v2 version for MP3/WAV/AIFF tags: null keeps the version already in the file (2.4 for a new tag) */
  id3v2Version: 3 | 4 | null;
}

export const DEFAULT_WRITE_OPTIONS: WriteOptions = { mode: 'replace', id3v23Join: '; ', preserveMtime: false, id3v2Version: null };

/** Which files a write covers. With no field set: every file whose latest decision is not yet in the file. */
export interface WriteSelection {
  fileIds?: number[];
  paths?: string[];
  /** only files under this folder */
  under?: string;
}

export type PlannedAction = 'write' | 'unchanged' | 'skip';

export interface PlannedFile {
  fileId: number;
  path: string;
  container: string | null;
  /** genres in the file as the database knows them (from the last scan) */
  oldGenres: string[];
  /** genres the file will have after the write */
  newGenres: string[];
  /** write: the file changes; unchanged: it already has these genres; skip: see reason */
  action: PlannedAction;
  reason: string | null;
  decisionId: number | null;
  /** what the database knows of the file, checked again just before writing (changed since scan?) */
  expectedSize: number;
  expectedMtimeMs: number;
}

export interface WritePlan {
  options: WriteOptions;
  files: PlannedFile[];
  createdAt: number;
}

export const WRITE_ERROR_KINDS = [
  'changed-on-disk', 'missing', 'read-only', 'disk-full', 'locked', 'unsupported', 'unreadable', 'verify-failed',
  'io', 'cancelled',
  // the library database could not be written: before the file was touched (it was not), or after (see message)
  'database',
] as const;
export type WriteErrorKind = (typeof WRITE_ERROR_KINDS)[number];

export type FileWriteStatus = 'written' | 'unchanged' | 'skipped' | 'failed';

export interface FileWriteResult {
  fileId: number;
  path: string;
  status: FileWriteStatus;
  oldGenres: string[];
  newGenres: string[];
  errorKind: WriteErrorKind | null;
  message: string | null;
}

export interface WriteProgress {
  done: number;
  total: number;
  failed: number;
  currentPath: string | null;
}

export interface WriteReport {
  /** the journal batch, for `undo`; null for a dry run or when nothing was to be written */
  batchId: number | null;
  kind: 'write' | 'undo';
  dryRun: boolean;
  written: number;
  unchanged: number;
  skipped: number;
  failed: number;
  /**
   * files written whose record the library database could not complete (counted in `written` too): their
   * journal entries stay pending, and undo restores them by the values it finds in each file
   */
  unrecorded: number;
  cancelled: boolean;
  durationMs: number;
  files: FileWriteResult[];
}

export type BatchStatus = 'running' | 'done' | 'cancelled' | 'interrupted';

export interface WriteBatchInfo {
  id: number;
  kind: 'write' | 'undo';
  /** for an undo batch: the batch it undid */
  undoesBatchId: number | null;
  /** the undo batch that undid this one, if any */
  undoneByBatchId: number | null;
  options: WriteOptions | null;
  status: BatchStatus;
  createdAt: number;
  finishedAt: number | null;
  counts: Record<'pending' | 'written' | 'failed' | 'skipped' | 'undone', number>;
}

/**
 * One line for a finished write or undo, the same in the window and the command line. An undo "restores"
 * files (it writes the previous genres back); only a write "writes".
 */
export function writeReportSummary(r: Pick<WriteReport, 'kind' | 'written' | 'unchanged' | 'skipped' | 'failed'>): string {
  return `${r.written} ${r.kind === 'undo' ? 'restored' : 'written'}, ${r.unchanged} unchanged, ${r.skipped} skipped, ${r.failed} failed`;
}

/**
 * What a batch of the history did, by its journal: for a write, the files it wrote (those an undo later
 * restored count as written, and are said to be undone) and those that failed; for an undo, the files it
 * restored.
 */
export function batchSummary(b: Pick<WriteBatchInfo, 'kind' | 'counts' | 'undoneByBatchId'>): string {
  const parts: string[] = [];
  if (b.kind === 'undo') {
    parts.push(`${b.counts.written} restored`);
  } else {
    const wrote = b.counts.written + b.counts.undone;
    parts.push(`${wrote} written`);
    if (b.counts.undone) parts.push(`${b.counts.undone === wrote ? 'all' : b.counts.undone} undone${b.undoneByBatchId != null ? ` by batch ${b.undoneByBatchId}` : ''}`);
  }
  if (b.counts.failed) parts.push(`${b.counts.failed} failed`);
  if (b.counts.skipped) parts.push(`${b.counts.skipped} skipped`);
  // journaled before the file was replaced, never confirmed (the process stopped, or the database failed after
  // the rename): the file may hold either value; undo looks at each
  if (b.counts.pending) parts.push(`${b.counts.pending} not confirmed (undo checks those files)`);
  return parts.join(', ');
}
