// Types of the genre model's results and of the inference backend, shared by engine, CLI and UI.
// Plain TypeScript: no node:* imports here.

/** Our names for the TF.js backends (the personal model trains on TF.js), in preference order. */
export const BACKEND_NAMES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/**
 * Inference backends for the backbones, best first: ONNX Runtime's execution providers (GPU ones only after
 * a self-test against the CPU provider), then TF.js as the fallback when onnxruntime-node cannot load.
 */
export const INFERENCE_BACKENDS = ['cuda', 'directml', 'coreml', 'webgpu', 'cpu', 'tfjs-node-gpu', 'tfjs-node', 'tfjs-wasm'] as const;
export type InferenceBackend = (typeof INFERENCE_BACKENDS)[number];

/** Which inference backend runs the backbones, and why the better ones were not used. */
export interface InferenceReport {
  name: InferenceBackend;
  runtime: 'onnxruntime' | 'tfjs';
  gpu: boolean;
  /** e.g. "onnxruntime-node 1.30.0, 1 thread per worker" */
  detail: string;
  /** GPU providers: largest difference from the CPU provider on the self-test patch, and the tolerance */
  selfTest?: { maxDiff: number; tolerance: number; ms: number };
  /** preferred backends that were not used, with the reason (absent from this build, failed to load, failed the self-test) */
  skipped: { name: InferenceBackend; reason: string }[];
}

export interface BackendReport {
  name: BackendName;
  /** wasm only: SIMD kernels active */
  simd?: boolean;
  /** wasm only: multi-threaded kernels active (never in Node with TF.js 4.22) */
  threads?: boolean;
  /** preferred backends that could not start, with the reason */
  skipped: { name: BackendName; reason: string }[];
}

/** The genre vocabulary of the default head, in output order. */
export const MODEL_GENRES = [
  'blues',
  'classical',
  'country',
  'disco',
  'electronic',
  'hip-hop',
  'jazz',
  'metal',
  'pop',
  'reggae',
  'rock',
] as const;
export type ModelGenre = (typeof MODEL_GENRES)[number];

/** What one excerpt (a ~3 s patch) of a track sounded like. */
export interface ExcerptPrediction {
  /** where the patch starts in the track, seconds */
  startSec: number;
  durationSec: number;
  /** calibrated probability per genre, same order as `genres` of the prediction */
  probabilities: number[];
}

export interface GenrePrediction {
  /** stable id of the model that produced this, e.g. "spectag-genre-1" */
  modelId: string;
  modelVersion: string;
  genres: readonly string[];
  /** track-level calibrated probability per genre (mean over excerpts, then calibrated) */
  probabilities: Record<string, number>;
  /** the best genre and the runners-up above the suggestion threshold (at most 3), best first */
  top: { genre: string; probability: number }[];
  /** true when even the best genre is below the confidence threshold: show it as a question, not a suggestion */
  unsure: boolean;
  excerpts: ExcerptPrediction[];
}
