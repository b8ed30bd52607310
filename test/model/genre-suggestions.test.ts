// The default model's suggestions: the trained head's genres combined with the calibrated AudioSet outputs for the
// rest of the vocabulary, as a multi-label set with a confidence each; the unsure rule; and the shipped head on a
// real file made by ffmpeg (its track result is what the stored means give, the AudioSet part is head.json's scaling).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { combineSuggestions, MAX_SUGGESTIONS } from '../../electron/core/model/genre-suggestions.js';
import { loadGenreHead, SHIPPED_HEAD_DIR } from '../../electron/core/model/genre-head.js';
import { GenrePredictor } from '../../electron/core/model/predictor.js';
import { NATIVE_MODELS_DIR } from '../../electron/core/model/paths.js';
import { GENRE_VOCABULARY } from '../../electron/shared/genre-vocabulary.js';
import { MODEL_GENRES } from '../../electron/shared/genres-model.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';

const head = { headGenres: MODEL_GENRES, confident: 0.6, runnerUp: 0.25, audiosetSure: 0.5 };
/** The head's softmax over its genres, the rest of the vocabulary low unless given. */
function probabilities(given: Record<string, number>): Record<string, number> {
  const p: Record<string, number> = Object.fromEntries(GENRE_VOCABULARY.map((e) => [e.id, 0.01]));
  return { ...p, ...given };
}

test('several genres that fit are suggested together, each with its own confidence; a style stands for its parent', () => {
  const r = combineSuggestions(probabilities({ electronic: 0.9, rock: 0.05, 'drum-and-bass': 0.81, soundtrack: 0.64, ambient: 0.3 }), head);
  assert.equal(r.unsure, false);
  assert.deepEqual(r.top, [{ genre: 'drum-and-bass', probability: 0.81 }, { genre: 'soundtrack', probability: 0.64 }]);
});

test('one style per genre: the likeliest of sibling styles that rise together', () => {
  const r = combineSuggestions(probabilities({ metal: 0.99, punk: 0.8, 'rock-and-roll': 0.74, grunge: 0.53, soundtrack: 0.55 }), head);
  assert.deepEqual(r.top.map((t) => t.genre), ['metal', 'soundtrack']);
  const electronic = combineSuggestions(probabilities({ electronic: 0.97, dubstep: 0.72, edm: 0.67, techno: 0.62, house: 0.62 }), head);
  assert.deepEqual(electronic.top, [{ genre: 'dubstep', probability: 0.72 }]);
});

test('a head genre needs the head’s confidence; an AudioSet entry its calibrated 0.5; at most a few suggestions', () => {
  // the head is unsure (0.45), but AudioSet hears a soundtrack: the track is suggested "Soundtrack" alone
  const soundtrack = combineSuggestions(probabilities({ classical: 0.45, jazz: 0.3, soundtrack: 0.7 }), head);
  assert.deepEqual(soundtrack, { top: [{ genre: 'soundtrack', probability: 0.7 }], unsure: false });
  // AudioSet's own score for a head genre does not count: the head decides its genres
  const many = combineSuggestions(probabilities({ rock: 0.7, metal: 0.2, soundtrack: 0.9, 'video-game': 0.8, christmas: 0.6, dance: 0.55, jingle: 0.52 }), head);
  assert.equal(many.top.length, MAX_SUGGESTIONS);
  assert.deepEqual(many.top.map((t) => t.genre), ['soundtrack', 'video-game', 'rock', 'christmas']);
});

test('unsure when no entry clears its threshold: the head’s best genre and close runners-up are offered as a question', () => {
  const q = combineSuggestions(probabilities({ blues: 0.5, jazz: 0.3, rock: 0.2, children: 0.4 }), head);
  assert.equal(q.unsure, true);
  assert.deepEqual(q.top.map((t) => t.genre), ['blues', 'jazz']);
});

const dir = mkdtempSync(join(tmpdir(), 'spectag-suggest-'));
const file = join(dir, 'noise.flac');
let predictor: GenrePredictor;
before(async () => {
  ffmpeg([...SOUNDS.noise(60), '-c:a', 'flac', file]);
  predictor = await GenrePredictor.create({ workers: 1 });
});
after(async () => {
  await predictor?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the shipped head scores the whole vocabulary; its track result is the stored means’ result; AudioSet entries follow head.json', async () => {
  const shipped = await loadGenreHead(NATIVE_MODELS_DIR);
  assert.equal(shipped.genres.length, GENRE_VOCABULARY.length);
  assert.deepEqual([...shipped.backbones].sort(), ['efficientat-mn04', 'musicnn-msd']);
  const r = await predictor.predictFile(file);
  const again = predictor.rescore({ embeddings: r.embeddings, outputs: r.outputs })!;
  assert.deepEqual({ ...again, excerpts: [] }, { ...r.prediction, excerpts: [] });
  const json = JSON.parse(readFileSync(join(NATIVE_MODELS_DIR, SHIPPED_HEAD_DIR, 'head.json'), 'utf8')) as {
    audioset: { entries: { id: string; classes: number[]; a: number; b: number }[] };
  };
  const logits = r.outputs.find((o) => o.output === 'logits')!.values;
  for (const id of ['soundtrack', 'video-game', 'children', 'drum-and-bass', 'orchestral']) {
    const e = json.audioset.entries.find((x) => x.id === id)!;
    const score = Math.max(...e.classes.map((c) => logits[c]!));
    const expected = 1 / (1 + Math.exp(-(e.a * score + e.b)));
    assert.ok(Math.abs(r.prediction.probabilities[id]! - expected) <= 1e-4, `${id}: ${r.prediction.probabilities[id]} vs ${expected}`);
  }
  for (const t of r.prediction.top) assert.ok(r.prediction.genres.includes(t.genre));
});
