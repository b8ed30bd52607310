// Version 3: what listening to each file produced (one row per file, stamped with the pipeline and model
// that made it), and the analysis queue: files waiting to be analysed, kept across crashes and cancels.
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 3,
  name: 'analysis',
  up(db) {
    db.exec(`
      CREATE TABLE analysis (
        file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,
        -- the listening pipeline (decoder settings, excerpt plan, spectrogram convention) that made this row;
        -- a row from another pipeline is outdated and the file is queued again
        pipeline TEXT NOT NULL,
        -- the model step that ran (NULL: listening only, or not classified because silent / failed)
        model_id TEXT,
        -- size and mtime of the file when it was analysed: a changed file is queued again
        source_size INTEGER NOT NULL,
        source_mtime_ms REAL NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ok', 'silent', 'error')),
        error_kind TEXT,
        error_message TEXT,
        warning TEXT,
        analysed_sec REAL NOT NULL DEFAULT 0,
        -- JSON array of {startSec, durationSec}: the excerpts actually analysed
        excerpts TEXT NOT NULL DEFAULT '[]',
        rms_db REAL,
        peak_db REAL,
        silent_fraction REAL,
        frames INTEGER NOT NULL DEFAULT 0,
        patches INTEGER NOT NULL DEFAULT 0,
        -- spectrogram PNG: relative to the database's folder (or absolute when the cache lies elsewhere)
        image_path TEXT,
        decode_ms REAL,
        spectrogram_ms REAL,
        analysed_at INTEGER NOT NULL
      );
      CREATE INDEX analysis_by_status ON analysis(status);
      CREATE INDEX analysis_by_pipeline ON analysis(pipeline);

      CREATE TABLE analysis_queue (
        file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,
        reason TEXT NOT NULL CHECK (reason IN ('new', 'changed', 'pipeline', 'model', 'image-missing', 'retry')),
        queued_at INTEGER NOT NULL,
        -- tries started; a file whose tries keep dying (crash, killed decoder) is finally recorded as an error
        attempts INTEGER NOT NULL DEFAULT 0,
        last_attempt_at INTEGER,
        last_error TEXT
      );
    `);
  },
};
