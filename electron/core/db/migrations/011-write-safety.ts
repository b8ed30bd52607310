// Version 11: what makes a write safe against a failing database and a second process. Each journal entry now
// also holds the genre values the write puts into the file, committed before the file is replaced, so that
// undo can recognise (and restore) a file whose write the database could not confirm afterwards. And one
// lease row: one write or undo at a time per library, across processes; a holder that dies (kill -9) loses
// it when it expires, or at once when it is seen to be gone from this machine.
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 11,
  name: 'write-safety',
  up(db) {
    db.exec(`
      -- JSON like old_raw: the exact genre values of every tag after the write (see tags/genre-tags.ts)
      ALTER TABLE write_journal ADD COLUMN new_raw TEXT;

      CREATE TABLE write_lease (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        -- random per holder: several writes in one process are told apart
        token TEXT NOT NULL,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('write', 'undo')),
        batch_id INTEGER,
        acquired_at INTEGER NOT NULL,
        -- renewed while the holder works; past it, the lease is free
        expires_at INTEGER NOT NULL
      );
    `);
  },
};
