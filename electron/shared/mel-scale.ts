// The mel scale of the spectrograms Spectag computes and draws (Slaney's auditory toolbox, as librosa's
// hz_to_mel with htk=False: linear below 1 kHz, logarithmic above), shared by the engine's filterbank and
// the window's frequency axis, so the axis labels sit exactly where those frequencies are drawn.

/** musicnn's input convention: 16 kHz mono, 512-point FFT, hop 256, 96 mel bands from 0 to 8 kHz. */
export const MEL = { sampleRate: 16000, nFft: 512, hop: 256, nMels: 96, fMin: 0, fMax: 8000, patchFrames: 187 } as const;

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

export function hzToMel(hz: number): number {
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
}

export function melToHz(mel: number): number {
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}
