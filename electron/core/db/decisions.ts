// Genre decisions per file and the write journal: the database side of writing genres into files.
import type { Db } from './open.js';
import { currentLease } from './write-lease.js';
import { Genres } from 'node-taglib-sharp';
import { genreNameProblem } from '../../shared/genres.js';
import type {
  BatchStatus, Decision, DecisionSource, WriteBatchInfo, WriteErrorKind, WriteOptions,
} from '../../shared/tags.js';

interface DecisionRow { id: number; file_id: number; path: string; genres: string; source: DecisionSource; decided_at: number }

const toDecision = (r: DecisionRow): Decision => ({
  id: r.id, fileId: r.file_id, path: r.path, genres: JSON.parse(r.genres) as string[], source: r.source, decidedAt: r.decided_at,
});

export class DecisionWrittenError extends Error {
  constructor(readonly decisionId: number) {
    super(`decision ${decisionId} is already written into its file; undo the write instead`);
    this.name = 'DecisionWrittenError';
  }
}

/** A genre that can never be written as it reads (see genreNameProblem). */
export class InvalidGenreError extends Error {}

/** The reason a decided genre cannot be written, with the ID3v1 list's name for a genre number. */
export const decidedGenreProblem = (genre: string) => genreNameProblem(genre, (n) => Genres.indexToAudio(n, false) ?? undefined);

export class DecisionStore {
  constructor(readonly db: Db) {}

  /** Record a decision; throws InvalidGenreError for a genre no tag could read back as written. */
  record(fileId: number, genres: readonly string[], source: DecisionSource, now = Date.now()): number {
    for (const g of genres) {
      const problem = decidedGenreProblem(g);
      if (problem) throw new InvalidGenreError(problem);
    }
    return Number(
      this.db.prepare('INSERT INTO decisions(file_id, genres, source, decided_at) VALUES (?, ?, ?, ?)')
        .run(fileId, JSON.stringify(genres), source, now).lastInsertRowid,
    );
  }

  /** The decision that counts for a file: its latest one. */
  latest(fileId: number): Decision | null {
    const row = this.db
      .prepare(`SELECT d.*, f.path FROM decisions d JOIN files f ON f.id = d.file_id WHERE d.file_id = ? ORDER BY d.id DESC LIMIT 1`)
      .get(fileId) as DecisionRow | undefined;
    return row ? toDecision(row) : null;
  }

  /** The latest decision of every file that has one, by path. */
  allLatest(): Decision[] {
    const rows = this.db
      .prepare(`SELECT d.*, f.path FROM decisions d JOIN files f ON f.id = d.file_id
        WHERE d.id = (SELECT max(id) FROM decisions WHERE file_id = d.file_id) ORDER BY f.path`)
      .all() as DecisionRow[];
    return rows.map(toDecision);
  }

  /**
   * Takes back decisions that never reached a file (the review's undo: an undone decision never happened), so
   * each file's previous decision counts again. All or nothing: refuses with DecisionWrittenError, removing
   * none, when one of them was written into its file (that is undone with its write batch). Returns the count.
   */
  remove(ids: readonly number[]): number {
    return this.db.transaction(() => {
      const written = this.db.prepare("SELECT 1 FROM write_journal WHERE decision_id = ? AND status = 'written'");
      const id = ids.find((d) => written.get(d));
      if (id != null) throw new DecisionWrittenError(id);
      const del = this.db.prepare('DELETE FROM decisions WHERE id = ?');
      return ids.reduce((n, d) => n + del.run(d).changes, 0);
    })();
  }

  history(fileId: number): Decision[] {
    const rows = this.db
      .prepare('SELECT d.*, f.path FROM decisions d JOIN files f ON f.id = d.file_id WHERE d.file_id = ? ORDER BY d.id')
      .all(fileId) as DecisionRow[];
    return rows.map(toDecision);
  }
}

export type JournalStatus = 'pending' | 'written' | 'failed' | 'skipped' | 'undone';

