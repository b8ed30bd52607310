// Genre heads. The shipped one (native-models/genre-head-2/head.json, format 3) is a logistic regression over
// both backbones' mean embeddings, combined with the calibrated AudioSet outputs for the rest of the genre
// vocabulary (genre-suggestions.ts); it scores a track from the per-track means that are stored, so a new head
// re-scores a library without listening again. Formats 1 and 2 (native-models/genre-head: musicnn only, trained
// by native-models/tools/train_genre_head.py) are a softmax layer (optionally after one hidden ReLU layer) over
// musicnn patches: track decision = mean of patch logits; the TF.js fallback (no EfficientAT) still runs it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExcerptPrediction, GenrePrediction } from '../../shared/genres-model.js';
import type { ExcerptSpan } from '../../shared/analysis.js';
import type { BackboneOutputs } from './protocol.js';
import type { TrackOutput } from '../db/predictions.js';
import { AudioSetGenres, combineSuggestions, sigmoid, type AudioSetCalibration } from './genre-suggestions.js';

/** The head the app runs (two backbones + AudioSet genres). */
export const SHIPPED_HEAD_DIR = 'genre-head-2';
/**
 * The musicnn-only head of version 1: what the TF.js fallback runs (it has no EfficientAT), and how analyses made
 * under version 1 are recognised, so they are re-scored from what they stored instead of listened to again.
 */
export const MUSICNN_HEAD_DIR = 'genre-head';

/** What is stored per track: mean embeddings per backbone and the kept backbone outputs (AudioSet logits). */
export interface TrackFeatures {
  embeddings: Readonly<Record<string, Float32Array>>;
  outputs: readonly TrackOutput[];
}

/** Everything a head may read of one analysed track. */
export interface HeadInput {
  /** per-item outputs (patches, windows) of the backbones */
  items: BackboneOutputs;
  /** per musicnn patch: where it starts (s) */
  startSec: number[];
  /** per EfficientAT window: where it lies */
  windows: ExcerptSpan[];
  /** the per-track means that are stored */
  means: TrackFeatures;
}

