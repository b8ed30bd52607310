// The extension point for the genre model: a step the analyzer runs on each listened-to track, after decode and
// the front ends, with the track's model inputs; its per-track result is stored with the analysis.
import type { Db } from '../db/open.js';
import type { AudioLevels } from '../audio/levels.js';
import type { ExcerptSpan } from '../../shared/analysis.js';
import type { InputRequest, TrackInputs } from '../model/track-inputs.js';

export interface ModelStepInput {
  fileId: number;
  path: string;
  /** the decoded excerpts */
  excerpts: ExcerptSpan[];
  /** what the step's `inputs` asked for: musicnn patches, EfficientAT windows (model/track-inputs.ts) */
  inputs: TrackInputs;
  levels: AudioLevels;
}

/**
 * How the analyzer uses a step:
 * - `id` names the model (and its version). It is stored with each analysis; when a run's step has another
 *   id, files analysed without it or with another model are queued again (listening is repeated: inputs
 *   are not cached, ~1.7 MB per track would not pay for itself against a decode).
 * - `inputs` says what the analyzer's threads make of each track for the step (front-end inputs).
 * - `run` is called for every track that decoded and is not silent, at most `concurrency` at a time
 *   (default 1); while `concurrency` tracks are running and as many again wait, decoding pauses
 *   (back-pressure: memory stays bounded whichever side is slower). It receives the inputs (owned by
 *   the step from then on: they may be transferred to another thread) and an AbortSignal that fires on cancel.
 *   A throw records the track as an error of kind 'model-failed' (message kept) and the batch goes on.
 * - `save` stores the result; it is called inside the transaction that writes the track's analysis row,
 *   so a crash never leaves one without the other.
 * - `clear` (optional) removes a previous result when the track is now silent or failed, so no stale
 *   prediction outlives a changed file.
 * - `rescore` (optional) runs before the queue is made: it brings stored results up to this step's id where it
 *   can without listening (a new head over stored embeddings), and marks those analyses with the step's id, so
 *   they are not queued. Returns how many it re-scored.
 * The analyzer neither loads nor closes the step: its owner does (model files, worker pools).
 */
export interface ModelStep<R> {
  readonly id: string;
  readonly inputs: InputRequest;
  readonly concurrency?: number;
  run(input: ModelStepInput, signal: AbortSignal): Promise<R>;
  save(db: Db, fileId: number, result: R): void;
  clear?(db: Db, fileId: number): void;
  rescore?(db: Db, signal?: AbortSignal): number;
}
