// Migration 009 (per-track backbone outputs): a version-8 database's predictions survive with no outputs, and a
// prediction saved afterwards keeps its embeddings and its outputs (EfficientAT's 527 AudioSet logits) exactly.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { PredictionStore } from '../../electron/core/db/predictions.js';
import type { GenrePrediction } from '../../electron/shared/genres-model.js';

const dir = mkdtempSync(join(tmpdir(), 'spectag-m009-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const AUDIO = { container: 'flac' as const, codec: 'FLAC', durationSec: 200, sampleRate: 44100, channels: 2, bitrate: 900_000, lossless: true, hasCover: false };
const tags = (title: string) => ({ title, artist: 'A', albumArtist: null, album: 'B', trackNo: 1, trackOf: null, discNo: null, discOf: null, year: 2001, genres: [] });
const prediction: GenrePrediction = {
  modelId: 'spectag-genre', modelVersion: '1', genres: ['jazz', 'rock'], probabilities: { jazz: 0.9, rock: 0.1 },
  top: [{ genre: 'jazz', probability: 0.9 }], unsure: false, excerpts: [],
};
const floats = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k) * 7.25);

test('009 keeps version-8 predictions (no outputs) and stores backbone outputs beside the embeddings', () => {
  const path = join(dir, 'lib.sqlite');
  let db = openDatabase(path, { targetVersion: 8 });
  const files = new FileStore(db);
  const root = files.ensureRoot('/music');
  const [a, b] = ['a', 'b'].map((n, i) =>
    files.saveRead(root, { path: `/music/${n}.flac`, size: 10 + i, mtimeMs: 1, fileKey: null }, { ok: true, contentId: `c${n}`, tags: tags(n), audio: AUDIO }, null));
  const old = new PredictionStore(db);
  old.save(a!, prediction, { 'musicnn-msd': floats(200, 1) });
  assert.throws(() => old.save(b!, prediction, {}, 1, [{ backbone: 'efficientat-mn04', output: 'logits', values: floats(527, 2) }]), /older than version 9/);
  db.close();

  db = openDatabase(path, { targetVersion: 9 });
  assert.equal(db.pragma('user_version', { simple: true }), 9);
  const store = new PredictionStore(db);
  const [kept] = store.forFile(a!);
  assert.deepEqual(kept?.embeddings['musicnn-msd'], floats(200, 1), 'the old row survives');
  assert.deepEqual(kept?.outputs, []);

  const embeddings = { 'efficientat-mn04': floats(384, 3), 'musicnn-msd': floats(200, 4) };
  const logits = floats(527, 5);
  store.save(b!, prediction, embeddings, 2, [{ backbone: 'efficientat-mn04', output: 'logits', values: logits }]);
  const [row] = store.forFile(b!);
  assert.deepEqual(row?.embeddings, embeddings);
  assert.deepEqual(row?.outputs, [{ backbone: 'efficientat-mn04', output: 'logits', values: logits }]);
  // a new analysis without outputs replaces them
  store.save(b!, prediction, embeddings, 3);
  assert.deepEqual(store.forFile(b!)[0]?.outputs, []);
  db.close();
});
