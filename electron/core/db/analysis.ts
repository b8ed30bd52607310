// The analysis tables (migration 003): the queue of files waiting to be listened to, and one result row
// per file stamped with the pipeline, model and file state that produced it.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { Db } from './open.js';
import type {
  AnalysisErrorKind, AnalysisStats, AnalysisStatus, ExcerptSpan, QueueReason, TrackAnalysis,
} from '../../shared/analysis.js';

/** A file taken from the queue for analysis. */
export interface QueuedFile {
  fileId: number;
  path: string;
  durationSec: number | null;
  size: number;
  mtimeMs: number;
  /** tries started so far */
  attempts: number;
  reason: QueueReason;
  /**
   * a changed file whose analysis would still be current if its audio is unchanged: the audio's identity
   * that analysis heard (null: listen to it anyway)
   */
  knownAudioHash: string | null;
}

/** What the analyzer stores for one file, with the stat its queue entry was made from. */
export interface AnalysisRecord extends TrackAnalysis {
  sourceSize: number;
  sourceMtimeMs: number;
  /** the audio's identity (audio/stream-hash.ts); null or absent: not known */
  audioHash?: string | null;
}

export interface EnqueueOptions {
  /** queue files whose last analysis failed (default: only when the file or the pipeline changed) */
  retryErrors?: boolean;
  /** queue analysed files whose spectrogram picture has gone missing (a stat per analysed file; default true) */
  checkImages?: boolean;
  now?: number;
}

interface AnalysisRow {
  file_id: number; pipeline: string; model_id: string | null; status: AnalysisStatus; error_kind: AnalysisErrorKind | null;
  error_message: string | null; warning: string | null; analysed_sec: number; excerpts: string; rms_db: number | null;
  peak_db: number | null; silent_fraction: number | null; frames: number; patches: number; image_path: string | null;
  analysed_at: number; decode_ms: number | null; spectrogram_ms: number | null;
}

/**
 * After a tag-only change whose audio is known to be the same (Spectag's own write, verified by the audio hash):
 * the file's analysis, if it was made of the file as it was before the change, now stands for the file as it
 * is (its size and mtime), with the audio's identity. Nothing is queued again. A no-op on a database older than
 * the audio identity (migration 14) or when the analysis was already out of date.
 */
export function keepAnalysisAfterTagWrite(db: Db, fileId: number, before: { size: number; mtimeMs: number }, after: { size: number; mtimeMs: number }, audioHash: string): void {
  if (!hasAudioIdentity(db)) return;
  db.prepare(`UPDATE analysis SET source_size = ?, source_mtime_ms = ?, audio_hash = ?
      WHERE file_id = ? AND source_size = ? AND source_mtime_ms = ? AND (audio_hash IS NULL OR audio_hash = ?)`)
    .run(after.size, after.mtimeMs, audioHash, fileId, before.size, before.mtimeMs, audioHash);
}

const audioIdentityColumn = new WeakMap<Db, boolean>();

/** The analysis table has the audio identity column (migration 14; migration tests open older schemas). */
export function hasAudioIdentity(db: Db): boolean {
  let has = audioIdentityColumn.get(db);
  if (has == null) {
    has = (db.pragma('table_info(analysis)') as { name: string }[]).some((c) => c.name === 'audio_hash');
    audioIdentityColumn.set(db, has);
  }
  return has;
}

export class AnalysisStore {
  /** folder that relative image paths are relative to: the database's own folder */
  private readonly base: string;

  constructor(readonly db: Db, readonly cacheDir: string) {
    this.base = db.name && db.name !== ':memory:' ? dirname(db.name) : cacheDir;
  }

  /** Where the spectrogram picture of a file goes: <cache>/spectrograms/<last byte of the id, hex>/<id>.png */
  imageTarget(fileId: number): string {
    return join(this.cacheDir, 'spectrograms', (fileId & 0xff).toString(16).padStart(2, '0'), `${fileId}.png`);
  }

  private toStored(abs: string | null): string | null {
    if (abs == null) return null;
    const rel = relative(this.base, abs);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : abs;
  }

  private toAbsolute(stored: string | null): string | null {
    if (stored == null) return null;
    return isAbsolute(stored) ? stored : join(this.base, ...stored.split('/'));
  }

