// Migration 012 (albums): starts from a version-11 database with files, predictions and decisions; they survive,
// the files get an empty compilation flag, the engine groups the existing library into albums on first open,
// and the triggers mark an album stale when one of its tracks gets a new prediction or decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore } from '../../electron/core/db/decisions.js';
import { PredictionStore } from '../../electron/core/db/predictions.js';
import { EngineService } from '../../electron/core/service/engine.js';
import type { GenrePrediction } from '../../electron/shared/genres-model.js';
import { audioProps, scratchFolder, trackTags } from './migration-fixtures.js';

const dir = scratchFolder('m012');

const prediction = (top: string, p: number): GenrePrediction => ({
  modelId: 'spectag-genre', modelVersion: '1', genres: ['jazz', 'rock'], probabilities: { jazz: top === 'jazz' ? p : 1 - p, rock: top === 'rock' ? p : 1 - p },
  top: [{ genre: top, probability: p }], unsure: p < 0.6, excerpts: [],
});

test('012 keeps version-11 data, groups it into albums on first open, and keeps album suggestions fresh', async () => {
  const path = dir.at('lib.sqlite');
  let db = openDatabase(path, { targetVersion: 11 });
  const files = new FileStore(db);
  const root = files.ensureRoot('/music');
  const save = (p: string, album: string | null, i: number) =>
    files.saveRead(root, { path: p, size: 10 + i, mtimeMs: 1, fileKey: null },
      { ok: true, contentId: `c${i}`, tags: trackTags({ title: `t${i}`, album, artist: 'Miles', albumArtist: album ? 'Miles' : null }), audio: audioProps() }, null);
  const ids = [
    save('/music/Miles/Blue/1.mp3', 'Kind of Blue', 1), save('/music/Miles/Blue/2.mp3', 'Kind of Blue', 2), save('/music/Miles/Blue/3.mp3', 'Kind of Blue', 3),
    save('/music/Other/x.mp3', null, 4), save('/music/loose.mp3', null, 5),
  ];
  const store = new PredictionStore(db);
  store.save(ids[0]!, prediction('jazz', 0.9), {});
  store.save(ids[1]!, prediction('jazz', 0.8), {});
  new DecisionStore(db).record(ids[2]!, ['Jazz'], 'corrected');
  db.close();

  db = openDatabase(path, { targetVersion: 12 });
  assert.equal(db.pragma('user_version', { simple: true }), 12);
  assert.equal(new PredictionStore(db).forFile(ids[0]!)[0]?.top[0]?.genre, 'jazz', 'predictions survive');
  assert.deepEqual(new DecisionStore(db).latest(ids[2]!)?.genres, ['Jazz'], 'decisions survive');
  assert.deepEqual(db.prepare('SELECT DISTINCT compilation FROM files').pluck().all(), [null], 'files read before know no compilation flag');
  db.close();

  const engine = new EngineService({ dbPath: path, host: 'cli', model: false, retrain: 'explicit' });
  try {
    const { rows } = await engine.queryAlbums({ limit: 100 });
    assert.deepEqual(rows.map((a) => [a.title, a.tracks, a.groupedBy]).sort(), [['Kind of Blue', 3, 'tags'], ['Other', 1, 'folder']]);
    const blue = rows.find((a) => a.title === 'Kind of Blue')!;
    assert.equal(blue.suggested?.toLowerCase(), 'jazz');
    assert.ok(Math.abs(blue.confidence! - 0.85) < 1e-9);
    assert.equal(blue.status, 'partly-decided');
    // a new prediction for a track marks its album stale: the next read sees it
    new PredictionStore(engine.db).save(ids[1]!, prediction('rock', 0.7), {});
    assert.equal(engine.db.prepare('SELECT stale FROM albums WHERE id = ?').pluck().get(blue.id), 1);
    const again = (await engine.queryAlbums({ text: 'blue' })).rows[0]!;
    assert.ok(Math.abs(again.confidence! - 0.6) < 1e-9, 'jazz 0.9 and 0.3 now');
    assert.equal(again.agreement, 0.5);
  } finally {
    await engine.close();
  }
});
