// npm run bench:model — genre model speed: (1) the backbone forward pass alone per inference backend, ONNX
// Runtime and TF.js side by side in the same run (rounds alternate between them so machine load hits both
// alike), ms per patch on one thread, and the ratio against TF.js wasm (target: CPU provider >= 5× faster);
// (2) tracks/s end to end (plan → decode → log-mel → backbones in worker threads → head) on generated
// 3-minute tracks; (3) live TF.js tensors before/after (leak check).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, availableParallelism, loadavg } from 'node:os';
import { ffmpeg } from '../helpers/ffmpeg.js';
import { join } from 'node:path';
import { MP3, music } from '../jobs/analysis-library.js';
import { NATIVE_MODELS_DIR } from '../../electron/core/model/paths.js';
import { GenrePredictor } from '../../electron/core/model/predictor.js';
import { loadBackbone } from '../../electron/core/model/backbone.js';
import { describeInference, openInference } from '../../electron/core/model/inference.js';
import type { BackboneRunner } from '../../electron/core/model/runner.js';
import { INFERENCE_BACKENDS, type InferenceBackend } from '../../electron/shared/genres-model.js';

const TRACKS = Number(process.env.BENCH_TRACKS ?? 12);
const TRACK_SEC = 180;
const BATCH = 8;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** `id`'s forward pass per backend that has it (TF.js has musicnn only), batches of `batch` full-size items. */
async function forwardPasses(id: string, batch: number, unit: string): Promise<void> {
  const backbone = await loadBackbone(NATIVE_MODELS_DIR, id);
  const runners: { label: string; name: InferenceBackend; runner: BackboneRunner }[] = [];
  for (const name of INFERENCE_BACKENDS) {
    if (name.startsWith('tfjs') && !backbone.tfjsDir) continue;
    for (const threads of name === 'cpu' ? [1, 2] : [1]) {
      try {
        const { runners: [runner], report } = await openInference([backbone], { forced: name, threads });
        runners.push({ label: `${name}${name === 'cpu' ? `, ${threads} thread${threads > 1 ? 's' : ''}` : ''} (${describeInference(report)})`, name, runner: runner! });
      } catch (err) {
        console.log(`forward pass ${name}: unavailable (${(err as Error).message.split('\n')[0]})`);
      }
    }
  }
  const shape = [batch, ...backbone.typicalShape];
  const x = new Float32Array(shape.reduce((a, b) => a * b, 1)).map((_, i) => 1.5 + Math.sin(i / 97) + ((i * 7919) % 101) / 200);
  const times = new Map<string, number[]>(runners.map((r) => [r.label, []]));
  for (const r of runners) await r.runner.run(x, shape); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const r of runners) {
      const t0 = performance.now();
      await r.runner.run(x, shape);
      times.get(r.label)!.push((performance.now() - t0) / batch);
    }
  }
  const median = (a: number[]): number => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
  const wasm = runners.find((r) => r.name === 'tfjs-wasm');
  const wasmMs = wasm ? median(times.get(wasm.label)!) : null;
  console.log(`forward pass, ${id}, batch ${batch}, median of ${ROUNDS} alternating rounds (load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores):`);
  for (const r of runners) {
    const ms = median(times.get(r.label)!);
    const ratio = wasmMs != null && r !== wasm ? `, ${(wasmMs / ms).toFixed(1)}× faster than tfjs-wasm${r.name === 'cpu' ? ' (target >= 5×)' : ''}` : '';
    console.log(`  ${r.label}: ${ms.toFixed(1)} ms per ${unit} [${times.get(r.label)!.map((t) => t.toFixed(0)).join(', ')}]${ratio}`);
  }
  for (const r of runners) await r.runner.release();
}

async function endToEnd(files: string[], backend: InferenceBackend | undefined): Promise<void> {
  const predictor = await GenrePredictor.create({ backend });
  const report = await predictor.backend;
  const before = await predictor.memory();
  console.log(`\nend to end (predict's path), ${describeInference(report)}, ${predictor.modelId} ${predictor.modelVersion}, ${predictor.patchesPerTrack ?? 'all'} patches per track`);
  const t0 = performance.now();
  const failures: string[] = [];
  await Promise.all(files.map((f) => predictor.predictFile(f, { durationSec: TRACK_SEC }).catch((err: Error) => failures.push(err.message))));
  const secs = (performance.now() - t0) / 1000;
  console.log(`  ${files.length} tracks in ${secs.toFixed(1)} s = ${(files.length / secs).toFixed(2)} tracks/s` + (failures.length ? `; ${failures.length} FAILED: ${failures[0]}` : ''));
  const after = await predictor.memory();
  console.log(`  live TF.js tensors per worker before/after: ${before.map((m) => m.numTensors).join(',')} / ${after.map((m) => m.numTensors).join(',')}`);
  await predictor.close();
}

async function main(): Promise<void> {
  console.log(`cores: ${availableParallelism()}`);
  await forwardPasses('musicnn-msd', BATCH, 'patch');
  // EfficientAT: one ~10 s window (1000 frames) at a time, as the analysis runs it on the CPU
  await forwardPasses('efficientat-mn04', 1, '10 s window');
  const dir = mkdtempSync(join(tmpdir(), 'spectag-bench-model-'));
  try {
    // music-like material (pink noise + a tone, different per track), 3-minute MP3s
    const files = Array.from({ length: TRACKS }, (_, i) => {
      const f = join(dir, `track-${i}.mp3`);
      ffmpeg([...music(TRACK_SEC, i + 1), ...MP3, f]);
      return f;
    });
    const forced = process.env.BENCH_BACKEND as InferenceBackend | undefined;
    for (const b of forced ? [forced] : ([undefined, 'tfjs-wasm'] as const)) await endToEnd(files, b);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
