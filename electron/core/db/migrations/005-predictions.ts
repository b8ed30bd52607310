// Version 5: the genre model's result per (file, model id): calibrated probabilities, top genres, the
// per-excerpt outputs ("where did it hear metal?") and the track embedding for a personal model later.
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 5,
  name: 'predictions',
  up(db) {
    db.exec(`
      CREATE TABLE predictions (
        file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
        -- stable model name (e.g. spectag-genre) and the exact version that produced the row; a new
        -- version replaces the row when the track is analysed again
        model_id TEXT NOT NULL,
        model_version TEXT NOT NULL,
        -- JSON object genre → calibrated probability (every genre of the model's vocabulary)
        probabilities TEXT NOT NULL,
        -- JSON array [{genre, probability}], best first
        top TEXT NOT NULL,
        top_genre TEXT,
        top_probability REAL,
        -- 1 when even the best genre is below the model's confidence threshold
        unsure INTEGER NOT NULL CHECK (unsure IN (0, 1)),
        -- JSON array [{startSec, durationSec, probabilities: number[] (vocabulary order)}]
        excerpts TEXT NOT NULL DEFAULT '[]',
        -- little-endian float32 mean patch embedding of each backbone, concatenated in embedding_spec order
        embedding BLOB,
        -- JSON array [{backbone, size}]
        embedding_spec TEXT NOT NULL DEFAULT '[]',
        predicted_at INTEGER NOT NULL,
        PRIMARY KEY (file_id, model_id)
      ) WITHOUT ROWID;
      CREATE INDEX predictions_by_top_genre ON predictions(model_id, top_genre, top_probability);
    `);
  },
};
