// Migration 015 (suggestion sets), from a version-14 library with data: files, predictions of the single-label
// head (sure and unsure), a decision and a changed setting survive; each sure prediction's set is its best genre
// (what it suggested), an unsure one has none; saving a multi-label prediction replaces the set, and removing the
// prediction or the file removes it; the vocabulary counts and bulk accept read the sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore } from '../../electron/core/db/decisions.js';
import { PredictionStore } from '../../electron/core/db/predictions.js';
import { SettingsStore } from '../../electron/core/db/settings.js';
import { EngineService } from '../../electron/core/service/engine.js';
import type { GenrePrediction } from '../../electron/shared/genres-model.js';
import { audioProps, scratchFolder, trackTags } from './migration-fixtures.js';

const dir = scratchFolder('m015');

const single = (top: string, p: number): GenrePrediction => ({
  modelId: 'spectag-genre', modelVersion: '1+af6efad696cc', genres: ['jazz', 'rock'],
  probabilities: { jazz: top === 'jazz' ? p : 1 - p, rock: top === 'rock' ? p : 1 - p },
  top: [{ genre: top, probability: p }, { genre: top === 'jazz' ? 'rock' : 'jazz', probability: 1 - p }], unsure: p < 0.6, excerpts: [],
});

test('015 keeps version-14 data and gives each sure prediction its suggestion set', async () => {
  const path = dir.at('lib.sqlite');
  let db = openDatabase(path, { targetVersion: 14 });
  const files = new FileStore(db);
  const root = files.ensureRoot('/music');
  const save = (p: string, i: number, genres: string[] = []) =>
    files.saveRead(root, { path: p, size: 10 + i, mtimeMs: 1, fileKey: null },
      { ok: true, contentId: `c${i}`, tags: trackTags({ title: `t${i}`, genres }), audio: audioProps() }, null);
  const ids = [save('/music/a.mp3', 1), save('/music/b.mp3', 2), save('/music/c.mp3', 3), save('/music/d.mp3', 4, ['Drum and Bass'])];
  const old = new PredictionStore(db);
  old.save(ids[0]!, single('jazz', 0.9), {});
  old.save(ids[1]!, single('rock', 0.55), {});
  old.save(ids[2]!, single('rock', 0.8), {});
  new DecisionStore(db).record(ids[2]!, ['Rock'], 'accepted');
  new SettingsStore(db).update({ genreDepth: 'style' });
  db.close();

  db = openDatabase(path);
  assert.equal(db.pragma('user_version', { simple: true }), 15);
  const store = new PredictionStore(db);
  assert.equal(store.forFile(ids[0]!)[0]?.top[0]?.genre, 'jazz', 'predictions survive');
  assert.deepEqual(new DecisionStore(db).latest(ids[2]!)?.genres, ['Rock'], 'decisions survive');
  assert.equal(new SettingsStore(db).get('genreDepth'), 'style', 'settings survive');
  assert.deepEqual(store.suggestionSet(ids[0]!, 'spectag-genre'), [{ genre: 'jazz', probability: 0.9 }], 'a sure prediction: its best genre');
  assert.deepEqual(store.suggestionSet(ids[1]!, 'spectag-genre'), [], 'an unsure one suggests nothing');
  assert.deepEqual(store.suggestionSet(ids[2]!, 'spectag-genre'), [{ genre: 'rock', probability: 0.8 }]);

  // a multi-label prediction replaces the set, best first
  const multi: GenrePrediction = {
    modelId: 'spectag-genre', modelVersion: '2+000000000000.00000000', genres: ['electronic', 'drum-and-bass', 'soundtrack'],
    probabilities: { electronic: 0.9, 'drum-and-bass': 0.81, soundtrack: 0.64 },
    top: [{ genre: 'drum-and-bass', probability: 0.81 }, { genre: 'soundtrack', probability: 0.64 }], unsure: false, excerpts: [],
  };
  store.save(ids[0]!, multi, {});
  assert.deepEqual(store.suggestionSet(ids[0]!, 'spectag-genre'), multi.top);
  // a style is counted under its genre too ("suggested Electronic" finds the drum & bass track)
  assert.deepEqual(store.countSuggested('spectag-genre', false).sort((a, b) => a.genre.localeCompare(b.genre)),
    [{ genre: 'drum-and-bass', n: 1 }, { genre: 'electronic', n: 1 }, { genre: 'rock', n: 1 }, { genre: 'soundtrack', n: 1 }]);
  // removing the prediction removes its set
  store.clear(ids[2]!);
  assert.deepEqual(store.suggestionSet(ids[2]!, 'spectag-genre'), []);
  db.close();

  // the engine: bulk accept records each track's set at the depth setting, spelled as the library spells it
  const engine = new EngineService({ dbPath: path, host: 'cli', model: false, retrain: 'explicit' });
  try {
    const preview = engine.services.review.bulkAcceptPreview({ minConfidence: 0.6 });
    assert.equal(preview.count, 1, 'the undecided, sure track');
    assert.deepEqual(preview.byGenre.map((g) => g.genre).sort(), ['Drum and Bass', 'Soundtrack']);
    assert.deepEqual(engine.services.review.bulkAccept({ minConfidence: 0.7 }), { accepted: 1 });
    assert.deepEqual(new DecisionStore(engine.db).latest(ids[0]!)?.genres, ['Drum and Bass'], 'only what clears 0.7, at the style depth');
  } finally {
    await engine.close();
  }
  // the file leaves the library: its prediction and set go with it
  db = openDatabase(path);
  db.prepare('DELETE FROM files WHERE id = ?').run(ids[0]);
  assert.equal(db.prepare('SELECT count(*) FROM prediction_suggestions WHERE file_id = ?').pluck().get(ids[0]), 0);
  db.close();
});
