// The library feature: its folders (roots), scanning them (a job in the window, a plain run in the CLI, and
// rescans of what the watcher saw change), the library table with review status, one track in full, the
// overview and stats, and the media files the window may load (confined to the roots and the cache).
import { existsSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, resolve, sep } from 'node:path';
import { SpectagApiError } from '../../shared/api-errors.js';
import type { GenrePrediction } from '../../shared/genres-model.js';
import type {
  JobInfo, LibraryOverview, LibraryPage, LibraryQuery, MediaRef, RemoveRootPreview, ReviewedFile, SuggestionSource, TrackDetails,
} from '../../shared/api.js';
import type { FileQuery, LibraryFile, LibraryStats, ScanProgress, ScanReport } from '../../shared/library.js';
import { DecisionStore } from '../db/decisions.js';
import { FileStore } from '../db/files.js';
import type { LibraryView } from '../db/library-view.js';
import { PredictionStore } from '../db/predictions.js';
import { scanLibrary } from '../library/scan.js';
import type { AlbumService } from './albums.js';
import type { AnalysisService } from './analysis.js';
import type { EngineContext } from './context.js';
import { confineMediaPath, MediaRefusedError, type MediaSource } from './media.js';
import { browserPlays, wavPreviewFormat } from '../media/preview.js';
import { CoverCache, NoCoverError } from '../media/cover.js';
import { findFfmpeg } from '../audio/ffmpeg-binary.js';
import type { PersonalService } from './personal.js';
import type { VocabularyService } from './vocabulary.js';
import { RootWatcher } from './watch.js';

export interface LibraryServiceOptions {
  /** reader threads for scans */
  scanWorkers?: number;
  /** watch the roots and rescan changed folders (desktop app, `spectag serve --watch`) */
  watch?: boolean;
  /** quiet time before a burst of file changes becomes one rescan */
  watchDebounceMs?: number;
}

export interface ScanRun {
  signal?: AbortSignal;
  workers?: number;
  onProgress?: (p: ScanProgress) => void;
}

export class LibraryService {
  private readonly files: FileStore;
  private watcher: RootWatcher | null = null;

  constructor(
    private readonly ctx: EngineContext,
    readonly view: LibraryView,
    private readonly parts: { analysis: AnalysisService; vocabulary: VocabularyService; personal: PersonalService; albums: AlbumService },
    private readonly opts: LibraryServiceOptions,
  ) {
    this.files = new FileStore(ctx.db);
    // the person's choice in the window wins over how the app was started
    if (ctx.settings.get('watchFolders') ?? opts.watch) this.startWatching();
  }

  /** Watch the folders or stop (the window's switch; remembered in the settings by the engine). */
  async setWatching(on: boolean): Promise<void> {
    if (on && !this.watcher) this.startWatching();
    if (!on && this.watcher) {
      const w = this.watcher;
      this.watcher = null;
      await w.close();
    }
    this.ctx.events.changed('roots');
  }

  /**
   * Readable tracks not listened to yet (the window's hint): waiting in the analysis queue, or never heard (no
   * analysis, and no suggestion of any model either). Index probes per file: ~10 ms for 100,000 files.
   */
  unanalysedCount(): number {
    return (this.ctx.db.prepare(`SELECT count(*) AS n FROM files f WHERE f.status = 'ok' AND (
        EXISTS (SELECT 1 FROM analysis_queue q WHERE q.file_id = f.id)
        OR (NOT EXISTS (SELECT 1 FROM analysis a WHERE a.file_id = f.id) AND NOT EXISTS (SELECT 1 FROM predictions p WHERE p.file_id = f.id)))`)
      .get() as { n: number }).n;
  }

  /** What removing a folder would take out of the library; nothing on disk is touched either way. */
  removeRootPreview(rootId: number): RemoveRootPreview {
    const root = this.files.roots().find((r) => r.id === rootId);
    if (!root) throw new SpectagApiError('not-found', `no library folder with id ${rootId}`);
    const n = (sql: string) => (this.ctx.db.prepare(sql).get(rootId) as { n: number }).n;
    const busyJob = this.ctx.jobs.running('scan') ?? this.ctx.jobs.running('analyze') ?? this.ctx.jobs.running('write') ?? this.ctx.jobs.running('undo-write');
    return {
      rootId, path: root.path, files: root.files,
      decided: n('SELECT count(DISTINCT d.file_id) AS n FROM decisions d JOIN files f ON f.id = d.file_id WHERE f.root_id = ?'),
      unwritten: n(`SELECT count(*) AS n FROM files f JOIN decisions d ON d.id = (SELECT max(id) FROM decisions WHERE file_id = f.id)
        WHERE f.root_id = ? AND d.source != 'rejected' AND d.genres != f.genres`),
      analysed: n('SELECT count(*) AS n FROM analysis a JOIN files f ON f.id = a.file_id WHERE f.root_id = ?'),
      undoable: n("SELECT count(DISTINCT j.file_id) AS n FROM write_journal j JOIN files f ON f.id = j.file_id WHERE f.root_id = ? AND j.status = 'written'"),
      busy: busyJob ? busyJob.label : null,
    };
  }

