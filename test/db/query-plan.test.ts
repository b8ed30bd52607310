// The queries the UI runs on 100k files must be answered from indexes: no full scans of `files`, no
// in-memory sort (EXPLAIN QUERY PLAN checked for each filter and each sort key).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { SORT_KEYS, type FileQuery } from '../../electron/shared/library.js';

describe('query plans of the library queries', () => {
  let dir: string;
  let db: Db;
  let store: FileStore;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-plan-'));
    db = openDatabase(join(dir, 'l.sqlite'));
    store = new FileStore(db);
    // enough rows (with statistics) that the planner's choices are the real ones
    const root = store.ensureRoot('/m');
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) {
        store.saveRead(root, { path: `/m/${i}.mp3`, size: i, mtimeMs: i, fileKey: null }, {
          ok: true, contentId: `c${i}`,
          tags: { title: `T${i}`, artist: `A${i % 50}`, albumArtist: null, album: `Al${i % 300}`, trackNo: i % 12, trackOf: 12, discNo: 1, discOf: 1, year: 1960 + (i % 60), genres: i % 7 ? [['Rock', 'Jazz', 'Pop'][i % 3]!] : [] },
          audio: { container: 'mp3', codec: 'MPEG', durationSec: i, sampleRate: 44100, channels: 2, bitrate: 128000 + i, lossless: false, hasCover: false },
        }, null);
      }
    })();
    db.exec('ANALYZE');
  });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const plan = (q: FileQuery) => {
    const { sql, params } = store.buildQuery(q);
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');
  };

  for (const sort of SORT_KEYS) {
    it(`pages sorted by ${sort} through an index, without a temp b-tree`, () => {
      const p = plan({ sort, limit: 100, offset: 50_000 });
      assert.doesNotMatch(p, /USE TEMP B-TREE/, p);
      assert.match(p, /SCAN f USING (COVERING )?INDEX|SEARCH f/, p);
    });
  }

  it('filters by genre through the genre index', () => {
    const p = plan({ genre: 'rock', sort: 'path' });
    assert.match(p, /file_genres_by_genre|sqlite_autoindex_file_genres/, p);
  });

  it('filters by status through the status index', () => {
    const p = plan({ status: 'error', sort: 'status' });
    assert.match(p, /files_by_status/, p);
    assert.doesNotMatch(p, /USE TEMP B-TREE/, p);
  });

  it('searches text through the full-text index', () => {
    const p = plan({ text: 'hyperballad', sort: 'title' });
    assert.match(p, /VIRTUAL TABLE INDEX/, p);
  });

  it('finds files without a genre through the genre sort index', () => {
    assert.match(plan({ missingGenre: true, sort: 'genre' }), /files_by_genre_sort/);
  });

  it('gives the same answers as a plain scan would', () => {
    assert.equal(store.query({ genre: 'ROCK' }).total, db.prepare("SELECT count(*) n FROM files WHERE genres LIKE '%\"Rock\"%'").pluck().get());
    assert.equal(store.query({ missingGenre: true }).total, db.prepare("SELECT count(*) n FROM files WHERE genres = '[]'").pluck().get());
  });
});
