// Version 10: new files are put into the text-search index by FileStore, many in one statement, instead of by a
// trigger per row. FTS5 pays a fixed price per statement (reading its structure and configuration): one
// insert per row cost about 330 µs, one statement per batch of 256 about 15 µs per row (measured on the
// scanner's batches), and the first scan of a library is mostly that. Updates and deletes keep their triggers.
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 10,
  name: 'text-index-in-batches',
  up(db) {
    db.exec('DROP TRIGGER files_fts_insert');
  },
};
