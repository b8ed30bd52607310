// The review window's library queries on a real SQLite library (3,000 files, predictions, decisions): they are
// FileStore's query with the review's joins and conditions (one query builder), answered from indexes without
// an in-memory sort for the column sorts, and they count what a plain filter counts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore } from '../../electron/core/db/decisions.js';
import { PredictionStore } from '../../electron/core/db/predictions.js';
import { LibraryView, predictionColumns } from '../../electron/core/db/library-view.js';
import type { LibraryQuery, LibraryRow } from '../../electron/shared/api.js';

describe('library view queries', () => {
  let dir: string;
  let db: Db;
  let view: LibraryView;
  let all: LibraryRow[];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-view-'));
    db = openDatabase(join(dir, 'l.sqlite'));
    const files = new FileStore(db);
    const preds = new PredictionStore(db);
    const decisions = new DecisionStore(db);
    const root = files.ensureRoot('/m');
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) {
        const id = files.saveRead(root, { path: `/m/${String(i).padStart(4, '0')}.mp3`, size: i, mtimeMs: i, fileKey: null }, {
          ok: true, contentId: `c${i}`,
          tags: { title: `T${i}`, artist: `A${i % 50}`, albumArtist: i % 100 === 0 ? 'ZZ Top' : null, album: `Al${i % 300}`, trackNo: 1, trackOf: 12, discNo: 1, discOf: 1, year: 1960 + (i % 60), genres: i % 7 ? [['Rock', 'Jazz', 'Pop'][i % 3]!] : [] },
          audio: { container: 'mp3', codec: 'MPEG', durationSec: i, sampleRate: 44100, channels: 2, bitrate: 128000, lossless: false, hasCover: false },
        }, null);
        if (i % 5 !== 4) {
          const p = 0.3 + (i % 70) / 100;
          preds.save(id, { modelId: 'm', modelVersion: '1', genres: ['rock', 'jazz'], probabilities: { rock: p, jazz: 1 - p }, top: p >= 0.5 ? [{ genre: 'rock', probability: p }] : [], unsure: p < 0.5, excerpts: [] }, {});
        }
        if (i % 10 === 3) decisions.record(id, ['Rock'], 'accepted');
      }
    })();
    db.exec('ANALYZE');
    view = new LibraryView(db, join(dir, 'l.sqlite'), predictionColumns('m'));
    all = view.query({ limit: 1000 }).rows.concat(view.query({ limit: 1000, offset: 1000 }).rows, view.query({ limit: 1000, offset: 2000 }).rows);
  });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // the page's walk (ids in order); the rows of the page are then joined and put in order (at most 1,000)
  const plan = (q: LibraryQuery) => {
    const { pageSql: sql, params } = view.buildQuery(q);
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');
  };

  for (const sort of ['path', 'title', 'artist', 'album', 'year', 'genre', 'durationSec', 'container'] as const) {
    it(`pages sorted by ${sort}, also filtered by review status, through an index without a temp b-tree`, () => {
      for (const q of [{ sort, offset: 2000 }, { sort, status: 'suggested' as const }, { sort, status: 'unanalysed' as const }]) {
        const p = plan(q);
        assert.doesNotMatch(p, /USE TEMP B-TREE FOR ORDER BY/, `${JSON.stringify(q)}\n${p}`);
        assert.doesNotMatch(p, /decisions d|SEARCH a |SEARCH p /, `the walk joins nothing: ${JSON.stringify(q)}\n${p}`);
      }
    });
  }

  it('joins the review tables only for the rows of the page', () => {
    const { sql, params } = view.buildQuery({ genre: 'Rock', offset: 100, limit: 50 });
    const p = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');
    assert.match(p, /CO-ROUTINE page/, p);
    assert.doesNotMatch(plan({ genre: 'Rock' }), /decisions|SEARCH p /);
    // a decided status looks at the latest decision while it walks
    assert.match(plan({ status: 'accepted' }), /decisions/);
  });

  it('searches through the full-text index and the genre index, as FileStore does', () => {
    assert.match(plan({ text: 'hyperballad' }), /VIRTUAL TABLE INDEX/);
    assert.match(plan({ genre: 'Rock' }), /file_genres_by_genre|sqlite_autoindex_file_genres/);
    const files = new FileStore(db);
    for (const q of [{ text: 'T12' }, { text: 'zz' }, { genre: 'jazz' }, { genre: 'Rock', text: 'A1' }]) {
      const mine = view.query({ ...q, limit: 1000 });
      const theirs = files.query({ ...q, limit: 1000 });
      assert.equal(mine.total, theirs.total, JSON.stringify(q));
      assert.deepEqual(mine.rows.map((r) => r.id), theirs.files.map((f) => f.id), JSON.stringify(q));
    }
    assert.equal(view.query({ text: 'zz' }).total, 30, 'short words match the album artist too');
  });

  it('counts and lists what a plain filter over every row finds', () => {
    for (const status of ['suggested', 'unsure', 'unanalysed', 'accepted'] as const) {
      const page = view.query({ status, limit: 1000, sort: 'title' });
      const expected = all.filter((r) => r.status === status);
      assert.equal(page.total, expected.length, status);
      assert.ok(page.rows.every((r) => r.status === status));
    }
    const rock = view.query({ suggested: 'ROCK', status: 'suggested', limit: 5, count: false });
    assert.equal(rock.total, -1);
    assert.ok(rock.rows.length === 5 && rock.rows.every((r) => r.suggested === 'rock'));
    // "suggested rock": any member of a file's set, probed while the walk keeps the sort order
    const suggestedRock = view.query({ suggested: 'rock', limit: 1000, sort: 'title' });
    assert.equal(suggestedRock.total, all.filter((r) => r.suggestions.some((m) => m.genre === 'rock')).length);
    assert.doesNotMatch(plan({ suggested: 'rock', sort: 'title' }), /USE TEMP B-TREE FOR ORDER BY|SEARCH p /);
    assert.deepEqual(view.query({ limit: 0 }), { total: 3000, offset: 0, rows: [] });
    const conf = view.query({ sort: 'confidence', descending: true, limit: 3 }).rows.map((r) => r.confidence);
    const top = Math.max(...all.map((r) => r.confidence ?? 0));
    assert.deepEqual(conf, [top, top, top]);
  });
});
