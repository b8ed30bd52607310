// The default model's suggestions: the trained head's genres combined with the calibrated AudioSet outputs for the
// rest of the vocabulary, as a multi-label set with a confidence each; the unsure rule; and the shipped head on a
// real file made by ffmpeg (its track result is what the stored means give, the AudioSet part is head.json's scaling).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AudioSetGenres, combineSuggestions, MAX_SUGGESTIONS, type AudioSetCalibration } from '../../electron/core/model/genre-suggestions.js';
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

test('Video Game Music from its embedding model, and Soundtrack includes it: a game track is offered both, a song neither', () => {
  // a 4-d "embedding" model: the first component is how game-like the track sounds
  const cal: AudioSetCalibration = {
    backbone: 'efficientat-mn04', output: 'logits', suggestThreshold: 0.5, shared: { a: 1, b: 2 },
    entries: [
      { id: 'video-game', classes: [272], a: 1, b: 2, scaling: 'linear', linear: { input: 'embedding', weights: [4, 0, 0, 0], bias: -2 } },
      { id: 'soundtrack', classes: [270], a: 1, b: 2, scaling: 'shared', includes: ['video-game'] },
    ],
  };
  const audioset = new AudioSetGenres(cal, MODEL_GENRES);
  const logits = new Float32Array(527).fill(-8); // AudioSet hears neither class: only the embedding model can speak
  const scored = (embedding: number[]) => {
    const p = audioset.probabilities(logits, Float32Array.from(embedding));
    const all = { ...probabilities({ electronic: 0.9 }), ...Object.fromEntries(audioset.ids.map((id, i) => [id, p[i]!])) };
    return combineSuggestions(all, head).top.map((t) => t.genre);
  };
  assert.deepEqual(scored([1, 0.3, 0.2, 0.1]).sort(), ['electronic', 'soundtrack', 'video-game']);
  assert.deepEqual(scored([0, 0.3, 0.2, 0.1]), ['electronic']);
  const p = audioset.probabilities(logits, Float32Array.from([1, 0, 0, 0]));
  assert.equal(p[audioset.ids.indexOf('soundtrack')], p[audioset.ids.indexOf('video-game')]);
  assert.ok(Math.abs(p[audioset.ids.indexOf('video-game')]! - 1 / (1 + Math.exp(-2))) < 1e-12);
  // an embedding model without its embedding is an error that says what is missing, not a silent 0
  assert.throws(() => audioset.probabilities(logits, undefined), /needs the 4-d EfficientAT embedding/);
  assert.throws(() => new AudioSetGenres({ ...cal, entries: [{ ...cal.entries[1]!, includes: ['rock'] }] }, MODEL_GENRES), /soundtrack includes rock/);
});

test('audio that AudioSet does not hear as music (noise, a test tone) gets no entry from it, however game-like its embedding', () => {
  const cal: AudioSetCalibration = {
    backbone: 'efficientat-mn04', output: 'logits', suggestThreshold: 0.5, shared: { a: 1, b: 2 }, music: { class: 137, minLogit: -2.5 },
    entries: [
      { id: 'video-game', classes: [272], a: 1, b: 2, scaling: 'linear', linear: { input: 'embedding', weights: [4, 0, 0, 0], bias: -2 } },
      { id: 'soundtrack', classes: [270], a: 1, b: 2, scaling: 'shared', includes: ['video-game'] },
    ],
  };
  const audioset = new AudioSetGenres(cal, MODEL_GENRES);
  const logits = new Float32Array(527).fill(-8);
  logits[270] = 3; // the "Soundtrack music" class fires too, as it does on synthetic tones
  const game = Float32Array.from([2, 0, 0, 0]);
  const heard = (music: number) => {
    logits[137] = music;
    const p = audioset.probabilities(logits, game);
    return audioset.ids.filter((_, i) => p[i]! >= 0.5).sort();
  };
  assert.deepEqual(heard(1.2), ['soundtrack', 'video-game'], 'music: the entries speak');
  assert.deepEqual(heard(-2.5), ['soundtrack', 'video-game'], 'at the gate: still music');
  assert.deepEqual(heard(-3.8), [], 'noise: nothing');
  assert.throws(() => new AudioSetGenres({ ...cal, music: { class: 137, minLogit: Number.NaN } }, MODEL_GENRES), /audioset.music/);
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
    audioset: { music?: { class: number; minLogit: number }; entries: { id: string; classes: number[]; a: number; b: number; linear?: { weights: number[]; bias: number }; includes?: string[] }[] };
  };
  const logits = r.outputs.find((o) => o.output === 'logits')!.values;
  const embedding = r.embeddings['efficientat-mn04']!;
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const gate = json.audioset.music!;
  const expected = (id: string): number => {
    if (logits[gate.class]! < gate.minLogit) return 0;
    const e = json.audioset.entries.find((x) => x.id === id)!;
    const own = e.linear
      ? sigmoid(e.linear.weights.reduce((z, w, j) => z + w * embedding[j]!, e.linear.bias))
      : sigmoid(e.a * Math.max(...e.classes.map((c) => logits[c]!)) + e.b);
    return Math.max(own, ...(e.includes ?? []).map(expected));
  };
  // Video Game Music is an embedding model (the class logit alone separates game music from songs poorly) and
  // Soundtrack includes it: that is what the shipped file says, and what the app applies
  assert.ok(json.audioset.entries.find((x) => x.id === 'video-game')!.linear);
  assert.deepEqual(json.audioset.entries.find((x) => x.id === 'soundtrack')!.includes, ['video-game']);
  for (const id of ['soundtrack', 'video-game', 'children', 'drum-and-bass', 'orchestral', 'ambient']) {
    assert.ok(Math.abs(r.prediction.probabilities[id]! - expected(id)) <= 1e-4, `${id}: ${r.prediction.probabilities[id]} vs ${expected(id)}`);
  }
  for (const t of r.prediction.top) assert.ok(r.prediction.genres.includes(t.genre));
  // pink noise is not music to AudioSet: it is not offered Soundtrack or Video Game Music (the game-music model,
  // fitted on music only, scores noise as game music at 0.99 without the gate)
  assert.ok(logits[gate.class]! < gate.minLogit, `noise heard as music: ${logits[gate.class]}`);
  assert.ok(!r.prediction.top.some((t) => t.genre === 'soundtrack' || t.genre === 'video-game'), `suggested ${JSON.stringify(r.prediction.top)}`);
});

