// Parity: our TF.js rebuild of MSD musicnn, loaded from native-models/, reproduces golden outputs that an
// independent implementation (Essentia's TF.js graph, see native-models/tools/golden-musicnn.ts) computed
// for the committed fixture patches. Runs from committed numbers only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GOLDEN_DIR, readPatches } from '../golden/model/fixture-patches.js';
import { loadMusicnn } from '../../electron/core/model/musicnn.js';
import { selectBackend } from '../../electron/core/model/backend.js';
import { NATIVE_MODELS_DIR } from '../../electron/core/model/paths.js';

// Tolerances: float32 with different op order/fusion (XNNPACK vs reference kernels) gives ~1e-6 relative
// differences per layer; 2e-4 absolute on probabilities and 1e-3 relative on the embedding leave room
// for that and nothing else (a wrong layer order, pooling or padding moves outputs by > 1e-2).
const TAG_TOL = 2e-4;
const EMB_REL_TOL = 1e-3;

interface Golden {
  patches: string[];
  tags: number[][];
  embedding: number[][];
}

test('MSD musicnn rebuilt in TF.js matches the golden outputs of an independent implementation', async () => {
  await selectBackend('wasm');
  const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, 'musicnn-msd-golden.json'), 'utf8')) as Golden;
  const data = readPatches();
  const n = golden.patches.length;
  assert.equal(data.length, n * 187 * 96);
  const model = await loadMusicnn(join(NATIVE_MODELS_DIR, 'musicnn-msd'), 'musicnn-msd');
  const x = tf.tensor3d(data, [n, 187, 96]);
  const out = model.predict(x);
  const tags = (await out.tags.array()) as number[][];
  const emb = (await out.embedding.array()) as number[][];
  tf.dispose([x, out.tags, out.embedding, out.pooled]);
  model.dispose();
  let worstTag = 0;
  let worstEmb = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 50; j++) worstTag = Math.max(worstTag, Math.abs(tags[i]![j]! - golden.tags[i]![j]!));
    const scale = Math.max(...golden.embedding[i]!.map(Math.abs), 1e-6);
    for (let j = 0; j < 200; j++) worstEmb = Math.max(worstEmb, Math.abs(emb[i]![j]! - golden.embedding[i]![j]!) / scale);
  }
  console.log(`musicnn parity: max |Δtag| = ${worstTag.toExponential(2)}, max relative |Δembedding| = ${worstEmb.toExponential(2)}`);
  assert.ok(worstTag <= TAG_TOL, `tag outputs differ by ${worstTag}`);
  assert.ok(worstEmb <= EMB_REL_TOL, `embedding differs by ${worstEmb} (relative to its largest value)`);
  // the fixtures are not degenerate: the network tells them apart
  assert.ok(Math.abs(tags[0]![0]! - tags[2]![0]!) > 1e-3);
});
