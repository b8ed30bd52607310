// Migration 002 (full-text search over the library) from a version-1 database with files in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { audioProps, scratchFolder, trackTags } from './migration-fixtures.js';

const dir = scratchFolder('m002');
const TAGS = trackTags({ title: 'Hyperballad', artist: 'Björk', albumArtist: 'Björk', album: 'Post', trackNo: 5, trackOf: 11, discNo: 1, discOf: 1, year: 1995, genres: ['Electronic', 'Art Pop'] });
const AUDIO = audioProps({ container: 'flac', codec: 'FLAC', durationSec: 321.5, bitrate: 900_000, lossless: true, hasCover: true });

test('002 (text search) indexes the files that were already in a version-1 database', () => {
  const path = dir.at('lib.sqlite');
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