  /**
   * Put every file that needs listening into the queue: readable files never analysed, changed since
   * (size or mtime), analysed by another pipeline, analysed without the model that now runs, or whose
   * picture is gone. Files already queued keep their place. Returns how many were added, by reason.
   */
  enqueue(pipeline: string, modelId: string | null, opts: EnqueueOptions = {}): Partial<Record<QueueReason, number>> {
    const now = opts.now ?? Date.now();
    const added: Partial<Record<QueueReason, number>> = {};
    this.db.transaction(() => {
      const rows = this.db
        .prepare(`INSERT INTO analysis_queue(file_id, reason, queued_at)
          SELECT f.id,
            CASE WHEN a.file_id IS NULL THEN 'new'
                 WHEN a.source_size != f.size OR a.source_mtime_ms != f.mtime_ms THEN 'changed'
                 WHEN a.pipeline != @pipeline THEN 'pipeline'
                 WHEN a.status = 'error' THEN 'retry'
                 ELSE 'model' END,
            @now
          FROM files f LEFT JOIN analysis a ON a.file_id = f.id
          WHERE f.status = 'ok' AND (
            a.file_id IS NULL OR a.source_size != f.size OR a.source_mtime_ms != f.mtime_ms OR a.pipeline != @pipeline
            OR (@model IS NOT NULL AND a.status = 'ok' AND a.model_id IS NOT @model)
            OR (@retry AND a.status = 'error'))
          ON CONFLICT(file_id) DO NOTHING
          RETURNING reason`)
        .all({ pipeline, model: modelId, retry: opts.retryErrors ? 1 : 0, now }) as { reason: QueueReason }[];
      for (const r of rows) added[r.reason] = (added[r.reason] ?? 0) + 1;
      if (opts.checkImages ?? true) {
        const withImage = this.db
          .prepare(`SELECT a.file_id AS fileId, a.image_path AS image FROM analysis a JOIN files f ON f.id = a.file_id
            WHERE f.status = 'ok' AND a.image_path IS NOT NULL AND a.status != 'error'
              AND a.file_id NOT IN (SELECT file_id FROM analysis_queue)`)
          .all() as { fileId: number; image: string }[];
        const ins = this.db.prepare("INSERT OR IGNORE INTO analysis_queue(file_id, reason, queued_at) VALUES (?, 'image-missing', ?)");
        for (const r of withImage) {
          if (existsSync(this.toAbsolute(r.image)!)) continue;
          ins.run(r.fileId, now);
          added['image-missing'] = (added['image-missing'] ?? 0) + 1;
        }
      }
    })();
    return added;
  }

  /** Files waiting whose file is currently readable (what a run would work on). */
  queueSize(): number {
    return (this.db
      .prepare("SELECT count(*) AS n FROM analysis_queue q JOIN files f ON f.id = q.file_id WHERE f.status = 'ok'")
      .get() as { n: number }).n;
  }

  /**
   * The next `limit` queued files with ids above `afterFileId` whose file is readable: a run walks the queue
   * once, in id order (roughly folder order, kind to the disk). A changed file whose analysis is otherwise
   * current (this pipeline, and the model `modelId` where one runs) comes with the audio identity it heard.
   */
  claim(afterFileId: number, limit: number, current: { pipeline: string; modelId: string | null } | null = null): QueuedFile[] {
    const known = current && hasAudioIdentity(this.db)
      ? `CASE WHEN q.reason = 'changed' AND a.pipeline = @pipeline AND a.status IN ('ok', 'silent')
          AND (@model IS NULL OR a.status = 'silent' OR a.model_id = @model) THEN a.audio_hash END`
      : 'NULL';
    return this.db
      .prepare(`SELECT q.file_id AS fileId, f.path, f.duration_sec AS durationSec, f.size, f.mtime_ms AS mtimeMs,
          q.attempts, q.reason, ${known} AS knownAudioHash
        FROM analysis_queue q JOIN files f ON f.id = q.file_id LEFT JOIN analysis a ON a.file_id = q.file_id
        WHERE q.file_id > @after AND f.status = 'ok' ORDER BY q.file_id LIMIT @limit`)
      .all({ after: afterFileId, limit, ...(known === 'NULL' ? {} : { pipeline: current!.pipeline, model: current!.modelId }) }) as QueuedFile[];
  }

  /**
   * A changed file whose audio is the one its analysis heard: the analysis now stands for the file as it is
   * (size, mtime), and the file leaves the queue. Call inside a transaction when saving many.
   */
  keep(fileId: number, size: number, mtimeMs: number, audioHash: string): void {
    this.db.prepare('UPDATE analysis SET source_size = ?, source_mtime_ms = ?, audio_hash = ? WHERE file_id = ?').run(size, mtimeMs, audioHash, fileId);
    this.db.prepare('DELETE FROM analysis_queue WHERE file_id = ?').run(fileId);
  }

  /**
   * Count a try, committed before the work starts: a file whose tries keep dying with the app (a decoder
   * that crashes the process, a kill) is recognised by its count after the restart.
   */
  startAttempt(fileId: number, now = Date.now()): void {
    this.db.prepare('UPDATE analysis_queue SET attempts = attempts + 1, last_attempt_at = ? WHERE file_id = ?').run(now, fileId);
  }

  /** A try that was cancelled (not the file's fault): do not count it. */
  releaseAttempt(fileId: number): void {
    this.db.prepare('UPDATE analysis_queue SET attempts = max(0, attempts - 1) WHERE file_id = ?').run(fileId);
  }

  /** A try that died for a reason outside the file (decoder killed, worker crashed): the file stays queued. */
  noteFailure(fileId: number, message: string): void {
    this.db.prepare('UPDATE analysis_queue SET last_error = ? WHERE file_id = ?').run(message, fileId);
  }

