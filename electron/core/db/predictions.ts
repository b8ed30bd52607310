// Stored genre predictions, one row per (file, model id), and the suggestion set of each (one row per suggested
// genre); see migrations 005, 009 and 014.
import type { Db } from './open.js';
import type { ExcerptPrediction, GenrePrediction } from '../../shared/genres-model.js';
import { GENRE_VOCABULARY } from '../../shared/genre-vocabulary.js';

/**
 * SQL: the suggestion set by model `modelIdSql` of the file `fileIdSql` holds one of the genres of the JSON array
 * `genresSql` (any member counts, not only the best), at least `minSql` confident when given. One condition for
 * every "suggested G" question: the window's filter, `spectag list --suggested`, bulk accept of one genre.
 */
export function suggestionSetHolds(fileIdSql: string, modelIdSql: string, genresSql: string, minSql?: string): string {
  return `EXISTS (SELECT 1 FROM prediction_suggestions sh WHERE sh.file_id = ${fileIdSql} AND sh.model_id = ${modelIdSql}
    AND sh.genre COLLATE NOCASE IN (SELECT value FROM json_each(${genresSql}))${minSql ? ` AND sh.probability >= ${minSql}` : ''})`;
}

/**
 * Each style of the vocabulary and its genre, as SQL rows (a suggested style is counted under its genre too). A
 * VALUES list of the shipped constants: a join with json_each took three times as long (100,000 tracks, 80,000
 * with sets of one or two: 370 ms against 120 ms; counting the members alone, without the roll-up, 100 ms).
 */
const STYLE_PARENTS = GENRE_VOCABULARY.filter((e) => e.parent)
  .map((e) => `('${e.id.replaceAll("'", "''")}', '${e.parent!.replaceAll("'", "''")}')`).join(', ');

/** A per-track mean of a backbone output, kept beside the embeddings (e.g. EfficientAT's 527 AudioSet logits). */
export interface TrackOutput {
  backbone: string;
  output: string;
  values: Float32Array;
}

export interface StoredPrediction extends Omit<GenrePrediction, 'genres'> {
  fileId: number;
  /** per backbone, the mean embedding over the analysed patches */
  embeddings: Record<string, Float32Array>;
  /** other backbone outputs kept for the track (migration 009; empty for older rows) */
  outputs: TrackOutput[];
  predictedAt: number;
}

/** Float32 vectors as one little-endian blob. */
function packFloats(vectors: readonly Float32Array[]): Buffer {
  const blob = Buffer.alloc(vectors.reduce((n, v) => n + v.length, 0) * 4);
  let at = 0;
  for (const v of vectors) for (const x of v) at = blob.writeFloatLE(x, at);
  return blob;
}

interface Row {
  file_id: number;
  model_id: string;
  model_version: string;
  probabilities: string;
  top: string;
  unsure: number;
  excerpts: string;
  embedding: Buffer | null;
  embedding_spec: string;
  outputs?: Buffer | null;
  outputs_spec?: string;
  predicted_at: number;
}

export class PredictionStore {
  private readonly upsert;
  private readonly byFile;
  private readonly remove;

  /** the schema has the outputs columns (version 9+; the migration tests build older ones with this store) */
  private readonly withOutputs: boolean;
  /** the schema has the suggestion sets (version 14+) */
  private readonly withSets: boolean;
  private readonly clearSet;
  private readonly addToSet;

