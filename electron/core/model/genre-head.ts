// The default genre head (native-models/genre-head/head.json): a softmax layer (optionally after one hidden
// ReLU layer) over musicnn embeddings, trained by native-models/tools/train_genre_head.py. Track decision = mean of patch logits,
// calibrated with one temperature; per-excerpt predictions use the same layer on each patch.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExcerptPrediction, GenrePrediction } from '../../shared/genres-model.js';
import type { BackboneOutputs } from './protocol.js';

interface HeadJson {
  format: string;
  formatVersion: number;
  id: string;
  version: string;
  genres: string[];
  /** "<backbone>.<output>" (e.g. musicnn-msd.embedding), concatenated in this order */
  inputs: string[];
  /** optional hidden ReLU layer (formatVersion 2): inputs → hidden units */
  hidden?: { kernel: number[][]; bias: number[] };
  /** output layer: (hidden units or inputs) → genres */
  kernel: number[][];
  bias: number[];
  temperature: number;
  /** below this best probability the track is "unsure" */
  confidentThreshold: number;
  /** genres at or above this probability are listed as suggestions */
  suggestThreshold: number;
  /** patches per track the head was chosen for (speed/quality knob); null: every patch of the plan */
  patchesPerTrack?: number | null;
}

export interface GenreHead {
  readonly id: string;
  readonly version: string;
  readonly genres: readonly string[];
  /** backbone folders the head needs (e.g. musicnn-msd, musicnn-mtt) */
  readonly backbones: string[];
  /** the backbone outputs the head reads, in order */
  readonly inputs: readonly { backbone: string; output: string }[];
  readonly patchesPerTrack: number | null;
  predict(outputs: BackboneOutputs, startSec: number[], patchSec: number): GenrePrediction;
}

export async function loadGenreHead(modelsDir: string): Promise<GenreHead> {
  const json = JSON.parse(await readFile(join(modelsDir, 'genre-head', 'head.json'), 'utf8')) as HeadJson;
  if (json.format !== 'spectag-genre-head' || (json.formatVersion !== 1 && json.formatVersion !== 2)) {
    throw new Error(`genre-head/head.json: unsupported format ${json.format} v${json.formatVersion}`);
  }
  return new DenseHead(json);
}

function softmax(logits: Float64Array, temperature: number): number[] {
  let max = -Infinity;
  for (const z of logits) max = Math.max(max, z / temperature);
  const e = Array.from(logits, (z) => Math.exp(z / temperature - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

class DenseHead implements GenreHead {
  readonly id: string;
  readonly version: string;
  readonly genres: readonly string[];
  readonly backbones: string[];
  readonly patchesPerTrack: number | null;
  readonly inputs: { backbone: string; output: string }[];
  private readonly kernel: Float64Array; // (h or d) × k, row-major
  private readonly bias: Float64Array;
  private readonly hiddenKernel: Float64Array | null; // d × h, row-major
  private readonly hiddenBias: Float64Array | null;

  constructor(private readonly json: HeadJson) {
    this.id = json.id;
    this.version = json.version;
    this.genres = json.genres;
    this.inputs = json.inputs.map((s) => {
      const dot = s.lastIndexOf('.');
      if (dot <= 0 || dot === s.length - 1) throw new Error(`genre-head/head.json: input ${s} is not "<backbone>.<output>"`);
      return { backbone: s.slice(0, dot), output: s.slice(dot + 1) };
    });
    this.backbones = [...new Set(this.inputs.map((i) => i.backbone))];
    this.patchesPerTrack = json.patchesPerTrack ?? null;
    this.kernel = Float64Array.from(json.kernel.flat());
    this.bias = Float64Array.from(json.bias);
    this.hiddenKernel = json.hidden ? Float64Array.from(json.hidden.kernel.flat()) : null;
    this.hiddenBias = json.hidden ? Float64Array.from(json.hidden.bias) : null;
    const rows = json.kernel.length;
    if (this.kernel.length !== rows * json.genres.length || this.bias.length !== json.genres.length) {
      throw new Error('genre-head/head.json: kernel/bias shapes do not match the genre list');
    }
    if (json.hidden && (json.hidden.bias.length !== rows || this.hiddenKernel!.length !== json.hidden.kernel.length * rows)) {
      throw new Error('genre-head/head.json: hidden layer shapes do not match the output layer');
    }
  }

  /** Input features of one patch: the configured backbone outputs, concatenated. */
  private patchInputs(outputs: BackboneOutputs, patch: number, patches: number): Float64Array {
    const parts: Float32Array[] = [];
    for (const input of this.inputs) {
      const src = outputs[input.backbone]?.[input.output];
      if (!src) throw new Error(`genre head needs ${input.backbone}.${input.output}`);
      const width = src.length / patches;
      parts.push(src.subarray(patch * width, (patch + 1) * width));
    }
    const x = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      x.set(p, at);
      at += p.length;
    }
    return x;
  }

  /** x (length d) times a row-major d × m matrix, plus bias; ReLU inputs are sparse, so zeros are skipped. */
  private static affine(x: Float64Array, kernel: Float64Array, bias: Float64Array): Float64Array {
    const m = bias.length;
    const z = Float64Array.from(bias);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v === 0) continue;
      const base = i * m;
      for (let c = 0; c < m; c++) z[c]! += v * kernel[base + c]!;
    }
    return z;
  }

  /** Logits of one patch: (optional hidden ReLU layer →) output layer. */
  private patchLogits(outputs: BackboneOutputs, patch: number, patches: number): Float64Array {
    let x = this.patchInputs(outputs, patch, patches);
    if (this.hiddenKernel && this.hiddenBias) x = DenseHead.affine(x, this.hiddenKernel, this.hiddenBias).map((v) => Math.max(0, v));
    return DenseHead.affine(x, this.kernel, this.bias);
  }

  predict(outputs: BackboneOutputs, startSec: number[], patchSec: number): GenrePrediction {
    const k = this.genres.length;
    const n = startSec.length;
    const mean = new Float64Array(k);
    const excerpts: ExcerptPrediction[] = [];
    for (let p = 0; p < n; p++) {
      const z = this.patchLogits(outputs, p, n);
      for (let c = 0; c < k; c++) mean[c]! += z[c]! / n;
      excerpts.push({ startSec: round(startSec[p]!, 3), durationSec: round(patchSec, 3), probabilities: softmax(z, this.json.temperature).map((v) => round(v, 4)) });
    }
    const probs = n > 0 ? softmax(mean, this.json.temperature) : this.genres.map(() => 0);
    const probabilities: Record<string, number> = {};
    this.genres.forEach((g, i) => (probabilities[g] = round(probs[i]!, 4)));
    const ranked = this.genres.map((genre, i) => ({ genre, probability: round(probs[i]!, 4) })).sort((a, b) => b.probability - a.probability);
    const best = ranked[0]?.probability ?? 0;
    const unsure = n === 0 || best < this.json.confidentThreshold;
    // the best genre is always listed (flagged by `unsure` when weak), plus close runners-up
    const top = n === 0 ? [] : ranked.filter((r, i) => i === 0 || r.probability >= this.json.suggestThreshold).slice(0, 3);
    return { modelId: this.id, modelVersion: this.version, genres: this.genres, probabilities, top, unsure, excerpts };
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
