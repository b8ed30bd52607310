// Version 6: the personal genre model ("Your genres"): its versions (weights + validation report), the
// person's exclusions and settings, and its suggestions per file (kept apart from the default model's rows).
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 6,
  name: 'personal-models',
  up(db) {
    db.exec(`
      -- every trained version is kept so that a suggestion can always be traced to the model that made it;
      -- the weights of a version no suggestion refers to any more may be pruned (set NULL), the report stays
      CREATE TABLE personal_models (
        version INTEGER PRIMARY KEY,
        created_at INTEGER NOT NULL,
        trigger TEXT NOT NULL CHECK (trigger IN ('manual', 'auto')),
        -- JSON array [{backbone, size}]: the stored embeddings (predictions.embedding) it reads
        embedding_spec TEXT NOT NULL,
        -- the default model whose embeddings it was trained on and which it was compared with
        default_model_id TEXT NOT NULL,
        -- JSON arrays of genre display names: output order, and those offered as suggestions
        genres TEXT NOT NULL,
        offered_genres TEXT NOT NULL,
        beats_default INTEGER NOT NULL CHECK (beats_default IN (0, 1)),
        train_tracks INTEGER NOT NULL,
        -- decisions up to this id were part of the training data (auto-retrain counts the ones after it)
        last_decision_id INTEGER NOT NULL DEFAULT 0,
        -- JSON: input normalisation, layer shapes, temperature, thresholds; the numbers are in weights
        head TEXT NOT NULL,
        -- little-endian float32 values of every layer, in the order head.layers lists them
        weights BLOB,
        -- JSON LearnReport (validation per genre, default vs personal, what was not learned)
        report TEXT NOT NULL
      );

      CREATE TABLE personal_exclusions (
        kind TEXT NOT NULL CHECK (kind IN ('genre', 'folder')),
        -- genre: the normalised key (shared/personal.ts genreKey); folder: an absolute path
        value TEXT NOT NULL,
        -- how the person wrote it (genre name or folder)
        label TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (kind, value)
      ) WITHOUT ROWID;

      CREATE TABLE personal_settings (
        key TEXT PRIMARY KEY,
        -- JSON value
        value TEXT NOT NULL
      ) WITHOUT ROWID;

      -- the latest personal suggestion per file
      CREATE TABLE personal_predictions (
        file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,
        model_version INTEGER NOT NULL REFERENCES personal_models(version),
        -- JSON object genre → calibrated probability; JSON array [{genre, probability}] best first
        probabilities TEXT NOT NULL,
        top TEXT NOT NULL,
        top_genre TEXT,
        top_probability REAL,
        unsure INTEGER NOT NULL CHECK (unsure IN (0, 1)),
        -- 1 when the best genre is one the personal model beat the default model on (held-out data)
        offered INTEGER NOT NULL CHECK (offered IN (0, 1)),
        predicted_at INTEGER NOT NULL
      );
      CREATE INDEX personal_predictions_by_top ON personal_predictions(offered, top_genre, top_probability);
      CREATE INDEX personal_predictions_by_version ON personal_predictions(model_version);
    `);
  },
};
