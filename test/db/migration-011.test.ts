// Migration 011 (write safety: the journal's new values, the write lease), from a version-10 library with data in
// it: a real file written by a version-10 Spectag (its journal row without new values) is still undone exactly,
// a batch a crashed version-10 process left running shows interrupted, and the lease works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore, JournalStore } from '../../electron/core/db/decisions.js';
import { currentLease, WriteLease } from '../../electron/core/db/write-lease.js';
import { scanLibrary } from '../../electron/core/library/scan.js';
import { readGenreSnapshot, writeGenreTags } from '../../electron/core/tags/genre-tags.js';
import { undoWrite } from '../../electron/core/tags/write.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { mmView } from '../helpers/tag-fixtures.js';
import { scratchFolder } from './migration-fixtures.js';

const scratch = scratchFolder('m011');

test('011 keeps a version-10 library and its journal: an old batch is still undone exactly; a crashed one shows interrupted', async () => {
  const music = scratch.at('music');
  mkdirSync(music);
  const song = `${music}/song.ogg`;
  ffmpeg([...SOUNDS.tone(0.5, 440), '-c:a', 'libvorbis', '-metadata', 'genre=Rock', '-metadata', 'title=Old', song]);
  const path = scratch.at('lib.sqlite');
  let db = openDatabase(path, { targetVersion: 10 });
  await scanLibrary(db, [music], { workers: 1 });
  const files = new FileStore(db);
  const f = files.getByPath(song)!;
  const decision = new DecisionStore(db).record(f.id, ['Jazz'], 'cli');
  // what a version-10 write left: the file changed, its journal row with old values only, status written
  const oldRaw = JSON.stringify(readGenreSnapshot(song, 'ogg'));
  writeGenreTags(song, 'ogg', ['Jazz'], { id3v23Join: '; ', id3v2Version: null });
  await scanLibrary(db, [music], { workers: 1 });
  const st = statSync(song);
  const done = Number(db.prepare("INSERT INTO write_batches(kind, options, status, created_at, finished_at) VALUES ('write', NULL, 'done', 1, 2)").run().lastInsertRowid);
  db.prepare(`INSERT INTO write_journal(batch_id, file_id, path, decision_id, old_genres, old_raw, new_genres, old_size, old_mtime_ms,
      new_size, new_mtime_ms, status, updated_at) VALUES (?, ?, ?, ?, '["Rock"]', ?, '["Jazz"]', 1, 1, ?, ?, 'written', 2)`)
    .run(done, f.id, song, decision, oldRaw, st.size, st.mtimeMs);
  const crashed = Number(db.prepare("INSERT INTO write_batches(kind, status, created_at) VALUES ('write', 'running', 3)").run().lastInsertRowid);
  db.close();

  db = openDatabase(path, { targetVersion: 11 });
  assert.equal(db.pragma('user_version', { simple: true }), 11);
  const journal = new JournalStore(db);
  const entry = journal.entries(done)[0]!;
  assert.equal(entry.newRaw, null, 'a version-10 row has no new values');
  assert.equal(entry.status, 'written');
  assert.equal(journal.batch(crashed)!.status, 'interrupted', 'left running by a process that is gone');
  assert.deepEqual(new FileStore(db).getByPath(song)!.genres, ['Jazz'], 'library data intact');
  assert.equal(new DecisionStore(db).latest(f.id)!.id, decision);

  const undone = await undoWrite(db, done);
  assert.equal(undone.written, 1, JSON.stringify(undone.files));
  assert.equal(JSON.stringify(readGenreSnapshot(song, 'ogg')), oldRaw, 'the exact previous genre values');
  assert.deepEqual((await mmView(song)).genres, ['Rock']);
  assert.equal(journal.entries(done)[0]!.status, 'undone');
  // the new journal row of the undo has its new values
  assert.equal(JSON.parse(journal.entries(undone.batchId!)[0]!.newRaw!).container, 'ogg');

  const lease = WriteLease.acquire(db, 'write');
  assert.equal(currentLease(db)?.pid, process.pid);
  lease.release();
  assert.equal(currentLease(db), null);
  db.close();
});
