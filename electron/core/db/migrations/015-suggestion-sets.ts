// Version 15: the default model suggests a set of genres per track (multi-label: "Electronic › Drum & Bass" 0.81
// and "Soundtrack" 0.64), each with its own confidence. One row per suggested genre, so "tracks suggested
// Soundtrack" (the vocabulary's counts, the genre filter, bulk accept of one genre) is an index lookup whichever
// place the genre holds in a track's set. Existing predictions came from a single-label head: their set is their
// best genre where they were sure, which is what they suggested.
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 15,
  name: 'suggestion-sets',
  up(db) {
    db.exec(`
      CREATE TABLE prediction_suggestions (
        file_id INTEGER NOT NULL,
        model_id TEXT NOT NULL,
        -- as the model names it: a genre vocabulary id (electron/shared/genre-vocabulary.ts)
        genre TEXT NOT NULL,
        probability REAL NOT NULL,
        -- 0 = the track's best suggestion
        rank INTEGER NOT NULL,
        PRIMARY KEY (file_id, model_id, genre),
        FOREIGN KEY (file_id, model_id) REFERENCES predictions(file_id, model_id) ON DELETE CASCADE
      ) WITHOUT ROWID;
      CREATE INDEX prediction_suggestions_genre ON prediction_suggestions(model_id, genre, probability);
      INSERT INTO prediction_suggestions (file_id, model_id, genre, probability, rank)
        SELECT file_id, model_id, top_genre, top_probability, 0 FROM predictions
        WHERE unsure = 0 AND top_genre IS NOT NULL AND top_probability IS NOT NULL;
    `);
  },
};