  /**
   * Takes a folder out of the library: its tracks, with their decisions, analyses (and pictures), suggestions and
   * album places. The files on disk are not touched: genres written into them stay there. The write history keeps
   * its entries (by path), but a write to a file no longer in the library cannot be undone (the undo checks the
   * file against the library's record of it). Refused while a job that uses the folder runs.
   */
  async removeRoot(rootId: number): Promise<RemoveRootPreview> {
    const preview = this.removeRootPreview(rootId);
    if (preview.busy) throw new SpectagApiError('conflict', `${preview.path} cannot be removed while this runs: ${preview.busy}`);
    const ids = this.ctx.db.prepare('SELECT id FROM files WHERE root_id = ?').pluck().all(rootId) as number[];
    const images = ids.map((id) => this.view.analysis(id)?.imagePath).filter((p): p is string => !!p);
    this.ctx.db.transaction(() => {
      // the text index is kept by triggers on files; everything else hangs on files by ON DELETE CASCADE
      this.ctx.db.prepare('DELETE FROM files WHERE root_id = ?').run(rootId);
      this.ctx.db.prepare('DELETE FROM roots WHERE id = ?').run(rootId);
    })();
    for (const p of images) rmSync(p, { force: true });
    this.parts.albums.regroup();
    this.watcher?.setRoots(this.files.rootPaths());
    this.ctx.events.changed('roots');
    return preview;
  }

  get watching(): boolean {
    return this.watcher != null;
  }

  roots(): { id: number; path: string; lastScanAt: number | null; files: number }[] {
    return this.files.roots();
  }

  /** Adds a library folder (an existing one keeps its id) and, unless `scan` is false, scans it as a job. */
  addRoot(path: string, scan = true): { rootId: number; job: JobInfo | null } {
    const abs = folderPathFromUser(path);
    try {
      if (!statSync(abs).isDirectory()) throw new Error('not a folder');
    } catch (err) {
      throw new SpectagApiError('invalid-input', `${abs}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (err as Error).message}`);
    }
    const rootId = this.files.ensureRoot(abs);
    this.watcher?.setRoots(this.files.rootPaths());
    this.ctx.events.changed('roots');
    return { rootId, job: scan ? this.startScan([abs]) : null };
  }

  /** Brings the library up to date with these folders (adding them as roots); resumable, cancellable. */
  async scan(roots: string[], run: ScanRun = {}): Promise<ScanReport> {
    let report: ScanReport;
    try {
      report = await scanLibrary(this.ctx.db, roots, { signal: run.signal, workers: run.workers ?? this.opts.scanWorkers, onProgress: run.onProgress });
    } finally {
      // what was read is grouped into albums, an interrupted scan's part too
      this.parts.albums.regroup();
    }
    this.ctx.events.changed('scan');
    return report;
  }

  /**
   * A scan as a job (every root when none is named). When it brings new or changed tracks, listening to them
   * starts (the setting listenAfterScan, default on; `thenAnalyse` overrides it).
   */
  startScan(roots?: string[], thenAnalyse?: boolean): JobInfo {
    const list = roots?.length ? roots.map(folderPathFromUser) : this.files.rootPaths();
    if (!list.length) throw new SpectagApiError('invalid-input', 'no library folder yet: add one first');
    return this.ctx.jobs.start({
      kind: 'scan',
      label: list.length === 1 ? `Scanning ${list[0]}` : `Scanning ${list.length} folders`,
      restartable: true,
      run: async (job) => {
        const report = await this.scan(list, {
          signal: job.signal,
          onProgress: (p) =>
            job.progress({ phase: p.phase, done: p.done, total: p.phase === 'walking' ? null : p.seen, errors: p.errors, rate: p.rate, etaSec: p.etaSec, currentPath: p.currentPath }),
        });
        return { kind: 'scan', report };
      },
      onFinished: (job) => {
        const listen = thenAnalyse ?? this.ctx.settings.get('listenAfterScan');
        if (!listen || job.state !== 'done' || this.ctx.closed || this.ctx.jobs.running('analyze')) return;
        const r = job.result;
        if (r?.kind === 'scan' && r.report.added + r.report.updated + r.report.moved === 0) return;
        try {
          this.parts.analysis.startAnalysis();
        } catch {
          // an analysis the person started is running: it queues these files too
        }
      },
    });
  }

