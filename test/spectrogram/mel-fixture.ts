// The deterministic fixture signal of native-models/tools/mel_golden.py, repeated exactly in TypeScript
// (float64 arithmetic, then rounded to float32), so the golden log-mel numbers need no committed audio.

/** Uniform noise in [-1, 1) from the same 32-bit LCG as the Python script. */
export function lcgNoise(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let state = seed >>> 0;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(1664525, state) + 1013904223) >>> 0;
    out[i] = (state / 4294967296) * 2 - 1;
  }
  return out;
}

/** 440 Hz tone + a 200->3200 Hz chirp + a 5 kHz burst from 0.4 s to 0.6 s + a little noise, at 16 kHz. */
export function mixture(n: number, sampleRate = 16000): Float32Array {
  const noise = lcgNoise(n, 12345);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    let s = 0.5 * Math.sin(2 * Math.PI * 440 * t);
    s += 0.25 * Math.sin(2 * Math.PI * (200 * t + 1500 * t * t));
    if (t >= 0.4 && t < 0.6) s += 0.2 * Math.sin(2 * Math.PI * 5000 * t);
    s += 0.05 * noise[i]!;
    out[i] = s;
  }
  return out;
}
