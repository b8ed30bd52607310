// Albums end to end over a library made with ffmpeg and a real SQLite file: the grouping (album + album
// artist, a compilation, a two-disc set, a folder without album tags, same title by two artists, a loose
// track), the aggregated suggestion with its confidence, agreement and the stray track, album decisions
// (accept leaves the stray out, correct, reject, moving a track out and back, undo), bulk accept by album
// confidence, and the dry run and write of one album into its files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineService } from '../../electron/core/service/engine.js';
import { FileStore } from '../../electron/core/db/files.js';
import type { AlbumRow } from '../../electron/shared/api.js';
import { makeAlbumLibrary, storeAlbumPredictions, type AlbumLibrary } from '../helpers/album-library.js';
import { waitForJob } from '../app/wait-for-job.js';
import { readAudioFile } from '../../electron/core/library/read-file.js';

describe('albums over an ffmpeg-made library', () => {
  let lib: AlbumLibrary;
  let dir: string;
  let engine: EngineService;
  const idOf = new Map<string, number>();
  const album = async (title: string, artist?: string): Promise<AlbumRow> => {
    const rows = (await engine.queryAlbums({ limit: 1000 })).rows.filter((a) => a.title === title && (artist == null || a.artist === artist));
    assert.equal(rows.length, 1, `one album "${title}"`);
    return rows[0]!;
  };

  before(async () => {
    lib = makeAlbumLibrary();
    dir = mkdtempSync(join(tmpdir(), 'spectag-albums-db-'));
    const dbPath = join(dir, 'library.sqlite');
    const first = new EngineService({ dbPath, host: 'cli', model: false, retrain: 'explicit' });
    await first.services.library.scan([lib.root]);
    const files = new FileStore(first.db);
    for (const p of [...lib.folk, ...lib.compilation, ...lib.double, ...lib.untagged, ...lib.hitsA, ...lib.hitsB, lib.loose]) {
      idOf.set(p, files.getByPath(p)!.id);
    }
    storeAlbumPredictions(first.db, lib);
    await first.close();
    // a new engine picks the stored model's predictions up, as the window does
    engine = new EngineService({ dbPath, host: 'web', model: false, retrain: 'explicit' });
  });
  after(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
    lib.cleanup();
  });

  it('groups by album and album artist, with compilations, disc sets and folders', async () => {
    const page = await engine.queryAlbums({ limit: 1000 });
    assert.equal(page.total, 6, page.rows.map((a) => `${a.artist} – ${a.title}`).join(', '));
    const folk = await album('Quiet Songs');
    assert.equal(folk.tracks, 5, 'tracks without the album artist tag join the album of their folder');
    assert.equal(folk.artist, 'Folk Band');
    assert.equal(folk.year, 1971);
    assert.equal(folk.coverFileId, idOf.get(lib.folk[0]!), 'the track with the embedded picture is the cover');
    assert.deepEqual(folk.genres, [{ genre: 'Folk', tracks: 2 }]);
    assert.equal(folk.untagged, 3);
    const comp = await album('Summer Hits');
    assert.equal(comp.compilation, true);
    assert.equal(comp.artist, 'Various Artists');
    assert.equal(comp.tracks, 4);
    const double = await album('Double Album');
    assert.equal(double.tracks, 6, 'both discs are one album');
    assert.equal(double.discs, 2);
    assert.equal(double.folder, lib.folders.double);
    const mix = await album('Untagged Mix');
    assert.equal(mix.groupedBy, 'folder');
    assert.equal(mix.tracks, 3);
    assert.equal((await album('Greatest Hits', 'Artist A')).tracks, 1, 'the same title by two artists: two albums');
    assert.equal((await album('Greatest Hits', 'Artist B')).tracks, 1);
    const all = (await engine.queryAlbums({ limit: 1000 })).rows;
    const details = await Promise.all(all.map((a) => engine.getAlbum({ id: a.id })));
    assert.ok(!details.some((d) => d.tracks.some((t) => t.fileId === idOf.get(lib.loose))), 'a loose track in the library folder is in no album');
    assert.deepEqual((await engine.getAlbum({ id: double.id })).tracks.map((t) => `${t.discNo}.${t.trackNo}`), ['1.1', '1.2', '1.3', '2.1', '2.2', '2.3']);
  });

  it('reads the compilation flag from the tags', () => {
    return readAudioFile(lib.compilation[0]!).then((r) => assert.equal(r.ok && r.tags.compilation, true));
  });

  it('aggregates the tracks\' predictions into one suggestion, with agreement and the stray track flagged', async () => {
    const folk = await album('Quiet Songs');
    // the genre vocabulary's Folk, under the spelling the library's files use
    assert.equal(folk.suggested, 'Folk');
    assert.ok(Math.abs(folk.confidence! - (4 * 0.8 + 0.02) / 5) < 1e-9, `confidence ${folk.confidence}`);
    assert.equal(folk.agreement, 0.8);
    assert.equal(folk.outliers, 1);
    assert.equal(folk.status, 'suggested');
    const tracks = (await engine.getAlbum({ id: folk.id })).tracks;
    assert.deepEqual(tracks.filter((t) => t.outlier).map((t) => t.path), [lib.folk[4]]);
    const comp = await album('Summer Hits');
    assert.equal(comp.suggested?.toLowerCase(), 'pop');
    assert.equal(comp.agreement, 0.75);
    assert.equal(comp.outliers, 0, 'a track that leans elsewhere but still hears the album\'s genre is no stray');
    const double = await album('Double Album');
    assert.ok(Math.abs(double.confidence! - 0.9) < 1e-9);
    assert.equal(double.agreement, 1);
    const mix = await album('Untagged Mix');
    assert.equal(mix.unsure, true);
    assert.equal(mix.status, 'unsure');
    assert.equal((await album('Greatest Hits', 'Artist A')).status, 'unanalysed');
  });

  it('filters albums: genre in the files, missing genre, suggestion, status, confidence, text', async () => {
    const titles = async (q: Parameters<EngineService['queryAlbums']>[0]) => (await engine.queryAlbums(q)).rows.map((a) => a.title).sort();
    assert.deepEqual(await titles({ genre: 'folk' }), ['Quiet Songs']);
    assert.deepEqual(await titles({ missingGenre: true }), ['Double Album', 'Greatest Hits', 'Greatest Hits', 'Quiet Songs', 'Summer Hits', 'Untagged Mix']);
    assert.deepEqual(await titles({ suggested: 'rock' }), ['Double Album']);
    assert.deepEqual(await titles({ status: 'unsure' }), ['Untagged Mix']);
    assert.deepEqual(await titles({ minConfidence: 0.85 }), ['Double Album']);
    assert.deepEqual(await titles({ text: 'big artist' }), ['Double Album']);
    const byConfidence = (await engine.queryAlbums({ sort: 'confidence', descending: true, limit: 2 })).rows.map((a) => a.title);
    assert.deepEqual(byConfidence, ['Double Album', 'Quiet Songs']);
  });

  it('accepts an album in one step, leaving the stray track out; undo takes the whole album back', async () => {
    const folk = await album('Quiet Songs');
    const r = await engine.decideAlbum({ albumId: folk.id, action: 'accept' });
    assert.deepEqual(r.genres, ['Folk']);
    assert.equal(r.decided.length, 4);
    assert.deepEqual(r.leftOut, [idOf.get(lib.folk[4]!)]);
    assert.equal(r.album.status, 'partly-decided', 'the stray track is still to decide');
    const stray = (await engine.getTrack({ id: idOf.get(lib.folk[4]!)! }));
    assert.equal(stray.decision, null);
    assert.equal((await engine.undoDecision())?.fileId, r.decided[0]);
    assert.equal((await album('Quiet Songs')).status, 'suggested', 'one undo takes the album decision back');
    assert.equal((await engine.getTrack({ id: r.decided[3]! })).decision, null);
  });

  it('moves a track out of the album decision and back in', async () => {
    const folk = await album('Quiet Songs');
    const strayId = idOf.get(lib.folk[4]!)!;
    // kept in: accepting the album covers it too
    let d = await engine.setAlbumMembership({ fileId: strayId, choice: 'in' });
    assert.equal(d.tracks.find((t) => t.fileId === strayId)?.choice, 'in');
    let r = await engine.decideAlbum({ albumId: folk.id, action: 'accept' });
    assert.equal(r.decided.length, 5);
    assert.equal(r.album.status, 'decided');
    await engine.undoDecision();
    // moved out: even a correction of the album leaves it alone, and it is decided on its own
    const thirdId = idOf.get(lib.folk[2]!)!;
    d = await engine.setAlbumMembership({ fileId: thirdId, choice: 'out' });
    r = await engine.decideAlbum({ albumId: folk.id, action: 'correct', genres: ['Folk', 'Singer-Songwriter'] });
    assert.deepEqual(r.leftOut, [thirdId]);
    assert.equal(r.decided.length, 4);
    assert.deepEqual((await engine.getTrack({ id: strayId })).decision?.genres, ['Folk', 'Singer-Songwriter']);
    assert.equal((await engine.getTrack({ id: thirdId })).decision, null);
    await engine.decide({ fileId: thirdId, action: 'correct', genres: ['Folk'] });
    assert.equal((await album('Quiet Songs')).status, 'decided', 'a track out of the album does not hold it back');
    await engine.undoDecision();
    await engine.undoDecision();
    await engine.setAlbumMembership({ fileId: thirdId, choice: 'auto' });
    await engine.setAlbumMembership({ fileId: strayId, choice: 'auto' });
    assert.equal((await album('Quiet Songs')).status, 'suggested');
  });

  it('refuses to accept an album without a confident suggestion', async () => {
    const mix = await album('Untagged Mix');
    await assert.rejects(engine.decideAlbum({ albumId: mix.id, action: 'accept' }), /no confident suggestion/);
    await assert.rejects(engine.decideAlbum({ albumId: 999_999, action: 'reject' }), /no album/);
  });

  it('bulk accepts albums above a confidence, previewed, as one undoable step', async () => {
    const preview = await engine.bulkAcceptAlbumsPreview({ minConfidence: 0.85 });
    assert.equal(preview.albums, 1);
    assert.equal(preview.tracks, 6);
    assert.deepEqual(preview.byGenre.map((g) => ({ ...g, genre: g.genre.toLowerCase() })), [{ genre: 'rock', albums: 1, tracks: 6 }]);
    const wide = await engine.bulkAcceptAlbumsPreview({ minConfidence: 0.6 });
    assert.equal(wide.albums, 3);
    assert.equal(wide.tracks, 6 + 4 + 4, 'the stray folk track is not accepted with its album');
    assert.equal((await engine.bulkAcceptAlbumsPreview({ minConfidence: 0.6, minAgreement: 0.8 })).albums, 2);
    const done = await engine.bulkAcceptAlbums({ minConfidence: 0.85 });
    assert.deepEqual(done, { albums: 1, tracks: 6 });
    assert.equal((await album('Double Album')).status, 'decided');
    assert.equal((await engine.bulkAcceptAlbumsPreview({ minConfidence: 0.85 })).albums, 0, 'decided albums are not offered again');
  });

  it('dry-runs and writes one album into its files, and the album shows written', async () => {
    const double = await album('Double Album');
    const ids = (await engine.getAlbum({ id: double.id })).tracks.map((t) => t.fileId);
    const plan = await engine.planWrite({ selection: { fileIds: ids }, mode: 'replace' });
    assert.equal(plan.counts.write, 6, JSON.stringify(plan));
    assert.ok(plan.files.every((f) => f.newGenres.join() === 'Rock'), JSON.stringify(plan.files[0]));
    const job = await engine.applyWrite({ planId: plan.planId });
    const done = await waitForJob(engine, job);
    assert.equal(done.state, 'done', done.error ?? '');
    const read = await readAudioFile(lib.double[4]!);
    assert.deepEqual(read.ok && read.tags.genres, ['Rock'], 'the library spells the model\'s rock Rock');
    assert.equal((await album('Double Album')).status, 'written');
    assert.deepEqual((await album('Double Album')).genres, [{ genre: 'Rock', tracks: 6 }]);
  });
});
