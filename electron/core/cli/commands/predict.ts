// spectag predict: genre probabilities for audio files or folders, straight from the model, no database.
// The --json output is a stable, documented format (it is how the shipped model is judged).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, UsageError, type Command } from '../command.js';
import { inferenceBackendOption } from '../options.js';
import { newWalkState, walkRoot, type WalkState } from '../../library/walk.js';
import { GenrePredictor } from '../../model/predictor.js';
import { describeInference } from '../../model/inference.js';
import { INFERENCE_BACKENDS, type GenrePrediction } from '../../../shared/genres-model.js';
import { vocabularyEntry, vocabularyLabel } from '../../../shared/genre-vocabulary.js';
import { DB_OPTION, openCliDb } from '../db-option.js';
import { personalPredictor, type PersonalPredictor } from '../../personal/predict.js';
import { readAudioFile } from '../../library/read-file.js';

/**
 * Why a file could not be listened to, in the scanner's words where the scanner sees the reason (not audio,
 * truncated, empty, unreadable): the same file gets the same explanation from `scan` and `predict`.
 */
async function explainFailure(path: string, err: Error & { kind?: string }): Promise<{ kind: string; message: string }> {
  // the decoder's own kinds (missing, empty, timeout, ...) are clear already; "undecodable" carries ffmpeg's words
  if (err.kind == null || err.kind === 'undecodable') {
    const read = await readAudioFile(path);
    if (!read.ok) return { kind: read.errorKind, message: `${path}: ${read.errorMessage}` };
  }
  return { kind: err.kind ?? 'analysis-failed', message: err.message };
}

/** One line of `spectag predict --json` output (schema version 1; see the README). */
export interface PredictJsonFile {
  path: string;
  ok: boolean;
  modelId?: string;
  modelVersion?: string;
  /** every genre of the vocabulary → calibrated probability (sums to 1) */
  probabilities?: Record<string, number>;
  top?: GenrePrediction['top'];
  unsure?: boolean;
  excerpts?: GenrePrediction['excerpts'];
  error?: { kind: string; message: string };
}

function collect(inputs: string[], walk: WalkState): string[] {
  const files: string[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    const abs = resolve(input);
    let isDir = false;
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      // a missing file is reported per file by the decoder
    }
    if (isDir) {
      for (const f of walkRoot(abs, walk)) {
        if (f.nameError) walk.issues.push({ path: f.path, message: f.nameError });
        else if (!seen.has(f.path)) {
          seen.add(f.path);
          files.push(f.path);
        }
      }
    } else if (!seen.has(abs)) {
      seen.add(abs);
      files.push(abs);
    }
  }
  return files;
}

export const predictCommand: Command = {
  name: 'predict',
  summary: 'genre probabilities of audio files or folders (no library needed)',
  usage: `Usage: spectag predict <file-or-folder>... [--json] [--backend ${INFERENCE_BACKENDS.join('|')}] [--workers N] [--excerpts] [--model personal --db FILE]

Runs the shipped genre model on each file (folders are searched for audio files).
--json prints one object: {"version":1, "modelId", "modelVersion", "backend", "genres": [...],
  "files": [{"path", "ok", "modelId", "modelVersion", "probabilities": {genre: p}, "top": [{"genre","probability"}],
  "unsure", "excerpts"?: [...], "error"?: {"kind","message"}}]}  (excerpts only with --excerpts).
--model personal uses the personal genre model of the library (--db; see \`spectag learn\`) on the same embeddings.
Exit code 0 when every file was analysed, 1 when some failed.`,
  options: { json: { type: 'boolean' }, backend: { type: 'string' }, workers: { type: 'string' }, excerpts: { type: 'boolean' }, model: { type: 'string' }, ...DB_OPTION },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length === 0) throw new UsageError('name at least one file or folder');
    const backend = inferenceBackendOption(values.backend);
    let workers: number | undefined;
    if (typeof values.workers === 'string') {
      workers = Number(values.workers);
      if (!Number.isInteger(workers) || workers < 1) throw new UsageError('--workers must be a whole number ≥ 1');
    }
    if (values.model != null && values.model !== 'default' && values.model !== 'personal') throw new UsageError('--model must be default or personal');
    let personal: PersonalPredictor | null = null;
    if (values.model === 'personal') {
      const { db } = openCliDb(values, io);
      try {
        personal = personalPredictor(db);
      } catch (err) {
        io.stderr.write(`spectag predict: ${(err as Error).message}\n`);
        return EXIT.FAILED;
      } finally {
        db.close();
      }
    }
    const walk = newWalkState();
    const files = collect(positionals, walk);
    for (const i of walk.issues) io.stderr.write(`warning: ${i.path}: ${i.message}\n`);
    let predictor: GenrePredictor;
    try {
      predictor = await GenrePredictor.create({ backend, workers });
    } catch (err) {
      io.stderr.write(`spectag predict: ${(err as Error).message}\n`);
      return EXIT.FAILED;
    }
    const report = await predictor.backend;
    io.stderr.write(personal
      ? `model ${personal.modelId} version ${personal.modelVersion} (your genres), on the sound of ${predictor.modelId} ${predictor.modelVersion}, inference ${describeInference(report)}
`
      : `model ${predictor.modelId} ${predictor.modelVersion}, inference ${describeInference(report)}
`);
    const onAbort = () => void predictor.close();
    io.signal.addEventListener('abort', onAbort, { once: true });
    const results: PredictJsonFile[] = [];
    try {
      await Promise.all(
        files.map(async (path, i) => {
          let r: PredictJsonFile;
          try {
            const tp = await predictor.predictFile(path, { signal: io.signal });
            const p = personal ? personal.predict(tp.embeddings) : tp.prediction;
            r = {
              path, ok: true, modelId: p.modelId, modelVersion: p.modelVersion, probabilities: p.probabilities, top: p.top,
              unsure: p.unsure, ...(values.excerpts ? { excerpts: p.excerpts } : {}),
            };
            if (!values.json) {
              // the names people tag with ("Electronic › Drum & Bass"), not the vocabulary's ids; a personal
              // model's genres are the owner's own names already
              const top = p.top.map((t) => `${vocabularyEntry(t.genre) ? vocabularyLabel(t.genre) : t.genre} ${(t.probability * 100).toFixed(0)}%`).join(', ');
              io.stdout.write(`${path}\t${p.unsure ? 'unsure: ' : ''}${top}\n`);
            }
          } catch (err) {
            if (io.signal.aborted) return; // stopped: the files not done are not failures
            r = { path, ok: false, error: await explainFailure(path, err as Error & { kind?: string }) };
            if (!values.json) io.stdout.write(`${path}\tERROR ${r.error!.kind}: ${r.error!.message}\n`);
          }
          results[i] = r;
        }),
      );
    } finally {
      io.signal.removeEventListener('abort', onAbort);
      await predictor.close();
    }
    if (io.signal.aborted) return EXIT.CANCELLED;
    if (values.json) {
      const model = personal ?? predictor;
      const out = { version: 1, modelId: model.modelId, modelVersion: model.modelVersion, backend: report.name, genres: model.genres, files: results };
      io.stdout.write(JSON.stringify(out, null, 2) + '\n');
    }
    return results.every((r) => r.ok) ? EXIT.OK : EXIT.PARTIAL;
  },
};
