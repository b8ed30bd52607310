// The shipped genre vocabulary: a consistent tree over AudioSet's music classes, the names people tag with,
// and the depth setting's effect on what a suggestion writes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  GENRE_VOCABULARY, idsAtDepth, matchVocabulary, vocabularyLabel, vocabularyPath,
} from '../../electron/shared/genre-vocabulary.js';
import { MODEL_GENRES } from '../../electron/shared/genres-model.js';
import { genreKey } from '../../electron/shared/personal.js';

const labels = JSON.parse(
  readFileSync(new URL('../../../native-models/efficientat-mn04/labels.json', import.meta.url), 'utf8'),
) as { classes: { index: number; name: string }[] };

describe('genre vocabulary', () => {
  it('is a tree: unique ids, parents exist and are top-level genres, roles have no parent', () => {
    const ids = new Set(GENRE_VOCABULARY.map((e) => e.id));
    assert.equal(ids.size, GENRE_VOCABULARY.length);
    for (const e of GENRE_VOCABULARY) {
      if (e.kind === 'style') {
        const parent = GENRE_VOCABULARY.find((p) => p.id === e.parent);
        assert.ok(parent && parent.kind === 'genre', `${e.id}: parent ${e.parent}`);
      } else {
        assert.equal(e.parent, null, e.id);
      }
    }
    console.log(`  ${GENRE_VOCABULARY.length} entries: ${GENRE_VOCABULARY.filter((e) => e.kind === 'genre').length} genres, `
      + `${GENRE_VOCABULARY.filter((e) => e.kind === 'style').length} styles with a parent, ${GENRE_VOCABULARY.filter((e) => e.kind === 'role').length} roles`);
  });

  it('speaks for AudioSet music classes, each class for one entry', () => {
    const used = new Map<number, string>();
    for (const e of GENRE_VOCABULARY) {
      assert.ok(e.audioset.length > 0, e.id);
      for (const i of e.audioset) {
        assert.ok(labels.classes[i], `${e.id}: class ${i}`);
        assert.ok(!used.has(i), `class ${i} (${labels.classes[i]!.name}) used by ${used.get(i)} and ${e.id}`);
        used.set(i, e.id);
      }
    }
    const name = (id: string) => labels.classes[GENRE_VOCABULARY.find((e) => e.id === id)!.audioset[0]!]!.name;
    assert.equal(name('drum-and-bass'), 'Drum and bass');
    assert.equal(name('video-game'), 'Video game music');
    assert.equal(name('soundtrack'), 'Soundtrack music');
    assert.equal(name('children'), 'Music for children');
    assert.equal(name('metal'), 'Heavy metal');
    // every AudioSet music genre and role class from Pop music (216) to Wedding music (275) is offered,
    // except the two that are not genres people tag: Beatboxing (a technique) and Song (a concept)
    for (let i = 216; i <= 275; i++) {
      if (i === 218 || i === 266) continue;
      assert.ok(used.has(i), `class ${i} (${labels.classes[i]!.name}) has no entry`);
    }
  });

  it('holds every genre of the trained head under the same id', () => {
    for (const id of MODEL_GENRES) assert.ok(GENRE_VOCABULARY.some((e) => e.id === id), id);
  });

  it('no two entries share a spelling', () => {
    const seen = new Map<string, string>();
    for (const e of GENRE_VOCABULARY) {
      for (const sp of [e.name, e.id, ...e.aliases]) {
        const k = genreKey(sp);
        const other = seen.get(k);
        assert.ok(other === undefined || other === e.id, `"${sp}" means both ${other} and ${e.id}`);
        seen.set(k, e.id);
      }
    }
  });

  it('recognises the spellings found in real libraries', () => {
    const cases: [string, string][] = [
      ['hip hop', 'hip-hop'], ['HipHop', 'hip-hop'], ["Drum 'n' Bass", 'drum-and-bass'], ['drum_bass', 'drum-and-bass'],
      ['DnB', 'drum-and-bass'], ['OST', 'soundtrack'], ['Soundtrack', 'soundtrack'], ['Game Soundtrack', 'video-game'],
      ['R&B', 'r-and-b'], ['Rhythm & Blues', 'r-and-b'], ['Heavy Metal', 'metal'], ['Kids', 'children'],
      ['Electronica', 'electronica'], ['Electronic', 'electronic'],
    ];
    for (const [spelling, id] of cases) assert.equal(matchVocabulary(spelling)?.id, id, spelling);
    assert.equal(matchVocabulary('Polka'), undefined);
  });

  it('shows a style under its genre and writes it at the chosen depth', () => {
    assert.equal(vocabularyLabel('drum-and-bass'), 'Electronic › Drum & Bass');
    assert.equal(vocabularyLabel('jazz'), 'Jazz');
    assert.deepEqual(vocabularyPath('metal').map((e) => e.id), ['rock', 'metal']);
    assert.deepEqual(idsAtDepth('drum-and-bass', 'genre'), ['electronic']);
    assert.deepEqual(idsAtDepth('drum-and-bass', 'genre+style'), ['electronic', 'drum-and-bass']);
    assert.deepEqual(idsAtDepth('drum-and-bass', 'style'), ['drum-and-bass']);
    for (const depth of ['genre', 'genre+style', 'style'] as const) {
      assert.deepEqual(idsAtDepth('jazz', depth), ['jazz']);
      assert.deepEqual(idsAtDepth('soundtrack', depth), ['soundtrack']);
    }
  });
});
