// Migration 005 (predictions): starts from a version-4 database with files and analyses in it; they
// survive, and predictions can be stored, read back, replaced by a new model version, and cascade.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { PredictionStore } from '../../electron/core/db/predictions.js';
import type { GenrePrediction } from '../../electron/shared/genres-model.js';
import { audioProps, scratchFolder, trackTags } from './migration-fixtures.js';

const dir = scratchFolder('m005');

const TAGS = trackTags({ genres: ['Rock'] });
const AUDIO = audioProps({ bitrate: 192_000 });

function prediction(version: string, top: string): GenrePrediction {
  return {
    modelId: 'spectag-genre', modelVersion: version, genres: ['rock', 'pop'], probabilities: { rock: top === 'rock' ? 0.8 : 0.2, pop: top === 'rock' ? 0.2 : 0.8 },
    top: [{ genre: top, probability: 0.8 }], unsure: false,
    excerpts: [{ startSec: 40, durationSec: 2.992, probabilities: [0.7, 0.3] }],
  };
}

test('005 keeps version-4 data and stores predictions per (file, model id)', () => {
  const path = dir.at('lib.sqlite');
  let db = openDatabase(path, { targetVersion: 4 });
  const files = new FileStore(db);
  const root = files.ensureRoot('/music');
  const a = files.saveRead(root, { path: '/music/a.mp3', size: 5, mtimeMs: 1, fileKey: null }, { ok: true, contentId: 'ca', tags: TAGS, audio: AUDIO }, null);
  const b = files.saveRead(root, { path: '/music/b.mp3', size: 6, mtimeMs: 1, fileKey: null }, { ok: true, contentId: 'cb', tags: TAGS, audio: AUDIO }, null);
  db.prepare(`INSERT INTO analysis (file_id, pipeline, model_id, source_size, source_mtime_ms, status, analysed_at)
              VALUES (?, 'p1', NULL, 5, 1, 'ok', 1)`).run(a);
  db.close();

  db = openDatabase(path, { targetVersion: 5 });
  assert.equal(db.pragma('user_version', { simple: true }), 5);
  const files5 = new FileStore(db);
  assert.deepEqual(files5.getByPath('/music/a.mp3')?.genres, ['Rock'], 'files survive');
  assert.equal((db.prepare('SELECT pipeline FROM analysis WHERE file_id = ?').get(a) as { pipeline: string }).pipeline, 'p1', 'analyses survive');

  const store = new PredictionStore(db);
  const emb = { 'musicnn-msd': Float32Array.from({ length: 200 }, (_, i) => i / 7), 'musicnn-mtt': new Float32Array(200).fill(0.5) };
  store.save(a, prediction('1+abc', 'rock'), emb, 1000);
  store.save(b, prediction('1+abc', 'pop'), {}, 1000);
  const [p] = store.forFile(a);
  assert.equal(p?.modelVersion, '1+abc');
  assert.deepEqual(p?.top, [{ genre: 'rock', probability: 0.8 }]);
  assert.deepEqual(p?.excerpts[0]?.probabilities, [0.7, 0.3]);
  assert.deepEqual(Array.from(p!.embeddings['musicnn-msd']!), Array.from(emb['musicnn-msd']));
  assert.equal(p!.embeddings['musicnn-mtt']![199], 0.5);
  assert.deepEqual(store.forFile(b)[0]?.embeddings, {});

  // a new model version replaces the row of the same model id
  store.save(a, prediction('2+def', 'pop'), emb, 2000);
  const rows = store.forFile(a);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.modelVersion, '2+def');
  assert.equal(rows[0]?.top[0]?.genre, 'pop');
  const byTop = db.prepare("SELECT count(*) AS n FROM predictions WHERE model_id = 'spectag-genre' AND top_genre = 'pop'").get() as { n: number };
  assert.equal(byTop.n, 2);

  store.clear(b);
  assert.equal(store.forFile(b).length, 0);
  // deleting the file removes its predictions
  db.prepare('DELETE FROM files WHERE id = ?').run(a);
  assert.equal((db.prepare('SELECT count(*) AS n FROM predictions').get() as { n: number }).n, 0);
  db.close();
});
