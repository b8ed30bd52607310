// Version 2: full-text search over title, artist, album artist, album and path (FTS5 trigram:
// substring matches in any script, kept in sync with `files` by triggers).
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 2,
  name: 'text-search',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE files_fts USING fts5(
        title, artist, album_artist, album, path,
        content = 'files', content_rowid = 'id', tokenize = 'trigram'
      );
      CREATE TRIGGER files_fts_insert AFTER INSERT ON files BEGIN
        INSERT INTO files_fts(rowid, title, artist, album_artist, album, path)
        VALUES (new.id, new.title, new.artist, new.album_artist, new.album, new.path);
      END;
      CREATE TRIGGER files_fts_delete AFTER DELETE ON files BEGIN
        INSERT INTO files_fts(files_fts, rowid, title, artist, album_artist, album, path)
        VALUES ('delete', old.id, old.title, old.artist, old.album_artist, old.album, old.path);
      END;
      CREATE TRIGGER files_fts_update AFTER UPDATE OF title, artist, album_artist, album, path ON files BEGIN
        INSERT INTO files_fts(files_fts, rowid, title, artist, album_artist, album, path)
        VALUES ('delete', old.id, old.title, old.artist, old.album_artist, old.album, old.path);
        INSERT INTO files_fts(rowid, title, artist, album_artist, album, path)
        VALUES (new.id, new.title, new.artist, new.album_artist, new.album, new.path);
      END;
      INSERT INTO files_fts(files_fts) VALUES ('rebuild');
    `);
  },
};
