// The default model's multi-label suggestions: the trained head decides among its own genres, EfficientAT's
// AudioSet outputs (calibrated per entry, native-models/genre-head-2/MODEL_CARD.md) speak for every other entry
// of the genre vocabulary, and a track gets every entry that clears its own calibrated threshold.
import { GENRE_VOCABULARY, vocabularyEntry } from '../../shared/genre-vocabulary.js';

/** head.json's `audioset` block (written by native-models/tools/efficientat_head.py). */
export interface AudioSetCalibration {
  backbone: string;
  output: string;
  /** at or above this probability an entry is suggested */
  suggestThreshold: number;
  shared: { a: number; b: number };
  entries: AudioSetEntryCalibration[];
  /**
   * AudioSet's "Music" class and the mean logit below which the track is not heard as music: the entries were
   * calibrated (and Video Game Music's model fitted) on music only, so noise, a test tone or speech gets no genre
   * from them (noise and tones measured -3.7 to -4.6; 1 % of songs and game tracks lie under -0.65).
   */
  music?: { class: number; minLogit: number };
}

export interface AudioSetEntryCalibration {
  id: string;
  classes: number[];
  a: number;
  b: number;
  /** own / shared: Platt scaling of the class logit; linear: the `linear` model below decides instead */
  scaling: 'own' | 'shared' | 'linear';
  /**
   * A logistic regression on the track's (or window's) mean EfficientAT embedding, p = sigmoid(w · e + bias), for an
   * entry whose AudioSet class alone separates poorly (Video Game Music: fitted on real game music against the dev
   * songs, native-models/genre-head-2/MODEL_CARD.md).
   */
  linear?: { input: 'embedding'; weights: number[]; bias: number };
  /** entries whose probability counts for this one too (Soundtrack includes Video Game Music: a game score is a soundtrack) */
  includes?: string[];
}

/** The logistic function: every calibrated probability and the heads' sigmoid layers. */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * Version of the rule below: part of the model version (predictor.ts), so a changed rule re-scores the stored
 * analyses (from their stored means, without listening).
 */
export const SUGGESTION_RULE = 2;

/** At most this many suggestions per track: more reads as noise in a genre tag. */
export const MAX_SUGGESTIONS = 4;

/**
 * Calibrated AudioSet probabilities for the vocabulary entries the head does not decide: score = max over the
 * entry's classes of the mean window logit; p = sigmoid(a · score + b). Entries of the vocabulary the calibration
 * block lacks get the shared scaling (a vocabulary that grew since the head was exported).
 */
export class AudioSetGenres {
  /** the entries scored here, vocabulary order */
  readonly ids: string[];
  private readonly scaling: { classes: readonly number[]; a: number; b: number; linear?: { weights: Float64Array; bias: number } }[];
  /** per entry: the indexes (into `ids`) of the entries it includes */
  private readonly includes: number[][];
  private readonly music: { class: number; minLogit: number } | undefined;

  constructor(cal: AudioSetCalibration, headGenres: readonly string[]) {
    const own = new Map(cal.entries.map((e) => [e.id, e]));
    if (cal.music && !(Number.isInteger(cal.music.class) && Number.isFinite(cal.music.minLogit))) throw new Error('head.json: audioset.music needs a class index and a minLogit');
    this.music = cal.music;
    const entries = GENRE_VOCABULARY.filter((e) => !headGenres.includes(e.id) && e.audioset.length > 0);
    this.ids = entries.map((e) => e.id);
    this.scaling = entries.map((e) => {
      const c = own.get(e.id);
      if (!c) return { classes: e.audioset, a: cal.shared.a, b: cal.shared.b };
      if (c.scaling !== 'linear') return { classes: c.classes, a: c.a, b: c.b };
      if (!c.linear || c.linear.input !== 'embedding' || !c.linear.weights.length) throw new Error(`head.json: audioset entry ${c.id} is linear but has no embedding model`);
      return { classes: c.classes, a: c.a, b: c.b, linear: { weights: Float64Array.from(c.linear.weights), bias: c.linear.bias } };
    });
    this.includes = entries.map((e) => (own.get(e.id)?.includes ?? []).map((id) => {
      const i = this.ids.indexOf(id);
      if (i < 0) throw new Error(`head.json: audioset entry ${e.id} includes ${id}, which the AudioSet part does not score`);
      return i;
    }));
  }

