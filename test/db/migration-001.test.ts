// Migration 001: the library tables (roots, files, genres), in WAL mode with foreign keys enforced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { audioProps, scratchFolder, trackTags } from './migration-fixtures.js';

const dir = scratchFolder('m001');
const TAGS = trackTags({ title: 'Hyperballad', artist: 'Björk', albumArtist: 'Björk', album: 'Post', trackNo: 5, trackOf: 11, discNo: 1, discOf: 1, year: 1995, genres: ['Electronic', 'Art Pop'] });
const AUDIO = audioProps({ container: 'flac', codec: 'FLAC', durationSec: 321.5, bitrate: 900_000, lossless: true, hasCover: true });

test('001 creates the library tables with WAL and foreign keys on', () => {
  const path = dir.at('lib.sqlite');
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