  /** The chart and counts: files by review status, genres as the library will be once decisions are written. */
  overview(): LibraryOverview {
    const suggested = this.parts.vocabulary.suggestedCounts();
    return {
      stats: this.files.stats(),
      byReviewStatus: this.view.countByStatus(),
      distribution: this.view.distribution().map((d) => ({ ...d, suggested: suggested.get(d.genre.toLowerCase()) ?? 0 })),
    };
  }

  stats(): LibraryStats {
    return this.files.stats();
  }

  /** Files filtered, sorted and paged as `spectag list` asks (no review status). */
  list(q: FileQuery): { total: number; files: LibraryFile[] } {
    return this.files.query(q);
  }

  /**
   * `spectag list`: files filtered, sorted and paged, each with its suggestion (under the person's genre names,
   * as in the window), confidence, decision and review status.
   */
  listReviewed(q: FileQuery & { suggested?: string }, source: SuggestionSource = 'default'): { total: number; files: ReviewedFile[] } {
    const { suggested, ...fileQuery } = q;
    const { total, files } = this.files.query(fileQuery, suggested ? { where: [this.view.suggestedWhere(this.suggestedGenres(suggested, source), source)] } : {});
    const rows = new Map(this.parts.vocabulary.showRows(this.view.rows(files.map((f) => f.id), source), source).map((r) => [r.id, r]));
    return {
      total,
      files: files.map((f) => {
        const r = rows.get(f.id);
        const suggested = r?.suggested ?? null;
        return {
          ...f, reviewStatus: r?.status ?? 'unanalysed', suggested, confidence: suggested == null ? null : r?.confidence ?? null,
          suggestions: r?.suggestions ?? [], decided: r?.decided ?? null, personal: r?.personal ?? null,
        };
      }),
    };
  }

  /**
   * The genres a "suggested <name>" filter looks for in the suggestion sets: the model genre the person's name
   * means and its styles; the personal model's suggestions are the person's names already.
   */
  private suggestedGenres(name: string, source: SuggestionSource): string[] {
    return source === 'personal' ? [name] : this.parts.vocabulary.names().matching(name);
  }

  /** The review table: the default model's suggestions under the person's genre names, or the personal model's. */
  query(q: LibraryQuery): LibraryPage {
    const source = q.suggestions ?? 'default';
    const page = this.view.query(q.suggested ? { ...q, suggested: this.suggestedGenres(q.suggested, source) } : q);
    this.parts.vocabulary.showRows(page.rows, source);
    return page;
  }

  /** One track in full: file, analysis, both models' suggestions, the decision and its history, what media exist. */
  track(id: number): TrackDetails {
    const file = this.view.fileById(id);
    if (!file) throw new SpectagApiError('not-found', `no file with id ${id}`);
    const analysis = this.view.analysis(id);
    const decisions = new DecisionStore(this.ctx.db);
    const imageOk = analysis?.imagePath != null && existsSync(analysis.imagePath);
    let view: TrackDetails['analysis'] = null;
    if (analysis) {
      const { imagePath: _imagePath, ...rest } = analysis;
      view = { ...rest, hasImage: imageOk };
    }
    return {
      file,
      status: this.view.row(id)?.status ?? 'unanalysed',
      analysis: view,
      prediction: this.prediction(id),
      ...this.suggestions(id),
      personal: this.parts.personal.suggestion(id),
      decision: decisions.latest(id),
      history: decisions.history(id),
      media: { audio: file.status === 'ok', spectrogram: imageOk, cover: file.status === 'ok' && file.hasCover },
    };
  }

  /** The default model's suggestion set of a file under the person's names, and what accepting it records. */
  private suggestions(fileId: number): Pick<TrackDetails, 'suggestions' | 'accepts'> {
    const { vocabulary } = this.parts;
    return {
      suggestions: vocabulary.showSet(vocabulary.suggestionSet(fileId)),
      accepts: vocabulary.accepts(fileId),
    };
  }

