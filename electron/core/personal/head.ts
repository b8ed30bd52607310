// The personal genre head at run time: standardised embedding → (optional ReLU hidden layer) → softmax with a
// fitted temperature. Applied in plain JS (a few multiply-adds per track, no TF.js needed); stored as
// db/personal-head.ts describes.
import type { PersonalHead } from '../db/personal-head.js';

/** Logits (before temperature) of `n` rows of `x` (n × inputDim, row-major). */
export function headLogits(h: PersonalHead, x: Float32Array, n: number): Float32Array {
  let cur = new Float32Array(n * h.inputDim);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < h.inputDim; j++) cur[r * h.inputDim + j] = (x[r * h.inputDim + j]! - h.mean[j]!) * h.scale[j]!;
  }
  let width = h.inputDim;
  h.layers.forEach((l, li) => {
    const out = new Float32Array(n * l.cols);
    for (let r = 0; r < n; r++) {
      const o = r * l.cols;
      out.set(l.bias, o);
      for (let i = 0; i < width; i++) {
        const v = cur[r * width + i]!;
        if (v === 0) continue;
        const base = i * l.cols;
        for (let c = 0; c < l.cols; c++) out[o + c]! += v * l.weights[base + c]!;
      }
      if (li < h.layers.length - 1) for (let c = 0; c < l.cols; c++) if (out[o + c]! < 0) out[o + c] = 0;
    }
    cur = out;
    width = l.cols;
  });
  return cur;
}

/** Softmax of one row of logits at a temperature. */
export function softmaxRow(logits: Float32Array, offset: number, k: number, temperature: number): number[] {
  let max = -Infinity;
  for (let c = 0; c < k; c++) max = Math.max(max, logits[offset + c]! / temperature);
  const e: number[] = [];
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const v = Math.exp(logits[offset + c]! / temperature - max);
    e.push(v);
    sum += v;
  }
  return e.map((v) => v / sum);
}

/** Calibrated probabilities of `n` rows (n × k). */
export function headProbabilities(h: PersonalHead, x: Float32Array, n: number): number[][] {
  const z = headLogits(h, x, n);
  const k = h.keys.length;
  return Array.from({ length: n }, (_, r) => softmaxRow(z, r * k, k, h.temperature));
}