  constructor(private readonly db: Db) {
    this.withOutputs = !!db.prepare("SELECT 1 FROM pragma_table_info('predictions') WHERE name = 'outputs'").get();
    const [cols, vals, sets] = this.withOutputs
      ? [', outputs, outputs_spec', ', @outputs, @outputsSpec', ', outputs = excluded.outputs, outputs_spec = excluded.outputs_spec']
      : ['', '', ''];
    this.upsert = db.prepare(`
      INSERT INTO predictions (file_id, model_id, model_version, probabilities, top, top_genre, top_probability, unsure,
                               excerpts, embedding, embedding_spec, predicted_at${cols})
      VALUES (@fileId, @modelId, @modelVersion, @probabilities, @top, @topGenre, @topProbability, @unsure,
              @excerpts, @embedding, @embeddingSpec, @predictedAt${vals})
      ON CONFLICT (file_id, model_id) DO UPDATE SET
        model_version = excluded.model_version, probabilities = excluded.probabilities, top = excluded.top,
        top_genre = excluded.top_genre, top_probability = excluded.top_probability, unsure = excluded.unsure,
        excerpts = excluded.excerpts, embedding = excluded.embedding, embedding_spec = excluded.embedding_spec,
        predicted_at = excluded.predicted_at${sets}`);
    this.byFile = db.prepare('SELECT * FROM predictions WHERE file_id = ? ORDER BY model_id');
    this.withSets = !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'prediction_suggestions'").get();
    this.clearSet = this.withSets ? db.prepare('DELETE FROM prediction_suggestions WHERE file_id = ? AND model_id = ?') : null;
    this.addToSet = this.withSets
      ? db.prepare('INSERT INTO prediction_suggestions (file_id, model_id, genre, probability, rank) VALUES (?, ?, ?, ?, ?)')
      : null;
    this.remove = db.prepare('DELETE FROM predictions WHERE file_id = ? AND (? IS NULL OR model_id = ?)');
  }

  /** The version of `modelId` most tracks were predicted by (null: none). */
  commonestVersion(modelId: string): string | null {
    return (this.db.prepare('SELECT model_version FROM predictions WHERE model_id = ? GROUP BY model_version ORDER BY count(*) DESC LIMIT 1')
      .pluck().get(modelId) as string | undefined) ?? null;
  }

  /** The model whose predictions were stored last (null: none yet). */
  latestModelId(): string | null {
    return (this.db.prepare('SELECT model_id FROM predictions ORDER BY predicted_at DESC LIMIT 1').pluck().get() as string | undefined) ?? null;
  }

  /**
   * Undecided readable tracks with the genres of their suggestion set by `modelId` that reach `minConfidence`
   * (as the model names them, best first); only tracks whose set has one of `genres` at that confidence when given.
   */
  confidentUndecided(modelId: string, minConfidence: number, genres?: readonly string[]): { id: number; genres: string[] }[] {
    const rows = this.db
      .prepare(`SELECT s.file_id AS id, s.genre FROM prediction_suggestions s JOIN files f ON f.id = s.file_id
        WHERE s.model_id = @modelId AND s.probability >= @min AND f.status = 'ok'
          AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.file_id = s.file_id)
          ${genres ? `AND ${suggestionSetHolds('s.file_id', '@modelId', '@genres', '@min')}` : ''}
        ORDER BY s.file_id, s.rank`)
      .all({ modelId, min: minConfidence, ...(genres ? { genres: JSON.stringify(genres) } : {}) }) as { id: number; genre: string }[];
    const out: { id: number; genres: string[] }[] = [];
    for (const r of rows) {
      const last = out[out.length - 1];
      if (last?.id === r.id) last.genres.push(r.genre);
      else out.push({ id: r.id, genres: [r.genre] });
    }
    return out;
  }

  /**
   * Readable tracks per suggested genre (every genre of a track's suggestion set counts: a track suggested
   * "Soundtrack" and "Classical" is counted under both, and one suggested the style "Orchestral" under
   * "Classical" too, once), leaving out decided tracks when `undecidedOnly`.
   */
  countSuggested(modelId: string, undecidedOnly: boolean): { genre: string; n: number }[] {
    if (!this.withSets) {
      // schema 8–13 (the migration tests): one suggestion per sure prediction, from the predictions_suggested index
      return this.db
        .prepare(`SELECT p.top_genre AS genre, count(*) AS n FROM predictions p JOIN files f ON f.id = p.file_id
          WHERE p.model_id = ? AND p.unsure = 0 AND f.status = 'ok' ${undecidedOnly ? 'AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.file_id = f.id)' : ''}
          GROUP BY p.top_genre`)
        .all(modelId) as { genre: string; n: number }[];
    }
    // each member as itself, and a style once more as its genre; DISTINCT: a set holding a genre and its style
    // (sets of an older rule) counts the track once under the genre
    return this.db
      .prepare(`WITH up(style, parent) AS (VALUES ${STYLE_PARENTS}),
        members(file_id, genre) AS (
          SELECT s.file_id, s.genre FROM prediction_suggestions s JOIN files f ON f.id = s.file_id
          WHERE s.model_id = ? AND f.status = 'ok' ${undecidedOnly ? 'AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.file_id = f.id)' : ''})
        SELECT genre, count(DISTINCT file_id) AS n FROM (
          SELECT file_id, genre FROM members
          UNION ALL SELECT m.file_id, up.parent FROM members m JOIN up ON up.style = m.genre)
        GROUP BY genre`)
      .all(modelId) as { genre: string; n: number }[];
  }

