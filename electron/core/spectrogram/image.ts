// The picture of a track a person looks at: EfficientAT's log-mel spectrograms of its excerpts side by side (the
// audio the models heard; 128 rows, 0–15 kHz, low notes at the bottom, time to the right), viridis colours, a
// white bar between excerpts.
import { EFFICIENTAT_MEL, type EfficientAtMel } from './efficientat-mel.js';
import { VIRIDIS } from './colormap.js';
import { encodeIndexedPng } from './png.js';

/**
 * Pixel columns per second of audio: the renderer's time axis (renderer/src/lib/timeline.ts) places excerpts
 * and the play head by it. 31.25 (32 ms per column) keeps ≈ 313 columns per 10 s.
 */
export const IMAGE_COLUMNS_PER_SEC = 31.25;
/** Width of the bar between excerpts, px. */
export const IMAGE_SEPARATOR_PX = 2;

/**
 * 64 colour levels (palette indices 0..63) and the separator (64). 64 steps of viridis look continuous, and
 * compress far better than 256.
 */
const LEVELS = 64;
const SEPARATOR = LEVELS;
const PALETTE = (() => {
  const p = new Uint8Array((LEVELS + 1) * 3);
  for (let i = 0; i < LEVELS; i++) {
    const j = Math.round((i * 255) / (LEVELS - 1));
    p.set(VIRIDIS.subarray(j * 3, j * 3 + 3), i * 3);
  }
  p.set([255, 255, 255], SEPARATOR * 3);
  return p;
})();

/** EfficientAT's log-mel of digital silence: (ln(1e-5) + 4.5) / 5; the picture shows the level above it. */
const SILENCE = (Math.log(1e-5) + 4.5) / 5;
const FRAMES_PER_SEC = EFFICIENTAT_MEL.sampleRate / EFFICIENTAT_MEL.hop;

export interface SpectrogramImage {
  png: Buffer;
  width: number;
  height: number;
  /** x of the first column of each excerpt (the separators lie just before them) */
  excerptStarts: number[];
}

/** One excerpt: its length and the spectrograms of its EfficientAT windows, in order. */
export interface ImageExcerpt {
  durationSec: number;
  windows: readonly EfficientAtMel[];
}

/**
 * Render excerpts to a PNG: ⌈duration · 31.25⌉ columns per excerpt, each the mean of the frames it covers.
 * Brightness is scaled per track from silence to the loudest value in its excerpts, so every picture uses the whole
 * colour range; a silent track comes out uniformly dark.
 */
export function renderSpectrogramImage(excerpts: readonly ImageExcerpt[]): SpectrogramImage {
  const nm = EFFICIENTAT_MEL.nMels;
  const sep = IMAGE_SEPARATOR_PX;
  const cols = excerpts.map((e) => Math.max(1, Math.ceil(e.durationSec * IMAGE_COLUMNS_PER_SEC)));
  const width = Math.max(1, cols.reduce((a, b) => a + b, 0) + sep * Math.max(0, excerpts.length - 1));
  let hi = 0;
  for (const e of excerpts) for (const w of e.windows) for (let i = 0; i < w.frames * nm; i++) hi = Math.max(hi, w.data[i]! - SILENCE);
  const scale = hi > 0 ? (LEVELS - 1) / hi : 0;
  const pixels = new Uint8Array(width * nm);
  const excerptStarts: number[] = [];
  const sums = new Float64Array(nm);
  let x = 0;
  excerpts.forEach((e, k) => {
    if (k > 0) {
      for (let s = 0; s < sep; s++, x++) for (let y = 0; y < nm; y++) pixels[y * width + x] = SEPARATOR;
    }
    excerptStarts.push(x);
    const framesPerCol = FRAMES_PER_SEC / IMAGE_COLUMNS_PER_SEC;
    // walk the windows' frames as one sequence
    let win = 0;
    let base = 0; // excerpt frame index of window `win`'s first frame
    for (let c = 0; c < cols[k]!; c++, x++) {
      const f0 = Math.floor(c * framesPerCol);
      const f1 = Math.max(f0 + 1, Math.floor((c + 1) * framesPerCol));
      sums.fill(0);
      let n = 0;
      for (let f = f0; f < f1; f++) {
        while (win < e.windows.length && f >= base + e.windows[win]!.frames) base += e.windows[win++]!.frames;
        const w = e.windows[win];
        if (!w) break;
        const t = f - base;
        // band-major: data[m * frames + t]
        for (let m = 0; m < nm; m++) sums[m]! += w.data[m * w.frames + t]! - SILENCE;
        n++;
      }
      for (let m = 0; m < nm; m++) {
        const v = n ? Math.round((sums[m]! / n) * scale) : 0;
        // row 0 is the top: the highest band
        pixels[(nm - 1 - m) * width + x] = v < 0 ? 0 : v > LEVELS - 1 ? LEVELS - 1 : v;
      }
    }
  });
  return { png: encodeIndexedPng(width, nm, pixels, PALETTE), width, height: nm, excerptStarts };
}