export interface FileState {
  size: number;
  mtimeMs: number;
  contentId: string | null;
}

export interface JournalEntry {
  id: number;
  batchId: number;
  fileId: number | null;
  path: string;
  decisionId: number | null;
  oldGenres: string[];
  /** JSON of the exact previous tag values (see tags/genre-tags.ts GenreSnapshot) */
  oldRaw: string;
  newGenres: string[];
  /** JSON of the exact tag values the write put in (null in entries from before schema 11, and for refusals) */
  newRaw: string | null;
  before: FileState | null;
  after: FileState | null;
  status: JournalStatus;
  errorKind: WriteErrorKind | null;
  error: string | null;
}

interface JournalRow {
  id: number; batch_id: number; file_id: number | null; path: string; decision_id: number | null; old_genres: string;
  old_raw: string; new_genres: string; new_raw: string | null; old_size: number | null; old_mtime_ms: number | null; old_content_id: string | null;
  new_size: number | null; new_mtime_ms: number | null; new_content_id: string | null; status: JournalStatus;
  error_kind: WriteErrorKind | null; error: string | null;
}

const toEntry = (r: JournalRow): JournalEntry => ({
  id: r.id, batchId: r.batch_id, fileId: r.file_id, path: r.path, decisionId: r.decision_id,
  oldGenres: JSON.parse(r.old_genres) as string[], oldRaw: r.old_raw, newGenres: JSON.parse(r.new_genres) as string[], newRaw: r.new_raw,
  before: r.old_size == null ? null : { size: r.old_size, mtimeMs: r.old_mtime_ms ?? 0, contentId: r.old_content_id },
  after: r.new_size == null ? null : { size: r.new_size, mtimeMs: r.new_mtime_ms ?? 0, contentId: r.new_content_id },
  status: r.status, errorKind: r.error_kind, error: r.error,
});

interface BatchRow {
  id: number; kind: 'write' | 'undo'; undoes_batch_id: number | null; options: string | null; status: BatchStatus;
  created_at: number; finished_at: number | null;
}

export class JournalStore {
  constructor(readonly db: Db) {}

  /** Batches left 'running' by a process that died. Call while holding the write lease: nothing else runs then. */
  markInterrupted(now = Date.now()): number {
    return this.db.prepare("UPDATE write_batches SET status = 'interrupted', finished_at = ? WHERE status = 'running'").run(now).changes;
  }

  createBatch(kind: 'write' | 'undo', options: WriteOptions | null, undoesBatchId: number | null, now = Date.now()): number {
    return Number(
      this.db.prepare('INSERT INTO write_batches(kind, undoes_batch_id, options, created_at) VALUES (?, ?, ?, ?)')
        .run(kind, undoesBatchId, options ? JSON.stringify(options) : null, now).lastInsertRowid,
    );
  }

  finishBatch(id: number, status: BatchStatus, now = Date.now()): void {
    this.db.prepare('UPDATE write_batches SET status = ?, finished_at = ? WHERE id = ?').run(status, now, id);
  }

  /**
   * Journal a file just before it is replaced (status pending): its previous genre values and the ones the
   * verified copy holds, exactly, and the file as it is and as it will be. Committed to disk before the rename
   * (synchronous = FULL for this commit alone: WAL's NORMAL could lose it to a power cut that the rename
   * survives), so an interrupted write can always be undone.
   */
  addEntry(e: {
    batchId: number; fileId: number | null; path: string; decisionId: number | null; oldGenres: readonly string[];
    oldRaw: string; newGenres: readonly string[]; newRaw: string; before: FileState; after: FileState;
  }, now = Date.now()): number {
    const sync = this.db.pragma('synchronous', { simple: true }) as number;
    this.db.pragma('synchronous = FULL');
    try {
      return this.insertEntry(e, now);
    } finally {
      this.db.pragma(`synchronous = ${sync}`);
    }
  }

