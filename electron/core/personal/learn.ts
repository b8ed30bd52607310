// Learning the person's genres: labelled tracks → album-grouped cross-validation against the default model
// → the final head trained on everything → a new model version in the database → personal suggestions for
// every analysed track (suggestions.ts), and the automatic retraining when it is due.
import type { Db } from '../db/open.js';
import { PersonalStore, type StoredPersonalModel } from '../db/personal.js';
import type { BackendName } from '../model/backend.js';
import {
  genreKey,
  type LearnReport, type PersonalGenreReport, type PersonalSettings, type ValidationSummary,
} from '../../shared/personal.js';
import { dominantEmbedding, labelTracks, loadLibrary, type LibraryEmbeddings, type TrackLabel } from './dataset.js';
import type { PersonalHead } from '../db/personal-head.js';
import { headLogits } from './head.js';
import { personalPredictions, retrainState } from './suggestions.js';
import { PERSONAL_CONFIDENCE_THRESHOLDS } from '../../shared/api-names.js';
import { fitTemperature, standardisation, standardise, trainDense, trainingBackend, yieldToEventLoop, type TrainOptions } from './train.js';
import { assignFolds, arbitrateGenres, scoreTopOne } from './validate.js';

export interface LearnOptions {
  /** overrides of the stored settings for this run (the CLI saves them first) */
  settings?: Partial<PersonalSettings>;
  /** cross-validation folds (default 5) */
  folds?: number;
  /** how many of the folds are held out and scored (default: all up to 3,000 labelled tracks, else 1) */
  evaluateFolds?: number;
  seed?: number;
  backend?: BackendName;
  trigger?: 'manual' | 'auto';
  /** the default model's genre → the person's name for it (the vocabulary's renames); default: as the model names it */
  modelNames?: Record<string, string>;
  /** store suggestions for every analysed track after training (default true) */
  predict?: boolean;
  /** training knobs (tests and the benchmark) */
  train?: Partial<TrainOptions>;
  signal?: AbortSignal;
  onPhase?: (phase: 'loading' | 'validating' | 'training' | 'predicting', detail?: string) => void;
  now?: number;
}

/** labelled tracks up to which every fold is scored (above: one fold, i.e. a 20 % album-grouped hold-out) */
export const ALL_FOLDS_UP_TO = 3000;

function emptyReport(settings: PersonalSettings, reason: string | null, started: number): LearnReport {
  return {
    trained: false, reason, version: null, backend: null, settings, defaultModel: null,
    tracks: { labelled: 0, fromTags: 0, fromDecisions: 0, unlabelled: 0, withoutLearnedGenre: 0, excludedByFolder: 0 },
    genres: [], notLearned: [], validation: null, offeredGenres: [],
    timings: { loadMs: 0, validateMs: 0, trainMs: 0, predictMs: 0, totalMs: performance.now() - started }, predicted: 0,
  };
}

/** Rows of x picked by index. */
function pick(x: Float32Array, d: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, i) => out.set(x.subarray(r * d, (r + 1) * d), i * d));
  return out;
}

/** Per-track sample weight: reviewed decisions weigh more; rarer genres somewhat more (square-root balancing). */
function sampleWeights(tracks: readonly TrackLabel[], keys: readonly string[], decisionWeight: number): Float32Array {
  const count = new Map(keys.map((k) => [k, 0]));
  for (const t of tracks) for (const k of t.keys) if (count.has(k)) count.set(k, count.get(k)! + 1);
  const n = tracks.length;
  const cls = new Map([...count].map(([k, c]) => [k, Math.sqrt(n / (keys.length * Math.max(1, c)))]));
  return Float32Array.from(tracks, (t) => {
    const ks = t.keys.filter((k) => cls.has(k));
    const balance = ks.reduce((s, k) => s + cls.get(k)!, 0) / Math.max(1, ks.length);
    return balance * (t.source === 'decision' ? decisionWeight : 1);
  });
}

function targets(tracks: readonly TrackLabel[], keys: readonly string[]): Float32Array {
  const k = keys.length;
  const index = new Map(keys.map((key, i) => [key, i]));
  const y = new Float32Array(tracks.length * k);
  tracks.forEach((t, i) => {
    const ks = t.keys.filter((key) => index.has(key));
    for (const key of ks) y[i * k + index.get(key)!] = 1 / ks.length;
  });
  return y;
}