test('a test tone is not music: unsure, with the head\u2019s likeliest genre only as a question, and no AudioSet entry', async () => {
  const tone = join(dir, 'tone.ogg');
  ffmpeg([...SOUNDS.tone(35, 440), '-c:a', 'libvorbis', tone]);
  const r = await predictor.predictFile(tone);
  assert.equal(r.prediction.unsure, true, `suggested ${JSON.stringify(r.prediction.top)}`);
  const head = new Set(['blues', 'classical', 'country', 'disco', 'electronic', 'hip-hop', 'jazz', 'metal', 'pop', 'reggae', 'rock']);
  assert.ok(r.prediction.top.every((t) => head.has(t.genre)), `offered ${JSON.stringify(r.prediction.top)}`);
  // and re-scored from what a library stores, the same
  assert.equal(predictor.rescore({ embeddings: r.embeddings, outputs: r.outputs })!.unsure, true);
});

test('a stored analysis whose EfficientAT embedding the shipped game-music model hears as game music is re-scored to Video Game Music and Soundtrack', async () => {
  const r = await predictor.predictFile(file);
  const json = JSON.parse(readFileSync(join(NATIVE_MODELS_DIR, SHIPPED_HEAD_DIR, 'head.json'), 'utf8')) as {
    audioset: { entries: { id: string; linear?: { weights: number[]; bias: number } }[] };
  };
  const { weights, bias } = json.audioset.entries.find((x) => x.id === 'video-game')!.linear!;
  const e = r.embeddings['efficientat-mn04']!;
  const z = (v: Float32Array) => weights.reduce((s, w, j) => s + w * v[j]!, bias);
  // the same stored means, the EfficientAT embedding moved along the model's direction to a decision value of +3
  const norm2 = weights.reduce((s, w) => s + w * w, 0);
  const step = (3 - z(e)) / norm2;
  const game = Float32Array.from(e, (v, j) => v + step * weights[j]!);
  assert.ok(Math.abs(z(game) - 3) < 1e-2);
  // the test's audio is pink noise, which AudioSet does not hear as music: its stored "Music" logit is raised to
  // a song's (1.5; songs' median 1.6), or no AudioSet entry would speak at all
  const gate = (JSON.parse(readFileSync(join(NATIVE_MODELS_DIR, SHIPPED_HEAD_DIR, 'head.json'), 'utf8')) as { audioset: { music: { class: number } } }).audioset.music;
  const outputs = r.outputs.map((o) => (o.output === 'logits' ? { ...o, values: Float32Array.from(o.values, (v, i) => (i === gate.class ? 1.5 : v)) } : o));
  const heard = predictor.rescore({ embeddings: { ...r.embeddings, 'efficientat-mn04': game }, outputs })!;
  const top = heard.top.map((t) => t.genre);
  assert.ok(top.includes('video-game') && top.includes('soundtrack'), `suggested ${JSON.stringify(heard.top)}`);
  assert.equal(heard.unsure, false);
  assert.ok(Math.abs(heard.probabilities['video-game']! - 1 / (1 + Math.exp(-3))) < 2e-3);
  // and moved the other way, neither is offered
  const song = Float32Array.from(e, (v, j) => v + ((-3 - z(e)) / norm2) * weights[j]!);
  const quiet = predictor.rescore({ embeddings: { ...r.embeddings, 'efficientat-mn04': song }, outputs })!;
  assert.ok(!quiet.top.some((t) => t.genre === 'video-game'), `suggested ${JSON.stringify(quiet.top)}`);
});
