// The analysis queue runner: queues the files that need listening, feeds them to the worker pool with
// back-pressure, runs the optional model step, stores results in batches, reports progress with rate and
// ETA, and can be paused, resumed and cancelled. Crash-safe: the queue lives in the database.
import { rmSync } from 'node:fs';
import type { Db } from '../db/open.js';
import { AnalysisStore, hasAudioIdentity, type AnalysisRecord, type QueuedFile } from '../db/analysis.js';
import type { ExcerptPlanOptions } from '../audio/excerpt-plan.js';
import type { DecodeErrorKind } from '../audio/decode.js';
import type { AnalysisErrorKind, AnalysisProgress, AnalysisReport } from '../../shared/analysis.js';
import { AnalysisPool, defaultAnalysisWorkers } from './analysis-pool.js';
import type { TrackJob, TrackOutcome, TrackSuccess } from './analyze-track.js';
import type { ModelStep } from './model-step.js';
import { analysisCacheDirFor, listeningPipelineId } from './pipeline.js';
import { BatchWriter, ProgressMeter } from './progress-meter.js';

export interface AnalyzerOptions<R = unknown> {
  /** worker threads (default: one per core, at most 8; with a model step half the cores: analysis-pool.ts) */
  workers?: number;
  /** tracks each thread works on at once (default 2: one decodes while another is turned into numbers) */
  tracksPerWorker?: number;
  /** analyse at most this many tracks in this run (the rest stays queued) */
  limit?: number;
  signal?: AbortSignal;
  onProgress?: (p: AnalysisProgress) => void;
  /** progress events at most this often (ms, default 250) */
  progressIntervalMs?: number;
  /** where spectrogram pictures go (default: "<db name>-cache" beside the database) */
  cacheDir?: string;
  /** write spectrogram pictures (default true; off for an in-memory database without cacheDir) */
  images?: boolean;
  excerpts?: ExcerptPlanOptions;
  /** limit per ffmpeg run, ms */
  timeoutMs?: number;
  /** also queue files whose last analysis failed */
  retryErrors?: boolean;
  /** queue files whose picture has gone missing (default true) */
  checkImages?: boolean;
  /** tries per file before a file that keeps dying is recorded as 'crashed' (default 3) */
  maxAttempts?: number;
  ffmpegPath?: string;
  /** the genre model, run on each listened-to track: see model-step.ts */
  modelStep?: ModelStep<R>;
}

const WRITE_BATCH = 32;
const WRITE_DELAY_MS = 200;

const ERROR_KIND: Partial<Record<DecodeErrorKind, AnalysisErrorKind>> = {
  'missing': 'missing', 'permission-denied': 'permission-denied', 'empty': 'empty', 'undecodable': 'undecodable',
  'truncated': 'truncated', 'timeout': 'timeout',
};

/** ffmpeg cannot be run at all: nothing can be analysed, and no file is to blame. */
export class NoDecoderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoDecoderError';
  }
}

type PendingWrite<R> =
  | { record: AnalysisRecord; result?: { value: R }; keep?: undefined }
  /** the audio is unchanged: the stored analysis is kept for the file as it is now */
  | { keep: { fileId: number; size: number; mtimeMs: number; audioHash: string }; record?: undefined };

export class Analyzer<R = unknown> {
  readonly pipeline: string;
  readonly store: AnalysisStore;
  readonly images: boolean;
  private pausedSince: number | null = null;
  private pausedMs = 0;
  private wake: (() => void) | null = null;
  private emitProgress: ((force?: boolean) => void) | null = null;
  /** the pool of the running run (null outside run()) */
  pool: AnalysisPool | null = null;

  constructor(private readonly db: Db, private readonly opts: AnalyzerOptions<R> = {}) {
    this.pipeline = listeningPipelineId(opts.excerpts);
    const inMemory = !db.name || db.name === ':memory:';
    const cacheDir = opts.cacheDir ?? (inMemory ? '' : analysisCacheDirFor(db.name));
    this.images = (opts.images ?? true) && cacheDir !== '';
    this.store = new AnalysisStore(db, cacheDir);
  }

  get paused(): boolean {
    return this.pausedSince != null;
  }

  /** Stop starting new tracks; the ones in flight finish. */
  pause(): void {
    if (this.pausedSince != null) return;
    this.pausedSince = Date.now();
    this.emitProgress?.(true);
  }