async function fitHead(lib: LibraryEmbeddings, rows: readonly number[], y: Float32Array, w: Float32Array, keys: string[], genres: string[], o: Partial<TrainOptions>): Promise<PersonalHead> {
  // each step is a few hundred ms at 10,000 tracks: the engine answers the window in between
  const raw = pick(lib.x, lib.d, rows);
  await yieldToEventLoop();
  const { mean, scale } = standardisation(raw, rows.length, lib.d);
  await yieldToEventLoop();
  const x = standardise(raw, rows.length, lib.d, mean, scale);
  await yieldToEventLoop();
  const { layers } = await trainDense({ x, n: rows.length, d: lib.d, y, k: keys.length, weight: w }, o);
  return {
    inputDim: lib.d, keys, genres, mean, scale, layers, temperature: 1,
    confidentThreshold: PERSONAL_CONFIDENCE_THRESHOLDS.medium, suggestThreshold: PERSONAL_CONFIDENCE_THRESHOLDS.suggest,
  };
}

/** What every phase of one training reads. */
interface Learning {
  db: Db;
  opts: LearnOptions;
  store: PersonalStore;
  settings: PersonalSettings;
  seed: number;
  train: Partial<TrainOptions>;
  started: number;
  now: number;
}

/** The tracks and genres one training learns from (phase 1). */
interface LearningSet {
  source: NonNullable<ReturnType<typeof dominantEmbedding>>;
  lib: LibraryEmbeddings;
  lab: ReturnType<typeof labelTracks>;
  keys: string[];
  genres: string[];
  learned: Set<string>;
  tracks: TrackLabel[];
  /** per track, its genres as targets (tracks × genres) and its weight */
  y: Float32Array;
  w: Float32Array;
  /** the report so far: what was learned from, and what was not */
  base: LearnReport;
  lastDecisionId: number;
  loadMs: number;
}

/** The cross-validation's outcome (phase 2). */
interface Validated {
  validation: ValidationSummary;
  genreReports: PersonalGenreReport[];
  temperature: number;
  validateMs: number;
}

/** Trains, validates and stores a new personal model version; see LearnReport for what it answers. */
export async function learnPersonalModel(db: Db, opts: LearnOptions = {}): Promise<LearnReport> {
  const started = performance.now();
  const store = new PersonalStore(db);
  const settings: PersonalSettings = { ...store.settings() };
  for (const [k, v] of Object.entries(opts.settings ?? {})) if (typeof v === 'number') settings[k as keyof PersonalSettings] = v;
  const seed = opts.seed ?? 1;
  const l: Learning = {
    db, opts, store, settings, seed, train: { ...opts.train, hidden: settings.hiddenUnits, seed, signal: opts.signal }, started, now: opts.now ?? Date.now(),
  };

  opts.onPhase?.('loading');
  const set = await loadLearningSet(l);
  if ('trained' in set) return set;
  const backend = await trainingBackend(opts.backend);
  opts.onPhase?.('validating');
  const validated = await crossValidate(l, set);
  opts.onPhase?.('training');
  return trainAndPredict(l, set, validated, backend.name);
}

/** Phase 1: the analysed tracks, their labels, and the genres with enough examples; a report when too few. */
async function loadLearningSet(l: Learning): Promise<LearningSet | LearnReport> {
  const { db, store, settings, started } = l;
  const source = dominantEmbedding(db);
  if (!source) return emptyReport(settings, 'no analysed tracks with embeddings yet: analyse the library first (spectag analyze)', started);
  // decisions up to here are in this training; later ones count towards the next automatic retraining
  const lastDecisionId = store.lastDecisionId();
  await yieldToEventLoop();
  const lib = loadLibrary(db, source);
  await yieldToEventLoop();
  const lab = labelTracks(lib, store.exclusions());
  const loadMs = performance.now() - started;

  const counted = [...lab.counts].sort((a, b) => b[1].tracks - a[1].tracks || (a[0] < b[0] ? -1 : 1));
  const keys = counted.filter(([, c]) => c.tracks >= settings.minPerGenre).map(([k]) => k);
  const learned = new Set(keys);
  const genres = keys.map((k) => lab.spellings.name(k));
  const notLearned: LearnReport['notLearned'] = [
    ...counted.filter(([k]) => !learned.has(k)).map(([key, c]) => ({ key, genre: lab.spellings.name(key), examples: c.tracks, reason: 'too-few' as const })),
    ...[...lab.excludedSeen].map(([key, n]) => ({ key, genre: lab.spellings.name(key), examples: n, reason: 'excluded' as const })),
  ];
  const tracks = lab.labels.filter((t) => t.keys.some((k) => learned.has(k))).map((t) => ({ ...t, keys: t.keys.filter((k) => learned.has(k)) }));
  const versions = [...new Set(lib.rows.map((r) => r.defaultVersion))].sort();
  const base: LearnReport = {
    ...emptyReport(settings, null, started),
    defaultModel: { id: source.modelId, versions },
    tracks: {
      labelled: tracks.length,
      fromTags: tracks.filter((t) => t.source === 'tags').length,
      fromDecisions: tracks.filter((t) => t.source === 'decision').length,
      unlabelled: lab.unlabelled,
      withoutLearnedGenre: lab.labels.length - tracks.length,
      excludedByFolder: lab.excludedByFolder,
    },
    notLearned,
  };
  if (keys.length < 2) {
    return {
      ...base,
      reason: `a personal model needs at least two genres with ${settings.minPerGenre} or more analysed tracks each; ` +
        (keys.length ? `only ${genres[0]} has enough` : 'none has enough'),
      timings: { ...base.timings, loadMs, totalMs: performance.now() - started },
    };
  }
  const y = targets(tracks, keys);
  const w = sampleWeights(tracks, keys, settings.decisionWeight);
  return { source, lib, lab, keys, genres, learned, tracks, y, w, base, lastDecisionId, loadMs };
}

