// Parity of the committed ONNX backbones: ONNX Runtime's CPU provider on native-models/musicnn-msd/musicnn-msd.onnx
// reproduces the golden outputs of an independent implementation (Essentia's graph, see
// native-models/tools/golden-musicnn.ts) and the TF.js fallback's outputs, on the committed fixture patches;
// the model card's sha256 are those of the committed files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_DIR, readPatches } from '../golden/model/fixture-patches.js';
import { NATIVE_MODELS_DIR } from '../../electron/core/model/paths.js';
import { loadBackbone } from '../../electron/core/model/backbone.js';
import { openInference } from '../../electron/core/model/inference.js';
import { outputDifference } from '../../electron/core/model/runner.js';

// float32 with another operation order than the reference: measured 2e-6 (tags) and 2e-5 (embedding, values up to ~5)
const TOL = 1e-4;

interface Golden {
  patches: string[];
  tags: number[][];
  embedding: number[][];
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};

test('musicnn-msd.onnx on the CPU provider matches the golden tags and embedding within 1e-4, and the TF.js fallback', async () => {
  const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, 'musicnn-msd-golden.json'), 'utf8')) as Golden;
  const data = readPatches();
  const n = golden.patches.length;
  const backbone = await loadBackbone(NATIVE_MODELS_DIR, 'musicnn-msd');
  const ort = await openInference([backbone], { forced: 'cpu' });
  assert.equal(ort.report.runtime, 'onnxruntime');
  const out = await ort.runners[0]!.run(data, [n, 187, 96]);
  await ort.runners[0]!.release();
  const dTags = maxAbsDiff(out.tags!, golden.tags.flat());
  const dEmb = maxAbsDiff(out.embedding!, golden.embedding.flat());
  console.log(`onnx parity vs golden: max |Δtag| = ${dTags.toExponential(2)}, max |Δembedding| = ${dEmb.toExponential(2)}`);
  assert.ok(dTags <= TOL, `tags differ by ${dTags}`);
  assert.ok(dEmb <= TOL, `embedding differs by ${dEmb}`);
  assert.equal(out.pooled!.length, n * 1506);
  // the fixtures are not degenerate: the network tells them apart
  assert.ok(Math.abs(out.tags![0]! - out.tags![100]!) > 1e-3);

  const tfjs = await openInference([backbone], { forced: 'tfjs-wasm' });
  const ref = await tfjs.runners[0]!.run(data, [n, 187, 96]);
  await tfjs.runners[0]!.release();
  // relative to each output's scale (pooled features reach ~30)
  const d = outputDifference(ref, out);
  assert.ok(d.maxDiff <= TOL, `${d.output}: ONNX Runtime and TF.js differ by ${d.maxDiff} (relative)`);
});

test('the model card lists the sha256 of every committed ONNX file and backbone.json', () => {
  const card = readFileSync(join(NATIVE_MODELS_DIR, 'MODEL_CARD.md'), 'utf8');
  for (const id of ['musicnn-msd', 'musicnn-mtt']) {
    for (const file of [`${id}/${id}.onnx`, `${id}/backbone.json`]) {
      const sha = createHash('sha256').update(readFileSync(join(NATIVE_MODELS_DIR, file))).digest('hex');
      assert.ok(card.includes(`| \`${file}\` | \`${sha}\` |`), `${file} (${sha}) is not in MODEL_CARD.md: run native-models/tools/musicnn_onnx.py`);
    }
  }
});
