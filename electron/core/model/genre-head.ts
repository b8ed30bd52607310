// The default genre head (native-models/genre-head/head.json): a linear softmax layer over musicnn
// embeddings, trained by native-models/tools/train_genre_head.py. Track decision = mean of patch logits,
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
  /** "<backbone>.embedding" | "<backbone>.tags" | "<backbone>.pooled", concatenated in this order */
  inputs: string[];
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

const INPUT_KINDS = ['embedding', 'tags', 'pooled'] as const;
type InputKind = (typeof INPUT_KINDS)[number];

export interface GenreHead {
  readonly id: string;
  readonly version: string;
  readonly genres: readonly string[];
  /** backbone folders the head needs (e.g. musicnn-msd, musicnn-mtt) */
  readonly backbones: string[];
  readonly patchesPerTrack: number | null;
  predict(outputs: BackboneOutputs, startSec: number[], patchSec: number): GenrePrediction;
}

export async function loadGenreHead(modelsDir: string): Promise<GenreHead> {
  const json = JSON.parse(await readFile(join(modelsDir, 'genre-head', 'head.json'), 'utf8')) as HeadJson;
  if (json.format !== 'spectag-genre-head' || json.formatVersion !== 1) {
    throw new Error(`genre-head/head.json: unsupported format ${json.format} v${json.formatVersion}`);
  }
  return new LinearHead(json);
}

function softmax(logits: Float64Array, temperature: number): number[] {
  let max = -Infinity;
  for (const z of logits) max = Math.max(max, z / temperature);
  const e = Array.from(logits, (z) => Math.exp(z / temperature - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

class LinearHead implements GenreHead {
  readonly id: string;
  readonly version: string;
  readonly genres: readonly string[];
  readonly backbones: string[];
  readonly patchesPerTrack: number | null;
  private readonly inputs: { backbone: string; kind: InputKind }[];
  private readonly kernel: Float64Array; // d × k, row-major
  private readonly bias: Float64Array;

  constructor(private readonly json: HeadJson) {
    this.id = json.id;
    this.version = json.version;
    this.genres = json.genres;
    this.inputs = json.inputs.map((s) => {
      const [backbone, kind] = s.split('.') as [string, InputKind];
      if (!INPUT_KINDS.includes(kind)) throw new Error(`genre-head/head.json: unknown input ${s}`);
      return { backbone, kind };
    });
    this.backbones = [...new Set(this.inputs.map((i) => i.backbone))];
    this.patchesPerTrack = json.patchesPerTrack ?? null;
    this.kernel = Float64Array.from(json.kernel.flat());
    this.bias = Float64Array.from(json.bias);
    const d = json.kernel.length;
    if (this.kernel.length !== d * json.genres.length || this.bias.length !== json.genres.length) {
      throw new Error('genre-head/head.json: kernel/bias shapes do not match the genre list');
    }
  }

  /** Logits of one patch: its input features (concatenated backbone outputs) through the linear layer. */
  private patchLogits(outputs: BackboneOutputs, patch: number): Float64Array {
    const k = this.genres.length;
    const z = Float64Array.from(this.bias);
    let row = 0;
    for (const input of this.inputs) {
      const o = outputs[input.backbone];
      if (!o) throw new Error(`genre head needs ${input.backbone} outputs`);
      const src = o[input.kind];
      const width = src.length / (o.embedding.length / 200);
      for (let j = 0; j < width; j++, row++) {
        const v = src[patch * width + j]!;
        if (v === 0) continue; // ReLU outputs are sparse
        const base = row * k;
        for (let c = 0; c < k; c++) z[c]! += v * this.kernel[base + c]!;
      }
    }
    return z;
  }

  predict(outputs: BackboneOutputs, startSec: number[], patchSec: number): GenrePrediction {
    const k = this.genres.length;
    const n = startSec.length;
    const mean = new Float64Array(k);
    const excerpts: ExcerptPrediction[] = [];
    for (let p = 0; p < n; p++) {
      const z = this.patchLogits(outputs, p);
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
