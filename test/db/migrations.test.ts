// Schema migrations: each one starts from the previous version with data in it; newer databases are refused.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseTooNewError, SCHEMA_VERSION, openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { MIGRATIONS } from '../../electron/core/db/migrations/index.js';

const dir = mkdtempSync(join(tmpdir(), 'spectag-migrate-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `db-${n++}.sqlite`);

const TAGS = { title: 'Hyperballad', artist: 'Björk', albumArtist: 'Björk', album: 'Post', trackNo: 5, trackOf: 11, discNo: 1, discOf: 1, year: 1995, genres: ['Electronic', 'Art Pop'] };
const AUDIO = { container: 'flac' as const, codec: 'FLAC', durationSec: 321.5, sampleRate: 44100, channels: 2, bitrate: 900_000, lossless: true, hasCover: true };

describe('migrations', () => {
  it('are numbered 1, 2, 3... without gaps, and the app schema version is the last', () => {
    assert.deepEqual(MIGRATIONS.map((m) => m.version), MIGRATIONS.map((_, i) => i + 1));
    assert.equal(SCHEMA_VERSION, MIGRATIONS.length);
  });

  it('001 creates the library tables with WAL and foreign keys on', () => {
    const path = fresh();
    const db = openDatabase(path, { targetVersion: 1 });
    assert.equal(db.pragma('user_version', { simple: true }), 1);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    for (const t of ['roots', 'files', 'file_genres']) assert.ok(tables.includes(t), t);
    // deleting a root removes its files and their genre rows (foreign keys enforced)
    const store = new FileStore(db);
    const root = store.ensureRoot('/music');
    store.saveRead(root, { path: '/music/a.flac', size: 1, mtimeMs: 1, fileKey: null }, { ok: true, contentId: 'x', tags: TAGS, audio: AUDIO }, null);
    db.prepare('DELETE FROM roots WHERE id = ?').run(root);
    assert.equal((db.prepare('SELECT count(*) AS n FROM file_genres').get() as { n: number }).n, 0);
    db.close();
  });

  it('002 (text search) indexes the files that were already in a version-1 database', () => {
    const path = fresh();
    let db = openDatabase(path, { targetVersion: 1 });
    const store1 = new FileStore(db);
    const root = store1.ensureRoot('/music');
    store1.saveRead(root, { path: '/music/Post/05 Hyperballad.flac', size: 10, mtimeMs: 2, fileKey: '1:2' }, { ok: true, contentId: 'c1', tags: TAGS, audio: AUDIO }, null);
    store1.saveRead(root, { path: '/music/other.mp3', size: 10, mtimeMs: 2, fileKey: '1:3' }, { ok: false, contentId: null, errorKind: 'truncated', errorMessage: 'cut' }, null);
    db.close();
    db = openDatabase(path, { targetVersion: 2 });
    assert.equal(db.pragma('user_version', { simple: true }), 2);
    const store = new FileStore(db);
    assert.deepEqual(store.query({ text: 'hyperbal' }).files.map((f) => f.title), ['Hyperballad']);
    assert.deepEqual(store.query({ text: 'björk post' }).files.map((f) => f.trackNo), [5]);
    const f = store.getByPath('/music/Post/05 Hyperballad.flac')!;
    assert.deepEqual(f.genres, TAGS.genres, 'data written at version 1 is intact');
    assert.equal(store.getByPath('/music/other.mp3')?.errorKind, 'truncated');
    // and stays in sync after the migration
    store.saveRead(root, { path: '/music/new.ogg', size: 1, mtimeMs: 1, fileKey: null }, { ok: true, contentId: 'c3', tags: { ...TAGS, title: 'Isobel' }, audio: AUDIO }, null);
    assert.deepEqual(store.query({ text: 'isobel' }).files.map((f) => f.path), ['/music/new.ogg']);
    db.close();
  });

  it('refuses a database written by a newer Spectag, with a clear message, and leaves the file untouched', () => {
    const path = fresh();
    openDatabase(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const bytes = readFileSync(path);
    const mtime = statSync(path).mtimeMs;
    assert.throws(() => openDatabase(path), (err: unknown) => {
      assert.ok(err instanceof DatabaseTooNewError);
      assert.match(err.message, new RegExp(`schema version ${SCHEMA_VERSION + 1}`));
      assert.match(err.message, /newer Spectag/);
      assert.ok(err.message.includes(path));
      return true;
    });
    assert.deepEqual(readFileSync(path), bytes);
    assert.equal(statSync(path).mtimeMs, mtime);
  });
});
