// Incremental rescans: unchanged files are not read again; touched, renamed, moved, deleted, restored
// and added files are each handled so that history survives.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFixtureLibrary, type FixtureLibrary } from '../helpers/fixture-library.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { openDatabase, type Db } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { scanLibrary } from '../../electron/core/library/scan.js';

describe('rescanning a library', () => {
  let lib: FixtureLibrary;
  let dir: string;
  let db: Db;
  let store: FileStore;
  const rel = (r: string) => lib.path(r);

  before(async () => {
    lib = makeFixtureLibrary();
    dir = mkdtempSync(join(tmpdir(), 'spectag-db-'));
    db = openDatabase(join(dir, 'library.sqlite'));
    store = new FileStore(db);
    await scanLibrary(db, [lib.root], { workers: 2 });
  });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    lib.cleanup();
  });

  it('reads nothing again when nothing changed', async () => {
    const before = store.query({ limit: 1000 }).files.map((f) => [f.id, f.scannedAt]);
    const r = await scanLibrary(db, [lib.root], { workers: 2 });
    assert.equal(r.unchanged, lib.files.length);
    assert.equal(r.added + r.updated + r.moved + r.missing, 0);
    assert.deepEqual(store.query({ limit: 1000 }).files.map((f) => [f.id, f.scannedAt]), before);
  });

  it('re-reads a file whose content and time changed, keeping its identity', async () => {
    const path = rel('ogg/vorbis.ogg');
    const id = store.getByPath(path)!.id;
    ffmpeg([...SOUNDS.tone(3, 880), '-c:a', 'libvorbis', '-metadata', 'title=Vorbis Remastered', '-metadata', 'genre=Drone', path]);
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    const r = await scanLibrary(db, [lib.root], { workers: 2 });
    assert.equal(r.updated, 1);
    const f = store.getByPath(path)!;
    assert.equal(f.id, id);
    assert.equal(f.title, 'Vorbis Remastered');
    assert.deepEqual(f.genres, ['Drone']);
    assert.deepEqual(store.query({ genre: 'Ambient' }).files.length, 0, 'old genre rows are replaced');
  });

  it('keeps the history of a renamed file and of a file moved to another folder', async () => {
    const a = store.getByPath(rel('Artist A/Album One/02 List.mp3'))!;
    const b = store.getByPath(rel('wma/tone.wma'))!;
    renameSync(rel('Artist A/Album One/02 List.mp3'), rel('Artist A/Album One/02 List (renamed).mp3'));
    mkdirSync(rel('moved here'), { recursive: true });
    renameSync(rel('wma/tone.wma'), rel('moved here/tone.wma'));
    const r = await scanLibrary(db, [lib.root], { workers: 2 });
    assert.equal(r.moved, 2);
    assert.equal(r.added, 0);
    assert.equal(r.missing, 0);
    assert.equal(store.getByPath(rel('Artist A/Album One/02 List (renamed).mp3'))?.id, a.id);
    assert.equal(store.getByPath(rel('moved here/tone.wma'))?.id, b.id);
    assert.equal(store.getByPath(rel('Artist A/Album One/02 List.mp3')), null);
  });

  it('recognises a copy-then-delete move (new inode) by content identity', async () => {
    const before = store.getByPath(rel('m4a/aac.m4a'))!;
    cpSync(rel('m4a/aac.m4a'), rel('moved here/aac copy.m4a'));
    rmSync(rel('m4a/aac.m4a'));
    const r = await scanLibrary(db, [lib.root], { workers: 2 });
    assert.equal(r.moved, 1);
    assert.equal(store.getByPath(rel('moved here/aac copy.m4a'))?.id, before.id);
  });

  it('marks deleted files missing without forgetting them, and restores them when they come back', async () => {
    const gone = store.getByPath(rel('aiff/tone.aiff'))!;
    renameSync(rel('aiff'), join(dir, 'aiff-away'));
    let r = await scanLibrary(db, [lib.root], { workers: 2 });
    assert.equal(r.missing, 1);
    const m = store.getByPath(rel('aiff/tone.aiff'))!;
    assert.equal(m.status, 'missing');
    assert.equal(m.id, gone.id);
    assert.ok(m.missingSince);
    assert.deepEqual(m.genres, ['Folk'], 'what was known is kept');
    // the "drive" comes back unchanged
    renameSync(join(dir, 'aiff-away'), rel('aiff'));
    r = await scanLibrary(db, [lib.root], { workers: 2 });
    const back = store.getByPath(rel('aiff/tone.aiff'))!;
    assert.equal(back.status, 'ok');
    assert.equal(back.id, gone.id);
    assert.equal(back.missingSince, null);
    assert.equal(r.added, 0);
  });

  it('keeps an unreachable root\'s files and reports the root', async () => {
    const count = store.query({ limit: 1000 }).total;
    const r = await scanLibrary(db, [join(dir, 'no such folder')], { workers: 2 });
    assert.equal(r.rootErrors.length, 1);
    assert.match(r.rootErrors[0]!.message, /no such folder: not found/);
    assert.equal(store.query({ limit: 1000 }).total, count);
  });

  it('adds new files and re-reads a file that was broken and is now fixed', async () => {
    mkdirSync(rel('new'));
    ffmpeg([...SOUNDS.noise(1), '-c:a', 'libopus', '-metadata', 'genre=Noise', rel('new/arrival.opus')]);
    ffmpeg([...SOUNDS.tone(1, 300), '-c:a', 'libmp3lame', '-metadata', 'title=Notes Fixed', rel('broken/notes.mp3')]);
    utimesSync(rel('broken/notes.mp3'), new Date(), new Date(Date.now() + 10_000));
    const r = await scanLibrary(db, [lib.root], { workers: 2 });
    assert.equal(r.added, 1);
    assert.deepEqual(store.getByPath(rel('new/arrival.opus'))?.genres, ['Noise']);
    const fixed = store.getByPath(rel('broken/notes.mp3'))!;
    assert.equal(fixed.status, 'ok');
    assert.equal(fixed.errorKind, null);
    assert.equal(fixed.title, 'Notes Fixed');
  });
});
