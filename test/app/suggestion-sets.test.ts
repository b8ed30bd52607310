// Multi-label suggestions as a person meets them in the window (the app API that the window and web mode call)
// and at the command line: a track suggested "Classical › Orchestral" and "Video Game Music" is found by
// "suggested Video Game Music" (the second member of its set) and by "suggested Classical" (a style counts for its
// genre); its row carries the whole set and what accepting records; the table still sorts by the best member's
// confidence; counts, bulk accept of one genre, albums and `spectag list` read the set the same way.
// Real MP3s made by ffmpeg, scanned by `spectag scan` into a real SQLite library; the suggestion sets are stored as
// the analysis stores them (PredictionStore.save), so which track is suggested what is known.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { spectag } from '../helpers/cli.js';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { PredictionStore } from '../../electron/core/db/predictions.js';
import { EngineService } from '../../electron/core/service/engine.js';
import type { LibraryRow, ReviewedFile } from '../../electron/shared/api.js';
import type { GenrePrediction } from '../../electron/shared/genres-model.js';

/** A stored prediction whose suggestion set is `set` (best first); `unsure`: nothing confident, no set. */
const prediction = (set: [string, number][], unsure = false): GenrePrediction => ({
  modelId: 'spectag-genre', modelVersion: '2+000000000000.00000000', genres: set.map(([g]) => g),
  probabilities: Object.fromEntries(set), top: set.map(([genre, probability]) => ({ genre, probability })), unsure, excerpts: [],
});

// file → [album folder, tags' genre, suggestion set]
const TRACKS: Record<string, { album: string; genre?: string; set: [string, number][] | 'unsure' | null }> = {
  'Overture': { album: 'Score', set: [['orchestral', 0.8], ['video-game', 0.6]] },
  'Battle': { album: 'Score', set: [['orchestral', 0.7], ['video-game', 0.65]] },
  'Level': { album: 'Games', set: [['video-game', 0.81]] },
  'Riff': { album: 'Rock', set: [['rock', 0.9], ['soundtrack', 0.6]] },
  'Adagio': { album: 'Classics', genre: 'Classical', set: [['classical', 0.75]] },
  'Quiet': { album: 'Misc', set: 'unsure' },
  'New': { album: 'Misc', set: null },
};