/**
 * A folder stands in for an album only while that leaves enough groups to validate with (a flat folder of
 * untagged singles would otherwise be one "album" and the validation would have nothing to hold out). Returns
 * whether folders still count as albums.
 */
function groupForFolds(set: LearningSet, folds: number): boolean {
  const { tracks, lib } = set;
  if (new Set(tracks.map((t) => t.group)).size >= 2 * folds || !tracks.some((t) => t.groupKind === 'folder')) return true;
  for (const t of tracks) {
    if (t.groupKind === 'folder') {
      t.group = `track:${lib.rows[t.row]!.fileId}`;
      t.groupKind = 'track';
    }
  }
  return false;
}

/** Phase 2: album-grouped folds, every scored track predicted by a model that never saw its group. */
async function crossValidate(l: Learning, set: LearningSet): Promise<Validated> {
  const { opts, seed, train } = l;
  const { lib, tracks, keys, genres, y: allY, w: allW } = set;
  const v0 = performance.now();
  const folds = Math.max(2, opts.folds ?? 5);
  const evaluate = Math.min(folds, opts.evaluateFolds ?? (tracks.length <= ALL_FOLDS_UP_TO ? folds : 1));
  const folderAsAlbum = groupForFolds(set, folds);
  const foldOf = assignFolds(tracks, folds, seed);
  const k = keys.length;
  const heldOut: number[] = [];
  const oofLogits: number[] = [];
  for (let f = 0; f < evaluate; f++) {
    const trIdx: number[] = [];
    const teIdx: number[] = [];
    tracks.forEach((_, i) => (foldOf[i] === f ? teIdx : trIdx).push(i));
    if (teIdx.length === 0 || trIdx.length === 0) continue;
    opts.onPhase?.('validating', `fold ${f + 1} of ${evaluate}`);
    const y = Float32Array.from(trIdx.flatMap((i) => Array.from(allY.subarray(i * k, (i + 1) * k))));
    const head = await fitHead(lib, trIdx.map((i) => tracks[i]!.row), y, Float32Array.from(trIdx, (i) => allW[i]!), keys, genres, train);
    const z = headLogits(head, pick(lib.x, lib.d, teIdx.map((i) => tracks[i]!.row)), teIdx.length);
    heldOut.push(...teIdx);
    oofLogits.push(...z);
  }
  const zHeld = Float32Array.from(oofLogits);
  const yHeld = Float32Array.from(heldOut.flatMap((i) => Array.from(allY.subarray(i * k, (i + 1) * k))));
  const temperature = fitTemperature(zHeld, yHeld, heldOut.length, k);
  const scheme = (evaluate === folds
    ? `${folds}-fold cross-validation over whole albums (else artists, ${folderAsAlbum ? 'album folders, ' : ''}tracks): every labelled track held out once`
    : `one album-grouped hold-out of about ${Math.round(100 / folds)} % of the labelled tracks (${folds} folds, 1 scored)`) +
    (folderAsAlbum ? '' : '; folders without album tags were too few to stand for albums, so their tracks are held out one by one');
  const { genreReports, validation } = scoreHeldOut(l, set, heldOut, zHeld, { scheme, folds: evaluate, temperature });
  return { validation, genreReports, temperature, validateMs: performance.now() - v0 };
}

