// Audio file → model input: the production path decode (excerpt plan) → log-mel → 187-frame patches,
// remembering where in the track each patch was heard.
import { decodeExcerpts, type DecodeOptions } from '../audio/decode.js';
import { PATCH_SEC, type Excerpt } from '../audio/excerpt-plan.js';
import { MEL, logMelSpectrogram, toPatches } from '../spectrogram/mel.js';

export { PATCH_SEC };
export const PATCH_SIZE = MEL.patchFrames * MEL.nMels;

export interface TrackPatches {
  /** n × 187 × 96, frame-major, patch after patch */
  data: Float32Array;
  count: number;
  /** per patch: where it starts in the track (s) */
  startSec: number[];
}

/**
 * Which k of n patches to keep, spread evenly over the track: the middle one for k = 1, else the first, the
 * last and evenly spaced ones between (same rule as the training script's accuracy-vs-patches table).
 */
export function spreadIndices(n: number, k: number): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  if (k <= 1) return [Math.floor((n - 1) / 2)];
  return [...new Set(Array.from({ length: k }, (_, i) => Math.floor((i * (n - 1)) / (k - 1) + 0.5)))];
}

/** Keep at most `max` patches, spread over the track. */
export function selectPatches(t: TrackPatches, max: number): TrackPatches {
  if (t.count <= max) return t;
  const keep = spreadIndices(t.count, max);
  const data = new Float32Array(keep.length * PATCH_SIZE);
  keep.forEach((p, i) => data.set(t.data.subarray(p * PATCH_SIZE, (p + 1) * PATCH_SIZE), i * PATCH_SIZE));
  return { data, count: keep.length, startSec: keep.map((p) => t.startSec[p]!) };
}

export async function trackPatches(path: string, plan: readonly Excerpt[], opts: DecodeOptions = {}): Promise<TrackPatches> {
  const excerpts = await decodeExcerpts(path, plan, opts);
  const patches: Float32Array[] = [];
  const startSec: number[] = [];
  for (const e of excerpts) {
    const ps = toPatches(logMelSpectrogram(e.pcm));
    ps.forEach((p, i) => {
      patches.push(p);
      startSec.push(e.startSec + i * PATCH_SEC);
    });
  }
  const data = new Float32Array(patches.length * PATCH_SIZE);
  patches.forEach((p, i) => data.set(p, i * PATCH_SIZE));
  return { data, count: patches.length, startSec };
}
