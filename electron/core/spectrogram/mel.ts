// The log-mel spectrogram the genre model eats: musicnn's input convention, computed the way librosa's
// melspectrogram computes it (parity-tested against librosa numbers in test/spectrogram/mel-parity.test.ts).
//
// Convention: 16 kHz mono, 512-point FFT, periodic Hann window, hop 256, power spectrum, 96 mel bands on
// the Slaney mel scale with Slaney (area) normalisation, fmin 0, fmax 8 kHz, then log10(1 + 10000·mel).
// Frames are centred (frame t covers samples t·hop − 256 … t·hop + 255), so n samples give 1 + ⌊n/256⌋
// frames. The signal is extended at both ends by REFLECTION (x[−1] = x[1], no repeated edge sample):
// that was the default of librosa ≤ 0.9, the versions musicnn was trained and published with (librosa 0.10
// changed the default to zero padding). It only touches the first and last frame of each excerpt.
// musicnn itself rounds the mel power to float16 before the log; that moves values by at most ~2e-4 and is
// not repeated here (the output is float32).
import { RealFft } from './fft.js';

export { MEL, hzToMel, melToHz } from '../../shared/mel-scale.js';
import { MEL, hzToMel, melToHz } from '../../shared/mel-scale.js';

export interface MelSpectrogram {
  frames: number;
  /** frame-major: data[t * MEL.nMels + m] */
  data: Float32Array;
}

/** The nMels + 2 band edge frequencies (Hz): band m rises from edge m, peaks at edge m+1, falls to edge m+2. */
export function melBandEdgesHz(nMels: number = MEL.nMels, fMin: number = MEL.fMin, fMax: number = MEL.fMax): Float64Array {
  const lo = hzToMel(fMin);
  const hi = hzToMel(fMax);
  const edges = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++) edges[i] = melToHz(lo + ((hi - lo) * i) / (nMels + 1));
  return edges;
}

/** Centre (peak) frequency of each mel band, Hz. */
export function melBandCentresHz(): Float64Array {
  return melBandEdgesHz().subarray(1, MEL.nMels + 1);
}

/** One band's non-zero weights over FFT bins [start, start + weights.length). */
export interface MelBand {
  start: number;
  weights: Float32Array;
}

/**
 * librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False, norm='slaney'): triangles on the Slaney
 * scale, each scaled to unit area (2 / bandwidth in Hz). Stored sparsely; weights are float32 like librosa's.
 */
export function melFilterbank(
  sampleRate: number = MEL.sampleRate, nFft: number = MEL.nFft, nMels: number = MEL.nMels,
  fMin: number = MEL.fMin, fMax: number = MEL.fMax,
): MelBand[] {
  const bins = nFft / 2 + 1;
  const edges = melBandEdgesHz(nMels, fMin, fMax);
  const bands: MelBand[] = [];
  for (let m = 0; m < nMels; m++) {
    const f0 = edges[m]!;
    const f1 = edges[m + 1]!;
    const f2 = edges[m + 2]!;
    const enorm = 2 / (f2 - f0);
    const w: number[] = [];
    let start = -1;
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / nFft;
      const lower = (f - f0) / (f1 - f0);
      const upper = (f2 - f) / (f2 - f1);
      const v = Math.max(0, Math.min(lower, upper));
      if (v > 0) {
        if (start < 0) start = k;
        // librosa stores the triangle in float32, then scales it in place (float64 product, stored float32)
        w.push(Math.fround(Math.fround(v) * enorm));
      } else if (start >= 0) {
        break;
      }
    }
    bands.push({ start: Math.max(start, 0), weights: Float32Array.from(w) });
  }
  return bands;
}

/** Frames a signal of `samples` samples yields with centred frames (0 for an empty signal). */
export function frameCount(samples: number): number {
  return samples > 0 ? 1 + Math.floor(samples / MEL.hop) : 0;
}

/** Index of sample i of a signal of length n, extended by reflection (numpy's 'reflect' pad, repeated). */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let k = i % period;
  if (k < 0) k += period;
  return k < n ? k : period - k;
}

/** Reusable computer: tables and scratch are made once per instance (one per thread). */
export class LogMelComputer {
  private readonly fft = new RealFft(MEL.nFft);
  private readonly window = new Float64Array(MEL.nFft);
  private readonly frame = new Float64Array(MEL.nFft);
  private readonly power = new Float64Array(MEL.nFft / 2 + 1);
  private readonly bands = melFilterbank();

  constructor() {
    // periodic Hann (scipy.signal.get_window('hann', N, fftbins=True), librosa's default)
    for (let i = 0; i < MEL.nFft; i++) this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / MEL.nFft);
  }

  compute(pcm: Float32Array): MelSpectrogram {
    const frames = frameCount(pcm.length);
    const data = new Float32Array(frames * MEL.nMels);
    this.computeInto(pcm, data);
    return { frames, data };
  }

  /** Writes frameCount(pcm.length) × 96 values into `out` (frame-major). */
  computeInto(pcm: Float32Array, out: Float32Array): void {
    const n = pcm.length;
    const frames = frameCount(n);
    if (out.length < frames * MEL.nMels) throw new Error('output buffer too small for the spectrogram');
    const half = MEL.nFft / 2;
    const { frame, window, power, bands } = this;
    for (let t = 0; t < frames; t++) {
      const first = t * MEL.hop - half;
      if (first >= 0 && first + MEL.nFft <= n) {
        for (let i = 0; i < MEL.nFft; i++) frame[i] = pcm[first + i]! * window[i]!;
      } else {
        for (let i = 0; i < MEL.nFft; i++) frame[i] = pcm[reflectIndex(first + i, n)]! * window[i]!;
      }
      this.fft.powerSpectrum(frame, power);
      const base = t * MEL.nMels;
      for (let m = 0; m < MEL.nMels; m++) {
        const band = bands[m]!;
        const w = band.weights;
        let acc = 0;
        for (let j = 0; j < w.length; j++) acc += w[j]! * power[band.start + j]!;
        out[base + m] = Math.log10(1 + 10000 * acc);
      }
    }
  }
}

let shared: LogMelComputer | null = null;

/** Log-mel spectrogram of 16 kHz mono PCM, frame-major (data[t * 96 + m]). */
export function logMelSpectrogram(pcm: Float32Array): MelSpectrogram {
  shared ??= new LogMelComputer();
  return shared.compute(pcm);
}

/**
 * Cut a spectrogram into the model's non-overlapping patches of `patchFrames` frames (frame-major,
 * patchFrames × 96 each), as musicnn does by default. An incomplete tail is dropped, like musicnn's own
 * batching, unless it would leave no patch at all: then the one short patch is zero-padded at the end
 * (0 is the log-mel value of silence), so that a short excerpt still gets a prediction.
 */
export function toPatches(spec: { frames: number; data: Float32Array }, patchFrames: number = MEL.patchFrames): Float32Array[] {
  const size = patchFrames * MEL.nMels;
  if (spec.frames <= 0) return [];
  if (spec.frames < patchFrames) {
    const patch = new Float32Array(size);
    patch.set(spec.data.subarray(0, spec.frames * MEL.nMels));
    return [patch];
  }
  const patches: Float32Array[] = [];
  for (let p = 0; (p + 1) * patchFrames <= spec.frames; p++) patches.push(spec.data.slice(p * size, (p + 1) * size));
  return patches;
}
