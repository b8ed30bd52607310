// A personal genre head as it is stored (migration 006's personal_models): the numbers a trained head is made
// of, a JSON description and one float32 blob. Applying a head is personal/head.ts.

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