describe('suggestion sets in the library, the albums and the command line', () => {
  let dir: string;
  let db: string;
  let service: EngineService;
  const paths: Record<string, string> = {};
  const ids: Record<string, number> = {};
  const titles = (rows: readonly { title: string | null }[]) => rows.map((r) => r.title).sort();

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-sets-'));
    db = join(dir, 'library.sqlite');
    let hz = 300;
    for (const [title, t] of Object.entries(TRACKS)) {
      mkdirSync(join(dir, 'Music', t.album), { recursive: true });
      paths[title] = join(dir, 'Music', t.album, `${title}.mp3`);
      const tags = { title, album: t.album, artist: 'Someone', ...(t.genre ? { genre: t.genre } : {}) };
      ffmpeg([...SOUNDS.tone(1, (hz += 40)), '-c:a', 'libmp3lame', '-b:a', '64k', ...Object.entries(tags).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]), paths[title]]);
    }
    const scanned = spectag(['scan', join(dir, 'Music'), '--db', db]);
    assert.equal(scanned.code, 0, scanned.err);
    const d = openDatabase(db);
    const files = new FileStore(d);
    const store = new PredictionStore(d);
    for (const [title, t] of Object.entries(TRACKS)) {
      ids[title] = files.getByPath(paths[title]!)!.id;
      if (t.set === 'unsure') store.save(ids[title]!, prediction([['jazz', 0.4]], true), {});
      else if (t.set) store.save(ids[title]!, prediction(t.set), {});
    }
    d.close();
    service = new EngineService({ dbPath: db, host: 'web', model: false });
  });
  after(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds a track by any member of its set, under the names a person uses, and counts what it lists', async () => {
    const vgm = await service.queryLibrary({ suggested: 'Video Game Music', limit: 100 });
    assert.deepEqual(titles(vgm.rows), ['Battle', 'Level', 'Overture'], 'the second member of a set counts as much as the first');
    assert.equal(vgm.total, 3);
    assert.equal((await service.queryLibrary({ suggested: 'vgm', limit: 100 })).total, 3, 'any spelling the vocabulary knows');
    assert.deepEqual(titles((await service.queryLibrary({ suggested: 'Classical', limit: 100 })).rows), ['Adagio', 'Battle', 'Overture'],
      'a style counts for its genre: "Classical" finds "Classical › Orchestral"');
    assert.deepEqual(titles((await service.queryLibrary({ suggested: 'Orchestral', limit: 100 })).rows), ['Battle', 'Overture']);
    assert.deepEqual(titles((await service.queryLibrary({ suggested: 'Soundtrack', status: 'suggested', limit: 100 })).rows), ['Riff']);
    assert.equal((await service.queryLibrary({ suggested: 'Jazz', limit: 100 })).total, 0, 'an unsure track is suggested nothing');
    // the window's Suggested filter lists the genres with these counts
    const count = new Map((await service.vocabulary()).map((v) => [v.genre, v.suggested]));
    assert.deepEqual([count.get('Video Game Music'), count.get('Classical'), count.get('Orchestral'), count.get('Soundtrack')], [3, 3, 2, 1]);
  });

  it('gives each row its whole set, best first, with labels and confidences, and what accepting records', async () => {
    const [overture] = (await service.queryLibrary({ text: 'Overture' })).rows as [LibraryRow];
    assert.equal(overture.suggested, 'Orchestral');
    assert.equal(overture.confidence, 0.8);
    assert.deepEqual(overture.suggestions, [
      { genre: 'Orchestral', label: 'Classical › Orchestral', probability: 0.8 },
      { genre: 'Video Game Music', label: 'Video Game Music', probability: 0.6 },
    ]);
    assert.deepEqual(overture.accepts, ['Classical', 'Orchestral', 'Video Game Music'], 'the whole set at the default depth (genre + style)');
    assert.deepEqual(overture.accepts, (await service.getTrack({ id: ids['Overture']! })).accepts, 'the table and the track pane agree');
    const [quiet] = (await service.queryLibrary({ text: 'Quiet' })).rows as [LibraryRow];
    assert.deepEqual([quiet.status, quiet.suggested, quiet.suggestions, quiet.accepts], ['unsure', null, [], []]);
    await service.updateAppSettings({ genreDepth: 'style' });
    const [again] = (await service.queryLibrary({ text: 'Overture' })).rows as [LibraryRow];
    assert.deepEqual(again.accepts, ['Orchestral', 'Video Game Music'], 'the depth setting as it is now');
    await service.updateAppSettings({ genreDepth: 'genre+style' });
  });

  it('sorts by the best suggestion’s confidence', async () => {
    const rows = (await service.queryLibrary({ status: 'suggested', sort: 'confidence', descending: true, limit: 100 })).rows;
    assert.deepEqual(rows.map((r) => r.title), ['Riff', 'Level', 'Overture', 'Adagio', 'Battle']);
  });

  it('shows an album suggested several genres under each of them', async () => {
    const score = (await service.queryAlbums({ text: 'Score' })).rows[0]!;
    assert.deepEqual(score.suggestion.map((s) => s.genre), ['Orchestral', 'Video Game Music'], 'the album suggestion holds both');
    assert.deepEqual((await service.queryAlbums({ suggested: 'Video Game Music' })).rows.map((a) => a.title).sort(), ['Games', 'Score']);
    assert.deepEqual((await service.queryAlbums({ suggested: 'Classical' })).rows.map((a) => a.title).sort(), ['Classics', 'Score']);
    const tracks = (await service.getAlbum({ id: score.id })).tracks;
    assert.deepEqual(tracks.map((t) => t.suggestions.map((s) => s.genre)), [['Orchestral', 'Video Game Music'], ['Orchestral', 'Video Game Music']]);
  });

  it('lists and filters the same way at the command line', () => {
    const list = (...args: string[]) => spectag(['list', '--db', db, ...args]);
    const json = list('--suggested', 'Video Game Music', '--json');
    assert.equal(json.code, 0, json.err);
    const { total, files } = JSON.parse(json.out) as { total: number; files: ReviewedFile[] };
    assert.equal(total, 3);
    assert.deepEqual(files.map((f) => f.title).sort(), ['Battle', 'Level', 'Overture']);
    const overture = files.find((f) => f.title === 'Overture')!;
    assert.equal(overture.suggested, 'Orchestral');
    assert.deepEqual(overture.suggestions.map((s) => [s.label, s.probability]), [['Classical › Orchestral', 0.8], ['Video Game Music', 0.6]]);
    const text = list('--suggested', 'classical');
    assert.equal(text.code, 0, text.err);
    const lines = text.out.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.ok(lines.some((l) => l.startsWith(paths['Overture']!) && l.includes('\t→ Orchestral 80%; Video Game Music 60%\t')), text.out);
    assert.ok(lines.some((l) => l.startsWith(paths['Adagio']!) && l.includes('\tClassical\t→ Classical 75%\t')), text.out);
    assert.equal(JSON.parse(list('--suggested', 'Polka', '--json').out).total, 0, 'a genre nobody is suggested: nothing, no error');
  });

  it('bulk accepts one genre wherever it stands in the set, at its own confidence, recording the members that reach it', async () => {
    const preview = await service.bulkAcceptPreview({ minConfidence: 0.62, genre: 'Video Game Music' });
    assert.equal(preview.count, 2, 'Battle (0.65) and Level (0.81); Overture’s 0.60 is below the bar');
    assert.deepEqual(await service.bulkAccept({ minConfidence: 0.62, genre: 'Video Game Music' }), { accepted: 2 });
    const [battle] = (await service.queryLibrary({ text: 'Battle' })).rows as [LibraryRow];
    assert.equal(battle.status, 'accepted');
    assert.deepEqual(battle.decided, ['Classical', 'Orchestral', 'Video Game Music']);
    assert.deepEqual(titles((await service.queryLibrary({ suggested: 'Video Game Music', status: 'suggested', limit: 100 })).rows), ['Overture'],
      'what is left to review under that genre');
    const count = new Map((await service.vocabulary()).map((v) => [v.genre, v.suggested]));
    assert.equal(count.get('Video Game Music'), 1, 'the count is of undecided tracks, as the filter with status "suggested" finds');
  });
});
