// Migration 010 (new files indexed for search by FileStore, in batches, not by a trigger per row): a version-9
// library keeps its search results; files added afterwards, one by one or in a batch, are found; changed and
// removed files leave no stale entries.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import type { ReadResult } from '../../electron/core/db/files.js';

const dir = mkdtempSync(join(tmpdir(), 'spectag-m010-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const AUDIO = { container: 'mp3' as const, codec: 'MPEG 1 Layer 3', durationSec: 200, sampleRate: 44100, channels: 2, bitrate: 192_000, lossless: false, hasCover: false };
const read = (title: string, artist: string): ReadResult => ({
  ok: true, contentId: `c-${title}`, audio: AUDIO,
  tags: { title, artist, albumArtist: null, album: 'Album', trackNo: 1, trackOf: null, discNo: null, discOf: null, year: 2001, genres: [] },
});
const stat = (name: string) => ({ path: `/music/${name}.mp3`, size: 100, mtimeMs: 1, fileKey: null });

test('010 keeps version-9 search results and indexes files added one by one or in a batch', () => {
  const path = join(dir, 'lib.sqlite');
  let db = openDatabase(path, { targetVersion: 9 });
  let files = new FileStore(db);
  const root = files.ensureRoot('/music');
  files.saveRead(root, stat('old one'), read('Nocturne', 'Chopin'), null);
  db.close();

  db = openDatabase(path, { targetVersion: 10 });
  assert.equal(db.pragma('user_version', { simple: true }), 10);
  files = new FileStore(db);
  const titles = (text: string) => files.query({ text }).files.map((f) => f.title).sort();
  assert.deepEqual(titles('chopin'), ['Nocturne'], 'rows indexed before the migration are still found');

  files.saveRead(root, stat('single'), read('Gymnopédie', 'Satie'), null);
  const ids = files.batch(() => [
    files.saveRead(root, stat('b1'), read('Clair de lune', 'Debussy'), null),
    files.saveRead(root, stat('b2'), read('Arabesque', 'Debussy'), null),
  ]);
  assert.deepEqual(titles('satie'), ['Gymnopédie'], 'a file saved alone is indexed');
  assert.deepEqual(titles('debussy'), ['Arabesque', 'Clair de lune'], 'files saved in a batch are indexed');
  assert.deepEqual(titles('single'), ['Gymnopédie'], 'paths are indexed too');

  // a failed batch indexes nothing and saves nothing
  assert.throws(() => files.batch(() => {
    files.saveRead(root, stat('lost'), read('Bolero', 'Ravel'), null);
    throw new Error('disk full');
  }));
  assert.deepEqual(titles('ravel'), []);

  // changing and deleting go through the remaining triggers: no stale or duplicate entries
  files.saveRead(root, stat('b1'), read('Reverie', 'Debussy'), ids[0]!);
  assert.deepEqual(titles('debussy'), ['Arabesque', 'Reverie']);
  assert.deepEqual(titles('clair'), []);
  db.prepare('DELETE FROM files WHERE id = ?').run(ids[1]);
  assert.deepEqual(titles('debussy'), ['Reverie']);
  // FTS5 compares its index with the files table and throws on any difference
  assert.doesNotThrow(() => db.prepare("INSERT INTO files_fts(files_fts, rank) VALUES ('integrity-check', 1)").run());
  db.close();
});
