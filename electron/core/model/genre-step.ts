// The genre model as the analyzer's model step (jobs/model-step.ts): the analyzer's threads decode and make the
// front ends' inputs; this step sends them to the inference pool and stores the prediction per file.
import type { ModelStep, ModelStepInput } from '../jobs/model-step.js';
import type { Db } from '../db/open.js';
import { PredictionStore } from '../db/predictions.js';
import { GenrePredictor, type TrackPrediction } from './predictor.js';
import { describeInference } from './inference.js';
import type { InferenceBackend } from '../../shared/genres-model.js';

/** Step id: model id + version. The analyzer re-queues every file analysed under another id. */
export function genreStepId(p: Pick<GenrePredictor, 'modelId' | 'modelVersion'>): string {
  return `${p.modelId}@${p.modelVersion}`;
}

export function genreModelStep(predictor: GenrePredictor, opts: { concurrency?: number } = {}): ModelStep<TrackPrediction> {
  const stores = new WeakMap<Db, PredictionStore>();
  const store = (db: Db): PredictionStore => {
    let s = stores.get(db);
    if (!s) stores.set(db, (s = new PredictionStore(db)));
    return s;
  };
  return {
    id: genreStepId(predictor),
    inputs: predictor.inputRequest(),
    // several tracks in flight, so every inference worker has the next one waiting
    concurrency: opts.concurrency ?? 6,
    async run(input: ModelStepInput, signal: AbortSignal): Promise<TrackPrediction> {
      signal.throwIfAborted();
      return predictor.fromOutputs(await predictor.analyze(input.inputs));
    },
    save(db: Db, fileId: number, result: TrackPrediction): void {
      store(db).save(fileId, result.prediction, result.embeddings, Date.now(), result.outputs);
    },
    clear(db: Db, fileId: number): void {
      store(db).clear(fileId, predictor.modelId);
    },
    rescore(db: Db, signal?: AbortSignal): number {
      return rescoreStored(db, predictor, genreStepId(predictor), store(db), signal);
    },
  };
}

/** Tracks re-scored per transaction: a crash keeps what was done, the window's reads are not held up long. */
const RESCORE_BATCH = 500;

/**
 * Re-scores, from their stored embeddings and AudioSet logits, the analysed tracks whose prediction another head
 * made over the same listening (GenrePredictor.canRescore), and marks their analysis with `stepId`: a new head
 * costs a library a few milliseconds per track, not a second listening. Tracks whose stored means lack an input
 * of the head are left to the queue.
 */
function rescoreStored(db: Db, predictor: GenrePredictor, stepId: string, store: PredictionStore, signal?: AbortSignal): number {
  const rows = db.prepare(`SELECT p.file_id AS fileId, p.model_version AS version FROM predictions p JOIN analysis a ON a.file_id = p.file_id
      WHERE p.model_id = ? AND a.status = 'ok' AND a.model_id IS NOT ?`).all(predictor.modelId, stepId) as { fileId: number; version: string }[];
  const todo = rows.filter((r) => predictor.canRescore(r.version)).map((r) => r.fileId);
  const mark = db.prepare('UPDATE analysis SET model_id = ? WHERE file_id = ?');
  let done = 0;
  for (let at = 0; at < todo.length && !signal?.aborted; at += RESCORE_BATCH) {
    db.transaction(() => {
      for (const fileId of todo.slice(at, at + RESCORE_BATCH)) {
        const stored = store.forFile(fileId).find((p) => p.modelId === predictor.modelId);
        const p = stored && predictor.rescore(stored);
        if (!stored || !p) continue;
        store.save(fileId, p, stored.embeddings, Date.now(), stored.outputs);
        mark.run(stepId, fileId);
        done++;
      }
    })();
  }
  return done;
}

/**
 * For `spectag analyze`: start the predictor and its step, or explain on `log` why the run listens without
 * the model (model files missing, no backend).
 * `modelsDir`: another set of model files (the evaluation scripts' held-out heads); default native-models/.
 */
export async function startGenreStep(
  backend: InferenceBackend | undefined,
  log: { write(s: string): unknown },
  modelsDir?: string,
): Promise<{ step: ModelStep<TrackPrediction>; close(): Promise<void> } | null> {
  try {
    const predictor = await GenrePredictor.create({ backend, modelsDir });
    log.write(`genre model ${predictor.modelId} ${predictor.modelVersion}, inference ${describeInference(await predictor.backend)}\n`);
    return { step: genreModelStep(predictor), close: () => predictor.close() };
  } catch (err) {
    log.write(`genre model unavailable, listening only: ${(err as Error).message}\n`);
    return null;
  }
}