  private insertEntry(e: Parameters<JournalStore['addEntry']>[0], now: number): number {
    return Number(
      this.db.prepare(`INSERT INTO write_journal(batch_id, file_id, path, decision_id, old_genres, old_raw, new_genres, new_raw,
          old_size, old_mtime_ms, old_content_id, new_size, new_mtime_ms, new_content_id, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(e.batchId, e.fileId, e.path, e.decisionId, JSON.stringify(e.oldGenres), e.oldRaw, JSON.stringify(e.newGenres), e.newRaw,
          e.before.size, e.before.mtimeMs, e.before.contentId, e.after.size, e.after.mtimeMs, e.after.contentId, now).lastInsertRowid,
    );
  }

  /** A file not journaled in detail (refused before its tags were read): recorded so the batch shows it. */
  addFailure(batchId: number, fileId: number | null, path: string, oldGenres: readonly string[], newGenres: readonly string[],
    status: 'failed' | 'skipped', kind: WriteErrorKind, message: string, now = Date.now()): void {
    this.db.prepare(`INSERT INTO write_journal(batch_id, file_id, path, old_genres, old_raw, new_genres, status, error_kind, error, updated_at)
        VALUES (?, ?, ?, ?, 'null', ?, ?, ?, ?, ?)`)
      .run(batchId, fileId, path, JSON.stringify(oldGenres), JSON.stringify(newGenres), status, kind, message, now);
  }

  markWritten(entryId: number, after: FileState, now = Date.now()): void {
    this.db.prepare("UPDATE write_journal SET status = 'written', new_size = ?, new_mtime_ms = ?, new_content_id = ?, updated_at = ? WHERE id = ?")
      .run(after.size, after.mtimeMs, after.contentId, now, entryId);
  }

  markFailed(entryId: number, kind: WriteErrorKind, message: string, now = Date.now()): void {
    this.db.prepare("UPDATE write_journal SET status = 'failed', error_kind = ?, error = ?, updated_at = ? WHERE id = ?")
      .run(kind, message, now, entryId);
  }

  markUndone(entryId: number, now = Date.now()): void {
    this.db.prepare("UPDATE write_journal SET status = 'undone', updated_at = ? WHERE id = ?").run(now, entryId);
  }

  entries(batchId: number): JournalEntry[] {
    return (this.db.prepare('SELECT * FROM write_journal WHERE batch_id = ? ORDER BY id').all(batchId) as JournalRow[]).map(toEntry);
  }

  batch(id: number): WriteBatchInfo | null {
    const r = this.db.prepare('SELECT * FROM write_batches WHERE id = ?').get(id) as BatchRow | undefined;
    if (!r) return null;
    const counts = { pending: 0, written: 0, failed: 0, skipped: 0, undone: 0 };
    for (const c of this.db.prepare('SELECT status, count(*) AS n FROM write_journal WHERE batch_id = ? GROUP BY status').all(id) as { status: JournalStatus; n: number }[]) {
      counts[c.status] = c.n;
    }
    const undoneBy = this.db
      .prepare("SELECT id FROM write_batches WHERE undoes_batch_id = ? AND status = 'done' ORDER BY id DESC LIMIT 1")
      .get(id) as { id: number } | undefined;
    // a batch 'running' without a live lease for it was interrupted (its process died), whether or not
    // anything has marked it so yet
    const status = r.status === 'running' && currentLease(this.db)?.batchId !== r.id ? 'interrupted' : r.status;
    return {
      id: r.id, kind: r.kind, undoesBatchId: r.undoes_batch_id, undoneByBatchId: undoneBy?.id ?? null,
      options: r.options ? (JSON.parse(r.options) as WriteOptions) : null, status, createdAt: r.created_at,
      finishedAt: r.finished_at, counts,
    };
  }

  batches(limit = 50): WriteBatchInfo[] {
    const ids = this.db.prepare('SELECT id FROM write_batches ORDER BY id DESC LIMIT ?').all(limit) as { id: number }[];
    return ids.map((r) => this.batch(r.id)!);
  }
}
