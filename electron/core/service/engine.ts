// The engine side of the app's API: SpectagApi implemented over the real engine modules (library
// database, scanner, decisions, tag writing, analysis and model where built). Runs in plain Node: inside
// Electron's utility process for the desktop app, inside `spectag serve` for web mode, and in tests.
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Db } from '../db/open.js';
import { openDatabase, SCHEMA_VERSION } from '../db/open.js';
import { FileStore } from '../db/files.js';
import { DecisionStore, DecisionWrittenError, JournalStore } from '../db/decisions.js';
import { PersonalStore } from '../db/personal.js';
import { scanLibrary } from '../library/scan.js';
import { planWrite, applyWrite, undoWrite } from '../tags/write.js';
import { findFfmpeg } from '../audio/ffmpeg-binary.js';
import { analysisCacheDirFor } from '../jobs/pipeline.js';
import { Analyzer } from '../jobs/analyzer.js';
import { PredictionStore } from '../db/predictions.js';
import { GenrePredictor } from '../model/predictor.js';
import { genreModelStep } from '../model/genre-step.js';
import { describeInference } from '../model/inference.js';
import { NATIVE_MODELS_DIR } from '../model/paths.js';
import { join } from 'node:path';
import type { GenrePrediction } from '../../shared/genres-model.js';
import {
  CONFIDENCE_THRESHOLDS, SpectagApiError,
  type ApiEvent, type ApiEventListener, type AppStatus, type BulkAcceptInput, type BulkAcceptPreview, type DecideInput,
  type Feature, type JobInfo, type LibraryOverview, type LibraryPage, type LibraryQuery, type MediaRef, type PersonalExamples,
  type PlanWriteInput, type ReviewResult, type SpectagApi, type TrackDetails, type VocabularyChange, type VocabularyEntry,
  type WritePlanView,
} from '../../shared/api.js';
import {
  genreKey,
  type GenreExclusions, type LearnReport, type MoreLikeThisPreview, type PersonalModelInfo, type PersonalOverview, type PersonalSettings,
} from '../../shared/personal.js';
import {
  afterDecisions, applyGenresToTracks, learnNow, moreLikeThisPreview, personalModelReport, personalModelVersions, personalOverview,
  personalSuggestion, refreshPersonalPredictions, retrainState, setFolderExcluded, setGenreExcluded, updatePersonalSettings,
  type LearnOptions,
} from '../personal/service.js';
import { dominantEmbedding, labelTracks, loadLibrary } from '../personal/dataset.js';
import { NoEmbeddingError } from '../personal/similar.js';
import type { WriteBatchInfo, WritePlan } from '../../shared/tags.js';
import { JobRunner } from './jobs.js';
import { LibraryView, predictionColumns } from './library-view.js';
import { VocabularyStore, vocabularySettingsPath } from './vocabulary.js';
import { confineMediaPath } from './media.js';
import { RootWatcher } from './watch.js';

export const APP_VERSION = '0.1.0';

export interface EngineOptions {
  dbPath: string;
  host: 'electron' | 'web';
  /** watch the library roots and rescan changed folders (desktop app, `spectag serve --watch`) */
  watch?: boolean;
  /** run the genre model during analysis (default: when its files are present) */
  model?: boolean;
  /** analysis threads */
  analysisWorkers?: number;
  /** quiet time before a burst of file changes becomes one rescan */
  watchDebounceMs?: number;
  /** reader threads for scans */
  scanWorkers?: number;
  /** quiet time after the last decision before the personal model checks whether a retraining is due */
  retrainDebounceMs?: number;
  /** training knobs for the personal model (tests) */
  personalTraining?: LearnOptions['train'];
}

const MAX_PLAN_FILES = 5000;

export class EngineService implements SpectagApi {
  readonly db: Db;
  readonly cacheDir: string;
  private readonly files: FileStore;
  private readonly view: LibraryView;
  private readonly vocab: VocabularyStore;
  private readonly jobs: JobRunner;
  private readonly listeners = new Set<ApiEventListener>();
  private readonly plans = new Map<string, WritePlan>();
  /** this session's review decisions, newest last: what "undo" takes back */
  private readonly undoStack: { decisionIds: number[]; fileIds: number[] }[] = [];
  private watcher: RootWatcher | null = null;
  private closed = false;
  private predictor: Promise<GenrePredictor | null> | null = null;
  private backend: AppStatus['backend'] = null;
  private modelId: string | null = null;
  private retrainTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(readonly options: EngineOptions) {
    this.db = openDatabase(options.dbPath);
    this.cacheDir = analysisCacheDirFor(options.dbPath);
    this.files = new FileStore(this.db);
    this.view = new LibraryView(this.db, options.dbPath);
    this.vocab = new VocabularyStore(this.db, vocabularySettingsPath(options.dbPath));
    this.jobs = new JobRunner((job) => this.emit({ type: 'job', job }));
    this.useModel(this.latestModelId());
    if (options.watch) this.startWatching();
  }

