// The personal genre head at run time: standardised embedding → (optional ReLU hidden layer) → softmax with a
// fitted temperature. Applied in plain JS (a few multiply-adds per track, no TF.js needed), stored as a
// JSON description plus one float32 blob.

export interface DenseLayer {
  /** rows = inputs, cols = outputs; weights row-major */
  rows: number;
  cols: number;
  weights: Float32Array;
  bias: Float32Array;
}

export interface PersonalHead {
  inputDim: number;
  /** output order: genre keys and their display names */
  keys: string[];
  genres: string[];
  /** x' = (x − mean) · scale, per input dimension */
  mean: Float32Array;
  scale: Float32Array;
  /** dense layers; ReLU between them, softmax after the last */
  layers: DenseLayer[];
  temperature: number;
  /** best probability below this: the suggestion is a question ("unsure") */
  confidentThreshold: number;
  /** runners-up at or above this are listed with the best genre */
  suggestThreshold: number;
}

/** JSON part of a stored head (personal_models.head); the numbers travel in the weights blob. */
export interface HeadDescription {
  format: 'spectag-personal-head';
  formatVersion: 1;
  inputDim: number;
  keys: string[];
  genres: string[];
  layers: { rows: number; cols: number }[];
  temperature: number;
  confidentThreshold: number;
  suggestThreshold: number;
}

export function serializeHead(h: PersonalHead): { description: HeadDescription; weights: Buffer } {
  const parts = [h.mean, h.scale, ...h.layers.flatMap((l) => [l.weights, l.bias])];
  const total = parts.reduce((s, p) => s + p.length, 0);
  const buf = Buffer.alloc(total * 4);
  let at = 0;
  for (const p of parts) for (const v of p) at = buf.writeFloatLE(v, at);
  return {
    description: {
      format: 'spectag-personal-head', formatVersion: 1, inputDim: h.inputDim, keys: h.keys, genres: h.genres,
      layers: h.layers.map((l) => ({ rows: l.rows, cols: l.cols })), temperature: h.temperature,
      confidentThreshold: h.confidentThreshold, suggestThreshold: h.suggestThreshold,
    },
    weights: buf,
  };
}

export function deserializeHead(d: HeadDescription, weights: Buffer): PersonalHead {
  if (d.format !== 'spectag-personal-head' || d.formatVersion !== 1) throw new Error(`unsupported personal head format ${String(d.format)} v${String(d.formatVersion)}`);
  let at = 0;
  const take = (n: number): Float32Array => {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++, at += 4) v[i] = weights.readFloatLE(at);
    return v;
  };
  const expected = 2 * d.inputDim + d.layers.reduce((s, l) => s + l.rows * l.cols + l.cols, 0);
  if (weights.length !== expected * 4) throw new Error(`personal head weights: ${weights.length} bytes, expected ${expected * 4}`);
  const mean = take(d.inputDim);
  const scale = take(d.inputDim);
  const layers = d.layers.map((l) => ({ rows: l.rows, cols: l.cols, weights: take(l.rows * l.cols), bias: take(l.cols) }));
  return {
    inputDim: d.inputDim, keys: d.keys, genres: d.genres, mean, scale, layers, temperature: d.temperature,
    confidentThreshold: d.confidentThreshold, suggestThreshold: d.suggestThreshold,
  };
}

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
