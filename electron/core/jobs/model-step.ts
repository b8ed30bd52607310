// The extension point for the genre model: a step the analyzer runs on each listened-to track,
// after decode + spectrogram, with the track's model patches; its per-track result is stored with the analysis.
import type { Db } from '../db/open.js';
import type { AudioLevels } from '../audio/levels.js';

export interface ModelStepExcerpt {
  startSec: number;
  durationSec: number;
  /** non-overlapping 187 × 96 log-mel patches (frame-major, see spectrogram/mel.ts toPatches) */
  patches: Float32Array[];
}

export interface ModelStepInput {
  fileId: number;
  path: string;
  excerpts: ModelStepExcerpt[];
  levels: AudioLevels;
}

/**
 * How the analyzer uses a step:
 * - `id` names the model (and its version). It is stored with each analysis; when a run's step has another
 *   id, files analysed without it or with another model are queued again (listening is repeated: patches
 *   are not cached, ~650 KB per track would not pay for itself against a 0.1 s decode).
 * - `run` is called for every track that decoded and is not silent, at most `concurrency` at a time
 *   (default 1); while `concurrency` tracks are running and as many again wait, decoding pauses
 *   (back-pressure: memory stays bounded whichever side is slower). It receives the patches (owned by
 *   the step from then on: they may be transferred to another thread) and an AbortSignal that fires on cancel.
 *   A throw records the track as an error of kind 'model-failed' (message kept) and the batch goes on.
 * - `save` stores the result; it is called inside the transaction that writes the track's analysis row,
 *   so a crash never leaves one without the other.
 * - `clear` (optional) removes a previous result when the track is now silent or failed, so no stale
 *   prediction outlives a changed file.
 * The analyzer neither loads nor closes the step: its owner does (model files, worker pools).
 */
export interface ModelStep<R> {
  readonly id: string;
  readonly concurrency?: number;
  run(input: ModelStepInput, signal: AbortSignal): Promise<R>;
  save(db: Db, fileId: number, result: R): void;
  clear?(db: Db, fileId: number): void;
}
