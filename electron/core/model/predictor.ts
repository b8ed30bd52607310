// Genre prediction for audio files: excerpt plan → one decode at 32 kHz → the front ends (musicnn log-mel patches,
// EfficientAT log-mel windows) → (worker pool: backbones on ONNX Runtime, or TF.js as the fallback) → genre head,
// plus what is kept per track for the personal model and later heads (embeddings, AudioSet genre logits).
// The model id + version identify what produced a prediction; the version changes whenever any shipped
// model file changes, which is what re-queues analysed tracks.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { planExcerpts, type Excerpt } from '../audio/excerpt-plan.js';
import type { GenrePrediction, InferenceBackend, InferenceReport } from '../../shared/genres-model.js';
import type { ExcerptSpan } from '../../shared/analysis.js';
import { loadGenreHead, MUSICNN_HEAD_DIR, type GenreHead, type TrackFeatures } from './genre-head.js';
import { SUGGESTION_RULE } from './genre-suggestions.js';
import { NATIVE_MODELS_DIR } from './paths.js';
import { loadBackbone, type Backbone, type FrontEndName } from './backbone.js';
import { InferencePool, TrackAnalysisError, type TrackOutputs } from './pool.js';
import { PATCH_SEC, TrackListener, trackInputs, type InputRequest, type TrackInputs } from './track-inputs.js';
import { DecodeError } from '../audio/decode.js';
import { measureDuration } from './duration.js';
import { NotRegularFileError, regularFileStat } from '../library/regular-file.js';
import { listeningPipelineId } from '../jobs/pipeline.js';
import type { TrackOutput } from '../db/predictions.js';

/**
 * The backbones every analysis runs besides those the head reads: their embeddings are stored per track for the
 * personal model and for heads to come (EfficientAT mn04: AudioSet, 384-d, and its AudioSet logits below).
 */
export const ANALYSIS_BACKBONES = ['musicnn-msd', 'efficientat-mn04'] as const;

/**
 * The backbones an analysis with this head runs. All but musicnn are optional: the TF.js fallback has no
 * EfficientAT, and runs the musicnn-only head instead.
 */
export function analysisBackbones(head: Pick<GenreHead, 'backbones'>): { backbones: string[]; optional: string[] } {
  const backbones = [...new Set([...head.backbones, ...ANALYSIS_BACKBONES])];
  return { backbones, optional: backbones.filter((b) => b !== 'musicnn-msd') };
}

/**
 * Per-track means of backbone outputs kept beside the embeddings: all 527 of EfficientAT's AudioSet logits (mean over
 * the track's ~10 s windows, before the sigmoid). All of them, not only the ~60 the genre vocabulary reads today
 * (2 KB per track): a vocabulary that grows, or a head that reads other AudioSet classes (instruments, moods), can
 * then be scored from the database without listening to the library again.
 */
export const STORED_OUTPUTS: readonly { backbone: string; output: string }[] = [
  { backbone: 'efficientat-mn04', output: 'logits' },
];

export interface PredictorOptions {
  modelsDir?: string;
  backend?: InferenceBackend;
  workers?: number;
  /** ONNX Runtime CPU threads per worker (default 1) */
  threads?: number;
  maxBatch?: number;
  /** musicnn patches per track (default: the head's choice); fewer is faster, more is steadier */
  patchesPerTrack?: number;
  /** backbones to run (default: ANALYSIS_BACKBONES and those the head needs); the training tools choose their own */
  backbones?: string[];
  /** every output of the backbones (the training tools), not only those the head and the personal model use */
  allOutputs?: boolean;
}

export interface PatchOutputs extends TrackOutputs {
  /** per musicnn patch: where it starts in the track (s) */
  startSec: number[];
  /** per EfficientAT window: where it lies in the track */
  windows: ExcerptSpan[];
}

