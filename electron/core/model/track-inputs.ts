// What the backbones hear of a track, made from its decoded excerpts (32 kHz mono, one ffmpeg run per track):
// musicnn's 187 × 96 log-mel patches (16 kHz, the audio halved) and EfficientAT's ~10 s log-mel windows, each with
// where in the track it was heard. The analyzer's threads and `spectag predict` both make them here, so a track's
// inputs do not depend on which command listened to it.
import { decodeExcerpts, type DecodeOptions, type DecodedExcerpt } from '../audio/decode.js';
import type { Excerpt } from '../audio/excerpt-plan.js';
import { halveSampleRate } from '../audio/resample.js';
import { EFFICIENTAT_MEL, EfficientAtMelComputer, efficientAtFrameCount, type EfficientAtMel } from '../spectrogram/efficientat-mel.js';
import { LogMelComputer, MEL, toPatches } from '../spectrogram/mel.js';
import type { ExcerptSpan } from '../../shared/analysis.js';
import type { FrontEndName } from './backbone.js';

/** Seconds of audio one musicnn patch covers (187 hops of 256 samples at 16 kHz = 2.992 s). */
export const PATCH_SEC = (MEL.patchFrames * MEL.hop) / MEL.sampleRate;
const PATCH_SIZE = MEL.patchFrames * MEL.nMels;
/** EfficientAT was trained on 10 s clips: an excerpt is cut into windows of about this length. */
export const EFFICIENTAT_WINDOW_SEC = 10;
/** The rate tracks are decoded at: EfficientAT's; musicnn's 16 kHz is this halved. */
export const LISTEN_SAMPLE_RATE = EFFICIENTAT_MEL.sampleRate;

/** Items of one front end for one track, packed by shape (`count` items of `shape` each). */
export interface InputGroup {
  data: Float32Array;
  count: number;
  /** per item, without the batch axis (musicnn [187, 96]; EfficientAT [1, 128, frames]) */
  shape: readonly number[];
}

export interface FrontEndInput {
  groups: InputGroup[];
  /** per item, in group order: where in the track it starts and how long it is (s) */
  spans: ExcerptSpan[];
}

/** A track's model inputs, one entry per front end that was asked for. */
export type TrackInputs = Partial<Record<FrontEndName, FrontEndInput>>;

/** What to make: musicnn patches (at most this many per track; null: none) and EfficientAT windows. */
export interface InputRequest {
  musicnnPatches: number | null;
  efficientat: boolean;
}

/** Every buffer of the inputs (to transfer them to another thread without copying). */
export function inputBuffers(inputs: TrackInputs): ArrayBuffer[] {
  return Object.values(inputs).flatMap((i) => i!.groups.map((g) => g.data.buffer as ArrayBuffer));
}

/**
 * Which k of n items to keep, spread evenly: the middle one for k = 1, else the first, the last and evenly spaced
 * ones between (same rule as the training script's accuracy-vs-patches table).
 */
export function spreadIndices(n: number, k: number): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  if (k <= 1) return [Math.floor((n - 1) / 2)];
  return [...new Set(Array.from({ length: k }, (_, i) => Math.floor((i * (n - 1)) / (k - 1) + 0.5)))];
}

/**
 * Where musicnn's patches lie, as offsets (s) into the excerpts: each excerpt holds ⌊d / 2.992⌋ (at least one)
 * non-overlapping patches centred in it, and the budget is shared among the excerpts, spread within each. A long
 * track's three 10 s excerpts thus give the patch at the centre of each (the audio the shipped head was chosen
 * on: three one-patch excerpts spread over 20–80 % of the track); a short track taken whole gives `budget`
 * patches spread over it.
 */
export function musicnnPatchOffsets(excerptSec: readonly number[], budget: number): { excerpt: number; offsetSec: number }[] {
  const perExcerpt = Math.max(1, Math.floor(budget / Math.max(1, excerptSec.length)));
  const out: { excerpt: number; offsetSec: number }[] = [];
  excerptSec.forEach((d, excerpt) => {
    const n = Math.max(1, Math.floor(d / PATCH_SEC + 1e-9));
    const first = Math.max(0, (d - n * PATCH_SEC) / 2);
    for (const i of spreadIndices(n, perExcerpt)) out.push({ excerpt, offsetSec: first + i * PATCH_SEC });
  });
  return out;
}

/** EfficientAT's windows of an excerpt of `samples` samples: round(length / 10 s) (at least one) equal parts. */
export function efficientAtWindows(samples: number): { from: number; to: number }[] {
  const count = Math.max(1, Math.round(samples / (EFFICIENTAT_WINDOW_SEC * LISTEN_SAMPLE_RATE)));
  return Array.from({ length: count }, (_, i) => ({ from: Math.floor((i * samples) / count), to: Math.floor(((i + 1) * samples) / count) }));
}

/** Samples of halving margin on each side of a patch: more than the halving filter's half length (31). */
const HALVING_MARGIN = 64;
const PATCH_SAMPLES_32K = 2 * MEL.patchFrames * MEL.hop;

/** Makes the inputs of tracks; one per thread (its spectrogram computers keep their tables and scratch). */
export class TrackListener {
  private readonly musicnnMel = new LogMelComputer();
  private readonly efficientAtMel = new EfficientAtMelComputer();

