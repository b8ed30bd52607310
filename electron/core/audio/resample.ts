// Halving the sample rate of decoded audio (32 kHz → 16 kHz), so one ffmpeg decode per excerpt feeds both
// backbones: EfficientAT hears 32 kHz, musicnn 16 kHz. Measured (test/bench/decode.bench.ts): a second ffmpeg
// run per excerpt costs far more than this filter.
//
// A linear-phase low-pass FIR (Kaiser-windowed sinc, 63 taps at 32 kHz, β 9, −6 dB at 7.76 kHz = 0.97 of the
// new Nyquist) applied at every other sample: the design of ffmpeg's own resampler (swr: filter_size 32 per
// output phase, cutoff 0.97, Kaiser β 9), so musicnn hears what it heard when ffmpeg decoded straight to
// 16 kHz: on white noise the two spectra agree within ±0.4 dB from 0 to 8 kHz (a longer, sharper filter
// differed by up to 1.5 dB in musicnn's top mel bands). The signal outside the excerpt counts as silence.

const TAPS = 63;
const CUTOFF = 7760 / 32000; // cycles per input sample
const BETA = 9;

/** Modified Bessel function of the first kind, order 0 (series; converges fast for the β used here). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

function designLowPass(): Float64Array {
  const h = new Float64Array(TAPS);
  const mid = (TAPS - 1) / 2;
  const i0Beta = besselI0(BETA);
  let sum = 0;
  for (let n = 0; n < TAPS; n++) {
    const m = n - mid;
    const sinc = m === 0 ? 2 * CUTOFF : Math.sin(2 * Math.PI * CUTOFF * m) / (Math.PI * m);
    const r = m / mid;
    h[n] = sinc * (besselI0(BETA * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta);
    sum += h[n]!;
  }
  for (let n = 0; n < TAPS; n++) h[n]! /= sum; // unit gain at 0 Hz
  return h;
}

const FILTER = designLowPass();

/**
 * 32 kHz → 16 kHz: y[k] = Σ h[j]·x[2k + j − 31]; ⌈n/2⌉ output samples, aligned with the input (sample k of the
 * output is at the time of input sample 2k), like ffmpeg's own resampling of the same excerpt.
 */
export function halveSampleRate(x: Float32Array): Float32Array {
  const n = x.length;
  const out = new Float32Array(Math.ceil(n / 2));
  const mid = (TAPS - 1) / 2;
  const h = FILTER;
  for (let k = 0; k < out.length; k++) {
    const centre = 2 * k;
    let acc = h[mid]! * x[centre]!;
    const lo = centre - mid;
    const hi = centre + mid;
    if (lo >= 0 && hi < n) {
      // symmetric taps: one multiply per pair
      for (let j = 0; j < mid; j++) acc += h[j]! * (x[lo + j]! + x[hi - j]!);
    } else {
      for (let j = 0; j < mid; j++) {
        const a = lo + j;
        const b = hi - j;
        acc += h[j]! * ((a >= 0 ? x[a]! : 0) + (b < n ? x[b]! : 0));
      }
    }
    out[k] = acc;
  }
  return out;
}

/** Gain (linear) of the filter at `hz` for a 32 kHz input, for tests and documentation. */
export function halvingFilterGain(hz: number): number {
  let re = 0;
  let im = 0;
  const mid = (TAPS - 1) / 2;
  for (let n = 0; n < TAPS; n++) {
    const phase = (-2 * Math.PI * hz * (n - mid)) / 32000;
    re += FILTER[n]! * Math.cos(phase);
    im += FILTER[n]! * Math.sin(phase);
  }
  return Math.hypot(re, im);
}
