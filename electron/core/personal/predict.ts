// The personal model applied to fresh embeddings (files outside the library, `spectag predict --model
// personal`): the active version from a library database, turned into the same GenrePrediction shape the
// default model answers.
import type { Db } from '../db/open.js';
import { PersonalStore } from '../db/personal.js';
import type { GenrePrediction } from '../../shared/genres-model.js';
import { PERSONAL_MODEL_ID } from '../../shared/personal.js';
import { headLogits, softmaxRow } from './head.js';
import { toPrediction } from './suggestions.js';

export interface PersonalPredictor {
  modelId: string;
  modelVersion: string;
  genres: readonly string[];
  /** genres whose personal suggestions beat the default model on held-out data */
  offeredGenres: readonly string[];
  /** a prediction from a track's mean embeddings per backbone (as GenrePredictor answers them) */
  predict(embeddings: Record<string, Float32Array>): GenrePrediction;
}

export class NoPersonalModelError extends Error {}

/** The active personal model of a library; throws NoPersonalModelError when none has been trained. */
export function personalPredictor(db: Db): PersonalPredictor {
  const store = new PersonalStore(db);
  const model = store.active();
  if (!model?.head) throw new NoPersonalModelError('this library has no personal model yet: run `spectag learn` first');
  const head = model.head;
  const spec = model.embeddingSpec;
  const offered = new Set(model.offeredGenres);
  const excluded = new Set(store.exclusions().genres.map((g) => g.key));
  const version = String(model.version);
  return {
    modelId: PERSONAL_MODEL_ID, modelVersion: version, genres: head.genres, offeredGenres: model.offeredGenres,
    predict(embeddings) {
      const x = new Float32Array(head.inputDim);
      let at = 0;
      for (const s of spec) {
        const v = embeddings[s.backbone];
        if (!v || v.length !== s.size) throw new Error(`the personal model needs a ${s.size}-value ${s.backbone} embedding`);
        x.set(v, at);
        at += s.size;
      }
      const k = head.keys.length;
      const p = toPrediction(head, softmaxRow(headLogits(head, x, 1), 0, k, head.temperature), offered, excluded);
      return { modelId: p.modelId, modelVersion: version, genres: head.genres, probabilities: p.probabilities, top: p.top, unsure: p.unsure, excerpts: [] };
    },
  };
}
