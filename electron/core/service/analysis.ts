// The listening feature: the analysis queue run (decode → spectrogram → the genre model) as a job in the window
// or a plain run in the CLI, the genre model itself (loaded once, with the backend it runs on), and which
// model's stored predictions the library shows. The analyzer and the model code load only when used.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisProgress, AnalysisReport } from '../../shared/analysis.js';
import type { AppStatus, JobInfo } from '../../shared/api.js';
import { SpectagApiError } from '../../shared/api-errors.js';
import type { InferenceBackend } from '../../shared/genres-model.js';
import { predictionColumns, type LibraryView } from '../db/library-view.js';
import { PredictionStore } from '../db/predictions.js';
import { NATIVE_MODELS_DIR } from '../model/paths.js';
import { SHIPPED_HEAD_DIR } from '../model/genre-head.js';
import type { GenrePredictor } from '../model/predictor.js';
import type { EngineContext } from './context.js';
import type { PersonalService } from './personal.js';

export interface AnalysisServiceOptions {
  /** run the genre model during analysis (default: when its files are present) */
  model?: boolean;
  /** the model's inference backend (default: the first that works) */
  backend?: InferenceBackend;
  /** analysis threads (default: one per core) */
  workers?: number;
}

export interface AnalysisRun {
  /** analyse at most this many tracks (the rest stays queued) */
  limit?: number;
  workers?: number;
  /** also queue files whose last analysis failed */
  retryErrors?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: AnalysisProgress) => void;
  /** the run, once it started: the window's pause holds it still */
  onStart?: (run: { pause(): void; resume(): void }) => void;
}

export class AnalysisService {
  private loading: Promise<GenrePredictor | null> | null = null;
  /** the model whose predictions the library shows (the one that stored some last, until the model runs) */
  private shownModelId: string | null;
  private backendInUse: AppStatus['backend'] = null;
  private unavailable: string | null = null;

  constructor(
    private readonly ctx: EngineContext,
    private readonly view: LibraryView,
    private readonly personal: PersonalService,
    private readonly opts: AnalysisServiceOptions,
  ) {
    this.shownModelId = new PredictionStore(ctx.db).latestModelId();
    this.show(this.shownModelId);
  }

  get modelId(): string | null {
    return this.shownModelId;
  }

  /** The inference backend in use; null until the model has been loaded once. */
  get backend(): AppStatus['backend'] {
    return this.backendInUse;
  }

  /** Why the analysis listens without the model (null: it runs, or was not asked for). */
  get modelUnavailable(): string | null {
    return this.unavailable;
  }

  /** The model is wanted and its files are here (whether it starts on this machine shows once it is loaded). */
  modelAvailable(): boolean {
    return this.opts.model !== false && existsSync(join(NATIVE_MODELS_DIR, SHIPPED_HEAD_DIR, 'head.json'));
  }

  private show(modelId: string | null): void {
    this.shownModelId = modelId;
    this.view.setPredictions(modelId ? predictionColumns(modelId) : null);
  }

  /** The genre model, loaded once (slow: inference backend + weights); null when it cannot run here (see modelUnavailable). */
  predictor(): Promise<GenrePredictor | null> {
    if (!this.modelAvailable()) {
      if (this.opts.model !== false) this.unavailable = `its files are not in ${NATIVE_MODELS_DIR}`;
      return Promise.resolve(null);
    }
    this.loading ??= (async () => {
      try {
        const [{ GenrePredictor }, { describeInference }] = await Promise.all([import('../model/predictor.js'), import('../model/inference.js')]);
        const p = await GenrePredictor.create({ backend: this.opts.backend });
        const b = await p.backend;
        this.backendInUse = { name: b.name, gpu: b.gpu, detail: describeInference(b) };
        this.show(p.modelId);
        return p;
      } catch (err) {
        this.unavailable = (err as Error).message;
        this.backendInUse = { name: 'none', gpu: false, detail: `genre model unavailable: ${this.unavailable}` };
        return null;
      }
    })();
    return this.loading;
  }

  /** Listens to the queued tracks (new, changed, or analysed by an older pipeline or model). */
  async analyse(run: AnalysisRun = {}): Promise<AnalysisReport> {
    const predictor = await this.predictor();
    const [{ Analyzer }, { genreModelStep }] = await Promise.all([import('../jobs/analyzer.js'), import('../model/genre-step.js')]);
    // the library shows this model's predictions from now on
    this.ctx.events.changed('analysis');
    const analyzer = new Analyzer(this.ctx.db, {
      limit: run.limit, signal: run.signal, workers: run.workers ?? this.opts.workers, retryErrors: run.retryErrors,
      modelStep: predictor ? genreModelStep(predictor) : undefined, onProgress: run.onProgress,
    });
    run.onStart?.(analyzer);
    try {
      return await analyzer.run();
    } finally {
      this.personal.analysisDone();
      this.ctx.events.changed('analysis');
    }
  }

  /** The analysis as a job: pausing holds it still (tracks in flight finish), the table fills in meanwhile. */
  startAnalysis(limit?: number): JobInfo {
    const busy = this.ctx.jobs.running('analyze');
    if (busy) throw new SpectagApiError('conflict', `the analysis is already running (${busy.label})`);
    let running: { pause(): void; resume(): void } | null = null;
    let lastChange = 0;
    return this.ctx.jobs.start({
      kind: 'analyze',
      label: limit ? `Listening to up to ${limit} tracks` : 'Listening to new and changed tracks',
      restartable: true,
      pauseInPlace: { pause: () => running?.pause(), resume: () => running?.resume() },
      run: async (job) => {
        job.progress({ phase: 'loading the model' });
        const report = await this.analyse({
          limit, signal: job.signal, onStart: (r) => (running = r),
          onProgress: (p) => {
            job.progress({ phase: p.phase, done: p.done, total: p.total, errors: p.errors, rate: p.rate, etaSec: p.etaSec, currentPath: p.currentPath });
            // let the table fill in while the analysis goes (at most every 3 s)
            if (Date.now() - lastChange > 3000) {
              lastChange = Date.now();
              this.ctx.events.changed('analysis');
            }
          },
        });
        return { kind: 'analyze', report };
      },
    });
  }

  async close(): Promise<void> {
    await (await this.loading)?.close();
  }
}