export interface TrackPrediction {
  prediction: GenrePrediction;
  /** per backbone, mean embedding over the track's items (patches, windows): for the personal model */
  embeddings: Record<string, Float32Array>;
  /** STORED_OUTPUTS of the backbones that ran, means over the track's items */
  outputs: TrackOutput[];
}

/**
 * Hash of everything the stored per-track means depend on: the listening plan (which excerpts, how many
 * patches), each backbone's files (ONNX and TF.js weights) and what is stored per track. `head`: the head file
 * hashed in the middle, as version 1 did (its versions hashed head and listening together).
 */
async function listeningFingerprint(backbones: readonly Backbone[], patchesPerTrack: number | null, head?: Buffer): Promise<string> {
  const h = createHash('sha256');
  h.update(`${listeningPipelineId()}\npatches:${patchesPerTrack ?? 'all'}\nstored:${JSON.stringify(STORED_OUTPUTS)}\n`);
  if (head) h.update(head);
  // in ANALYSIS_BACKBONES order (musicnn first, as version 1 hashed them), whatever order the head lists them in
  const rank = (id: string) => {
    const i = (ANALYSIS_BACKBONES as readonly string[]).indexOf(id);
    return i < 0 ? ANALYSIS_BACKBONES.length : i;
  };
  const ordered = [...backbones].sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id));
  for (const b of ordered) for (const f of b.files) h.update(await readFile(f));
  return h.digest('hex').slice(0, 12);
}

/**
 * The model version: `<head version>+<listening fingerprint>.<head fingerprint>` (the head file and the rule that
 * makes its suggestion set). A prediction whose listening
 * part equals the running one was made from the same stored means, so a new head re-scores it from the database
 * (`GenrePredictor.rescore`) instead of listening again. Heads that read per-patch outputs (the musicnn-only head)
 * cannot: their version is `<head version>+<fingerprint of both>`, as version 1 wrote it.
 */
async function modelVersion(head: GenreHead, backbones: readonly Backbone[], patchesPerTrack: number | null): Promise<string> {
  if (!head.fromMeans) {
    return `${head.version}+${await listeningFingerprint(backbones, patchesPerTrack, head.file)}`;
  }
  const headHash = createHash('sha256').update(head.file).update(`\nsuggestions:${SUGGESTION_RULE}`).digest('hex').slice(0, 8);
  return `${head.version}+${await listeningFingerprint(backbones, patchesPerTrack)}.${headHash}`;
}

export class GenrePredictor {
  private constructor(
    private readonly head: GenreHead,
    /** versions of stored predictions this head can re-score from the stored means (see modelVersion) */
    private readonly rescorable: (version: string) => boolean,
    private readonly pool: InferencePool,
    readonly modelId: string,
    readonly modelVersion: string,
    /** at most this many ~3 s musicnn patches are heard per track (null: all that the plan gives) */
    readonly patchesPerTrack: number | null,
    /** the front end of each backbone that runs */
    private readonly frontEndOf: ReadonlyMap<string, FrontEndName>,
  ) {}

  static async create(opts: PredictorOptions = {}): Promise<GenrePredictor> {
    const modelsDir = opts.modelsDir ?? NATIVE_MODELS_DIR;
    let head = await loadGenreHead(modelsDir);
    const patchesPerTrack = opts.patchesPerTrack ?? head.patchesPerTrack;
    const backbones = opts.backbones ?? analysisBackbones(head).backbones;
    const loaded = await Promise.all(backbones.map((b) => loadBackbone(modelsDir, b)));
    // what the head reads, the embedding the personal model learns on, and the stored outputs
    const outputs = opts.allOutputs
      ? undefined
      : Object.fromEntries(backbones.map((b) => [b, [...new Set([
        'embedding',
        ...head.inputs.filter((i) => i.backbone === b).map((i) => i.output),
        ...STORED_OUTPUTS.filter((o) => o.backbone === b).map((o) => o.output),
      ])]]));
    // musicnn must run; EfficientAT only on ONNX Runtime (the TF.js fallback has no EfficientAT and runs the
    // musicnn-only head instead)
    const pool = new InferencePool({
      modelsDir,
      backbones,
      optional: analysisBackbones({ backbones }).optional,
      outputs,
      backend: opts.backend,
      workers: opts.workers,
      threads: opts.threads,
      maxBatch: opts.maxBatch,
    });
    try {
      const report = await pool.backend;
      if (report.runtime === 'tfjs' && head.backbones.includes('efficientat-mn04')) {
        head = await loadGenreHead(modelsDir, MUSICNN_HEAD_DIR);
      }
    } catch (err) {
      await pool.close();
      throw err;
    }
    // the patch count and every backbone that runs change what is stored, so they are part of the version
    const version = await modelVersion(head, loaded, patchesPerTrack);
    const rescorable = await rescorableVersions(modelsDir, head, version, loaded, patchesPerTrack);
    return new GenrePredictor(head, rescorable, pool, head.id, version, patchesPerTrack, new Map(loaded.map((b) => [b.id, b.frontEnd])));
  }

