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
    const { db, opts, store } = this;
    const started = Date.now();
    const signal = opts.signal;
    const step = opts.modelStep;
    const modelId = step?.id ?? null;
    const limit = opts.limit ?? Infinity;
    const maxAttempts = opts.maxAttempts ?? 3;
    const report: AnalysisReport = {
      pipeline: this.pipeline, modelId, queuedByReason: {}, analysed: 0, audioUnchanged: 0, ok: 0, silent: 0, errors: 0, retried: 0,
      remaining: 0, cancelled: false, durationMs: 0, decodeMs: 0, spectrogramMs: 0, audioSec: 0,
    };
    const progress: AnalysisProgress = {
      phase: 'queueing', total: 0, done: 0, errors: 0, silent: 0, paused: this.paused, rate: 0, etaSec: null, currentPath: null,
    };
    let lastEmit = 0;
    const interval = opts.progressIntervalMs ?? 250;
    const emit = (force = false) => {
      if (!opts.onProgress) return;
      const now = Date.now();
      if (!force && now - lastEmit < interval) return;
      lastEmit = now;
      const active = (now - started - this.pausedMs - (this.pausedSince != null ? now - this.pausedSince : 0)) / 1000;
      progress.paused = this.paused;
      progress.rate = active > 0 ? progress.done / active : 0;
      progress.etaSec = progress.rate > 0 ? (progress.total - progress.done) / progress.rate : null;
      opts.onProgress({ ...progress });
    };
    this.emitProgress = emit;
    emit(true);

    report.queuedByReason = store.enqueue(this.pipeline, modelId, { retryErrors: opts.retryErrors, checkImages: opts.checkImages });
    progress.total = Math.min(store.queueSize(), limit);
    progress.phase = 'analysing';
    emit(true);

    const workers = Math.max(1, opts.workers ?? defaultAnalysisWorkers(!!step));
    const maxInFlight = workers * Math.max(1, opts.tracksPerWorker ?? 2);
    const modelConcurrency = Math.max(1, step?.concurrency ?? 1);
    const stepSignal = signal ?? new AbortController().signal;
    let modelActive = 0;
    let modelBacklog = 0;
    const modelSlotWaiters: (() => void)[] = [];
    let fatal: Error | null = null;

    // results are written in batches: one transaction per batch, not per track
    let writes: PendingWrite<R>[] = [];
    let writeTimer: NodeJS.Timeout | null = null;
    const flush = () => {
      if (writeTimer) clearTimeout(writeTimer);
      writeTimer = null;
      if (!writes.length) return;
      const batch = writes;
      writes = [];
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
    };
    const finishTrack = (record: AnalysisRecord, result?: { value: R }) => {
      if (record.status === 'error' && this.images) rmSync(store.imageTarget(record.fileId), { force: true });
      writes.push({ record, result });
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
      if (writes.length >= WRITE_BATCH) flush();
      else writeTimer ??= setTimeout(flush, WRITE_DELAY_MS);
      emit();
    };
    const keepTrack = (file: QueuedFile, audioHash: string) => {
      writes.push({ keep: { fileId: file.fileId, size: file.size, mtimeMs: file.mtimeMs, audioHash } });
      report.audioUnchanged++;
      progress.done++;
      if (writes.length >= WRITE_BATCH) flush();
      else writeTimer ??= setTimeout(flush, WRITE_DELAY_MS);
      emit();
    };
    const errorRecord = (file: QueuedFile, kind: AnalysisErrorKind, message: string, decodeMs: number | null = null): AnalysisRecord => ({
      fileId: file.fileId, pipeline: this.pipeline, modelId: null, sourceSize: file.size, sourceMtimeMs: file.mtimeMs,
      status: 'error', errorKind: kind, errorMessage: message, warning: null, analysedSec: 0, excerpts: [], rmsDb: null,
      peakDb: null, silentFraction: null, frames: 0, patches: 0, imagePath: null, decodeMs, spectrogramMs: null,
      analysedAt: Date.now(), audioHash: null,
    });
    const successRecord = (file: QueuedFile, o: TrackSuccess, withModel: boolean): AnalysisRecord => ({
      fileId: file.fileId, pipeline: this.pipeline, modelId: withModel ? modelId : null, sourceSize: file.size,
      sourceMtimeMs: file.mtimeMs, status: o.levels.silent ? 'silent' : 'ok', errorKind: null, errorMessage: null,
      warning: o.warning, analysedSec: o.analysedSec, excerpts: o.excerpts, rmsDb: o.levels.rmsDb, peakDb: o.levels.peakDb,
      silentFraction: o.levels.silentFraction, frames: o.frames, patches: o.patchCount,
      imagePath: o.imageWritten ? store.imageTarget(file.fileId) : null, decodeMs: o.decodeMs, spectrogramMs: o.spectrogramMs,
      analysedAt: Date.now(), audioHash: o.audioHash,
    });

    const retry: QueuedFile[] = [];

    const runModel = async (file: QueuedFile, o: TrackSuccess) => {
      modelBacklog++;
      try {
        while (modelActive >= modelConcurrency) await new Promise<void>((r) => modelSlotWaiters.push(r));
        modelActive++;
        try {
          const value = await step!.run(
            {
              fileId: file.fileId, path: file.path, levels: o.levels, excerpts: o.excerpts, inputs: o.inputs!,
            },
            stepSignal,
          );
          finishTrack(successRecord(file, o, true), { value });
        } catch (err) {
          if (signal?.aborted) store.releaseAttempt(file.fileId);
          else finishTrack(errorRecord(file, 'model-failed', `${file.path}: the model failed: ${(err as Error).message ?? String(err)}`, o.decodeMs));
        } finally {
          modelActive--;
          modelSlotWaiters.shift()?.();
        }
      } finally {
        modelBacklog--;
        this.wakeUp();
      }
    };

    const handle = async (file: QueuedFile, outcome: TrackOutcome): Promise<void> => {
      if (outcome.ok && outcome.sameAudio) {
        keepTrack(file, outcome.audioHash);
        return;
      }
      if (outcome.ok) {
        report.decodeMs += outcome.decodeMs;
        report.spectrogramMs += outcome.spectrogramMs;
        report.audioSec += outcome.analysedSec;
        if (step && !outcome.levels.silent && outcome.inputs) await runModel(file, outcome);
        else finishTrack(successRecord(file, outcome, false));
        return;
      }
      switch (outcome.kind) {
        case 'cancelled':
          store.releaseAttempt(file.fileId);
          return;
        case 'no-ffmpeg':
          store.releaseAttempt(file.fileId);
          fatal ??= new NoDecoderError(outcome.message.slice(file.path.length + 2));
          return;
        case 'killed':
        case 'internal':
          // not the file's fault as far as we know: try again, a few times
          if (signal?.aborted) {
            store.releaseAttempt(file.fileId);
            return;
          }
          store.noteFailure(file.fileId, outcome.message);
          if (file.attempts < maxAttempts) {
            report.retried++;
            retry.push(file);
          } else {
            finishTrack(errorRecord(file, 'crashed', `${outcome.message} (gave up after ${file.attempts} tries)`, outcome.decodeMs));
          }
          return;
        default:
          report.decodeMs += outcome.decodeMs;
          finishTrack(errorRecord(file, ERROR_KIND[outcome.kind] ?? 'undecodable', outcome.message, outcome.decodeMs));
      }
    };

    // the audio's identity is stored with each analysis (where the schema has room for it)
    const hashAudio = hasAudioIdentity(db);
    const pool = new AnalysisPool(workers, { ffmpegPath: opts.ffmpegPath });
    this.pool = pool;
    const inFlight = new Set<Promise<void>>();
    const onAbort = () => this.wakeUp();
    signal?.addEventListener('abort', onAbort);
    let buffer: QueuedFile[] = [];
    let lastId = 0;
    let exhausted = false;
    let dispatched = 0;
    const waitForChange = () => new Promise<void>((r) => (this.wake = r));

    try {
      while (!signal?.aborted && !fatal) {
        if (this.paused || pool.inFlight >= maxInFlight || modelBacklog >= 2 * modelConcurrency) {
          await waitForChange();
          continue;
        }
        let file = retry.shift();
        if (!file) {
          if (!buffer.length && !exhausted && dispatched < limit) {
            buffer = store.claim(lastId, Math.min(4 * maxInFlight, limit - dispatched), { pipeline: this.pipeline, modelId });
            if (buffer.length) lastId = buffer[buffer.length - 1]!.fileId;
            else exhausted = true;
          }
          file = dispatched < limit ? buffer.shift() : undefined;
          if (!file) {
            if (inFlight.size === 0 && retry.length === 0) break;
            await waitForChange();
            continue;
          }
          dispatched++;
        }
        if (file.attempts >= maxAttempts) {
          // its earlier tries all died with the app (crash, kill): do not let it take the app down again
          finishTrack(errorRecord(file, 'crashed',
            `${file.path}: the analysis stopped ${file.attempts} times while working on this file; not tried again (use --retry-errors)`));
          continue;
        }
        store.startAttempt(file.fileId);
        file.attempts++;
        progress.currentPath = file.path;
        const job: TrackJob = {
          fileId: file.fileId, path: file.path, durationSec: file.durationSec,
          imagePath: this.images ? store.imageTarget(file.fileId) : null, model: step?.inputs ?? null,
          excerpts: opts.excerpts, timeoutMs: opts.timeoutMs, hashAudio, knownAudioHash: file.knownAudioHash,
        };
        const current = file;
        const p: Promise<void> = pool
          .run(job, signal)
          .then((outcome) => handle(current, outcome))
          .catch((err: unknown) => {
            fatal ??= err instanceof Error ? err : new Error(String(err));
          })
          .finally(() => {
            inFlight.delete(p);
            this.wakeUp();
          });
        inFlight.add(p);
      }
    } finally {
      progress.phase = 'finishing';
      emit(true);
      signal?.removeEventListener('abort', onAbort);
      if (fatal) await pool.close();
      await Promise.all([...inFlight]);
      await pool.close();
      this.pool = null;
      flush();
      this.emitProgress = null;
    }
    report.cancelled = !!signal?.aborted;
    report.remaining = store.queueSize();
    report.durationMs = Date.now() - started;
    progress.phase = 'done';
    progress.currentPath = null;
    emit(true);
    if (fatal) throw fatal;
    return report;
  }
}

/** Queue what needs listening and analyse it: the one call the CLI and the app make. */
export function analyzeLibrary<R = unknown>(db: Db, opts: AnalyzerOptions<R> = {}): Promise<AnalysisReport> {
  return new Analyzer<R>(db, opts).run();
}
