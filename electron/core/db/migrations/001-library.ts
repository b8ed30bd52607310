// Version 1: library roots and the files found in them, with tags and audio properties.
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 1,
  name: 'library',
  up(db) {
    db.exec(`
      CREATE TABLE roots (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        added_at INTEGER NOT NULL,
        last_scan_at INTEGER
      );

      CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        root_id INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,
        path TEXT NOT NULL UNIQUE,
        size INTEGER NOT NULL,
        mtime_ms REAL NOT NULL,
        -- "dev:ino" from stat (as text: inode numbers can exceed 2^53); NULL where the OS gives none
        file_key TEXT,
        -- size + hash of sampled blocks: recognises a moved/renamed file
        content_id TEXT,
        status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'error', 'missing')),
        error_kind TEXT,
        error_message TEXT,
        container TEXT,
        codec TEXT,
        duration_sec REAL,
        sample_rate INTEGER,
        channels INTEGER,
        bitrate INTEGER,
        lossless INTEGER,
        has_cover INTEGER NOT NULL DEFAULT 0,
        title TEXT COLLATE NOCASE,
        artist TEXT COLLATE NOCASE,
        album_artist TEXT COLLATE NOCASE,
        album TEXT COLLATE NOCASE,
        track_no INTEGER,
        track_of INTEGER,
        disc_no INTEGER,
        disc_of INTEGER,
        year INTEGER,
        -- JSON array of the genres in the file, in file order
        genres TEXT NOT NULL DEFAULT '[]',
        -- first genre, for sorting by genre
        genre_sort TEXT COLLATE NOCASE,
        first_seen_at INTEGER NOT NULL,
        scanned_at INTEGER,
        missing_since INTEGER
      );

      -- one row per (file, genre): filtering by genre uses the index instead of scanning JSON
      CREATE TABLE file_genres (
        file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        genre TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (file_id, position)
      ) WITHOUT ROWID;
      CREATE INDEX file_genres_by_genre ON file_genres(genre, file_id);

      CREATE INDEX files_by_root ON files(root_id);
      CREATE INDEX files_by_content ON files(content_id);
      CREATE INDEX files_by_file_key ON files(file_key);
      CREATE INDEX files_by_status ON files(status);
      -- one index per sortable column, so that sorting and paging 100k rows never sorts in memory
      CREATE INDEX files_by_title ON files(title);
      CREATE INDEX files_by_artist ON files(artist);
      CREATE INDEX files_by_album_artist ON files(album_artist);
      CREATE INDEX files_by_album ON files(album);
      CREATE INDEX files_by_year ON files(year);
      CREATE INDEX files_by_track_no ON files(track_no);
      CREATE INDEX files_by_genre_sort ON files(genre_sort);
      CREATE INDEX files_by_duration ON files(duration_sec);
      CREATE INDEX files_by_container ON files(container);
      CREATE INDEX files_by_codec ON files(codec);
      CREATE INDEX files_by_bitrate ON files(bitrate);
      CREATE INDEX files_by_sample_rate ON files(sample_rate);
      CREATE INDEX files_by_size ON files(size);
      CREATE INDEX files_by_mtime ON files(mtime_ms);
      CREATE INDEX files_by_scanned ON files(scanned_at);
    `);
  },
};
