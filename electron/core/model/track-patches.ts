// Audio file → model input: the production path decode (excerpt plan) → log-mel → 187-frame patches,
// remembering where in the track each patch was heard.
import { decodeExcerpts, type DecodeOptions } from '../audio/decode.js';
import type { Excerpt } from '../audio/excerpt-plan.js';
import { MEL, logMelSpectrogram, toPatches } from '../spectrogram/mel.js';

export const PATCH_SIZE = MEL.patchFrames * MEL.nMels;
/** Seconds of audio one patch covers (187 hops of 256 samples at 16 kHz ≈ 2.99 s). */
export const PATCH_SEC = (MEL.patchFrames * MEL.hop) / MEL.sampleRate;

export interface TrackPatches {
  /** n × 187 × 96, frame-major, patch after patch */
  data: Float32Array;
  count: number;
  /** per patch: where it starts in the track (s) */
  startSec: number[];
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
