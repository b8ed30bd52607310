// The personal genre model's tables (migration 006): model versions with weights and reports, the person's
// exclusions and settings, and the personal suggestion per file.
import type { Db } from './open.js';
import {
  DEFAULT_PERSONAL_SETTINGS, PERSONAL_MODEL_ID, genreKey,
  type GenreExclusions, type LearnReport, type PersonalModelInfo, type PersonalPrediction, type PersonalSettings,
} from '../../shared/personal.js';
import { deserializeHead, serializeHead, type HeadDescription, type PersonalHead } from './personal-head.js';

export interface StoredPersonalModel extends PersonalModelInfo {
  embeddingSpec: { backbone: string; size: number }[];
  defaultModelId: string;
  lastDecisionId: number;
  /** null when the weights were pruned */
  head: PersonalHead | null;
  report: LearnReport;
}

interface ModelRow {
  version: number; created_at: number; trigger: 'manual' | 'auto'; embedding_spec: string; default_model_id: string;
  genres: string; offered_genres: string; beats_default: number; train_tracks: number; last_decision_id: number;
  head: string; weights: Buffer | null; report: string;
}

interface PredictionRow {
  file_id: number; model_version: number; probabilities: string; top: string; unsure: number; offered: number; predicted_at: number;
}

const toInfo = (r: ModelRow): PersonalModelInfo => ({
  version: r.version, createdAt: r.created_at, trigger: r.trigger, genres: JSON.parse(r.genres) as string[],
  offeredGenres: JSON.parse(r.offered_genres) as string[], beatsDefault: r.beats_default === 1, trainTracks: r.train_tracks,
  hasWeights: r.weights != null,
});

/**
 * How personal suggestions enter the library table's query (library-view.ts PredictionColumns):
 * drive the review queue by the personal model's offered suggestions instead of the default model's.
 */
export const PERSONAL_PREDICTION_COLUMNS = {
  join: 'LEFT JOIN personal_predictions p ON p.file_id = f.id AND p.offered = 1',
  present: 'p.file_id IS NOT NULL',
  unsure: 'p.unsure = 1',
  suggested: 'p.top_genre',
  confidence: 'p.top_probability',
} as const;

export class PersonalStore {
  constructor(readonly db: Db) {}

  // ---- settings -----------------------------------------------------------------------------------

  settings(): PersonalSettings {
    const out: PersonalSettings = { ...DEFAULT_PERSONAL_SETTINGS };
    for (const r of this.db.prepare('SELECT key, value FROM personal_settings').all() as { key: string; value: string }[]) {
      if (r.key in out) {
        const v = JSON.parse(r.value) as unknown;
        if (typeof v === 'number' && Number.isFinite(v)) out[r.key as keyof PersonalSettings] = v;
      }
    }
    return out;
  }

