// Migration 006 (personal models): starts from a version-5 database with files, decisions and predictions
// in it; they survive, the personal tables work, and deleting a file removes its personal suggestion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore } from '../../electron/core/db/decisions.js';
import { PredictionStore } from '../../electron/core/db/predictions.js';
import { PersonalStore } from '../../electron/core/db/personal.js';
import { DEFAULT_PERSONAL_SETTINGS, type LearnReport } from '../../electron/shared/personal.js';
import { audioProps, scratchFolder, trackTags } from './migration-fixtures.js';

const dir = scratchFolder('m006');

const TAGS = trackTags({ genres: ['Dub'] });
const AUDIO = audioProps({ container: 'flac', codec: 'FLAC', bitrate: 900_000, lossless: true });

test('006 keeps version-5 data and adds the personal model tables', () => {
  const path = dir.at('lib.sqlite');
  let db = openDatabase(path, { targetVersion: 5 });
  const files = new FileStore(db);
  const root = files.ensureRoot('/music');
  const a = files.saveRead(root, { path: '/music/a.flac', size: 5, mtimeMs: 1, fileKey: null }, { ok: true, contentId: 'ca', tags: TAGS, audio: AUDIO }, null);
  new DecisionStore(db).record(a, ['Roots Reggae'], 'corrected', 10);
  const emb = { 'musicnn-msd': Float32Array.from({ length: 200 }, (_, i) => i / 9) };
  new PredictionStore(db).save(a, {
    modelId: 'spectag-genre', modelVersion: '1+x', genres: ['reggae'], probabilities: { reggae: 1 }, top: [{ genre: 'reggae', probability: 1 }],
    unsure: false, excerpts: [],
  }, emb, 20);
  db.close();

  db = openDatabase(path, { targetVersion: 6 });
  assert.equal(db.pragma('user_version', { simple: true }), 6);
  assert.deepEqual(new FileStore(db).getByPath('/music/a.flac')?.genres, ['Dub'], 'files survive');
  assert.deepEqual(new DecisionStore(db).latest(a)?.genres, ['Roots Reggae'], 'decisions survive');
  assert.deepEqual(Array.from(new PredictionStore(db).forFile(a)[0]!.embeddings['musicnn-msd']!), Array.from(emb['musicnn-msd']), 'embeddings survive');

  const store = new PersonalStore(db);
  assert.deepEqual(store.settings(), DEFAULT_PERSONAL_SETTINGS);
  assert.equal(store.updateSettings({ minPerGenre: 8 }).minPerGenre, 8);
  assert.throws(() => store.updateSettings({ minPerGenre: -1 }), /≥ 0/);
  assert.equal(store.setGenreExcluded('Hip-Hop', true), true);
  assert.equal(store.setGenreExcluded('hip hop', true), true, 'the same genre twice is one exclusion');
  store.setFolderExcluded('/music/Kids/', true);
  assert.deepEqual(store.exclusions(), { genres: [{ key: 'hiphop', name: 'Hip-Hop' }], folders: ['/music/Kids'] });
  assert.equal(store.lastDecisionId(), 1);
  assert.equal(store.decisionsAfter(0), 1);

  const head = {
    inputDim: 200, keys: ['dub', 'reggae'], genres: ['Dub', 'Reggae'], mean: new Float32Array(200), scale: new Float32Array(200).fill(1),
    layers: [{ rows: 200, cols: 2, weights: new Float32Array(400).fill(0.01), bias: new Float32Array([0.5, -0.5]) }],
    temperature: 1.2, confidentThreshold: 0.5, suggestThreshold: 0.2,
  };
  const version = store.saveModel({
    createdAt: 30, trigger: 'manual', embeddingSpec: [{ backbone: 'musicnn-msd', size: 200 }], defaultModelId: 'spectag-genre', head,
    offeredGenres: ['Dub'], beatsDefault: true, trainTracks: 1, lastDecisionId: 1, report: { trained: true } as LearnReport,
  });
  assert.equal(version, 1);
  const m = store.active()!;
  assert.equal(m.head!.temperature, 1.2);
  assert.deepEqual(Array.from(m.head!.layers[0]!.bias), [0.5, -0.5]);
  assert.equal(m.report.version, 1);
  store.savePredictions([{ fileId: a, modelVersion: 1, probabilities: { Dub: 0.9, Reggae: 0.1 }, top: [{ genre: 'Dub', probability: 0.9 }], unsure: false, offered: true, predictedAt: 40 }]);
  assert.equal(store.prediction(a)?.top[0]?.genre, 'Dub');
  assert.equal((db.prepare("SELECT count(*) AS n FROM personal_predictions WHERE offered = 1 AND top_genre = 'Dub'").get() as { n: number }).n, 1);
  // a file that goes away takes its personal suggestion with it
  db.prepare('DELETE FROM files WHERE id = ?').run(a);
  assert.equal(store.prediction(a), null);
  db.close();
});