  /** Whether AudioSet hears the track (or window) as music at all (always, for a calibration without the gate). */
  hearsMusic(logits: Float32Array): boolean {
    return !this.music || (logits[this.music.class] ?? -Infinity) >= this.music.minLogit;
  }

  /** The embedding width the linear entries read (0 when none does). */
  get embeddingWidth(): number {
    return this.scaling.find((s) => s.linear)?.linear!.weights.length ?? 0;
  }

  /**
   * One probability per entry of `ids` from a track's (or one window's) 527 AudioSet logits and mean EfficientAT
   * embedding (read only by linear entries).
   */
  probabilities(logits: Float32Array, embedding: Float32Array | undefined): number[] {
    // not music to AudioSet: none of these entries speaks for it
    if (!this.hearsMusic(logits)) return this.ids.map(() => 0);
    const p = this.scaling.map(({ classes, a, b, linear }) => {
      if (linear) {
        if (!embedding || embedding.length !== linear.weights.length) throw new Error(`an AudioSet entry needs the ${linear.weights.length}-d EfficientAT embedding`);
        let z = linear.bias;
        for (let j = 0; j < embedding.length; j++) z += linear.weights[j]! * embedding[j]!;
        return sigmoid(z);
      }
      let score = -Infinity;
      for (const c of classes) score = Math.max(score, logits[c] ?? -Infinity);
      return sigmoid(a * score + b);
    });
    return p.map((v, i) => this.includes[i]!.reduce((m, j) => Math.max(m, p[j]!), v));
  }
}

export interface CombineOptions {
  /** the trained head's genres: they come from its softmax, the rest from AudioSet */
  headGenres: readonly string[];
  /** a head genre is suggested from this probability (the head's unsure threshold) */
  confident: number;
  /** when the track is unsure, the head's runners-up from here are shown with its best genre */
  runnerUp: number;
  /** an AudioSet entry is suggested from this calibrated probability */
  audiosetSure: number;
  /**
   * false: AudioSet does not hear the track as music (AudioSetGenres.hearsMusic); nothing is suggested, the track
   * is unsure, and the head (trained on music only) offers its likeliest genre only as a question
   */
  music?: boolean;
}

/**
 * The suggestion set of one track: every entry that clears its own threshold (the head's genres at `confident`,
 * the AudioSet entries at `audiosetSure`), best first; a style replaces its parent genre (it is written with it at
 * the depth the person tags at), and only the likeliest style of a genre is kept. Unsure when none clears its threshold: then the head's best genre (and its
 * runners-up) is offered as a question, as the musicnn-only head did.
 */
export function combineSuggestions(
  probabilities: Readonly<Record<string, number>>, opts: CombineOptions,
): { top: { genre: string; probability: number }[]; unsure: boolean } {
  const head = new Set(opts.headGenres);
  const members = opts.music === false ? [] : Object.entries(probabilities)
    .filter(([g, p]) => (head.has(g) ? p >= opts.confident : p >= opts.audiosetSure))
    .map(([genre, probability]) => ({ genre, probability }));
  const styled = new Set(members.map((m) => vocabularyEntry(m.genre)?.parent).filter((p): p is string => !!p));
  const best = members.filter((m) => !styled.has(m.genre)).sort((a, b) => b.probability - a.probability || a.genre.localeCompare(b.genre));
  // one style per genre, the likeliest: sibling styles share AudioSet's scaling and rise together (a metal song
  // hears punk, grunge and rock & roll above 0.5 too), and a tag names the style a track is
  const seen = new Set<string>();
  const set = best.filter((m) => {
    const parent = vocabularyEntry(m.genre)?.parent;
    if (!parent) return true;
    if (seen.has(parent)) return false;
    seen.add(parent);
    return true;
  });
  if (set.length) return { top: set.slice(0, MAX_SUGGESTIONS), unsure: false };
  const ranked = opts.headGenres
    .map((genre) => ({ genre, probability: probabilities[genre] ?? 0 }))
    .sort((a, b) => b.probability - a.probability);
  return { top: ranked.filter((r, i) => i === 0 || r.probability >= opts.runnerUp).slice(0, 3), unsure: true };
}