  // -------------------------------------------------------------------------------------------------
  // events

  subscribe(listener: ApiEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: ApiEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // one broken listener (a closed socket) must not stop the others
      }
    }
  }

  private changed(reason: Extract<ApiEvent, { type: 'library-changed' }>['reason'], fileIds: number[] | null = null): void {
    if (reason !== 'decision' && reason !== 'analysis' && reason !== 'personal') this.namesCache = null;
    this.emit({ type: 'library-changed', reason, fileIds });
  }

  // -------------------------------------------------------------------------------------------------
  // status and library

  private features(): Record<Feature, boolean> {
    return {
      predictions: this.modelAvailable(),
      watch: this.watcher != null,
      // the desktop shell's main process answers pickFolder with a native dialog
      pickFolder: this.options.host === 'electron',
    };
  }

  // -------------------------------------------------------------------------------------------------
  // the genre model

  private modelAvailable(): boolean {
    return this.options.model !== false && existsSync(join(NATIVE_MODELS_DIR, 'genre-head', 'head.json'));
  }

  /** The model whose predictions were stored last (the library shows that one until the model runs). */
  private latestModelId(): string | null {
    const r = this.db.prepare('SELECT model_id FROM predictions ORDER BY predicted_at DESC LIMIT 1').get() as { model_id: string } | undefined;
    return r?.model_id ?? null;
  }

  private useModel(modelId: string | null): void {
    this.modelId = modelId;
    this.view.setPredictions(modelId ? predictionColumns(modelId) : null);
  }

  /** Load the model once (slow: inference backend + weights); null when it cannot run here, with the reason in status. */
  private loadPredictor(): Promise<GenrePredictor | null> {
    if (!this.modelAvailable()) return Promise.resolve(null);
    this.predictor ??= (async () => {
      try {
        const p = await GenrePredictor.create({});
        const b = await p.backend;
        this.backend = { name: b.name, gpu: b.gpu, detail: describeInference(b) };
        this.useModel(p.modelId);
        return p;
      } catch (err) {
        this.backend = { name: 'none', gpu: false, detail: `genre model unavailable: ${(err as Error).message}` };
        return null;
      }
    })();
    return this.predictor;
  }

  private namesCache: { show(g: string): string; model(display: string): string; all: string[] } | null = null;

  /**
   * model genre ("hip-hop") → the person's name for it ("Hip-Hop"), and back. Cached: it looks at every
   * genre in the library, and only a scan, a write or a vocabulary change can alter it.
   */
  private names(): { show(g: string): string; model(display: string): string; all: string[] } {
    if (this.namesCache) return this.namesCache;
    const map = this.vocab.modelNameMap();
    const back = new Map([...map].map(([m, d]) => [d.toLowerCase(), m]));
    this.namesCache = { show: (g) => map.get(g) ?? g, model: (d) => back.get(d.toLowerCase()) ?? d, all: [...map.values()] };
    return this.namesCache;
  }

  private showPrediction(p: GenrePrediction): GenrePrediction {
    const { show } = this.names();
    return {
      ...p,
      genres: p.genres.map(show),
      probabilities: Object.fromEntries(Object.entries(p.probabilities).map(([g, v]) => [show(g), v])),
      top: p.top.map((t) => ({ ...t, genre: show(t.genre) })),
    };
  }

  async status(): Promise<AppStatus> {
    const roots = (this.db
      .prepare('SELECT r.id, r.path, r.last_scan_at AS lastScanAt, count(f.id) AS files FROM roots r LEFT JOIN files f ON f.root_id = r.id GROUP BY r.id ORDER BY r.path')
      .all() as AppStatus['roots']);
    let ffmpeg: AppStatus['ffmpeg'] = null;
    try {
      const f = findFfmpeg();
      ffmpeg = { path: f.path, source: f.source };
    } catch {
      ffmpeg = null;
    }
    return {
      version: APP_VERSION, host: this.options.host, dbPath: this.options.dbPath, schemaVersion: SCHEMA_VERSION,
      cacheDir: this.cacheDir, roots, firstRun: roots.length === 0, backend: this.backend, ffmpeg, features: this.features(),
      watching: this.watcher != null,
    };
  }

  async libraryStats(): Promise<LibraryOverview> {
    return {
      stats: this.files.stats(),
      byReviewStatus: this.view.countByStatus(),
      distribution: ((suggested) => this.view.distribution().map((d) => ({ ...d, suggested: suggested.get(d.genre.toLowerCase()) ?? 0 })))(this.suggestedCounts()),
    };
  }

  async queryLibrary(q: LibraryQuery): Promise<LibraryPage> {
    // the personal model speaks the person's genre names already; the default model's are shown under theirs
    if (q.suggestions === 'personal') return this.view.query(q);
    const names = this.names();
    const page = this.view.query(q.suggested ? { ...q, suggested: names.model(q.suggested) } : q);
    for (const r of page.rows) if (r.suggested) r.suggested = names.show(r.suggested);
    return page;
  }

  async getTrack({ id }: { id: number }): Promise<TrackDetails> {
    const file = this.view.fileById(id);
    if (!file) throw new SpectagApiError('not-found', `no file with id ${id}`);
    const analysis = this.view.analysis(id);
    const decisions = new DecisionStore(this.db);
    const row = this.view.row(id);
    const imageOk = analysis?.imagePath != null && existsSync(analysis.imagePath);
    let view: TrackDetails['analysis'] = null;
    if (analysis) {
      const { imagePath: _imagePath, ...rest } = analysis;
      view = { ...rest, hasImage: imageOk };
    }
    return {
      file,
      status: row?.status ?? 'unanalysed',
      analysis: view,
      prediction: this.predictionFor(id),
      personal: personalSuggestion(this.db, id),
      decision: decisions.latest(id),
      history: decisions.history(id),
      media: { audio: file.status === 'ok', spectrogram: imageOk },
    };
  }

  private predictionFor(fileId: number): GenrePrediction | null {
    if (!this.modelId) return null;
    const stored = new PredictionStore(this.db).forFile(fileId).find((p) => p.modelId === this.modelId);
    if (!stored) return null;
    const { fileId: _f, embeddings: _e, predictedAt: _t, ...rest } = stored;
    return this.showPrediction({ ...rest, genres: Object.keys(stored.probabilities) });
  }

  /** The file behind a media URL, confined to the library roots (audio) or the cache (pictures). */
  mediaPath(ref: MediaRef): string {
    if (ref.kind === 'audio') {
      const file = this.view.fileById(ref.id);
      if (!file) throw new SpectagApiError('not-found', 'no such file');
      const roots = (this.db.prepare('SELECT path FROM roots').all() as { path: string }[]).map((r) => r.path);
      return confineMediaPath(file.path, roots);
    }
    const a = this.view.analysis(ref.id);
    if (!a?.imagePath) throw new SpectagApiError('not-found', 'no spectrogram for this file');
    return confineMediaPath(a.imagePath, [this.cacheDir]);
  }

  /** Folders media may come from (the desktop shell checks again on its side). */
  mediaRoots(): string[] {
    return [...(this.db.prepare('SELECT path FROM roots').all() as { path: string }[]).map((r) => r.path), this.cacheDir];
  }

  // -------------------------------------------------------------------------------------------------
  // roots and jobs

  async addRoot({ path, scan }: { path: string; scan?: boolean }): Promise<{ rootId: number; job: JobInfo | null }> {
    const abs = resolve(path);
    try {
      if (!statSync(abs).isDirectory()) throw new Error('not a folder');
    } catch (err) {
      throw new SpectagApiError('invalid-input', `${abs}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (err as Error).message}`);
    }
    const rootId = this.files.ensureRoot(abs);
    this.watcher?.setRoots(this.rootPaths());
    this.changed('roots');
    const job = scan === false ? null : await this.startScan({ roots: [abs] });
    return { rootId, job };
  }

  async pickFolder(): Promise<string | null> {
    throw new SpectagApiError('not-available', 'A folder dialog is not available in a browser (only in the desktop app): type the folder path instead');
  }

  private rootPaths(): string[] {
    return (this.db.prepare('SELECT path FROM roots ORDER BY path').all() as { path: string }[]).map((r) => r.path);
  }

  async startScan({ roots }: { roots?: string[] }): Promise<JobInfo> {
    return this.scan(roots);
  }

  /** A scan job; `thenAnalyse`: queue the analysis of what it found (the watcher's batches). */
  private scan(roots: string[] | undefined, thenAnalyse = false): JobInfo {
    const list = roots?.length ? roots : this.rootPaths();
    if (!list.length) throw new SpectagApiError('invalid-input', 'no library folder yet: add one first');
    return this.jobs.start({
      kind: 'scan',
      label: list.length === 1 ? `Scanning ${list[0]}` : `Scanning ${list.length} folders`,
      restartable: true,
      run: async (ctx) => {
        const report = await scanLibrary(this.db, list, {
          signal: ctx.signal,
          workers: this.options.scanWorkers,
          onProgress: (p) =>
            ctx.progress({ phase: p.phase, done: p.done, total: p.phase === 'walking' ? null : p.seen, errors: p.errors, rate: p.rate, etaSec: p.etaSec, currentPath: p.currentPath }),
        });
        this.changed('scan');
        return { kind: 'scan', report };
      },
      onFinished: (job) => {
        if (!thenAnalyse || job.state !== 'done' || this.closed || this.jobs.running('analyze')) return;
        const r = job.result;
        if (r?.kind === 'scan' && r.report.added + r.report.updated + r.report.moved === 0) return;
        this.startAnalysis({}).catch(() => {
          // an analysis the person started is running: it queues these files too
        });
      },
    });
  }

  async startAnalysis({ limit }: { limit?: number }): Promise<JobInfo> {
    const busy = this.jobs.running('analyze');
    if (busy) throw new SpectagApiError('conflict', `the analysis is already running (${busy.label})`);
    let analyzer: Analyzer | null = null;
    let lastChange = 0;
    return this.jobs.start({
      kind: 'analyze',
      label: limit ? `Listening to up to ${limit} tracks` : 'Listening to new and changed tracks',
      restartable: true,
      pauseInPlace: { pause: () => analyzer?.pause(), resume: () => analyzer?.resume() },
      run: async (ctx) => {
        ctx.progress({ phase: 'loading the model' });
        const predictor = await this.loadPredictor();
        this.emit({ type: 'library-changed', reason: 'analysis', fileIds: null });
        analyzer = new Analyzer(this.db, {
          limit, signal: ctx.signal, workers: this.options.analysisWorkers,
          modelStep: predictor ? genreModelStep(predictor) : undefined,
          onProgress: (p) => {
            ctx.progress({ phase: p.phase, done: p.done, total: p.total, errors: p.errors, rate: p.rate, etaSec: p.etaSec, currentPath: p.currentPath });
            // let the table fill in while the analysis goes (at most every 3 s)
            if (Date.now() - lastChange > 3000) {
              lastChange = Date.now();
              this.changed('analysis');
            }
          },
        });
        try {
          const report = await analyzer.run();
          return { kind: 'analyze', report };
        } finally {
          this.afterAnalysis();
          this.changed('analysis');
        }
      },
    });
  }

  async listJobs(): Promise<JobInfo[]> {
    return this.jobs.list();
  }

  async controlJob({ jobId, action }: { jobId: string; action: 'pause' | 'resume' | 'cancel' }): Promise<JobInfo> {
    if (action === 'pause') return this.jobs.pause(jobId);
    if (action === 'resume') return this.jobs.resume(jobId);
    return this.jobs.cancel(jobId);
  }

  // -------------------------------------------------------------------------------------------------
  // review

  async decide(input: DecideInput): Promise<ReviewResult> {
    const decisions = new DecisionStore(this.db);
    const file = this.view.fileById(input.fileId);
    if (!file) throw new SpectagApiError('not-found', `no file with id ${input.fileId}`);
    let genres: string[];
    if (input.action === 'reject') genres = [];
    else if (input.genres?.length) genres = dedupe(input.genres);
    else {
      const row = this.view.row(input.fileId);
      if (!row?.suggested) throw new SpectagApiError('conflict', 'there is no suggestion to accept for this file; pick a genre instead');
      genres = [this.names().show(row.suggested)];
    }
    const source = input.action === 'accept' ? 'accepted' : input.action === 'reject' ? 'rejected' : 'corrected';
    const decisionId = decisions.record(input.fileId, genres, source);
    this.pushUndo([decisionId], [input.fileId]);
    this.changed('decision', [input.fileId]);
    this.scheduleRetrain();
    return { fileId: input.fileId, decision: decisions.latest(input.fileId), status: this.view.row(input.fileId)?.status ?? 'unanalysed' };
  }

  private pushUndo(decisionIds: number[], fileIds: number[]): void {
    this.undoStack.push({ decisionIds, fileIds });
    if (this.undoStack.length > 1000) this.undoStack.shift();
  }

  async undoDecision(): Promise<ReviewResult | null> {
    const decisions = new DecisionStore(this.db);
    const last = this.undoStack.pop();
    if (!last) return null;
    const latestIds = new Set(last.fileIds.map((f) => decisions.latest(f)?.id));
    if (last.decisionIds.some((id) => !latestIds.has(id))) {
      throw new SpectagApiError('conflict', 'a file was decided again since; undo that first');
    }
    try {
      decisions.remove(last.decisionIds);
    } catch (err) {
      // a decision already written into the file is undone with the write batch, not here
      if (!(err instanceof DecisionWrittenError)) throw err;
      this.undoStack.push(last);
      throw new SpectagApiError('conflict', 'this decision is already written into the file; undo the write instead');
    }
    this.changed('decision', last.fileIds.length === 1 ? last.fileIds : null);
    const fileId = last.fileIds[0]!;
    return { fileId, decision: decisions.latest(fileId), status: this.view.row(fileId)?.status ?? 'unanalysed' };
  }

  /** Undecided files whose suggestion clears the confidence (hidden genres never), as (file, model genre). */
  private bulkCandidates(q: BulkAcceptInput): { id: number; genre: string }[] {
    if (q.suggestions === 'personal') {
      // the personal model's offered, confident suggestions, already in the person's names
      const rows = this.db
        .prepare(`SELECT f.id, p.top_genre AS genre FROM files f JOIN personal_predictions p ON p.file_id = f.id
          WHERE f.status = 'ok' AND p.offered = 1 AND p.unsure = 0 AND p.top_genre IS NOT NULL AND p.top_probability >= ?
            AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.file_id = f.id) ${q.genre ? 'AND p.top_genre = ? COLLATE NOCASE' : ''}`)
        .all(q.minConfidence, ...(q.genre ? [q.genre] : [])) as { id: number; genre: string }[];
      const hidden = this.vocab.hiddenSet();
      return rows.filter((r) => !hidden.has(r.genre.toLowerCase()));
    }
    if (!this.modelId) return [];
    const names = this.names();
    const rows = this.db
      .prepare(`SELECT f.id, p.top_genre AS genre FROM files f JOIN predictions p ON p.file_id = f.id AND p.model_id = ?
        WHERE f.status = 'ok' AND p.unsure = 0 AND p.top_genre IS NOT NULL AND p.top_probability >= ?
          AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.file_id = f.id) ${q.genre ? 'AND p.top_genre = ?' : ''}`)
      .all(this.modelId, q.minConfidence, ...(q.genre ? [names.model(q.genre)] : [])) as { id: number; genre: string }[];
    const hidden = this.vocab.hiddenSet();
    return rows.filter((r) => !hidden.has(names.show(r.genre).toLowerCase()));
  }

  async bulkAcceptPreview(q: BulkAcceptInput): Promise<BulkAcceptPreview> {
    const show = q.suggestions === 'personal' ? (g: string) => g : this.names().show;
    const by = new Map<string, number>();
    const rows = this.bulkCandidates(q);
    for (const r of rows) by.set(show(r.genre), (by.get(show(r.genre)) ?? 0) + 1);
    return {
      count: rows.length,
      byGenre: [...by].map(([genre, count]) => ({ genre, count })).sort((a, b) => b.count - a.count),
      thresholds: CONFIDENCE_THRESHOLDS,
    };
  }

  async bulkAccept(q: BulkAcceptInput): Promise<{ accepted: number }> {
    const show = q.suggestions === 'personal' ? (g: string) => g : this.names().show;
    const rows = this.bulkCandidates(q);
    const decisions = new DecisionStore(this.db);
    const ids: number[] = [];
    this.db.transaction(() => {
      const now = Date.now();
      for (const r of rows) ids.push(decisions.record(r.id, [show(r.genre)], 'accepted', now));
    })();
    if (ids.length) this.pushUndo(ids, rows.map((r) => r.id));
    this.changed('decision', null);
    this.scheduleRetrain();
    return { accepted: ids.length };
  }

  // -------------------------------------------------------------------------------------------------
  // vocabulary

  /** Undecided files per suggested genre (display name, lower case). */
  private suggestedCounts(): Map<string, number> {
    if (!this.modelId) return new Map();
    const names = this.names();
    const rows = new PredictionStore(this.db).countSuggested(this.modelId, true);
    return new Map(rows.map((r) => [names.show(r.genre).toLowerCase(), r.n]));
  }

  async vocabulary(): Promise<VocabularyEntry[]> {
    const inFiles = this.vocab.genresInFiles();
    const decided = this.vocab.genresDecided();
    const suggested = this.suggestedCounts();
    const modelNames = this.names().all;
    const model = new Set(modelNames.map((n) => n.toLowerCase()));
    const hidden = this.vocab.hiddenSet();
    const keys = new Set([...inFiles.keys(), ...decided.keys(), ...model]);
    const out: VocabularyEntry[] = [];
    for (const key of keys) {
      const name = inFiles.get(key)?.name ?? decided.get(key)?.name ?? modelNames.find((n) => n.toLowerCase() === key) ?? key;
      out.push({
        genre: name, inFiles: inFiles.get(key)?.files ?? 0, suggested: suggested.get(key) ?? 0, decided: decided.get(key)?.files ?? 0,
        hidden: hidden.has(name.toLowerCase()), model: model.has(key),
      });
    }
    return out.sort((a, b) => b.inFiles + b.decided - (a.inFiles + a.decided) || a.genre.localeCompare(b.genre));
  }

  async renameGenre({ from, to }: { from: string; to: string }): Promise<VocabularyChange> {
    const filesChanged = this.vocab.rename(from, to);
    this.changed('vocabulary');
    if (filesChanged) this.scheduleRetrain();
    return { filesChanged };
  }

  async mergeGenres({ from, into }: { from: string[]; into: string }): Promise<VocabularyChange> {
    let filesChanged = 0;
    for (const g of from) if (g.toLowerCase() !== into.toLowerCase() || g !== into) filesChanged += this.vocab.rename(g, into);
    this.changed('vocabulary');
    if (filesChanged) this.scheduleRetrain();
    return { filesChanged };
  }

  async hideGenre({ genre, hidden }: { genre: string; hidden: boolean }): Promise<VocabularyChange> {
    this.vocab.setHidden(genre, hidden);
    // the personal model does not suggest hidden genres either: its stored suggestions are made again
    refreshPersonalPredictions(this.db, { all: true });
    this.changed('vocabulary');
    return { filesChanged: 0 };
  }

  // -------------------------------------------------------------------------------------------------
  // writing

  async planWrite(input: PlanWriteInput): Promise<WritePlanView> {
    const selection = { fileIds: input.selection.fileIds, under: input.selection.under };
    const opts: Parameters<typeof planWrite>[3] = {};
    if (input.id3v23Join != null) opts.id3v23Join = input.id3v23Join;
    if (input.preserveMtime != null) opts.preserveMtime = input.preserveMtime;
    if (input.id3v2Version !== undefined) opts.id3v2Version = input.id3v2Version;
    const plan = planWrite(this.db, selection, input.mode, opts);
    const planId = randomUUID();
    this.plans.set(planId, plan);
    while (this.plans.size > 10) this.plans.delete(this.plans.keys().next().value as string);
    const counts = { write: 0, unchanged: 0, skip: 0 };
    for (const f of plan.files) counts[f.action]++;
    // unchanged files are only counted: the diff is about what changes and what cannot
    const shown = plan.files.filter((f) => f.action !== 'unchanged');
    return { planId, options: plan.options, counts, files: shown.slice(0, MAX_PLAN_FILES), truncated: Math.max(0, shown.length - MAX_PLAN_FILES) };
  }

  async applyWrite({ planId }: { planId: string }): Promise<JobInfo> {
    const plan = this.plans.get(planId);
    if (!plan) throw new SpectagApiError('not-found', 'this write plan is no longer known; make a new dry run');
    this.plans.delete(planId);
    const total = plan.files.length;
    return this.jobs.start({
      kind: 'write',
      label: `Writing genres into ${plan.files.filter((f) => f.action === 'write').length} files`,
      restartable: false,
      run: async (ctx) => {
        ctx.progress({ phase: 'writing', total, done: 0 });
        const report = await applyWrite(this.db, plan, {
          signal: ctx.signal,
          onProgress: (p) => ctx.progress({ done: p.done, total: p.total, errors: p.failed, currentPath: p.currentPath }),
        });
        this.changed('write');
        return { kind: 'write', report };
      },
    });
  }

  async undoWrite({ batchId }: { batchId?: number }): Promise<JobInfo> {
    const journal = new JournalStore(this.db);
    const target = batchId ?? journal.batches(200).find((b) => b.kind === 'write' && b.undoneByBatchId == null && b.counts.written > 0)?.id;
    if (target == null) throw new SpectagApiError('not-found', 'there is no write to undo');
    return this.jobs.start({
      kind: 'undo-write',
      label: `Undoing write batch ${target}`,
      restartable: false,
      run: async (ctx) => {
        ctx.progress({ phase: 'restoring', done: 0 });
        try {
          const report = await undoWrite(this.db, target, {
            signal: ctx.signal,
            onProgress: (p) => ctx.progress({ done: p.done, total: p.total, errors: p.failed, currentPath: p.currentPath }),
          });
          return { kind: 'undo-write', report };
        } finally {
          this.changed('write');
        }
      },
    });
  }

  async writeHistory(): Promise<WriteBatchInfo[]> {
    return new JournalStore(this.db).batches(50);
  }

  // -------------------------------------------------------------------------------------------------
  // "Your genres": the personal model (electron/core/personal)

  /** What the personal model needs from the vocabulary: the person's names for the default model's genres. */
  private learnOptions(ctx?: { signal: AbortSignal; progress(p: { phase: string }): void }): Omit<LearnOptions, 'trigger'> {
    return {
      modelNames: Object.fromEntries(this.vocab.modelNameMap()),
      train: this.options.personalTraining,
      signal: ctx?.signal,
      onPhase: ctx ? (phase, detail) => ctx.progress({ phase: detail ? `${phase}: ${detail}` : phase }) : undefined,
    };
  }

  /** Training as a job: seconds for 10,000 tracks, but it keeps the engine busy meanwhile, so it shows. */
  private learnJob(trigger: 'manual' | 'auto'): JobInfo {
    return this.jobs.start({
      kind: 'learn',
      label: trigger === 'manual' ? 'Learning your genres' : 'Relearning your genres (new decisions)',
      restartable: false,
      run: async (ctx) => {
        ctx.progress({ phase: 'loading' });
        const opts = this.learnOptions(ctx);
        const report: LearnReport | null = trigger === 'manual' ? await learnNow(this.db, opts) : await afterDecisions(this.db, opts);
        if (report?.trained) this.changed('personal');
        return { kind: 'learn', report };
      },
    });
  }

  /**
   * After decisions: once the person has paused for a moment, retrain when enough new decisions were made
   * (setting retrainAfterDecisions) or the default model changed. Debounced, so a review session retrains
   * between bursts, not after every key press.
   */
  private scheduleRetrain(): void {
    if (this.closed) return;
    if (this.retrainTimer) clearTimeout(this.retrainTimer);
    this.retrainTimer = setTimeout(() => {
      this.retrainTimer = null;
      if (this.closed || this.jobs.running('learn')) return;
      try {
        if (retrainState(this.db).due) this.learnJob('auto');
      } catch {
        // a busy database now: the next decision asks again
      }
    }, this.options.retrainDebounceMs ?? 5000);
  }

  /** Newly analysed tracks get personal suggestions from the active model; a new default model may call for retraining. */
  private afterAnalysis(): void {
    if (this.closed) return;
    try {
      if (refreshPersonalPredictions(this.db) > 0) this.changed('personal');
    } catch {
      // suggestions are refreshed again after the next analysis; the analysis itself is done
    }
    this.scheduleRetrain();
  }

  async personalOverview(): Promise<PersonalOverview> {
    return personalOverview(this.db);
  }

  async learnPersonal(): Promise<JobInfo> {
    const busy = this.jobs.running('learn');
    if (busy) throw new SpectagApiError('conflict', `the personal model is being trained already (${busy.label})`);
    return this.learnJob('manual');
  }

  async updatePersonalSettings(patch: Partial<PersonalSettings>): Promise<PersonalSettings> {
    const settings = updatePersonalSettings(this.db, patch);
    this.scheduleRetrain();
    return settings;
  }

  async setGenreExcluded({ genre, excluded }: { genre: string; excluded: boolean }): Promise<GenreExclusions> {
    if (!genreKey(genre)) throw new SpectagApiError('invalid-input', `"${genre}" is not a genre name`);
    return setGenreExcluded(this.db, genre, excluded);
  }

  async setFolderExcluded({ folder, excluded }: { folder: string; excluded: boolean }): Promise<GenreExclusions> {
    return setFolderExcluded(this.db, resolve(folder), excluded);
  }

  async personalExamples({ genre, limit }: { genre: string; limit?: number }): Promise<PersonalExamples> {
    const key = genreKey(genre);
    const source = dominantEmbedding(this.db);
    if (!key || !source) return { genre, total: 0, tracks: [] };
    const lib = loadLibrary(this.db, source, { embeddings: false });
    const labelled = labelTracks(lib, new PersonalStore(this.db).exclusions()).labels.filter((l) => l.keys.includes(key));
    // reviewed decisions first: they weigh most in the training
    labelled.sort((a, b) => (a.source === b.source ? a.row - b.row : a.source === 'decision' ? -1 : 1));
    const chosen = labelled.slice(0, limit ?? 50);
    const meta = new Map((this.db.prepare('SELECT id, title FROM files WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(chosen.map((l) => lib.rows[l.row]!.fileId))) as { id: number; title: string | null }[]).map((r) => [r.id, r.title]));
    return {
      genre, total: labelled.length,
      tracks: chosen.map((l) => {
        const r = lib.rows[l.row]!;
        return { fileId: r.fileId, path: r.path, title: meta.get(r.fileId) ?? null, artist: r.artist, album: r.album, source: l.source };
      }),
    };
  }

  async personalModelVersions(): Promise<PersonalModelInfo[]> {
    return personalModelVersions(this.db);
  }

  async personalModelReport({ version }: { version: number }): Promise<LearnReport | null> {
    return personalModelReport(this.db, version);
  }

  async moreLikeThisPreview(q: { fileId: number; genre: string; limit?: number; minScore?: number }): Promise<MoreLikeThisPreview> {
    if (!this.view.fileById(q.fileId)) throw new SpectagApiError('not-found', `no file with id ${q.fileId}`);
    try {
      return moreLikeThisPreview(this.db, q);
    } catch (err) {
      if (err instanceof NoEmbeddingError) throw new SpectagApiError('conflict', `${err.message}; analyse it first`);
      throw err;
    }
  }

  async moreLikeThisApply({ fileIds, genre }: { fileIds: number[]; genre: string }): Promise<{ decided: number }> {
    const ids = [...new Set(fileIds)];
    let decisionIds: number[];
    try {
      decisionIds = applyGenresToTracks(this.db, ids, [genre.trim()]);
    } catch (err) {
      throw new SpectagApiError('invalid-input', (err as Error).message);
    }
    // one undo takes the whole batch back, like a bulk accept
    this.pushUndo(decisionIds, ids);
    this.changed('decision', ids.length <= 50 ? ids : null);
    this.scheduleRetrain();
    return { decided: decisionIds.length };
  }

  // -------------------------------------------------------------------------------------------------
  // watching and shutdown

  private startWatching(): void {
    this.watcher = new RootWatcher({
      debounceMs: this.options.watchDebounceMs ?? 2000,
      onBatch: (roots) => {
        this.changed('watch');
        if (this.jobs.running('scan') || this.closed) return;
        try {
          this.scan(roots, true);
        } catch {
          // a scan the person started is running: it will see the changes
        }
      },
    });
    this.watcher.setRoots(this.rootPaths());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retrainTimer) clearTimeout(this.retrainTimer);
    await this.watcher?.close();
    await this.jobs.stopAll();
    await (await this.predictor)?.close();
    this.listeners.clear();
    this.db.close();
  }
}

function dedupe(genres: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const g of genres) {
    const t = g.trim();
    if (!t || seen.has(t.toLowerCase())) continue;
    seen.add(t.toLowerCase());
    out.push(t);
  }
  return out;
}
