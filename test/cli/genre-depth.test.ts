// The genre depth setting and the library's spellings, end to end as a person at the command line meets them:
// `spectag settings --genre-depth`, then accepting a multi-label suggestion writes its genres at that depth
// ("Electronic › Drum & Bass": "Electronic; Drum & Bass", "Drum & Bass" or "Electronic"), spelled as the library
// already spells them ("Drum and Bass", "Hip Hop"), and `spectag write` puts exactly that into the file.
// Real files made by ffmpeg, a real library database; the suggestion sets are stored as the analysis stores them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { spectag as run } from '../helpers/cli.js';
import { mmView } from '../helpers/tag-fixtures.js';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { PredictionStore } from '../../electron/core/db/predictions.js';
import type { GenrePrediction } from '../../electron/shared/genres-model.js';

const dir = mkdtempSync(join(tmpdir(), 'spectag-depth-'));
const music = join(dir, 'Music');
const db = join(dir, 'lib.sqlite');
const path = (name: string) => join(music, name);
const spectag = (args: string[]) => run([...args, '--db', db]);

const suggestion = (top: [string, number][]): GenrePrediction => ({
  modelId: 'spectag-genre', modelVersion: '2+000000000000.00000000', genres: top.map(([g]) => g),
  probabilities: Object.fromEntries(top), top: top.map(([genre, probability]) => ({ genre, probability })), unsure: false, excerpts: [],
});

before(() => {
  mkdirSync(music);
  const mp3 = (name: string, hz: number, genre?: string) =>
    ffmpeg([...SOUNDS.tone(2, hz), ...(genre ? ['-metadata', `genre=${genre}`] : []), '-c:a', 'libmp3lame', '-b:a', '64k', path(name)]);
  for (const n of [1, 2, 3]) mp3(`new${n}.mp3`, 300 + n);
  for (const n of [1, 2]) mp3(`rap${n}.mp3`, 350 + n);
  mp3('tagged-dnb.mp3', 400, 'Drum and Bass');
  mp3('tagged-rap.mp3', 450, 'Hip Hop');
  assert.equal(spectag(['scan', music]).code, 0);
  const d = openDatabase(db);
  const files = new FileStore(d);
  const store = new PredictionStore(d);
  for (const n of [1, 2, 3]) store.save(files.getByPath(path(`new${n}.mp3`))!.id, suggestion([['drum-and-bass', 0.81], ['soundtrack', 0.64]]), {});
  for (const n of [1, 2]) store.save(files.getByPath(path(`rap${n}.mp3`))!.id, suggestion([['hip-hop', 0.9]]), {});
  d.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

function accepted(file: string): string[] {
  const r = spectag(['decide', path(file), '--accept-suggestions', '--json']);
  assert.equal(r.code, 0, r.err);
  return (JSON.parse(r.out) as { recorded: { genres: string[] }[] }).recorded[0]!.genres;
}

test('the depth setting decides what accepting a style writes, in the library’s spellings', () => {
  assert.match(spectag(['settings']).out, /genre depth: genre\+style/);
  assert.deepEqual(accepted('new1.mp3'), ['Electronic', 'Drum and Bass', 'Soundtrack']);
  assert.deepEqual(accepted('rap1.mp3'), ['Hip Hop'], 'a genre without a parent is itself at every depth');
  assert.equal(spectag(['settings', '--genre-depth', 'style']).code, 0);
  assert.deepEqual(accepted('new2.mp3'), ['Drum and Bass', 'Soundtrack']);
  const json = JSON.parse(spectag(['settings', '--genre-depth', 'genre', '--json']).out) as { genreDepth: string };
  assert.equal(json.genreDepth, 'genre');
  assert.deepEqual(accepted('new3.mp3'), ['Electronic', 'Soundtrack']);
  assert.deepEqual(accepted('rap2.mp3'), ['Hip Hop']);
  const bad = spectag(['settings', '--genre-depth', 'subgenre']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--genre-depth must be one of genre, genre\+style, style/);
  assert.match(spectag(['settings']).out, /genre depth: genre \(/, 'a refused change changes nothing');
});

test('a file without a suggestion is named and left undecided (exit 1); the write puts each accepted set into its file', async () => {
  const r = spectag(['decide', path('tagged-dnb.mp3'), '--accept-suggestions']);
  assert.equal(r.code, 1);
  assert.match(r.err, /left undecided: .*tagged-dnb\.mp3/);
  assert.equal(spectag(['write']).code, 0);
  assert.deepEqual((await mmView(path('new1.mp3'))).genres, ['Electronic', 'Drum and Bass', 'Soundtrack']);
  assert.deepEqual((await mmView(path('new2.mp3'))).genres, ['Drum and Bass', 'Soundtrack']);
  assert.deepEqual((await mmView(path('new3.mp3'))).genres, ['Electronic', 'Soundtrack']);
  assert.deepEqual((await mmView(path('rap1.mp3'))).genres, ['Hip Hop']);
  assert.deepEqual((await mmView(path('tagged-dnb.mp3'))).genres, ['Drum and Bass'], 'untouched');
});
