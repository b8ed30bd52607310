// The picture of a track a person looks at: the log-mel spectrograms of its excerpts side by side
// (96 rows, low notes at the bottom, time to the right), viridis colours, a white bar between excerpts.
import { MEL, type MelSpectrogram } from './mel.js';
import { VIRIDIS } from './colormap.js';
import { encodeIndexedPng } from './png.js';

export interface SpectrogramImageOptions {
  /** frames averaged into one pixel column (default 2: 32 ms per column, ≈ 313 columns per 10 s) */
  framesPerColumn?: number;
  /** width of the bar between excerpts, px (default 2) */
  separatorPx?: number;
}

/**
 * 64 colour levels (palette indices 0..63) and the separator (64). 64 steps of viridis look continuous, and
 * compress far better than 256: ~44 KB instead of ~65 KB for 30 s of dense music at 943 × 96.
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

export interface SpectrogramImage {
  png: Buffer;
  width: number;
  height: number;
  /** x of the first column of each excerpt (the separators lie just before them) */
  excerptStarts: number[];
}

/**
 * Render excerpts to a PNG. Brightness is scaled per track from 0 (silence) to the loudest value in its
 * excerpts, so every picture uses the whole colour range; a silent track comes out uniformly dark.
 */
export function renderSpectrogramImage(excerpts: readonly MelSpectrogram[], opts: SpectrogramImageOptions = {}): SpectrogramImage {
  const pool = Math.max(1, Math.floor(opts.framesPerColumn ?? 2));
  const sep = Math.max(0, Math.floor(opts.separatorPx ?? 2));
  const nm = MEL.nMels;
  const cols = excerpts.map((s) => Math.ceil(s.frames / pool));
  const width = Math.max(1, cols.reduce((a, b) => a + b, 0) + sep * Math.max(0, excerpts.length - 1));
  let hi = 0;
  for (const s of excerpts) for (let i = 0; i < s.frames * nm; i++) if (s.data[i]! > hi) hi = s.data[i]!;
  const scale = hi > 0 ? (LEVELS - 1) / hi : 0;
  const pixels = new Uint8Array(width * nm);
  const excerptStarts: number[] = [];
  let x = 0;
  excerpts.forEach((s, e) => {
    if (e > 0) {
      for (let k = 0; k < sep; k++, x++) for (let y = 0; y < nm; y++) pixels[y * width + x] = SEPARATOR;
    }
    excerptStarts.push(x);
    for (let c = 0; c < cols[e]!; c++, x++) {
      const t0 = c * pool;
      const t1 = Math.min(s.frames, t0 + pool);
      for (let m = 0; m < nm; m++) {
        let sum = 0;
        for (let t = t0; t < t1; t++) sum += s.data[t * nm + m]!;
        const v = Math.round((sum / (t1 - t0)) * scale);
        // row 0 is the top: the highest band
        pixels[(nm - 1 - m) * width + x] = v < 0 ? 0 : v > LEVELS - 1 ? LEVELS - 1 : v;
      }
    }
  });
  return { png: encodeIndexedPng(width, nm, pixels, PALETTE), width, height: nm, excerptStarts };
}