  updateSettings(patch: Partial<PersonalSettings>): PersonalSettings {
    const put = this.db.prepare('INSERT INTO personal_settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(patch)) {
        if (!(k in DEFAULT_PERSONAL_SETTINGS)) throw new Error(`unknown personal model setting "${k}"`);
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`setting ${k} must be a number ≥ 0`);
        put.run(k, JSON.stringify(v));
      }
    })();
    return this.settings();
  }

  // ---- exclusions ---------------------------------------------------------------------------------

  exclusions(): GenreExclusions {
    const rows = this.db.prepare('SELECT kind, value, label FROM personal_exclusions ORDER BY label').all() as { kind: string; value: string; label: string }[];
    return {
      genres: rows.filter((r) => r.kind === 'genre').map((r) => ({ key: r.value, name: r.label })),
      folders: rows.filter((r) => r.kind === 'folder').map((r) => r.value),
    };
  }

  /** Exclude (or include again) a genre by any spelling of it. Returns false for a name that is no genre. */
  setGenreExcluded(name: string, excluded: boolean, now = Date.now()): boolean {
    const key = genreKey(name);
    if (!key) return false;
    if (excluded) {
      this.db.prepare("INSERT INTO personal_exclusions(kind, value, label, created_at) VALUES ('genre', ?, ?, ?) ON CONFLICT DO NOTHING").run(key, name.trim(), now);
    } else {
      this.db.prepare("DELETE FROM personal_exclusions WHERE kind = 'genre' AND value = ?").run(key);
    }
    return true;
  }

  /** Distrust (or trust again) the file tags under an absolute folder path. */
  setFolderExcluded(folder: string, excluded: boolean, now = Date.now()): void {
    const value = folder.length > 1 ? folder.replace(/[\\/]+$/, '') : folder;
    if (excluded) {
      this.db.prepare("INSERT INTO personal_exclusions(kind, value, label, created_at) VALUES ('folder', ?, ?, ?) ON CONFLICT DO NOTHING").run(value, value, now);
    } else {
      this.db.prepare("DELETE FROM personal_exclusions WHERE kind = 'folder' AND value = ?").run(value);
    }
  }

  // ---- model versions -----------------------------------------------------------------------------

  saveModel(m: {
    createdAt: number; trigger: 'manual' | 'auto'; embeddingSpec: { backbone: string; size: number }[]; defaultModelId: string;
    head: PersonalHead; offeredGenres: string[]; beatsDefault: boolean; trainTracks: number; lastDecisionId: number; report: LearnReport;
  }): number {
    const { description, weights } = serializeHead(m.head);
    const version = (this.db.prepare('SELECT coalesce(max(version), 0) + 1 AS v FROM personal_models').get() as { v: number }).v;
    const report: LearnReport = { ...m.report, version };
    this.db.prepare(`INSERT INTO personal_models(version, created_at, trigger, embedding_spec, default_model_id, genres, offered_genres,
        beats_default, train_tracks, last_decision_id, head, weights, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(version, m.createdAt, m.trigger, JSON.stringify(m.embeddingSpec), m.defaultModelId, JSON.stringify(m.head.genres),
        JSON.stringify(m.offeredGenres), m.beatsDefault ? 1 : 0, m.trainTracks, m.lastDecisionId, JSON.stringify(description), weights,
        JSON.stringify(report));
    return version;
  }

  private toModel(r: ModelRow): StoredPersonalModel {
    return {
      ...toInfo(r),
      embeddingSpec: JSON.parse(r.embedding_spec) as { backbone: string; size: number }[],
      defaultModelId: r.default_model_id,
      lastDecisionId: r.last_decision_id,
      head: r.weights ? deserializeHead(JSON.parse(r.head) as HeadDescription, r.weights) : null,
      report: JSON.parse(r.report) as LearnReport,
    };
  }

  /** The model that makes suggestions: the newest version. */
  active(): StoredPersonalModel | null {
    const r = this.db.prepare('SELECT * FROM personal_models ORDER BY version DESC LIMIT 1').get() as ModelRow | undefined;
    return r ? this.toModel(r) : null;
  }

  model(version: number): StoredPersonalModel | null {
    const r = this.db.prepare('SELECT * FROM personal_models WHERE version = ?').get(version) as ModelRow | undefined;
    return r ? this.toModel(r) : null;
  }

  /** The report of a version, completed once its suggestions are stored (their count and the timings). */
  updateReport(version: number, report: LearnReport): void {
    this.db.prepare('UPDATE personal_models SET report = ? WHERE version = ?').run(JSON.stringify(report), version);
  }

  versions(): PersonalModelInfo[] {
    return (this.db.prepare('SELECT * FROM personal_models ORDER BY version DESC').all() as ModelRow[]).map(toInfo);
  }

  /**
   * Drops the weights of versions that are neither the newest nor referenced by any stored suggestion;
   * their reports stay (what was learned, how well). Returns the versions pruned.
   */
  pruneWeights(): number[] {
    const rows = this.db.prepare(`SELECT version FROM personal_models WHERE weights IS NOT NULL
        AND version < (SELECT max(version) FROM personal_models)
        AND version NOT IN (SELECT DISTINCT model_version FROM personal_predictions)`).all() as { version: number }[];
    const clear = this.db.prepare('UPDATE personal_models SET weights = NULL WHERE version = ?');
    for (const r of rows) clear.run(r.version);
    return rows.map((r) => r.version);
  }

  // ---- suggestions --------------------------------------------------------------------------------

  savePredictions(rows: Omit<PersonalPrediction, 'modelId'>[]): void {
    const put = this.db.prepare(`INSERT INTO personal_predictions(file_id, model_version, probabilities, top, top_genre, top_probability,
        unsure, offered, predicted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(file_id) DO UPDATE SET model_version = excluded.model_version, probabilities = excluded.probabilities,
        top = excluded.top, top_genre = excluded.top_genre, top_probability = excluded.top_probability, unsure = excluded.unsure,
        offered = excluded.offered, predicted_at = excluded.predicted_at`);
    this.db.transaction(() => {
      for (const p of rows) {
        put.run(p.fileId, p.modelVersion, JSON.stringify(p.probabilities), JSON.stringify(p.top), p.top[0]?.genre ?? null,
          p.top[0]?.probability ?? null, p.unsure ? 1 : 0, p.offered ? 1 : 0, p.predictedAt);
      }
    })();
  }

  prediction(fileId: number): PersonalPrediction | null {
    const r = this.db.prepare('SELECT * FROM personal_predictions WHERE file_id = ?').get(fileId) as PredictionRow | undefined;
    if (!r) return null;
    return {
      fileId: r.file_id, modelId: PERSONAL_MODEL_ID, modelVersion: r.model_version,
      probabilities: JSON.parse(r.probabilities) as Record<string, number>, top: JSON.parse(r.top) as PersonalPrediction['top'],
      unsure: r.unsure === 1, offered: r.offered === 1, predictedAt: r.predicted_at,
    };
  }

  /**
   * Undecided readable tracks whose personal suggestion is offered, sure and at least `minConfidence`, with
   * that genre (the person's spelling); only those of `genre` (any case) when given.
   */
  confidentUndecided(minConfidence: number, genre?: string): { id: number; genre: string }[] {
    return this.db
      .prepare(`SELECT f.id, p.top_genre AS genre FROM files f JOIN personal_predictions p ON p.file_id = f.id
        WHERE f.status = 'ok' AND p.offered = 1 AND p.unsure = 0 AND p.top_genre IS NOT NULL AND p.top_probability >= ?
          AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.file_id = f.id) ${genre ? 'AND p.top_genre = ? COLLATE NOCASE' : ''}`)
      .all(minConfidence, ...(genre ? [genre] : [])) as { id: number; genre: string }[];
  }

  /**
   * Files with an embedding of `source` but no suggestion by this model version, or one older than their
   * embedding (analysed again since).
   */
  filesWithoutSuggestion(source: { modelId: string; spec: StoredPersonalModel['embeddingSpec'] }, version: number): number[] {
    return this.db
      .prepare(`SELECT p.file_id FROM predictions p LEFT JOIN personal_predictions pp ON pp.file_id = p.file_id
        WHERE p.model_id = ? AND p.embedding_spec = ? AND p.embedding IS NOT NULL
          AND (pp.file_id IS NULL OR pp.model_version != ? OR pp.predicted_at < p.predicted_at)`)
      .pluck().all(source.modelId, JSON.stringify(source.spec), version) as number[];
  }

  clearPrediction(fileId: number): void {
    this.db.prepare('DELETE FROM personal_predictions WHERE file_id = ?').run(fileId);
  }

  /** Reviewed decisions (accepted / corrected / cli) after a decision id: what auto-retraining counts. */
  decisionsAfter(decisionId: number): number {
    return (this.db.prepare("SELECT count(*) AS n FROM decisions WHERE id > ? AND source != 'rejected'").get(decisionId) as { n: number }).n;
  }

  lastDecisionId(): number {
    return (this.db.prepare('SELECT coalesce(max(id), 0) AS id FROM decisions').get() as { id: number }).id;
  }
}
