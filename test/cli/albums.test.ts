// `spectag albums` and `spectag decide --album` as a script runs them: a library made with ffmpeg, scanned by
// the command line, the genre model's predictions stored for its tracks (storeAlbumPredictions); albums listed (text and JSON,
// filtered), an album accepted by folder leaving its stray track out, an album corrected by id, bad input.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../electron/core/db/open.js';
import type { AlbumRow } from '../../electron/shared/api.js';
import { makeAlbumLibrary, storeAlbumPredictions, type AlbumLibrary } from '../helpers/album-library.js';
import { spectag } from '../helpers/cli.js';

describe('spectag albums / decide --album', () => {
  let lib: AlbumLibrary;
  let dir: string;
  let db: string;

  before(() => {
    lib = makeAlbumLibrary();
    dir = mkdtempSync(join(tmpdir(), 'spectag-cli-albums-'));
    db = join(dir, 'library.sqlite');
    const scan = spectag(['scan', lib.root, '--db', db]);
    assert.equal(scan.code, 0, scan.err);
    const conn = openDatabase(db);
    storeAlbumPredictions(conn, lib);
    conn.close();
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    lib.cleanup();
  });

  const albums = (...args: string[]): { total: number; albums: AlbumRow[] } => {
    const r = spectag(['albums', '--json', '--db', db, ...args]);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out) as { total: number; albums: AlbumRow[] };
  };

  it('lists albums with suggestion and agreement, as text and JSON, filtered', () => {
    const all = albums();
    assert.equal(all.total, 6);
    const folk = all.albums.find((a) => a.title === 'Quiet Songs')!;
    assert.equal(folk.suggested, 'Folk');
    assert.equal(folk.agreement, 0.8);
    assert.equal(folk.outliers, 1);
    assert.deepEqual(albums('--genre', 'Folk').albums.map((a) => a.title), ['Quiet Songs']);
    assert.equal(albums('--missing-genre').total, 6);
    assert.deepEqual(albums('--suggested', 'Rock').albums.map((a) => a.title), ['Double Album']);
    assert.deepEqual(albums('--status', 'unanalysed').albums.map((a) => a.title).sort(), ['Greatest Hits', 'Greatest Hits']);
    assert.deepEqual(albums('--status', 'unsure').albums.map((a) => a.title), ['Untagged Mix']);
    const text = spectag(['albums', '--db', db, '--sort', 'confidence', '--desc', '--limit', '2']);
    assert.equal(text.code, 0, text.err);
    const lines = text.out.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /Big Artist – Double Album \(1995\)\t6 tracks\t\(no genre\)\t→ Rock 90%, agreement 100%/);
    assert.match(lines[1]!, /Folk Band – Quiet Songs \(1971\)\t5 tracks\tFolk\t→ Folk 64%, agreement 80%, 1 disagreeing/);
    assert.match(text.err, /2 of 6 shown/);
  });

  it('accepts an album by its folder, leaving out the track that disagrees, and corrects one by id', () => {
    const r = spectag(['decide', '--album', lib.folders.folk, '--accept-suggestions', '--db', db]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Folk Band – Quiet Songs\tFolk\t4 tracks, 1 left out/);
    assert.ok(r.out.includes(`left out: ${lib.folk[4]}`), r.out);
    const folk = albums('--search', 'quiet').albums[0]!;
    assert.equal(folk.status, 'partly-decided');
    const double = albums('--search', 'double').albums[0]!;
    const j = spectag(['decide', '--album', String(double.id), '--genre', 'Art Rock', '--genre', 'Rock', '--json', '--db', db]);
    assert.equal(j.code, 0, j.err);
    const out = JSON.parse(j.out) as { albums: { decided: number[]; genres: string[] }[] };
    assert.equal(out.albums[0]!.decided.length, 6);
    assert.deepEqual(out.albums[0]!.genres, ['Art Rock', 'Rock']);
    const list = spectag(['write', '--dry-run', lib.folders.double, '--db', db]);
    assert.equal(list.code, 0, list.err);
    assert.equal((list.out.match(/Art Rock; Rock/g) ?? []).length, 6, list.out);
  });

  it('says what it could not do: no album there, no confident suggestion, bad command lines', () => {
    const none = spectag(['decide', '--album', join(lib.root, 'Nowhere'), '--reject', '--db', db]);
    assert.equal(none.code, 1);
    assert.match(none.err, /no album at .*Nowhere/);
    const unsure = spectag(['decide', '--album', lib.folders.untagged, '--accept-suggestions', '--db', db]);
    assert.equal(unsure.code, 1);
    assert.match(unsure.err, /no confident suggestion/);
    assert.equal(spectag(['decide', '--album', '1', '--accept-suggestions', '--genre', 'Rock', '--db', db]).code, 2);
    assert.equal(spectag(['decide', lib.loose, '--accept-suggestions', '--reject', '--db', db]).code, 2);
    assert.equal(spectag(['albums', '--status', 'nope', '--db', db]).code, 2);
  });
});
