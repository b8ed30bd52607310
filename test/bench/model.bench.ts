// npm run bench:model — genre model speed: (1) the musicnn forward pass alone per backend (ms per patch,
// one thread), (2) tracks/s end to end (plan → decode → log-mel → musicnn MSD+MTT in worker threads → head)
// on generated 3-minute tracks for several listening plans, (3) live tensors before/after (leak check).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ffmpeg } from '../helpers/ffmpeg.js';
import { MP3, music } from '../jobs/analysis-library.js';
import { selectBackend, describeBackend } from '../../electron/core/model/backend.js';
import { loadMusicnn } from '../../electron/core/model/musicnn.js';
import { NATIVE_MODELS_DIR } from '../../electron/core/model/paths.js';
import { GenrePredictor } from '../../electron/core/model/predictor.js';
import { planExcerpts } from '../../electron/core/audio/excerpt-plan.js';
import { PATCH_SEC } from '../../electron/core/model/track-patches.js';
import { BACKEND_NAMES, type BackendName } from '../../electron/shared/genres-model.js';

const TRACKS = Number(process.env.BENCH_TRACKS ?? 12);
const TRACK_SEC = 180;

async function forwardPass(name: BackendName): Promise<void> {
  try {
    const r = await selectBackend(name);
    const model = await loadMusicnn(join(NATIVE_MODELS_DIR, 'musicnn-msd'), 'musicnn-msd');
    const batch = name === 'cpu' ? 2 : 16;
    const x = tf.randomUniform([batch, 187, 96], 0, 3) as tf.Tensor3D;
    const once = async (): Promise<void> => {
      const o = model.predict(x);
      await o.tags.data();
      tf.dispose([o.tags, o.embedding, o.pooled]);
    };
    await once();
    const reps = name === 'cpu' ? 1 : 3;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await once();
    const ms = (performance.now() - t0) / reps / batch;
    console.log(`forward pass ${describeBackend(r)}: ${ms.toFixed(0)} ms per patch (batch ${batch}, one thread)`);
    x.dispose();
    model.dispose();
  } catch (err) {
    console.log(`forward pass ${name}: unavailable (${(err as Error).message.split('\n')[0]})`);
  }
}

async function endToEnd(files: string[], backend: BackendName | undefined): Promise<void> {
  const predictor = await GenrePredictor.create({ backend });
  const report = await predictor.backend;
  const before = await predictor.memory();
  const plans: [string, Parameters<typeof planExcerpts>[1]][] = [
    ['analyzer plan: 3 × 10 s excerpts = 9 patches', {}],
    ['predictor default: 3 one-patch excerpts = 3 patches', { count: 3, excerptSec: PATCH_SEC }],
    ['1 one-patch excerpt = 1 patch', { count: 1, excerptSec: PATCH_SEC }],
  ];
  console.log(`\nend to end, backend ${describeBackend(report)}, ${predictor.modelId} ${predictor.modelVersion}, workers ${availableParallelism()}`);
  for (const [label, opts] of plans) {
    const t0 = performance.now();
    const failures: string[] = [];
    await Promise.all(
      files.map((f) => predictor.predictFile(f, { plan: planExcerpts(TRACK_SEC, opts) }).catch((err: Error) => failures.push(err.message))),
    );
    const secs = (performance.now() - t0) / 1000;
    console.log(`  ${label}: ${files.length} tracks in ${secs.toFixed(1)} s = ${(files.length / secs).toFixed(2)} tracks/s` +
      (failures.length ? `; ${failures.length} FAILED: ${failures[0]}` : ''));
  }
  const after = await predictor.memory();
  console.log(`  live tensors per worker before/after: ${before.map((m) => m.numTensors).join(',')} / ${after.map((m) => m.numTensors).join(',')}` +
    `; bytes ${before.map((m) => m.numBytes).join(',')} / ${after.map((m) => m.numBytes).join(',')}`);
  await predictor.close();
}

async function main(): Promise<void> {
  console.log(`cores: ${availableParallelism()}`);
  for (const name of BACKEND_NAMES) await forwardPass(name);
  const dir = mkdtempSync(join(tmpdir(), 'spectag-bench-model-'));
  try {
    // music-like material (pink noise + a tone, different per track), 3-minute MP3s
    const files = Array.from({ length: TRACKS }, (_, i) => {
      const f = join(dir, `track-${i}.mp3`);
      ffmpeg([...music(TRACK_SEC, i + 1), ...MP3, f]);
      return f;
    });
    const forced = process.env.BENCH_BACKEND as BackendName | undefined;
    await endToEnd(files, forced);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
