// A personal model's suggestions: one per analysed track, stored with the version that made it, refreshed for
// newly analysed tracks; and whether a retraining is due. Plain arithmetic over stored embeddings (no TF.js),
// so the engine and the CLI use it without loading the training code (learn.ts).
import type { Db } from '../db/open.js';
import { PersonalStore, type StoredPersonalModel } from '../db/personal.js';
import { PredictionStore } from '../db/predictions.js';
import { VocabularyStore } from '../db/vocabulary.js';
import type { PersonalHead } from '../db/personal-head.js';
import { PERSONAL_MODEL_ID, genreKey, type PersonalPrediction, type RetrainState } from '../../shared/personal.js';
import { dominantEmbedding, loadLibrary, type LibraryEmbeddings } from './dataset.js';
import { headLogits, softmaxRow } from './head.js';


const round4 = (v: number): number => Math.round(v * 1e4) / 1e4;

/** A personal suggestion from one row of calibrated probabilities. */
export function toPrediction(head: PersonalHead, probs: readonly number[], offered: ReadonlySet<string>, excluded: ReadonlySet<string>): Omit<PersonalPrediction, 'fileId' | 'modelVersion' | 'predictedAt'> {
  const probabilities: Record<string, number> = {};
  head.genres.forEach((g, i) => (probabilities[g] = round4(probs[i]!)));
  const ranked = head.genres
    .map((genre, i) => ({ genre, key: head.keys[i]!, probability: round4(probs[i]!) }))
    .filter((r) => !excluded.has(r.key))
    .sort((a, b) => b.probability - a.probability);
  const top = ranked.filter((r, i) => i === 0 || r.probability >= head.suggestThreshold).slice(0, 3).map(({ genre, probability }) => ({ genre, probability }));
  const best = ranked[0];
  return {
    modelId: PERSONAL_MODEL_ID, probabilities, top,
    unsure: !best || best.probability < head.confidentThreshold,
    offered: best != null && offered.has(best.genre),
  };
}

/** Suggestions of `model` for the given rows of `lib`, stored in personal_predictions. */
function predictRows(store: PersonalStore, model: StoredPersonalModel & { head: PersonalHead }, lib: LibraryEmbeddings, now: number): number {
  let n = 0;
  for (const chunk of personalPredictions(store, model, lib, now)) {
    store.savePredictions(chunk);
    n += chunk.length;
  }
  return n;
}

/** The suggestions, a slice of rows at a time (so a caller can let other work in between). */
export function* personalPredictions(store: PersonalStore, model: StoredPersonalModel & { head: PersonalHead }, lib: LibraryEmbeddings, now: number): Generator<Omit<PersonalPrediction, 'modelId'>[]> {
  // genres the person hid in the vocabulary are still learned, never suggested
  const hidden = [...new VocabularyStore(store.db).hiddenSet()].map(genreKey);
  const excluded = new Set([...store.exclusions().genres.map((g) => g.key), ...hidden]);
  const offered = new Set(model.offeredGenres);
  const n = lib.rows.length;
  const k = model.head.keys.length;
  const CHUNK = 512;
  for (let start = 0; start < n; start += CHUNK) {
    const m = Math.min(CHUNK, n - start);
    const z = headLogits(model.head, lib.x.subarray(start * lib.d, (start + m) * lib.d), m);
    const out: Omit<PersonalPrediction, 'modelId'>[] = [];
    for (let r = 0; r < m; r++) {
      const p = toPrediction(model.head, softmaxRow(z, r * k, k, model.head.temperature), offered, excluded);
      out.push({ ...p, fileId: lib.rows[start + r]!.fileId, modelVersion: model.version, predictedAt: now });
    }
    yield out;
  }
}

/**
 * Personal suggestions for analysed tracks that have none from the active model yet, or whose embedding is
 * newer than their suggestion (re-analysed); `all` recomputes every one. Returns how many were stored.
 */
export function refreshPersonalPredictions(db: Db, opts: { all?: boolean; fileIds?: readonly number[]; now?: number } = {}): number {
  const store = new PersonalStore(db);
  const model = store.active();
  if (!model?.head) return 0;
  const source = { modelId: model.defaultModelId, spec: model.embeddingSpec };
  let ids = opts.fileIds;
  if (!opts.all && !ids) {
    ids = store.filesWithoutSuggestion(source, model.version);
    if (ids.length === 0) return 0;
  }
  const lib = loadLibrary(db, source, ids ? { fileIds: ids } : {});
  return predictRows(store, model as StoredPersonalModel & { head: PersonalHead }, lib, opts.now ?? Date.now());
}

export function retrainState(db: Db): RetrainState {
  const store = new PersonalStore(db);
  const model = store.active();
  const threshold = store.settings().retrainAfterDecisions;
  const newDecisions = store.decisionsAfter(model?.lastDecisionId ?? 0);
  // tracks analysed again by another default model version have embeddings the active model never saw
  const now = dominantEmbedding(db);
  const versionNow = now && model
    ? new PredictionStore(db).commonestVersion(now.modelId) ?? undefined
    : undefined;
  const defaultModelChanged = model != null && now != null &&
    (now.modelId !== model.defaultModelId || JSON.stringify(now.spec) !== JSON.stringify(model.embeddingSpec) ||
      (versionNow != null && !(model.report.defaultModel?.versions ?? []).includes(versionNow)));
  return {
    newDecisions, threshold, defaultModelChanged, due: (threshold > 0 && newDecisions >= threshold) || defaultModelChanged,
    activeVersion: model?.version ?? null,
  };
}