  resume(): void {
    if (this.pausedSince == null) return;
    this.pausedMs += Date.now() - this.pausedSince;
    this.pausedSince = null;
    this.emitProgress?.(true);
    this.wakeUp();
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async run(): Promise<AnalysisReport> {
    return new AnalysisRun(this, this.db, this.opts).run();
  }

  /** For the run in progress: the time paused so far, ms up to `now`. */
  pausedMsAt(now: number): number {
    return this.pausedMs + (this.pausedSince != null ? now - this.pausedSince : 0);
  }

  /** For the run in progress: the function that sends a progress event (pause and resume send one). */
  setProgressEmitter(emit: ((force?: boolean) => void) | null): void {
    this.emitProgress = emit;
  }

  /** For the run in progress: resolves at the next change (a track done, a resume, a cancel, a freed model slot). */
  nextChange(): Promise<void> {
    return new Promise<void>((r) => (this.wake = r));
  }

  /** Wakes the run waiting in nextChange(). */
  changed(): void {
    this.wakeUp();
  }
}

/**
 * The model step's back-pressure: at most `concurrency` tracks in the model at once, and `busy` while twice that
 * many wait for it, so that no more tracks are decoded than the model can take (their inputs would pile up in memory).
 */
class ModelGate {
  private active = 0;
  private backlog = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly concurrency: number, private readonly onLeave: () => void) {}

  get busy(): boolean {
    return this.backlog >= 2 * this.concurrency;
  }

  async through<T>(work: () => Promise<T>): Promise<T> {
    this.backlog++;
    try {
      while (this.active >= this.concurrency) await new Promise<void>((r) => this.waiters.push(r));
      this.active++;
      try {
        return await work();
      } finally {
        this.active--;
        this.waiters.shift()?.();
      }
    } finally {
      this.backlog--;
      this.onLeave();
    }
  }
}