  /** Store a result and take the file off the queue. Call inside a transaction when saving many. */
  save(r: AnalysisRecord): void {
    const hash = hasAudioIdentity(this.db);
    this.db
      .prepare(`INSERT INTO analysis (file_id, pipeline, model_id, source_size, source_mtime_ms, status, error_kind,
          error_message, warning, analysed_sec, excerpts, rms_db, peak_db, silent_fraction, frames, patches, image_path,
          decode_ms, spectrogram_ms, analysed_at${hash ? ', audio_hash' : ''})
        VALUES (@fileId, @pipeline, @modelId, @sourceSize, @sourceMtimeMs, @status, @errorKind, @errorMessage, @warning,
          @analysedSec, @excerpts, @rmsDb, @peakDb, @silentFraction, @frames, @patches, @imagePath, @decodeMs,
          @spectrogramMs, @analysedAt${hash ? ', @audioHash' : ''})
        ON CONFLICT(file_id) DO UPDATE SET pipeline = excluded.pipeline, model_id = excluded.model_id,
          source_size = excluded.source_size, source_mtime_ms = excluded.source_mtime_ms, status = excluded.status,
          error_kind = excluded.error_kind, error_message = excluded.error_message, warning = excluded.warning,
          analysed_sec = excluded.analysed_sec, excerpts = excluded.excerpts, rms_db = excluded.rms_db,
          peak_db = excluded.peak_db, silent_fraction = excluded.silent_fraction, frames = excluded.frames,
          patches = excluded.patches, image_path = excluded.image_path, decode_ms = excluded.decode_ms,
          spectrogram_ms = excluded.spectrogram_ms, analysed_at = excluded.analysed_at${hash ? ', audio_hash = excluded.audio_hash' : ''}`)
      .run({ ...r, audioHash: r.audioHash ?? null, excerpts: JSON.stringify(r.excerpts), imagePath: this.toStored(r.imagePath) });
    this.db.prepare('DELETE FROM analysis_queue WHERE file_id = ?').run(r.fileId);
  }

  get(fileId: number): TrackAnalysis | null {
    const r = this.db.prepare('SELECT * FROM analysis WHERE file_id = ?').get(fileId) as AnalysisRow | undefined;
    if (!r) return null;
    return {
      fileId: r.file_id, pipeline: r.pipeline, modelId: r.model_id, status: r.status, errorKind: r.error_kind,
      errorMessage: r.error_message, warning: r.warning, analysedSec: r.analysed_sec,
      excerpts: JSON.parse(r.excerpts) as ExcerptSpan[], rmsDb: r.rms_db, peakDb: r.peak_db,
      silentFraction: r.silent_fraction, frames: r.frames, patches: r.patches, imagePath: this.toAbsolute(r.image_path),
      analysedAt: r.analysed_at, decodeMs: r.decode_ms, spectrogramMs: r.spectrogram_ms,
    };
  }

  /**
   * The spectrogram picture of a file, for display. When the stored picture has gone (cache cleared), the
   * file is queued again ('image-missing') and null is returned: the next analysis run redraws it.
   */
  imageFor(fileId: number, now = Date.now()): string | null {
    const row = this.db.prepare('SELECT image_path AS image, status FROM analysis WHERE file_id = ?').get(fileId) as
      | { image: string | null; status: AnalysisStatus }
      | undefined;
    if (!row || row.status === 'error') return null;
    const abs = this.toAbsolute(row.image);
    if (abs && existsSync(abs)) return abs;
    this.db
      .prepare("INSERT OR IGNORE INTO analysis_queue(file_id, reason, queued_at) VALUES (?, 'image-missing', ?)")
      .run(fileId, now);
    return null;
  }

  stats(pipeline: string): AnalysisStats {
    const by = this.db
      .prepare(`SELECT a.status, a.pipeline = ? AS current, count(*) AS n FROM analysis a JOIN files f ON f.id = a.file_id
        WHERE f.status != 'missing' GROUP BY a.status, current`)
      .all(pipeline) as { status: AnalysisStatus; current: number; n: number }[];
    const count = (s: AnalysisStatus) => by.filter((r) => r.status === s && r.current).reduce((a, r) => a + r.n, 0);
    const errorsByKind = Object.fromEntries(
      (this.db
        .prepare(`SELECT a.error_kind AS k, count(*) AS n FROM analysis a JOIN files f ON f.id = a.file_id
          WHERE a.status = 'error' AND a.pipeline = ? AND f.status != 'missing' GROUP BY k ORDER BY n DESC`)
        .all(pipeline) as { k: string; n: number }[]).map((r) => [r.k, r.n]),
    );
    return {
      pipeline,
      analysed: count('ok') + count('silent') + count('error'),
      ok: count('ok'),
      silent: count('silent'),
      errors: count('error'),
      outdated: by.filter((r) => !r.current).reduce((a, r) => a + r.n, 0),
      queued: this.queueSize(),
      errorsByKind,
    };
  }
}
