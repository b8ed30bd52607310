// One-off: writes the golden numbers the musicnn parity test compares against (test/golden/model/).
// The reference is an INDEPENDENT implementation: the Essentia team's TF.js graph of MSD musicnn in
// ../shared/reference-models (non-commercial licence: used here only to compute numbers, never shipped).
// Run: npx tsc -p . && node .build/native-models/tools/golden-musicnn.js
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { GOLDEN_DIR, makeFixturePatches, writePatches } from '../../test/golden/model/fixture-patches.js';

const REF = join(process.cwd(), '..', 'shared', 'reference-models', 'essentia-msd-musicnn-1');

async function main(): Promise<void> {
  if (!existsSync(REF)) {
    console.log(`skipped: ${REF} is absent (the reference graph lives in ../shared)`);
    return;
  }
  await tf.setBackend('cpu');
  const json = JSON.parse(readFileSync(join(REF, 'model.json'), 'utf8')) as {
    modelTopology: tf.io.ModelJSON['modelTopology'];
    weightsManifest: tf.io.WeightsManifestConfig;
  };
  const group = json.weightsManifest[0]!;
  const data = Buffer.concat(group.paths.map((p) => readFileSync(join(REF, p))));
  const model = await loadGraphModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: group.weights,
      weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer,
    }),
  });
  const patches = makeFixturePatches();
  mkdirSync(GOLDEN_DIR, { recursive: true });
  writePatches(patches);
  const x = tf.tensor3d(patches.data, [patches.count, 187, 96]);
  const [tags, emb] = model.execute(
    { 'model/Placeholder': x, 'model/Placeholder_1': tf.scalar(false, 'bool') },
    ['model/Sigmoid', 'model/dense/Relu'],
  ) as tf.Tensor[];
  const out = {
    reference: 'Essentia TF.js graph essentia-msd-musicnn-1 (model/Sigmoid, model/dense/Relu), cpu backend',
    patches: patches.names,
    tags: (await tags!.array()) as number[][],
    embedding: (await emb!.array()) as number[][],
  };
  writeFileSync(join(GOLDEN_DIR, 'musicnn-msd-golden.json'), JSON.stringify(out) + '\n');
  console.log(`wrote ${patches.count} patches and golden outputs to ${GOLDEN_DIR}`);
}

await main();
