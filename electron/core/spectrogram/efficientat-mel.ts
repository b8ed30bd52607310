// The log-mel spectrogram EfficientAT (the AudioSet backbone) eats, computed as its PyTorch preprocessing
// does (parity-tested against native-models/tools/efficientat_golden.py in test/spectrogram/efficientat-mel.test.ts).
//
// Convention: 32 kHz mono; pre-emphasis y[n] = x[n+1] − 0.97·x[n] (one sample shorter than the input);
// 1024-point FFT of frames windowed by an 800-sample symmetric Hann window that sits in the middle of the
// 1024 (112 zeros each side, as torch.stft pads a short window); hop 320; frames centred with REFLECT
// padding of 512; power spectrum; 128 Kaldi triangular mel bands (mel = 1127·ln(1 + f/700), triangles in
// the mel domain, no area normalisation) from 0 to 15 kHz over the 512 bins below Nyquist (the Nyquist bin
// gets weight 0); ln(mel + 1e-5); then (x + 4.5) / 5. n samples give 1 + ⌊(n − 1)/320⌋ frames (10 s: 1000).
import { RealFft } from './fft.js';
import { reflectIndex } from './mel.js';

export const EFFICIENTAT_MEL = {
  sampleRate: 32000, nFft: 1024, winLength: 800, hop: 320, nMels: 128, fMin: 0, fMax: 15000, preEmphasis: 0.97,
} as const;

const { nFft, winLength, hop, nMels, sampleRate, fMin, fMax, preEmphasis } = EFFICIENTAT_MEL;

/** A log-mel spectrogram in the network's layout: band-major, data[m * frames + t] ([1, 128, frames]). */
export interface EfficientAtMel {
  frames: number;
  data: Float32Array;
}

/** Frames of `samples` input samples (pre-emphasis drops one; centred frames every 320). */
export function efficientAtFrameCount(samples: number): number {
  return samples > 1 ? 1 + Math.floor((samples - 1) / hop) : 0;
}

const kaldiMel = (hz: number) => 1127 * Math.log(1 + hz / 700);

/** One band's non-zero weights over FFT bins [start, start + weights.length). */
interface Band {
  start: number;
  weights: Float64Array;
}

/** torchaudio.compliance.kaldi.get_mel_banks without VTLN warping, over bins 0 … nFft/2 − 1. */
export function kaldiMelBanks(): Band[] {
  const bins = nFft / 2;
  const lo = kaldiMel(fMin);
  const delta = (kaldiMel(fMax) - lo) / (nMels + 1);
  const bands: Band[] = [];
  for (let m = 0; m < nMels; m++) {
    const left = lo + m * delta;
    const centre = left + delta;
    const right = centre + delta;
    const w: number[] = [];
    let start = -1;
    for (let k = 0; k < bins; k++) {
      const mel = kaldiMel((k * sampleRate) / nFft);
      const v = Math.max(0, Math.min((mel - left) / (centre - left), (right - mel) / (right - centre)));
      if (v > 0) {
        if (start < 0) start = k;
        w.push(v);
      } else if (start >= 0) {
        break;
      }
    }
    bands.push({ start: Math.max(start, 0), weights: Float64Array.from(w) });
  }
  return bands;
}

/** Reusable computer: tables and scratch are made once per instance (one per thread). */
export class EfficientAtMelComputer {
  private readonly fft = new RealFft(nFft);
  /** the symmetric Hann window's 800 values; it occupies frame positions [offset, offset + 800) */
  private readonly window = new Float64Array(winLength);
  private readonly offset = (nFft - winLength) >> 1;
  private readonly frame = new Float64Array(nFft);
  private readonly power = new Float64Array(nFft / 2 + 1);
  /** the mel bands flattened: band m weighs power bins [bandStart[m], bandStart[m] + bandLength[m]) with
   * bandWeights[bandOffset[m] …] (one typed array instead of 128 objects keeps the frame loop monomorphic) */
  private readonly bandStart = new Int32Array(nMels);
  private readonly bandLength = new Int32Array(nMels);
  private readonly bandOffset = new Int32Array(nMels);
  private readonly bandWeights: Float64Array;
  private emphasised = new Float64Array(0);

  constructor() {
    for (let i = 0; i < winLength; i++) this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (winLength - 1));
    const bands = kaldiMelBanks();
    this.bandWeights = new Float64Array(bands.reduce((n, b) => n + b.weights.length, 0));
    let at = 0;
    bands.forEach((b, m) => {
      this.bandStart[m] = b.start;
      this.bandLength[m] = b.weights.length;
      this.bandOffset[m] = at;
      this.bandWeights.set(b.weights, at);
      at += b.weights.length;
    });
  }

  compute(pcm: Float32Array): EfficientAtMel {
    const frames = efficientAtFrameCount(pcm.length);
    const data = new Float32Array(frames * nMels);
    this.computeInto(pcm, data, frames);
    return { frames, data };
  }

  /**
   * Writes the spectrogram of `pcm` band-major into `out`, whose row length is `stride` frames (≥ the
   * frames of pcm; a wider row leaves its tail untouched, e.g. zeros of a batch padded to a common length).
   */
  computeInto(pcm: Float32Array, out: Float32Array, stride: number = efficientAtFrameCount(pcm.length)): void {
    const frames = efficientAtFrameCount(pcm.length);
    if (stride < frames || out.length < stride * nMels) throw new Error('output buffer too small for the spectrogram');
    if (frames === 0) return;
    const n = pcm.length - 1;
    if (this.emphasised.length < n) this.emphasised = new Float64Array(n);
    const y = this.emphasised;
    for (let i = 0; i < n; i++) y[i] = pcm[i + 1]! - preEmphasis * pcm[i]!;
    const { frame, window, power, offset, bandStart, bandLength, bandOffset, bandWeights } = this;
    const half = nFft / 2;
    for (let t = 0; t < frames; t++) {
      const first = t * hop - half + offset;
      if (first >= 0 && first + winLength <= n) {
        for (let i = 0; i < winLength; i++) frame[offset + i] = y[first + i]! * window[i]!;
      } else {
        for (let i = 0; i < winLength; i++) frame[offset + i] = y[reflectIndex(first + i, n)]! * window[i]!;
      }
      this.fft.powerSpectrum(frame, power);
      for (let m = 0; m < nMels; m++) {
        const start = bandStart[m]!;
        const at = bandOffset[m]! - start;
        const end = start + bandLength[m]!;
        let acc = 0;
        for (let k = start; k < end; k++) acc += bandWeights[at + k]! * power[k]!;
        out[m * stride + t] = (Math.log(acc + 1e-5) + 4.5) / 5;
      }
    }
  }
}

let shared: EfficientAtMelComputer | null = null;

/** EfficientAT log-mel of 32 kHz mono PCM, band-major (data[m * frames + t]). */
export function efficientAtLogMel(pcm: Float32Array): EfficientAtMel {
  shared ??= new EfficientAtMelComputer();
  return shared.compute(pcm);
}
