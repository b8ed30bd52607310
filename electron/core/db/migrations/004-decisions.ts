// Version 4: genre decisions per file (what the review chose) and the write journal (what was written
// into which file, with the exact previous tag values, so that a batch can be undone).
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 4,
  name: 'decisions',
  up(db) {
    db.exec(`
      -- every decision is kept (history); the latest per file is the one that counts
      CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
        -- JSON array of the chosen genres, in order ('[]' for a rejected suggestion)
        genres TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('accepted', 'corrected', 'rejected', 'cli')),
        decided_at INTEGER NOT NULL
      );
      CREATE INDEX decisions_by_file ON decisions(file_id, id);

      CREATE TABLE write_batches (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('write', 'undo')),
        undoes_batch_id INTEGER REFERENCES write_batches(id),
        -- JSON WriteOptions (mode, ID3v2.3 join, mtime, ID3 version); NULL for an undo
        options TEXT,
        -- 'running' until it ends; a batch still 'running' when a new one starts was interrupted (crash)
        status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'cancelled', 'interrupted')),
        created_at INTEGER NOT NULL,
        finished_at INTEGER
      );
      CREATE INDEX write_batches_by_undoes ON write_batches(undoes_batch_id);

      -- one row per file of a batch, written BEFORE the file is touched
      CREATE TABLE write_journal (
        id INTEGER PRIMARY KEY,
        batch_id INTEGER NOT NULL REFERENCES write_batches(id) ON DELETE CASCADE,
        file_id INTEGER REFERENCES files(id) ON DELETE SET NULL,
        path TEXT NOT NULL,
        decision_id INTEGER REFERENCES decisions(id) ON DELETE SET NULL,
        -- JSON array: the genres as the file had them (as read, split into a list)
        old_genres TEXT NOT NULL,
        -- JSON: the exact genre values of every tag in the file before the write (raw frames, fields,
        -- atoms, the ID3v1 genre byte) and which tags did not exist: what undo puts back
        old_raw TEXT NOT NULL,
        new_genres TEXT NOT NULL,
        -- the file before and after, as stat() and the content identity saw it
        old_size INTEGER, old_mtime_ms REAL, old_content_id TEXT,
        new_size INTEGER, new_mtime_ms REAL, new_content_id TEXT,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'written', 'failed', 'skipped', 'undone')),
        error_kind TEXT,
        error TEXT,
        updated_at INTEGER NOT NULL,
        UNIQUE (batch_id, path)
      );
      CREATE INDEX write_journal_by_file ON write_journal(file_id);
    `);
  },
};