  /** A track's suggestion set by `modelId`, best first ([] when unsure or not analysed). */
  suggestionSet(fileId: number, modelId: string): { genre: string; probability: number }[] {
    return this.db.prepare('SELECT genre, probability FROM prediction_suggestions WHERE file_id = ? AND model_id = ? ORDER BY rank')
      .all(fileId, modelId) as { genre: string; probability: number }[];
  }

  save(fileId: number, p: GenrePrediction, embeddings: Record<string, Float32Array>, now = Date.now(), outputs: readonly TrackOutput[] = []): void {
    const spec = Object.entries(embeddings).map(([backbone, v]) => ({ backbone, size: v.length }));
    const total = spec.reduce((s, e) => s + e.size, 0);
    if (outputs.length && !this.withOutputs) throw new Error('this database has no room for backbone outputs (schema older than version 9)');
    const outputsSpec = outputs.map((o) => ({ backbone: o.backbone, output: o.output, size: o.values.length }));
    this.upsert.run({
      fileId, modelId: p.modelId, modelVersion: p.modelVersion, probabilities: JSON.stringify(p.probabilities),
      top: JSON.stringify(p.top), topGenre: p.top[0]?.genre ?? null, topProbability: p.top[0]?.probability ?? null,
      unsure: p.unsure ? 1 : 0, excerpts: JSON.stringify(p.excerpts), embedding: total ? packFloats(Object.values(embeddings)) : null,
      embeddingSpec: JSON.stringify(spec), predictedAt: now,
      ...(this.withOutputs ? { outputs: outputs.length ? packFloats(outputs.map((o) => o.values)) : null, outputsSpec: JSON.stringify(outputsSpec) } : {}),
    });
    if (this.clearSet && this.addToSet) {
      // the set is what the track is suggested: its `top` where the model is sure (an unsure track has none)
      this.clearSet.run(fileId, p.modelId);
      if (!p.unsure) p.top.forEach((t, rank) => this.addToSet!.run(fileId, p.modelId, t.genre, t.probability, rank));
    }
  }

  /** Every model's prediction for a file. */
  forFile(fileId: number): StoredPrediction[] {
    return (this.byFile.all(fileId) as Row[]).map((r) => {
      const spec = JSON.parse(r.embedding_spec) as { backbone: string; size: number }[];
      const embeddings: Record<string, Float32Array> = {};
      let at = 0;
      for (const s of spec) {
        const v = new Float32Array(s.size);
        for (let i = 0; i < s.size; i++, at += 4) v[i] = r.embedding!.readFloatLE(at);
        embeddings[s.backbone] = v;
      }
      const outputs: TrackOutput[] = [];
      at = 0;
      for (const o of JSON.parse(r.outputs_spec ?? '[]') as { backbone: string; output: string; size: number }[]) {
        const values = new Float32Array(o.size);
        for (let i = 0; i < o.size; i++, at += 4) values[i] = r.outputs!.readFloatLE(at);
        outputs.push({ backbone: o.backbone, output: o.output, values });
      }
      return {
        fileId: r.file_id, modelId: r.model_id, modelVersion: r.model_version, outputs,
        probabilities: JSON.parse(r.probabilities) as Record<string, number>,
        top: JSON.parse(r.top) as GenrePrediction['top'], unsure: r.unsure === 1,
        excerpts: JSON.parse(r.excerpts) as ExcerptPrediction[], embeddings, predictedAt: r.predicted_at,
      };
    });
  }

  /** Remove a file's prediction (of one model, or all): the track changed and is silent or failed now. */
  clear(fileId: number, modelId: string | null = null): void {
    this.remove.run(fileId, modelId, modelId);
  }
}
