// Migration 008 (the suggestion-count index): starts from a version-7 database with files, predictions and
// decisions; they survive, the per-genre suggestion counts are right, and they are answered from the new index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore } from '../../electron/core/db/decisions.js';
import { PredictionStore } from '../../electron/core/db/predictions.js';
import type { GenrePrediction } from '../../electron/shared/genres-model.js';
import { audioProps, scratchFolder, trackTags } from './migration-fixtures.js';

const dir = scratchFolder('m008');

const AUDIO = audioProps({ container: 'flac', codec: 'FLAC', bitrate: 900_000, lossless: true });
const tags = (title: string) => trackTags({ title });
const prediction = (top: string, p: number): GenrePrediction => ({
  modelId: 'spectag-genre', modelVersion: '1', genres: ['jazz', 'rock'], probabilities: { jazz: top === 'jazz' ? p : 1 - p, rock: top === 'rock' ? p : 1 - p },
  top: p >= 0.6 ? [{ genre: top, probability: p }] : [], unsure: p < 0.6, excerpts: [],
});

test('008 keeps version-7 data and counts sure, undecided suggestions per genre from its index', () => {
  const path = dir.at('lib.sqlite');
  let db = openDatabase(path, { targetVersion: 7 });
  const files = new FileStore(db);
  const root = files.ensureRoot('/music');
  const ids = ['a', 'b', 'c', 'd', 'e'].map((n, i) =>
    files.saveRead(root, { path: `/music/${n}.flac`, size: 10 + i, mtimeMs: 1, fileKey: null }, { ok: true, contentId: `c${n}`, tags: tags(n), audio: AUDIO }, null));
  const store = new PredictionStore(db);
  store.save(ids[0]!, prediction('jazz', 0.9), {});
  store.save(ids[1]!, prediction('jazz', 0.8), {});
  store.save(ids[2]!, prediction('rock', 0.95), {});
  store.save(ids[3]!, prediction('rock', 0.55), {}); // unsure: not a suggestion
  store.save(ids[4]!, prediction('jazz', 0.7), {});
  new DecisionStore(db).record(ids[4]!, ['Swing'], 'corrected');
  db.close();

  db = openDatabase(path, { targetVersion: 8 });
  assert.equal(db.pragma('user_version', { simple: true }), 8);
  const after8 = new PredictionStore(db);
  assert.equal(after8.forFile(ids[0]!)[0]?.top[0]?.genre, 'jazz', 'predictions survive');
  assert.deepEqual(new DecisionStore(db).latest(ids[4]!)?.genres, ['Swing'], 'decisions survive');
  const counts = (undecided: boolean) => Object.fromEntries(after8.countSuggested('spectag-genre', undecided).map((r) => [r.genre, r.n]));
  assert.deepEqual(counts(true), { jazz: 2, rock: 1 });
  assert.deepEqual(counts(false), { jazz: 3, rock: 1 });
  // a missing file is no suggestion
  db.prepare("UPDATE files SET status = 'missing' WHERE id = ?").run(ids[2]);
  assert.deepEqual(counts(true), { jazz: 2 });

  const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT p.top_genre, count(*) FROM predictions p JOIN files f ON f.id = p.file_id
    WHERE p.model_id = ? AND p.unsure = 0 AND f.status = 'ok' GROUP BY p.top_genre`).all('spectag-genre') as { detail: string }[]).map((r) => r.detail).join('\n');
  assert.match(plan, /COVERING INDEX predictions_suggested/, plan);
  db.close();
});