  /** The default model's prediction of a file, under the person's genre names. */
  private prediction(fileId: number): GenrePrediction | null {
    const modelId = this.parts.analysis.modelId;
    if (!modelId) return null;
    const stored = new PredictionStore(this.ctx.db).forFile(fileId).find((p) => p.modelId === modelId);
    if (!stored) return null;
    const { fileId: _f, embeddings: _e, predictedAt: _t, ...rest } = stored;
    return this.parts.vocabulary.showPrediction({ ...rest, genres: Object.keys(stored.probabilities) });
  }

  private coverCache: CoverCache | null = null;

  /**
   * What a media URL serves, confined to the library roots (audio) or the cache (pictures): the file as it
   * is, or the WAV ffmpeg makes of a file the browser engine cannot play. Covers are read from the file on
   * first request, never while a scan reads the disk. Throws MediaRefusedError or SpectagApiError.
   */
  async mediaSource(ref: MediaRef): Promise<MediaSource> {
    if (ref.kind === 'spectrogram') {
      const a = this.view.analysis(ref.id);
      if (!a?.imagePath) throw new SpectagApiError('not-found', 'no spectrogram for this file');
      return { kind: 'file', path: confineMediaPath(a.imagePath, [this.ctx.cacheDir]), cache: 'private, max-age=60' };
    }
    const file = this.view.fileById(ref.id);
    if (!file) throw new SpectagApiError('not-found', 'no such file');
    // only what the scanner read as audio: a link named .flac to a text file was recorded as an error
    if (file.status !== 'ok') throw new MediaRefusedError(403, 'not an audio file of the library');
    const path = confineMediaPath(file.path, this.files.rootPaths());
    if (ref.kind === 'audio' || ref.kind === 'audio-wav') {
      if (ref.kind === 'audio' && browserPlays(file.container, file.codec)) return { kind: 'file', path, cache: 'private, no-cache' };
      const format = wavPreviewFormat(file);
      if (!format) throw new SpectagApiError('not-found', `${file.path}: its length is unknown, so it cannot be previewed`);
      return { kind: 'wav-preview', path, format, cache: 'private, no-cache' };
    }
    if (this.ctx.jobs.running('scan')) throw new SpectagApiError('conflict', 'covers are read once the scan is done');
    if (!file.hasCover) throw new SpectagApiError('not-found', `${file.path}: no embedded cover`);
    this.coverCache ??= new CoverCache(this.ctx.cacheDir, findFfmpeg().path);
    try {
      const picture = await this.coverCache.path(ref.id, { path, size: file.size, mtimeMs: file.mtimeMs }, ref.kind);
      return { kind: 'file', path: confineMediaPath(picture, [this.ctx.cacheDir]), cache: 'private, max-age=300' };
    } catch (err) {
      if (err instanceof NoCoverError || err instanceof MediaRefusedError) throw new SpectagApiError('not-found', err.message);
      throw err;
    }
  }

  /** Folders media may come from (the desktop shell checks again on its side). */
  mediaRoots(): string[] {
    return [...this.files.rootPaths(), this.ctx.cacheDir];
  }

  private startWatching(): void {
    this.watcher = new RootWatcher({
      debounceMs: this.opts.watchDebounceMs ?? 2000,
      onBatch: (roots) => {
        this.ctx.events.changed('watch');
        if (this.ctx.jobs.running('scan') || this.ctx.closed) return;
        try {
          this.startScan(roots);
        } catch {
          // a scan the person started is running: it will see the changes
        }
      },
    });
    this.watcher.setRoots(this.files.rootPaths());
  }

  async close(): Promise<void> {
    await this.watcher?.close();
  }
}

/**
 * A folder typed by the person: absolute, or under their home with `~`. A relative path is refused, not
 * resolved: the engine's working folder means nothing to the person (and naming it would tell a caller where
 * the server runs from).
 */
function folderPathFromUser(path: string): string {
  if (path === '~' || path.startsWith('~/') || (sep === '\\' && path.startsWith('~\\'))) return resolve(homedir(), path.slice(2));
  if (!isAbsolute(path)) throw new SpectagApiError('invalid-input', `"${path}" is not an absolute path: give the whole path of the folder (or one starting with ~)`);
  return resolve(path);
}