  private readonly listener = new TrackListener();
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
   * The listening plan for a track of this duration, the same as `spectag analyze`'s (excerpt-plan.ts): three
   * ~10 s excerpts spread over the track (EfficientAT hears each whole, musicnn the patch at its centre); a short
   * track is taken whole (musicnn: its patch budget spread over it).
   */
  plan(durationSec: number | null): Excerpt[] {
    return planExcerpts(durationSec);
  }

  /** What the analyzer's threads must make of each track for this predictor (`all`: every musicnn patch). */
  inputRequest(all = false): InputRequest {
    const uses = (f: FrontEndName) => [...this.frontEndOf.values()].includes(f);
    return {
      musicnnPatches: uses('musicnn-logmel-16k') ? (all ? Infinity : (this.patchesPerTrack ?? Infinity)) : null,
      efficientat: uses('efficientat-logmel-32k'),
    };
  }

  fromOutputs(res: PatchOutputs): TrackPrediction {
    const embeddings: Record<string, Float32Array> = {};
    const outputs: TrackOutput[] = [];
    for (const [backbone, o] of Object.entries(res.outputs)) {
      const items = this.frontEndOf.get(backbone) === 'efficientat-logmel-32k' ? res.windows.length : res.startSec.length;
      if (o.embedding && items > 0) embeddings[backbone] = itemMean(o.embedding, items);
      for (const s of STORED_OUTPUTS.filter((x) => x.backbone === backbone)) {
        const all = o[s.output];
        if (!all || items === 0) continue;
        outputs.push({ backbone, output: s.output, values: itemMean(all, items) });
      }
    }
    // the track's result reads the same float32 means that are stored: re-scoring them gives it again
    const input = { items: res.outputs, startSec: res.startSec, windows: res.windows, means: { embeddings, outputs } };
    const prediction = { ...this.head.predict(input, PATCH_SEC), modelVersion: this.modelVersion };
    return { prediction, embeddings, outputs };
  }

  /** Whether a stored prediction of this version can be re-scored by this head from its stored means. */
  canRescore(version: string): boolean {
    return version !== this.modelVersion && this.rescorable(version);
  }

  /** The prediction of a track from its stored means (no listening); null when they lack an input of the head. */
  rescore(stored: TrackFeatures): GenrePrediction | null {
    const p = this.head.fromStored(stored);
    return p && { ...p, modelVersion: this.modelVersion };
  }

