// Parity of the committed EfficientAT backbone (native-models/efficientat-mn04/model.onnx) end to end in
// TypeScript: the fixture signal → our front end → ONNX Runtime's CPU provider reproduces the logits and
// embedding that native-models/tools/efficientat_golden.py computed with the numpy front end (itself checked
// against PyTorch), within 1e-4; a batch gives each window what it gives alone; backbone.json loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { NATIVE_MODELS_DIR } from '../../electron/core/model/paths.js';
import { FRONT_ENDS, loadBackbone } from '../../electron/core/model/backbone.js';
import { loadOrt } from '../../electron/core/model/ort-runner.js';
import { openInference } from '../../electron/core/model/inference.js';
import { EfficientAtMelComputer, efficientAtLogMel } from '../../electron/core/spectrogram/efficientat-mel.js';
import { mixture } from '../spectrogram/mel-fixture.js';

const TOL = 1e-4;

interface Golden {
  cases: { name: string; samples: number; frames: number; logits?: number[]; embedding?: number[] }[];
}
const golden = JSON.parse(readFileSync(new URL('../../../test/golden/efficientat/golden.json', import.meta.url), 'utf8')) as Golden;

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};

test('EfficientAT: our front end + model.onnx reproduce the golden logits and embedding within 1e-4', async () => {
  const c = golden.cases.find((g) => g.name === 'mixture-1s' && g.logits)!;
  const spec = efficientAtLogMel(mixture(c.samples, 32000));
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(`${NATIVE_MODELS_DIR}/efficientat-mn04/model.onnx`, { intraOpNumThreads: 1 });
  try {
    const res = await session.run({ logmel: new ort.Tensor('float32', spec.data, [1, 1, 128, spec.frames]) });
    assert.deepEqual(res.logits!.dims, [1, 527], 'the batch axis is kept for a batch of 1');
    assert.deepEqual(res.embedding!.dims, [1, 384]);
    const dl = maxAbsDiff(res.logits!.data as Float32Array, c.logits!);
    const de = maxAbsDiff(res.embedding!.data as Float32Array, c.embedding!);
    console.log(`  efficientat parity: max |Δlogits| = ${dl.toExponential(2)}, max |Δembedding| = ${de.toExponential(2)}`);
    assert.ok(dl <= TOL && de <= TOL, `logits ${dl}, embedding ${de}`);
  } finally {
    await session.release();
  }
});

test('EfficientAT as a backbone: 10 s windows through the runner, a batch of 3 equals the windows one by one', async () => {
  const backbone = await loadBackbone(NATIVE_MODELS_DIR, 'efficientat-mn04');
  assert.equal(backbone.frontEnd, 'efficientat-logmel-32k');
  assert.deepEqual(backbone.patchShape, FRONT_ENDS['efficientat-logmel-32k'].patchShape);
  assert.deepEqual(backbone.typicalShape, [1, 128, 1000], '10 s windows are the typical input');
  const inference = await openInference([backbone], { forced: 'cpu' });
  const runner = inference.runners[0]!;
  try {
    const mel = new EfficientAtMelComputer();
    const windows = [0, 1, 2].map((k) => {
      // three different 10 s signals: the fixture at three pitches
      const x = mixture(320_000, 32000 * (1 + 0.25 * k));
      const out = new Float32Array(128 * 1000);
      mel.computeInto(x, out, 1000);
      return out;
    });
    const batch = new Float32Array(3 * 128 * 1000);
    windows.forEach((w, i) => batch.set(w, i * 128 * 1000));
    const together = await runner.run(batch, [3, 1, 128, 1000]);
    assert.equal(together.embedding!.length, 3 * 384);
    for (let i = 0; i < 3; i++) {
      const alone = await runner.run(windows[i]!, [1, 1, 128, 1000]);
      assert.ok(maxAbsDiff(alone.logits!, together.logits!.subarray(i * 527, (i + 1) * 527)) < 1e-4);
      assert.ok(maxAbsDiff(alone.embedding!, together.embedding!.subarray(i * 384, (i + 1) * 384)) < 1e-4);
    }
    // the windows differ, and so do their outputs
    assert.ok(maxAbsDiff(together.embedding!.subarray(0, 384), together.embedding!.subarray(384, 768)) > 1e-3);
  } finally {
    await runner.release();
  }
});
