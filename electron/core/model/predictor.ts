// Genre prediction for audio files: excerpt plan → decode → log-mel → (worker pool: backbones on ONNX Runtime,
// or TF.js as the fallback) → genre head.
// The model id + version identify what produced a prediction; the version changes whenever any shipped
// model file changes, which is what re-queues analysed tracks.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { planExcerpts, type Excerpt } from '../audio/excerpt-plan.js';
import type { GenrePrediction, InferenceBackend, InferenceReport } from '../../shared/genres-model.js';
import { loadGenreHead, type GenreHead } from './genre-head.js';
import { NATIVE_MODELS_DIR } from './paths.js';
import { loadBackbone, type Backbone } from './backbone.js';
import { InferencePool, TrackAnalysisError, type TrackOutputs } from './pool.js';
import { PATCH_SEC, selectPatches, trackPatches } from './track-patches.js';
import { DecodeError } from '../audio/decode.js';
import { measureDuration } from './duration.js';
import { listeningPipelineId } from '../jobs/pipeline.js';

export interface PredictorOptions {
  modelsDir?: string;
  backend?: InferenceBackend;
  workers?: number;
  /** ONNX Runtime CPU threads per worker (default 1) */
  threads?: number;
  maxBatch?: number;
  /** patches per track (default: the head's choice); fewer is faster, more is steadier */
  patchesPerTrack?: number;
  /** backbones to run (default: those the head needs); the training tools ask for every one */
  backbones?: string[];
  /** every output of the backbones (the training tools), not only those the head and the personal model use */
  allOutputs?: boolean;
}

export interface PatchOutputs extends TrackOutputs {
  /** per patch: where it starts in the track (s) */
  startSec: number[];
}

export interface TrackPrediction {
  prediction: GenrePrediction;
  /** per backbone, mean embedding over the track's patches (for the personal model) */
  embeddings: Record<string, Float32Array>;
}

/**
 * Hash of everything the prediction depends on: the listening plan (which excerpts, how many patches), the
 * head and each backbone's files (ONNX and TF.js weights).
 */
async function modelFingerprint(modelsDir: string, backbones: readonly Backbone[], patchesPerTrack: number | null): Promise<string> {
  const h = createHash('sha256');
  h.update(`${listeningPipelineId()}\npatches:${patchesPerTrack ?? 'all'}\n`);
  h.update(await readFile(join(modelsDir, 'genre-head', 'head.json')));
  for (const b of backbones) for (const f of b.files) h.update(await readFile(f));
  return h.digest('hex').slice(0, 12);
}

export class GenrePredictor {
  private constructor(
    private readonly head: GenreHead,
    private readonly pool: InferencePool,
    readonly modelId: string,
    readonly modelVersion: string,
    /** at most this many ~3 s patches are heard per track (null: all that the plan gives) */
    readonly patchesPerTrack: number | null,
  ) {}

  static async create(opts: PredictorOptions = {}): Promise<GenrePredictor> {
    const modelsDir = opts.modelsDir ?? NATIVE_MODELS_DIR;
    const head = await loadGenreHead(modelsDir);
    const patchesPerTrack = opts.patchesPerTrack ?? head.patchesPerTrack;
    // the patch count changes the predictions, so it is part of the version
    const headBackbones = await Promise.all(head.backbones.map((b) => loadBackbone(modelsDir, b)));
    const version = `${head.version}+${await modelFingerprint(modelsDir, headBackbones, patchesPerTrack)}`;
    const backbones = opts.backbones ?? head.backbones;
    // what the head reads, plus the embedding the personal model learns on
    const outputs = opts.allOutputs
      ? undefined
      : Object.fromEntries(backbones.map((b) => [b, [...new Set(['embedding', ...head.inputs.filter((i) => i.backbone === b).map((i) => i.output)])]]));
    const pool = new InferencePool({
      modelsDir,
      backbones,
      outputs,
      backend: opts.backend,
      workers: opts.workers,
      threads: opts.threads,
      maxBatch: opts.maxBatch,
    });
    const predictor = new GenrePredictor(head, pool, head.id, version, patchesPerTrack);
    try {
      await pool.backend;
    } catch (err) {
      await pool.close();
      throw err;
    }
    return predictor;
  }

