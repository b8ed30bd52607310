// Version 12: albums as a grouping of the library (album + album artist, the folder where tags are missing),
// the person's choices of which tracks an album decision covers, the compilation flag of each file, and
// each album's aggregated suggestion, cached and marked stale by triggers whenever what it is made of changes
// (a track's prediction, its personal suggestion, its decision, its genres or status, its membership).
import type { Migration } from './types.js';

/** Marks the album of the file `ref` (NEW or OLD) stale. */
const markStale = (ref: 'NEW' | 'OLD') =>
  `UPDATE albums SET stale = 1 WHERE id = (SELECT album_id FROM album_tracks WHERE file_id = ${ref}.file_id);`;

export const migration: Migration = {
  version: 12,
  name: 'albums',
  up(db) {
    db.exec(`
      -- the compilation flag (ID3 TCMP, iTunes cpil, Vorbis COMPILATION): 1 / 0 as tagged, NULL when not tagged
      -- (files read by an older Spectag stay NULL until they change; the grouping also recognises
      -- compilations by their many artists)
      ALTER TABLE files ADD COLUMN compilation INTEGER;

      CREATE TABLE albums (
        id INTEGER PRIMARY KEY,
        -- what makes the group (see core/albums/grouping.ts); an album keeps its id while its key is the same
        key TEXT NOT NULL UNIQUE,
        -- 'tags': album (+ album artist) tags; 'folder': no album tag, grouped by folder
        grouped_by TEXT NOT NULL CHECK (grouped_by IN ('tags', 'folder')),
        title TEXT NOT NULL COLLATE NOCASE,
        artist TEXT COLLATE NOCASE,
        compilation INTEGER NOT NULL DEFAULT 0,
        folder TEXT NOT NULL,
        year INTEGER,
        discs INTEGER NOT NULL DEFAULT 1,
        -- readable tracks
        tracks INTEGER NOT NULL DEFAULT 0,
        -- a track with an embedded cover (the album's picture)
        cover_file_id INTEGER,
        -- the rest is derived from the tracks and refreshed when stale = 1
        stale INTEGER NOT NULL DEFAULT 1,
        -- JSON [{genre, tracks}] of the genres in the files, commonest first; tracks without any genre
        genres TEXT NOT NULL DEFAULT '[]',
        untagged INTEGER NOT NULL DEFAULT 0,
        -- the model whose predictions made the suggestion
        model_id TEXT,
        analysed INTEGER NOT NULL DEFAULT 0,
        -- the album's suggestion: best genre, and the genre set (JSON [{genre, score}] best first)
        suggested TEXT COLLATE NOCASE,
        suggestion TEXT NOT NULL DEFAULT '[]',
        confidence REAL,
        -- share of the analysed tracks whose own best genre is the album's
        agreement REAL,
        unsure INTEGER NOT NULL DEFAULT 0,
        -- tracks that clearly disagree with the album's suggestion
        outliers INTEGER NOT NULL DEFAULT 0,
        -- the personal model's album suggestion, where it offers one
        personal TEXT COLLATE NOCASE,
        personal_confidence REAL,
        decided INTEGER NOT NULL DEFAULT 0,
        written INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'unanalysed'
      );
      CREATE INDEX albums_by_title ON albums(title);
      CREATE INDEX albums_by_artist ON albums(artist);
      CREATE INDEX albums_by_year ON albums(year);
      CREATE INDEX albums_by_folder ON albums(folder);
      CREATE INDEX albums_by_suggested ON albums(suggested);
      CREATE INDEX albums_by_confidence ON albums(confidence);
      CREATE INDEX albums_by_status ON albums(status);
      CREATE INDEX albums_stale ON albums(stale) WHERE stale = 1;

      CREATE TABLE album_tracks (
        file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,
        album_id INTEGER NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
        -- the track's own best genre clearly disagrees with the album's suggestion (refreshed with the album)
        outlier INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX album_tracks_by_album ON album_tracks(album_id);

      -- the person's choice for a track: 'out' = decided apart from its album, 'in' = part of the album's
      -- decision even where it disagrees. Kept across regrouping (keyed by file, which survives moves).
      CREATE TABLE album_membership (
        file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,
        choice TEXT NOT NULL CHECK (choice IN ('in', 'out'))
      );

      CREATE TRIGGER albums_stale_prediction_ins AFTER INSERT ON predictions BEGIN ${markStale('NEW')} END;
      CREATE TRIGGER albums_stale_prediction_upd AFTER UPDATE ON predictions BEGIN ${markStale('NEW')} END;
      CREATE TRIGGER albums_stale_prediction_del AFTER DELETE ON predictions BEGIN ${markStale('OLD')} END;
      CREATE TRIGGER albums_stale_personal_ins AFTER INSERT ON personal_predictions BEGIN ${markStale('NEW')} END;
      CREATE TRIGGER albums_stale_personal_upd AFTER UPDATE ON personal_predictions BEGIN ${markStale('NEW')} END;
      CREATE TRIGGER albums_stale_personal_del AFTER DELETE ON personal_predictions BEGIN ${markStale('OLD')} END;
      CREATE TRIGGER albums_stale_decision_ins AFTER INSERT ON decisions BEGIN ${markStale('NEW')} END;
      CREATE TRIGGER albums_stale_decision_del AFTER DELETE ON decisions BEGIN ${markStale('OLD')} END;
      CREATE TRIGGER albums_stale_membership_ins AFTER INSERT ON album_membership BEGIN ${markStale('NEW')} END;
      CREATE TRIGGER albums_stale_membership_upd AFTER UPDATE ON album_membership BEGIN ${markStale('NEW')} END;
      CREATE TRIGGER albums_stale_membership_del AFTER DELETE ON album_membership BEGIN ${markStale('OLD')} END;
      CREATE TRIGGER albums_stale_file AFTER UPDATE OF genres, status ON files
        BEGIN UPDATE albums SET stale = 1 WHERE id = (SELECT album_id FROM album_tracks WHERE file_id = NEW.id); END;
    `);
  },
};