/** The held-out predictions scored: the personal model against the default one, per genre and overall. */
function scoreHeldOut(
  l: Learning, set: LearningSet, heldOut: number[], zHeld: Float32Array, summary: { scheme: string; folds: number; temperature: number },
): { genreReports: PersonalGenreReport[]; validation: ValidationSummary } {
  const { lib, lab, tracks, keys, genres, learned } = set;
  const k = keys.length;
  const truth = heldOut.map((i) => tracks[i]!.keys);
  const personalTop = heldOut.map((_, j) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (zHeld[j * k + c]! > zHeld[j * k + best]!) best = c;
    return keys[best]!;
  });
  // the default model's best genre, in the person's vocabulary (a genre they do not use counts as wrong)
  const defaultKey = (g: string): string => genreKey(l.opts.modelNames?.[g] ?? g);
  const defaultKeys = new Set(Object.keys(lib.rows[0]?.defaultProbabilities ?? {}).map(defaultKey));
  const defaultTop = heldOut.map((i) => {
    const probs = lib.rows[tracks[i]!.row]!.defaultProbabilities;
    let best: string | null = null;
    for (const [g, p] of Object.entries(probs)) if (best == null || p > probs[best]!) best = g;
    const key = best == null ? null : defaultKey(best);
    return key != null && learned.has(key) ? key : null;
  });
  const personal = scoreTopOne(truth, personalTop, keys);
  const fallback = scoreTopOne(truth, defaultTop, keys);
  const arbitration = arbitrateGenres(truth, personalTop, defaultTop);
  const groupKinds = { album: 0, artist: 0, folder: 0, track: 0 };
  const seenGroups = new Set<string>();
  for (const i of heldOut) {
    const t = tracks[i]!;
    if (!seenGroups.has(t.group)) {
      seenGroups.add(t.group);
      groupKinds[t.groupKind]++;
    }
  }
  const genreReports: PersonalGenreReport[] = keys.map((key, i) => {
    const a = arbitration.get(key) ?? { tracks: 0, personalRight: 0, defaultRight: 0, offered: false };
    const p = personal.perGenre.get(key)!;
    const d = fallback.perGenre.get(key)!;
    const strip = ({ precision, recall, f1, predicted, correct }: typeof p) => ({ precision, recall, f1, predicted, correct });
    return {
      key, genre: genres[i]!, examples: lab.counts.get(key)!.tracks, fromDecisions: lab.counts.get(key)!.fromDecisions,
      heldOut: p.heldOut, personal: strip(p), default: strip(d), defaultKnows: defaultKeys.has(key),
      offered: a.offered, arbitration: a,
    };
  });
  const validation: ValidationSummary = {
    scheme: summary.scheme, folds: summary.folds, groups: groupKinds, heldOutTracks: heldOut.length,
    personalAccuracy: personal.accuracy, defaultAccuracy: fallback.accuracy,
    beatsDefault: personal.accuracy > fallback.accuracy, temperature: summary.temperature,
  };
  return { genreReports, validation };
}

/**
 * Phase 3: the model that is kept (the same recipe on every labelled track), stored as a new version; then
 * suggestions for every analysed track (labelled ones too: a suggestion that disagrees with a tag is worth a look).
 */
async function trainAndPredict(l: Learning, set: LearningSet, v: Validated, backend: LearnReport['backend']): Promise<LearnReport> {
  const { opts, store, train, started, now } = l;
  const { lib, tracks, keys, genres, base, source } = set;
  const t1 = performance.now();
  const head = { ...(await fitHead(lib, tracks.map((t) => t.row), set.y, set.w, keys, genres, train)), temperature: v.temperature };
  const trainMs = performance.now() - t1;
  const offeredGenres = v.genreReports.filter((g) => g.offered).map((g) => g.genre);
  const report: LearnReport = { ...base, trained: true, backend, genres: v.genreReports, validation: v.validation, offeredGenres };
  const version = store.saveModel({
    createdAt: now, trigger: opts.trigger ?? 'manual', embeddingSpec: source.spec, defaultModelId: source.modelId, head,
    offeredGenres, beatsDefault: v.validation.beatsDefault, trainTracks: tracks.length, lastDecisionId: set.lastDecisionId, report,
  });
  const t2 = performance.now();
  let predicted = 0;
  if (opts.predict !== false) {
    opts.onPhase?.('predicting');
    // a slice at a time, so the engine keeps answering the window meanwhile (10,000 rows take about a second)
    for (const chunk of personalPredictions(store, store.model(version) as StoredPersonalModel & { head: PersonalHead }, lib, now)) {
      store.savePredictions(chunk);
      predicted += chunk.length;
      await yieldToEventLoop();
    }
    store.pruneWeights();
  }
  const final: LearnReport = {
    ...report, version, predicted,
    timings: { loadMs: set.loadMs, validateMs: v.validateMs, trainMs, predictMs: performance.now() - t2, totalMs: performance.now() - started },
  };
  store.updateReport(version, final);
  return final;
}

/** Retrains when enough new decisions were made since the active model (see PersonalSettings); null when not due. */
export async function retrainIfDue(db: Db, opts: Omit<LearnOptions, 'trigger'> = {}): Promise<LearnReport | null> {
  if (!retrainState(db).due) return null;
  return learnPersonalModel(db, { ...opts, trigger: 'auto' });
}