  /**
   * The inputs of one track's decoded excerpts (32 kHz), and the EfficientAT spectrogram of each excerpt's windows
   * (what the picture shows: made when EfficientAT or the picture needs them; else empty).
   */
  listen(excerpts: readonly DecodedExcerpt[], want: InputRequest, picture = false): { inputs: TrackInputs; windows: EfficientAtMel[][] } {
    for (const e of excerpts) {
      if (e.sampleRate !== LISTEN_SAMPLE_RATE) throw new Error(`excerpts must be decoded at ${LISTEN_SAMPLE_RATE} Hz, got ${e.sampleRate}`);
    }
    const inputs: TrackInputs = {};
    let windows: EfficientAtMel[][] = [];
    if (want.efficientat) {
      const eat = this.efficientAtInput(excerpts);
      inputs['efficientat-logmel-32k'] = eat.input;
      windows = eat.windows;
    } else if (picture) {
      windows = excerpts.map((e) => efficientAtWindows(e.pcm.length).map((w) => this.efficientAtMel.compute(e.pcm.subarray(w.from, w.to))));
    }
    if (want.musicnnPatches != null && want.musicnnPatches > 0) inputs['musicnn-logmel-16k'] = this.musicnnInput(excerpts, want.musicnnPatches);
    return { inputs, windows };
  }

  /**
   * Windows of equal length share a group (they can share a forward pass). Each window's spectrogram is computed
   * straight into its group's buffer, and the windows returned (for the picture) are views of it: no second copy of
   * the spectrograms, which would only be garbage once the inputs have moved to the inference thread.
   */
  private efficientAtInput(excerpts: readonly DecodedExcerpt[]): { input: FrontEndInput; windows: EfficientAtMel[][] } {
    const items: { excerpt: number; window: number; pcm: Float32Array; frames: number; span: ExcerptSpan }[] = [];
    excerpts.forEach((e, i) => {
      efficientAtWindows(e.pcm.length).forEach((w, j) => {
        items.push({
          excerpt: i, window: j, pcm: e.pcm.subarray(w.from, w.to), frames: efficientAtFrameCount(w.to - w.from),
          span: { startSec: e.startSec + w.from / LISTEN_SAMPLE_RATE, durationSec: (w.to - w.from) / LISTEN_SAMPLE_RATE },
        });
      });
    });
    const byFrames = new Map<number, typeof items>();
    for (const it of items) byFrames.set(it.frames, [...(byFrames.get(it.frames) ?? []), it]);
    const groups: InputGroup[] = [];
    const spans: ExcerptSpan[] = [];
    const windows: EfficientAtMel[][] = excerpts.map(() => []);
    for (const [frames, group] of byFrames) {
      const size = EFFICIENTAT_MEL.nMels * frames;
      const data = new Float32Array(group.length * size);
      group.forEach((it, i) => {
        const mel = data.subarray(i * size, (i + 1) * size);
        this.efficientAtMel.computeInto(it.pcm, mel, frames);
        windows[it.excerpt]![it.window] = { frames, data: mel };
        spans.push(it.span);
      });
      groups.push({ data, count: group.length, shape: [1, EFFICIENTAT_MEL.nMels, frames] });
    }
    return { input: { groups, spans }, windows };
  }

  /** Each patch from its own 2.992 s of the excerpt, halved to 16 kHz with real audio (not zeros) around it. */
  private musicnnInput(excerpts: readonly DecodedExcerpt[], budget: number): FrontEndInput {
    const where = musicnnPatchOffsets(excerpts.map((e) => e.pcm.length / LISTEN_SAMPLE_RATE), budget);
    const data = new Float32Array(where.length * PATCH_SIZE);
    const spans: ExcerptSpan[] = [];
    where.forEach(({ excerpt, offsetSec }, i) => {
      const x = excerpts[excerpt]!.pcm;
      // an even start keeps the 16 kHz samples on the grid ffmpeg's own 16 kHz decode would give
      const at = 2 * Math.round((offsetSec * LISTEN_SAMPLE_RATE) / 2);
      const lo = Math.max(0, at - HALVING_MARGIN);
      const hi = Math.min(x.length, at + PATCH_SAMPLES_32K + HALVING_MARGIN);
      const half = halveSampleRate(x.subarray(lo, hi));
      const from = (at - lo) / 2;
      const pcm16 = half.subarray(from, Math.min(half.length, from + PATCH_SAMPLES_32K / 2));
      const [patch] = toPatches(this.musicnnMel.compute(pcm16));
      if (patch) data.set(patch, i * PATCH_SIZE);
      spans.push({ startSec: excerpts[excerpt]!.startSec + at / LISTEN_SAMPLE_RATE, durationSec: PATCH_SEC });
    });
    return { groups: [{ data, count: where.length, shape: [MEL.patchFrames, MEL.nMels] }], spans };
  }
}

/** Frames of EfficientAT's spectrogram over all windows of excerpts of these sample counts. */
export function efficientAtFrames(samples: readonly number[]): number {
  return samples.reduce((n, s) => n + efficientAtWindows(s).reduce((m, w) => m + efficientAtFrameCount(w.to - w.from), 0), 0);
}

/** Decode a file's excerpts at 32 kHz and make its inputs (`spectag predict`'s path; the analyzer's threads do the same in two steps). */
export async function trackInputs(path: string, plan: readonly Excerpt[], want: InputRequest, listener: TrackListener, opts: DecodeOptions = {}): Promise<TrackInputs> {
  const excerpts = await decodeExcerpts(path, plan, { ...opts, sampleRate: LISTEN_SAMPLE_RATE });
  return listener.listen(excerpts, want).inputs;
}