  /**
   * Raw per-item backbone outputs of one file through the production path. `durationSec` (from the library) saves
   * measuring it; `plan` overrides the default excerpt plan (then musicnn hears every patch of it). Throws
   * TrackAnalysisError (kind = decode error kind) when the file cannot be analysed.
   */
  async analyzeFile(path: string, opts: AnalyzeFileOptions = {}): Promise<PatchOutputs> {
    try {
      // before anything opens it: a FIFO would block the header read (this thread) and ffmpeg
      await regularFileStat(path);
    } catch (err) {
      if (err instanceof NotRegularFileError) throw new TrackAnalysisError('unreadable', err.message);
      // missing, permission denied: the decoder names these
    }
    const cancelled = () => new TrackAnalysisError('cancelled', `${path}: cancelled`);
    if (opts.signal?.aborted) throw cancelled();
    const duration = opts.durationSec ?? (opts.plan ? null : await measureDuration(path, { signal: opts.signal }));
    const plan = opts.plan ?? this.plan(duration);
    // decode + front ends here (ffmpeg decodes in its own process), the forward passes in the workers; a bounded
    // number of decodes at once
    await this.decodeSlot();
    let inputs: TrackInputs;
    try {
      // stopped while it waited for its turn: no ffmpeg run is started for it
      if (opts.signal?.aborted) throw cancelled();
      inputs = await trackInputs(path, plan, this.inputRequest(!!opts.plan), this.listener, { timeoutMs: opts.timeoutMs, signal: opts.signal });
    } catch (err) {
      if (err instanceof DecodeError) throw new TrackAnalysisError(err.kind, err.message);
      throw err;
    } finally {
      this.decodeDone();
    }
    return this.analyze(inputs);
  }

  /** Genre prediction (and mean embeddings) of one file; options as analyzeFile. */
  async predictFile(path: string, opts: AnalyzeFileOptions = {}): Promise<TrackPrediction> {
    return this.fromOutputs(await this.analyzeFile(path, opts));
  }

  /** Run the backbones on a track's ready-made inputs (the analyzer's threads made them); buffers are transferred. */
  async analyze(inputs: TrackInputs): Promise<PatchOutputs> {
    const startSec = (inputs['musicnn-logmel-16k']?.spans ?? []).map((s) => s.startSec);
    const windows = inputs['efficientat-logmel-32k']?.spans ?? [];
    const res = await this.pool.analyze(inputs);
    return { ...res, startSec, windows };
  }

  /** Live tensors per worker (leak checks). */
  memory(): Promise<{ numTensors: number; numBytes: number }[]> {
    return this.pool.memory();
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

export interface AnalyzeFileOptions {
  durationSec?: number | null;
  plan?: Excerpt[];
  timeoutMs?: number;
  /** stops the file's ffmpeg runs, and files still waiting for their turn (TrackAnalysisError 'cancelled') */
  signal?: AbortSignal;
}

/**
 * Which stored versions `head` can re-score: those with the same listening fingerprint (any head), and those of
 * version 1, whose fingerprint hashed its musicnn-only head file (native-models/genre-head) in the middle with
 * musicnn listed first; never for a head that needs per-patch outputs.
 */
async function rescorableVersions(
  modelsDir: string, head: GenreHead, version: string, loaded: readonly Backbone[], patchesPerTrack: number | null,
): Promise<(v: string) => boolean> {
  const listening = /^[^+]*\+([0-9a-f]{12})\.[0-9a-f]{8}$/.exec(version)?.[1];
  if (!listening || !head.fromMeans) return () => false;
  let legacy: string | null = null;
  try {
    const old = await loadGenreHead(modelsDir, MUSICNN_HEAD_DIR);
    const ids = new Set(loaded.map((b) => b.id));
    if (old.patchesPerTrack === patchesPerTrack && analysisBackbones(old).backbones.every((b) => ids.has(b))) {
      legacy = await modelVersion(old, loaded, patchesPerTrack);
    }
  } catch {
    // no version-1 head here (a held-out models folder): its analyses are listened to again
  }
  return (v) => v === legacy || /^[^+]*\+([0-9a-f]{12})\./.exec(v)?.[1] === listening;
}

/** Mean over n items of n × width values. */
function itemMean(values: Float32Array, n: number): Float32Array {
  const width = n > 0 ? values.length / n : 0;
  const mean = new Float32Array(width);
  for (let p = 0; p < n; p++) for (let j = 0; j < width; j++) mean[j]! += values[p * width + j]! / n;
  return mean;
}
