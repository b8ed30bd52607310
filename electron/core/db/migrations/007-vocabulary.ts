// Version 7: the person's genre vocabulary choices in the database (they were a JSON file beside it): their
// names for the default model's genres (vocabulary renames) and the genres hidden from pickers and suggestions.
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 7,
  name: 'vocabulary',
  up(db) {
    db.exec(`
      -- a rename of a genre the default model suggests: shown, decided and written under the person's name
      CREATE TABLE vocabulary_model_names (
        -- lower case, as the model names it ("hip-hop")
        model_genre TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- genres not offered in pickers, bulk accepts and suggestions (the default model's and the personal model's)
      CREATE TABLE vocabulary_hidden (
        -- lower case
        genre TEXT PRIMARY KEY,
        hidden_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `);
  },
};