/** What every head file states, whatever its format. */
interface HeadJsonCommon {
  format: string;
  id: string;
  version: string;
  genres: string[];
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

interface HeadJson extends HeadJsonCommon {
  formatVersion: number;
  /** "<backbone>.<output>" (e.g. musicnn-msd.embedding), concatenated in this order */
  inputs: string[];
  /** optional hidden ReLU layer (formatVersion 2): inputs → hidden units */
  hidden?: { kernel: number[][]; bias: number[] };
}

export interface GenreHead {
  readonly id: string;
  readonly version: string;
  /** every genre the head scores (vocabulary ids), in output order */
  readonly genres: readonly string[];
  /** backbone folders the head needs (e.g. musicnn-msd, musicnn-mtt) */
  readonly backbones: string[];
  /** the backbone outputs the head reads, in order */
  readonly inputs: readonly { backbone: string; output: string }[];
  readonly patchesPerTrack: number | null;
  /** the head file's bytes (part of the model version) */
  readonly file: Buffer;
  /** the track's result reads only the stored per-track means (so `fromStored` can re-score a track) */
  readonly fromMeans: boolean;
  predict(input: HeadInput, patchSec: number): GenrePrediction;
  /**
   * The track's prediction from its stored means alone (no excerpts: those need the per-item outputs), equal to
   * `predict`'s track-level result; null when the head needs more than the means or they lack an input.
   */
  fromStored(stored: TrackFeatures): GenrePrediction | null;
}

export async function loadGenreHead(modelsDir: string, dir = SHIPPED_HEAD_DIR): Promise<GenreHead> {
  const file = await readFile(join(modelsDir, dir, 'head.json'));
  const json = JSON.parse(file.toString('utf8')) as HeadJson | TrackHeadJson;
  if (json.format === 'spectag-genre-head' && json.formatVersion === 3) return new TrackHead(json as TrackHeadJson, file, dir);
  if (json.format !== 'spectag-genre-head' || (json.formatVersion !== 1 && json.formatVersion !== 2)) {
    throw new Error(`${dir}/head.json: unsupported format ${json.format} v${json.formatVersion}`);
  }
  return new DenseHead(json as HeadJson, file);
}

function softmax(logits: Float64Array, temperature: number): number[] {
  let max = -Infinity;
  for (const z of logits) max = Math.max(max, z / temperature);
  const e = Array.from(logits, (z) => Math.exp(z / temperature - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

class DenseHead implements GenreHead {
  readonly fromMeans = false;
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

  constructor(private readonly json: HeadJson, readonly file: Buffer) {
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

  fromStored(): null {
    return null;
  }

  predict({ items: outputs, startSec }: HeadInput, patchSec: number): GenrePrediction {
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

/** One input of a format-3 head: a stored mean output of a backbone, optionally transformed. */
interface TrackHeadInput {
  backbone: string;
  output: string;
  /** values of the stored output */
  width: number;
  pooling: 'mean';
  /**
   * a dense layer applied to the stored mean first (e.g. musicnn's own tag layer on its mean embedding: the tags
   * "of the mean patch" need nothing but the stored mean, so the head still re-scores stored analyses)
   */
  layer?: { kernel: number[][]; bias: number[]; activation: 'sigmoid' };
  /** 'l2': the input (after its layer) is scaled to unit length before the scaler */
  normalise?: 'l2';
}

/** Format 3 (native-models/tools/efficientat_head.py export): mean outputs → (layer, unit length) → scaler → logistic regression, + AudioSet. */
interface TrackHeadJson extends HeadJsonCommon {
  formatVersion: 3;
  inputs: TrackHeadInput[];
  scaler: { mean: number[]; scale: number[] };
  audioset: AudioSetCalibration;
}

/** A format-3 input ready to apply: its layer flattened (width × out, row-major). */
interface PreparedInput {
  width: number;
  out: number;
  layer: { kernel: Float64Array; bias: Float64Array } | null;
  l2: boolean;
}

function prepareInput(input: TrackHeadInput, dir: string): PreparedInput {
  const name = `${dir}/head.json: input ${input.backbone}.${input.output}`;
  if (input.normalise !== undefined && input.normalise !== 'l2') throw new Error(`${name}: unknown normalise ${String(input.normalise)}`);
  if (!input.layer) return { width: input.width, out: input.width, layer: null, l2: input.normalise === 'l2' };
  const { kernel, bias, activation } = input.layer;
  if (activation !== 'sigmoid') throw new Error(`${name}: unknown layer activation ${String(activation)}`);
  if (kernel.length !== input.width || kernel.some((row) => row.length !== bias.length)) {
    throw new Error(`${name}: layer kernel is not ${input.width} × ${bias.length}`);
  }
  return { width: input.width, out: bias.length, layer: { kernel: Float64Array.from(kernel.flat()), bias: Float64Array.from(bias) }, l2: input.normalise === 'l2' };
}

/** An input's values as the head's scaler expects them: through its layer, then to unit length when asked. */
function applyInput(p: PreparedInput, v: Float32Array): Float64Array {
  let x: Float64Array;
  if (p.layer) {
    const { kernel, bias } = p.layer;
    const z = Float64Array.from(bias);
    for (let i = 0; i < p.width; i++) {
      const vi = v[i]!;
      if (vi === 0) continue;
      const base = i * p.out;
      for (let j = 0; j < p.out; j++) z[j]! += vi * kernel[base + j]!;
    }
    x = z.map(sigmoid);
  } else {
    x = Float64Array.from(v);
  }
  if (p.l2) {
    let n = 0;
    for (const t of x) n += t * t;
    n = Math.sqrt(n);
    // a zero vector (silence through a ReLU) stays zero, as the training script leaves it
    if (n > 1e-12) for (let i = 0; i < x.length; i++) x[i]! /= n;
  }
  return x;
}

/**
 * The two-backbone head: softmax over its genres from the mean embeddings (each through its layer and scaling, then
 * concatenated and scaled by `scaler`), plus a
 * calibrated probability for every other vocabulary entry from the mean AudioSet logits. The track's result reads
 * only the per-track means (what the database keeps); each excerpt's reads the musicnn patch and the EfficientAT
 * window it lies in.
 */
class TrackHead implements GenreHead {
  readonly fromMeans = true;
  readonly id: string;
  readonly version: string;
  readonly genres: readonly string[];
  readonly backbones: string[];
  readonly inputs: { backbone: string; output: string }[];
  readonly patchesPerTrack: number | null;
  private readonly headGenres: readonly string[];
  private readonly kernel: Float64Array;
  private readonly audioset: AudioSetGenres;
  private readonly prepared: PreparedInput[];

  constructor(private readonly json: TrackHeadJson, readonly file: Buffer, dir: string) {
    this.id = json.id;
    this.version = json.version;
    this.headGenres = json.genres;
    // one entry per backbone output, however many inputs read it (the musicnn embedding feeds two)
    this.inputs = [...new Map(json.inputs.map((i) => [`${i.backbone}.${i.output}`, { backbone: i.backbone, output: i.output }])).values()];
    this.audioset = new AudioSetGenres(json.audioset, json.genres);
    this.genres = [...json.genres, ...this.audioset.ids];
    this.backbones = [...new Set([...this.inputs.map((i) => i.backbone), json.audioset.backbone])];
    this.patchesPerTrack = json.patchesPerTrack ?? null;
    this.prepared = json.inputs.map((i) => prepareInput(i, dir));
    const d = this.prepared.reduce((n, i) => n + i.out, 0);
    this.kernel = Float64Array.from(json.kernel.flat());
    if (json.kernel.length !== d || this.kernel.length !== d * json.genres.length || json.bias.length !== json.genres.length
      || json.scaler.mean.length !== d || json.scaler.scale.length !== d) {
      throw new Error(`${dir}/head.json: scaler/kernel/bias shapes do not match the inputs (${d}) and genres (${json.genres.length})`);
    }
  }

  /** Softmax probabilities of the head's genres for one feature vector per input (in `inputs` order, after applyInput). */
  private headProbabilities(parts: readonly Float64Array[]): number[] {
    const { scaler, bias, temperature } = this.json;
    const k = bias.length;
    const z = Float64Array.from(bias);
    let at = 0;
    for (const part of parts) {
      for (let j = 0; j < part.length; j++, at++) {
        const x = (part[j]! - scaler.mean[at]!) / scaler.scale[at]!;
        const base = at * k;
        for (let c = 0; c < k; c++) z[c]! += x * this.kernel[base + c]!;
      }
    }
    return softmax(z, temperature);
  }

  /** All genres' probabilities (head genres, then the AudioSet entries), or null when an input is missing. */
  private score(embedding: (backbone: string, output: string) => Float32Array | undefined, logits: Float32Array | undefined): number[] | null {
    const parts: Float64Array[] = [];
    for (const [i, input] of this.json.inputs.entries()) {
      const v = embedding(input.backbone, input.output);
      if (!v || v.length !== input.width) return null;
      parts.push(applyInput(this.prepared[i]!, v));
    }
    if (!logits) return null;
    // the AudioSet entries with an embedding model read the same backbone's embedding
    const audiosetEmbedding = this.audioset.embeddingWidth ? embedding(this.json.audioset.backbone, 'embedding') : undefined;
    if (this.audioset.embeddingWidth && audiosetEmbedding?.length !== this.audioset.embeddingWidth) return null;
    return [...this.headProbabilities(parts), ...this.audioset.probabilities(logits, audiosetEmbedding)];
  }

  private result(probs: number[], excerpts: ExcerptPrediction[], music: boolean): GenrePrediction {
    const probabilities: Record<string, number> = {};
    this.genres.forEach((g, i) => (probabilities[g] = round(probs[i]!, 4)));
    const { top, unsure } = combineSuggestions(probabilities, {
      headGenres: this.headGenres, confident: this.json.confidentThreshold, runnerUp: this.json.suggestThreshold,
      audiosetSure: this.json.audioset.suggestThreshold, music,
    });
    return { modelId: this.id, modelVersion: this.version, genres: this.genres, probabilities, top, unsure, excerpts };
  }

  fromStored(stored: TrackFeatures): GenrePrediction | null {
    const cal = this.json.audioset;
    const logits = stored.outputs.find((o) => o.backbone === cal.backbone && o.output === cal.output)?.values;
    const probs = this.score((b, o) => (o === 'embedding' ? stored.embeddings[b] : undefined), logits);
    return probs && logits ? this.result(probs, [], this.audioset.hearsMusic(logits)) : null;
  }

  predict(input: HeadInput, patchSec: number): GenrePrediction {
    const track = this.fromStored(input.means);
    if (!track) throw new Error(`genre head needs ${this.json.inputs.map((i) => `${i.backbone}.${i.output}`).join(', ')} and ${this.json.audioset.backbone}.${this.json.audioset.output}`);
    // per excerpt (a musicnn patch): that patch and the EfficientAT window it lies in
    const cal = this.json.audioset;
    const item = (backbone: string, output: string, i: number, n: number): Float32Array | undefined => {
      const all = input.items[backbone]?.[output];
      if (!all || n === 0) return undefined;
      const w = all.length / n;
      return all.subarray(i * w, (i + 1) * w);
    };
    const windowOf = (t: number): number => {
      const ws = input.windows;
      let best = 0;
      for (let w = 0; w < ws.length; w++) if (ws[w]!.startSec <= t + 1e-6) best = w;
      return best;
    };
    const itemsOf = (backbone: string): number => (backbone === cal.backbone ? input.windows.length : input.startSec.length);
    const excerpts: ExcerptPrediction[] = [];
    for (let p = 0; p < input.startSec.length; p++) {
      const w = windowOf(input.startSec[p]! + patchSec / 2);
      const at = (backbone: string) => (backbone === cal.backbone ? w : p);
      const probs = this.score((b, o) => item(b, o, at(b), itemsOf(b)), item(cal.backbone, cal.output, w, input.windows.length));
      if (!probs) break;
      excerpts.push({ startSec: round(input.startSec[p]!, 3), durationSec: round(patchSec, 3), probabilities: probs.map((v) => round(v, 4)) });
    }
    return { ...track, excerpts };
  }
}
