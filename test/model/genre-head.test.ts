// The TS runtime of the musicnn-only head (what the TF.js fallback runs) computes what the training script computed
// for native-models/genre-head/head.json (golden numbers written by native-models/tools/train_genre_head.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGenreHead, MUSICNN_HEAD_DIR } from '../../electron/core/model/genre-head.js';
import { NATIVE_MODELS_DIR } from '../../electron/core/model/paths.js';
import { GOLDEN_DIR } from '../golden/model/fixture-patches.js';
import { MODEL_GENRES } from '../../electron/shared/genres-model.js';
import type { BackboneOutputs } from '../../electron/core/model/protocol.js';

interface Golden {
  head: string;
  patches: number;
  outputs: Record<string, Partial<Record<'embedding' | 'tags' | 'pooled', number[]>>>;
  probabilities: Record<string, number>;
}

test('the musicnn-only head gives the training script’s probabilities for the golden inputs (±1e-4)', async () => {
  const head = await loadGenreHead(NATIVE_MODELS_DIR, MUSICNN_HEAD_DIR);
  const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, 'genre-head-golden.json'), 'utf8')) as Golden;
  assert.equal(golden.head, `${head.id}@${head.version}`);
  assert.deepEqual([...head.genres], [...MODEL_GENRES]);
  const n = golden.patches;
  const outputs: BackboneOutputs = {};
  for (const b of head.backbones) {
    const o = golden.outputs[b] ?? {};
    outputs[b] = {
      // inputs the head does not use are zeros of the right size
      embedding: o.embedding ? Float32Array.from(o.embedding) : new Float32Array(n * 200),
      tags: o.tags ? Float32Array.from(o.tags) : new Float32Array(n * 50),
      pooled: o.pooled ? Float32Array.from(o.pooled) : new Float32Array(n * 1506),
    };
  }
  const p = head.predict({ items: outputs, startSec: [0, 2.992], windows: [], means: { embeddings: {}, outputs: [] } }, 2.992);
  for (const g of MODEL_GENRES) {
    assert.ok(Math.abs(p.probabilities[g]! - golden.probabilities[g]!) < 1e-4, `${g}: ${p.probabilities[g]} vs ${golden.probabilities[g]}`);
  }
  assert.equal(p.excerpts.length, 2);
  assert.equal(p.top[0]!.genre, Object.entries(golden.probabilities).sort((a, b) => b[1] - a[1])[0]![0]);
  const { confidentThreshold } = JSON.parse(readFileSync(join(NATIVE_MODELS_DIR, MUSICNN_HEAD_DIR, 'head.json'), 'utf8')) as { confidentThreshold: number };
  assert.equal(p.unsure, p.top[0]!.probability < confidentThreshold);
});
