// The track view's time axes: where a moment of the track lies on the spectrogram picture (excerpts side by
// side with a separator between them) and back, and the per-excerpt predictions as labelled segments.
import type { ExcerptSpan } from '../../../electron/shared/analysis.js';
import type { GenrePrediction } from '../../../electron/shared/genres-model.js';
import { MEL, hzToMel } from '../../../electron/shared/mel-scale.js';

/** The picture's convention (electron/core/spectrogram/image.ts, checked equal by its test): 31.25 columns per second, 2 px bars. */
export const IMAGE_COLUMNS_PER_SEC = 31.25;
export const IMAGE_SEPARATOR_PX = 2;

export interface ImageSegment {
  startSec: number;
  durationSec: number;
  /** left edge and width on the picture, as fractions of its width */
  x: number;
  width: number;
}

/** Segments of the picture, one per excerpt, in picture fractions. */
export function imageSegments(excerpts: readonly ExcerptSpan[]): ImageSegment[] {
  const cols = excerpts.map((e) => Math.max(1, Math.ceil(e.durationSec * IMAGE_COLUMNS_PER_SEC)));
  const total = cols.reduce((a, b) => a + b, 0) + IMAGE_SEPARATOR_PX * Math.max(0, excerpts.length - 1);
  if (!total) return [];
  let x = 0;
  return excerpts.map((e, i) => {
    if (i > 0) x += IMAGE_SEPARATOR_PX;
    const seg = { startSec: e.startSec, durationSec: e.durationSec, x: x / total, width: cols[i]! / total };
    x += cols[i]!;
    return seg;
  });
}

/** Where time `t` (seconds into the track) lies on the picture (0..1), or null when it is not in an excerpt. */
export function imageXForTime(t: number, segments: readonly ImageSegment[]): number | null {
  for (const s of segments) {
    if (t >= s.startSec && t < s.startSec + s.durationSec) return s.x + ((t - s.startSec) / s.durationSec) * s.width;
  }
  return null;
}

/** The track time under a point of the picture (0..1): clicking the picture seeks there. */
export function timeForImageX(x: number, segments: readonly ImageSegment[]): number | null {
  if (!segments.length) return null;
  for (const s of segments) {
    if (x >= s.x && x <= s.x + s.width) return s.startSec + ((x - s.x) / s.width) * s.durationSec;
  }
  // on a separator: the start of the next excerpt
  const next = segments.find((s) => s.x > x);
  return next ? next.startSec : null;
}

export interface AxisTick {
  /** position on the picture, as a fraction of its width (time) or of its height from the top (frequency) */
  at: number;
  label: string;
}

/**
 * The frequency axis: the picture has one row per mel band, the lowest band at the bottom; band m peaks at
 * the (m + 1)-th of nMels + 1 equal steps of the mel scale between fMin and fMax, and its row's middle is
 * (m + ½) / nMels of the height from the bottom. Each label sits where its frequency is drawn.
 */
export function frequencyTicks(hz: readonly number[] = [250, 500, 1000, 2000, 4000, 8000]): AxisTick[] {
  const lo = hzToMel(MEL.fMin);
  const hi = hzToMel(MEL.fMax);
  return hz
    .filter((f) => f > MEL.fMin && f <= MEL.fMax)
    .map((f) => {
      const band = ((hzToMel(f) - lo) / (hi - lo)) * (MEL.nMels + 1) - 1;
      const fromBottom = Math.min(1, Math.max(0, (band + 0.5) / MEL.nMels));
      return { at: 1 - fromBottom, label: f >= 1000 ? `${f / 1000}k` : String(f) };
    });
}

const TIME_STEPS_SEC = [1, 2, 5, 10, 15, 30, 60, 120, 300];

/**
 * The time axis under the picture: in each excerpt, ticks at round track times (the picture shows excerpts,
 * not the whole track), spaced at least `minGapPx` apart for a picture `widthPx` wide.
 */
export function timeTicks(segments: readonly ImageSegment[], widthPx: number, minGapPx = 44): AxisTick[] {
  const out: AxisTick[] = [];
  for (const s of segments) {
    const pxPerSec = (s.width * widthPx) / s.durationSec;
    if (!(pxPerSec > 0)) continue;
    const step = TIME_STEPS_SEC.find((t) => t * pxPerSec >= minGapPx) ?? TIME_STEPS_SEC[TIME_STEPS_SEC.length - 1]!;
    for (let t = Math.ceil(s.startSec / step) * step; t < s.startSec + s.durationSec; t += step) {
      out.push({ at: s.x + ((t - s.startSec) / s.durationSec) * s.width, label: clock(t) });
    }
  }
  return out;
}

function clock(sec: number): string {
  const s = Math.round(sec);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export interface ExcerptLabel {
  startSec: number;
  durationSec: number;
  genre: string;
  probability: number;
}

/** The best genre of each analysed excerpt (patch), for the strip under the picture and the track axis. */
export function excerptLabels(p: GenrePrediction | null, display: (g: string) => string = (g) => g): ExcerptLabel[] {
  if (!p) return [];
  return p.excerpts.map((e) => {
    let best = 0;
    e.probabilities.forEach((v, i) => {
      if (v > (e.probabilities[best] ?? -1)) best = i;
    });
    return { startSec: e.startSec, durationSec: e.durationSec, genre: display(p.genres[best] ?? '?'), probability: e.probabilities[best] ?? 0 };
  });
}

/** Genre probabilities sorted for the bars, best first. */
export function probabilityBars(p: GenrePrediction | null, display: (g: string) => string = (g) => g): { genre: string; probability: number }[] {
  if (!p) return [];
  return Object.entries(p.probabilities)
    .map(([g, v]) => ({ genre: display(g), probability: v }))
    .sort((a, b) => b.probability - a.probability);
}

/** A stable colour per genre name (hue from a string hash), so a genre looks the same everywhere. */
export function genreHue(genre: string): number {
  let h = 0;
  for (const c of genre.toLowerCase()) h = (h * 31 + c.codePointAt(0)!) >>> 0;
  return h % 360;
}