/** One run of the analysis queue: claims files, feeds the pool, runs the model step, stores results in batches. */
class AnalysisRun<R> {
  private readonly store: AnalysisStore;
  private readonly signal: AbortSignal | undefined;
  private readonly step: ModelStep<R> | undefined;
  private readonly modelId: string | null;
  private readonly limit: number;
  private readonly maxAttempts: number;
  private readonly report: AnalysisReport;
  private readonly meter: ProgressMeter<AnalysisProgress>;
  private readonly writer: BatchWriter<PendingWrite<R>>;
  private readonly gate: ModelGate;
  private readonly stepSignal: AbortSignal;
  /** the audio's identity is stored with each analysis (where the schema has room for it) */
  private readonly hashAudio: boolean;
  private readonly retry: QueuedFile[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private fatal: Error | null = null;
  private buffer: QueuedFile[] = [];
  private lastId = 0;
  private exhausted = false;
  private dispatched = 0;

  constructor(private readonly analyzer: Analyzer<R>, private readonly db: Db, private readonly opts: AnalyzerOptions<R>) {
    this.store = analyzer.store;
    this.signal = opts.signal;
    this.step = opts.modelStep;
    this.modelId = this.step?.id ?? null;
    this.limit = opts.limit ?? Infinity;
    this.maxAttempts = opts.maxAttempts ?? 3;
    this.report = {
      pipeline: analyzer.pipeline, modelId: this.modelId, queuedByReason: {}, analysed: 0, audioUnchanged: 0, ok: 0, silent: 0, errors: 0, retried: 0,
      remaining: 0, cancelled: false, durationMs: 0, decodeMs: 0, spectrogramMs: 0, audioSec: 0,
    };
    this.meter = new ProgressMeter<AnalysisProgress>({
      phase: 'queueing', total: 0, done: 0, errors: 0, silent: 0, paused: analyzer.paused, rate: 0, etaSec: null, currentPath: null,
    }, {
      onProgress: opts.onProgress,
      intervalMs: opts.progressIntervalMs ?? 250,
      remaining: (p) => p.total - p.done,
      idleMs: (now) => analyzer.pausedMsAt(now),
      beforeEmit: (p) => (p.paused = analyzer.paused),
    });
    this.writer = new BatchWriter((batch) => this.save(batch), WRITE_BATCH, WRITE_DELAY_MS);
    this.gate = new ModelGate(Math.max(1, this.step?.concurrency ?? 1), () => analyzer.changed());
    this.stepSignal = this.signal ?? new AbortController().signal;
    this.hashAudio = hasAudioIdentity(db);
  }

  private get progress(): AnalysisProgress {
    return this.meter.progress;
  }

  async run(): Promise<AnalysisReport> {
    const { analyzer, meter, report, store, opts, signal } = this;
    analyzer.setProgressEmitter((force) => meter.emit(force));
    meter.emit(true);
    if (this.step?.rescore) report.rescored = this.step.rescore(this.db, signal);
    report.queuedByReason = store.enqueue(analyzer.pipeline, this.modelId, { retryErrors: opts.retryErrors, checkImages: opts.checkImages });
    this.progress.total = Math.min(store.queueSize(), this.limit);
    this.progress.phase = 'analysing';
    meter.emit(true);

    const workers = Math.max(1, opts.workers ?? defaultAnalysisWorkers(!!this.step));
    const pool = new AnalysisPool(workers, { ffmpegPath: opts.ffmpegPath });
    analyzer.pool = pool;
    const onAbort = () => analyzer.changed();
    signal?.addEventListener('abort', onAbort);
    try {
      await this.feed(pool, workers * Math.max(1, opts.tracksPerWorker ?? 2));
    } finally {
      this.progress.phase = 'finishing';
      meter.emit(true);
      signal?.removeEventListener('abort', onAbort);
      if (this.fatal) await pool.close();
      await Promise.all([...this.inFlight]);
      await pool.close();
      analyzer.pool = null;
      this.writer.flush();
      analyzer.setProgressEmitter(null);
    }
    report.cancelled = !!signal?.aborted;
    report.remaining = store.queueSize();
    report.durationMs = meter.elapsedMs;
    this.progress.phase = 'done';
    this.progress.currentPath = null;
    meter.emit(true);
    if (this.fatal) throw this.fatal;
    return report;
  }

  /** Starts tracks while there is room (threads, the model's backlog), until the queue or the limit is done. */
  private async feed(pool: AnalysisPool, maxInFlight: number): Promise<void> {
    const { analyzer, signal } = this;
    while (!signal?.aborted && !this.fatal) {
      if (analyzer.paused || pool.inFlight >= maxInFlight || this.gate.busy) {
        await analyzer.nextChange();
        continue;
      }
      const file = this.nextFile(maxInFlight);
      if (file === 'wait') {
        await analyzer.nextChange();
        continue;
      }
      if (file === 'done') break;
      if (file.attempts >= this.maxAttempts) {
        // its earlier tries all died with the app (crash, kill): do not let it take the app down again
        this.finishTrack(this.errorRecord(file, 'crashed',
          `${file.path}: the analysis stopped ${file.attempts} times while working on this file; not tried again (use --retry-errors)`));
        continue;
      }
      this.start(pool, file);
    }
  }

  /** The next file to start: a retry first, else the next of the queue; 'wait' while tracks are in flight. */
  private nextFile(maxInFlight: number): QueuedFile | 'wait' | 'done' {
    const retried = this.retry.shift();
    if (retried) return retried;
    if (!this.buffer.length && !this.exhausted && this.dispatched < this.limit) {
      this.buffer = this.store.claim(this.lastId, Math.min(4 * maxInFlight, this.limit - this.dispatched), { pipeline: this.analyzer.pipeline, modelId: this.modelId });
      if (this.buffer.length) this.lastId = this.buffer[this.buffer.length - 1]!.fileId;
      else this.exhausted = true;
    }
    const file = this.dispatched < this.limit ? this.buffer.shift() : undefined;
    if (!file) return this.inFlight.size === 0 && this.retry.length === 0 ? 'done' : 'wait';
    this.dispatched++;
    return file;
  }

  private start(pool: AnalysisPool, file: QueuedFile): void {
    const { store, opts, analyzer } = this;
    store.startAttempt(file.fileId);
    file.attempts++;
    this.progress.currentPath = file.path;
    const job: TrackJob = {
      fileId: file.fileId, path: file.path, durationSec: file.durationSec,
      imagePath: analyzer.images ? store.imageTarget(file.fileId) : null, model: this.step?.inputs ?? null,
      excerpts: opts.excerpts, timeoutMs: opts.timeoutMs, hashAudio: this.hashAudio, knownAudioHash: file.knownAudioHash,
    };
    const p: Promise<void> = pool
      .run(job, this.signal)
      .then((outcome) => this.handle(file, outcome))
      .catch((err: unknown) => {
        this.fatal ??= err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => {
        this.inFlight.delete(p);
        analyzer.changed();
      });
    this.inFlight.add(p);
  }

  private async handle(file: QueuedFile, outcome: TrackOutcome): Promise<void> {
    const { report, store, signal } = this;
    if (outcome.ok && outcome.sameAudio) {
      this.keepTrack(file, outcome.audioHash);
      return;
    }
    if (outcome.ok) {
      report.decodeMs += outcome.decodeMs;
      report.spectrogramMs += outcome.spectrogramMs;
      report.audioSec += outcome.analysedSec;
      if (this.step && !outcome.levels.silent && outcome.inputs) await this.runModel(file, outcome);
      else this.finishTrack(this.successRecord(file, outcome, false));
      return;
    }
    switch (outcome.kind) {
      case 'cancelled':
        store.releaseAttempt(file.fileId);
        return;
      case 'no-ffmpeg':
        store.releaseAttempt(file.fileId);
        this.fatal ??= new NoDecoderError(outcome.message.slice(file.path.length + 2));
        return;
      case 'killed':
      case 'internal':
        // not the file's fault as far as we know: try again, a few times
        if (signal?.aborted) {
          store.releaseAttempt(file.fileId);
          return;
        }
        store.noteFailure(file.fileId, outcome.message);
        if (file.attempts < this.maxAttempts) {
          report.retried++;
          this.retry.push(file);
        } else {
          this.finishTrack(this.errorRecord(file, 'crashed', `${outcome.message} (gave up after ${file.attempts} tries)`, outcome.decodeMs));
        }
        return;
      default:
        report.decodeMs += outcome.decodeMs;
        this.finishTrack(this.errorRecord(file, ERROR_KIND[outcome.kind] ?? 'undecodable', outcome.message, outcome.decodeMs));
    }
  }

  private async runModel(file: QueuedFile, o: TrackSuccess): Promise<void> {
    await this.gate.through(async () => {
      try {
        const value = await this.step!.run(
          { fileId: file.fileId, path: file.path, levels: o.levels, excerpts: o.excerpts, inputs: o.inputs! },
          this.stepSignal,
        );
        this.finishTrack(this.successRecord(file, o, true), { value });
      } catch (err) {
        if (this.signal?.aborted) this.store.releaseAttempt(file.fileId);
        else this.finishTrack(this.errorRecord(file, 'model-failed', `${file.path}: the model failed: ${(err as Error).message ?? String(err)}`, o.decodeMs));
      }
    });
  }

  private finishTrack(record: AnalysisRecord, result?: { value: R }): void {
    const { report, progress } = this;
    if (record.status === 'error' && this.analyzer.images) rmSync(this.store.imageTarget(record.fileId), { force: true });
    report.analysed++;
    progress.done++;
    if (record.status === 'ok') report.ok++;
    else if (record.status === 'silent') {
      report.silent++;
      progress.silent++;
    } else {
      report.errors++;
      progress.errors++;
    }
    this.writer.push({ record, result });
    this.meter.emit();
  }

  /** The audio is the same as when it was analysed: the analysis is kept, restamped for the file as it is now. */
  private keepTrack(file: QueuedFile, audioHash: string): void {
    this.report.audioUnchanged++;
    this.progress.done++;
    this.writer.push({ keep: { fileId: file.fileId, size: file.size, mtimeMs: file.mtimeMs, audioHash } });
    this.meter.emit();
  }

  /** Results are written in batches: one transaction per batch, not per track. */
  private save(batch: PendingWrite<R>[]): void {
    const { db, store, step } = this;
    db.transaction(() => {
      for (const w of batch) {
        if (w.keep) {
          store.keep(w.keep.fileId, w.keep.size, w.keep.mtimeMs, w.keep.audioHash);
          continue;
        }
        store.save(w.record);
        if (step && w.result) step.save(db, w.record.fileId, w.result.value);
        else if (step) step.clear?.(db, w.record.fileId);
      }
    })();
  }

  private errorRecord(file: QueuedFile, kind: AnalysisErrorKind, message: string, decodeMs: number | null = null): AnalysisRecord {
    return {
      fileId: file.fileId, pipeline: this.analyzer.pipeline, modelId: null, sourceSize: file.size, sourceMtimeMs: file.mtimeMs,
      status: 'error', errorKind: kind, errorMessage: message, warning: null, analysedSec: 0, excerpts: [], rmsDb: null,
      peakDb: null, silentFraction: null, frames: 0, patches: 0, imagePath: null, decodeMs, spectrogramMs: null,
      analysedAt: Date.now(), audioHash: null,
    };
  }

  private successRecord(file: QueuedFile, o: TrackSuccess, withModel: boolean): AnalysisRecord {
    return {
      fileId: file.fileId, pipeline: this.analyzer.pipeline, modelId: withModel ? this.modelId : null, sourceSize: file.size,
      sourceMtimeMs: file.mtimeMs, status: o.levels.silent ? 'silent' : 'ok', errorKind: null, errorMessage: null,
      warning: o.warning, analysedSec: o.analysedSec, excerpts: o.excerpts, rmsDb: o.levels.rmsDb, peakDb: o.levels.peakDb,
      silentFraction: o.levels.silentFraction, frames: o.frames, patches: o.patchCount,
      imagePath: o.imageWritten ? this.store.imageTarget(file.fileId) : null, decodeMs: o.decodeMs, spectrogramMs: o.spectrogramMs,
      analysedAt: Date.now(), audioHash: o.audioHash,
    };
  }
}

/** Queue what needs listening and analyse it: the one call the CLI and the app make. */
export function analyzeLibrary<R = unknown>(db: Db, opts: AnalyzerOptions<R> = {}): Promise<AnalysisReport> {
  return new Analyzer<R>(db, opts).run();
}