  private decoding = 0;
  private readonly decodeWaiters: (() => void)[] = [];

  private async decodeSlot(): Promise<void> {
    // enough decodes in flight to keep every worker fed, few enough that ffmpeg runs do not starve each other
    while (this.decoding >= 2 * this.pool.size) await new Promise<void>((r) => this.decodeWaiters.push(r));
    this.decoding++;
  }

  private decodeDone(): void {
    this.decoding--;
    this.decodeWaiters.shift()?.();
  }

  get backend(): Promise<InferenceReport> {
    return this.pool.backend;
  }

  get genres(): readonly string[] {
    return this.head.genres;
  }

  /**
   * The listening plan for a track of this duration, the same as `spectag analyze`'s (excerpt-plan.ts):
   * one-patch excerpts spread over the track; a short track is taken whole and its patches are thinned out
   * to the patch budget, spread, as the analyzer's model step does.
   */
  plan(durationSec: number | null): Excerpt[] {
    return planExcerpts(durationSec);
  }

  fromOutputs(res: PatchOutputs): TrackPrediction {
    const prediction = { ...this.head.predict(res.outputs, res.startSec, PATCH_SEC), modelVersion: this.modelVersion };
    const embeddings: Record<string, Float32Array> = {};
    const n = res.startSec.length;
    for (const [name, o] of Object.entries(res.outputs)) {
      const e = o.embedding;
      if (!e || n === 0) continue;
      const width = e.length / n;
      const mean = new Float32Array(width);
      for (let p = 0; p < n; p++) for (let j = 0; j < width; j++) mean[j]! += e[p * width + j]! / n;
      embeddings[name] = mean;
    }
    return { prediction, embeddings };
  }

  /**
   * Raw per-patch backbone outputs of one file through the production path. `durationSec` (from the
   * library) saves measuring it; `plan` overrides the default excerpt plan. Throws TrackAnalysisError
   * (kind = decode error kind) when the file cannot be analysed.
   */
  async analyzeFile(path: string, opts: { durationSec?: number | null; plan?: Excerpt[]; timeoutMs?: number } = {}): Promise<PatchOutputs> {
    const duration = opts.durationSec ?? (opts.plan ? null : await measureDuration(path));
    const plan = opts.plan ?? this.plan(duration);
    // decode + log-mel here (ffmpeg does the decoding work in its own process; the spectrogram is cheap),
    // the forward passes in the workers; a bounded number of decodes at once
    await this.decodeSlot();
    let patches;
    try {
      patches = await trackPatches(path, plan, { timeoutMs: opts.timeoutMs });
    } catch (err) {
      if (err instanceof DecodeError) throw new TrackAnalysisError(err.kind, err.message);
      throw err;
    } finally {
      this.decodeDone();
    }
    if (!opts.plan && this.patchesPerTrack) patches = selectPatches(patches, this.patchesPerTrack);
    const res = await this.pool.analyzePatches(patches.data, patches.count);
    return { ...res, startSec: patches.startSec };
  }

  /** Genre prediction (and mean embeddings) of one file; options as analyzeFile. */
  async predictFile(path: string, opts: { durationSec?: number | null; plan?: Excerpt[]; timeoutMs?: number } = {}): Promise<TrackPrediction> {
    return this.fromOutputs(await this.analyzeFile(path, opts));
  }

  /** Live tensors per worker (leak checks). */
  memory(): Promise<{ numTensors: number; numBytes: number }[]> {
    return this.pool.memory();
  }

  analyzePatches(data: Float32Array, count: number): Promise<TrackOutputs> {
    return this.pool.analyzePatches(data, count);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
