// npm run bench:stages [-- --tracks N]: where one track's analysis time goes, stage by stage, on one thread (CPU ms
// per track, median over the tracks of bench:analyze's generated library): the ffmpeg decode (its CPU, from the
// children's rusage; the duration comes from the scan, as in the analysis), the audio identity's ffmpeg run,
// EfficientAT's log-mel, musicnn's patches (halving + log-mel), levels, the picture (render + PNG), and each
// backbone's forward pass on ONNX Runtime's CPU provider (1 thread). The sum is the CPU one track costs; 2 cores
// give at most 2000 / sum tracks/s. Prints the load average (the machine may be shared).
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeExcerpts } from '../../electron/core/audio/decode.js';
import { planExcerpts } from '../../electron/core/audio/excerpt-plan.js';
import { measureLevels } from '../../electron/core/audio/levels.js';
import { probeDurationSec } from '../../electron/core/audio/probe-duration.js';
import { audioStreamHash } from '../../electron/core/audio/stream-hash.js';
import { renderSpectrogramImage } from '../../electron/core/spectrogram/image.js';
import { LISTEN_SAMPLE_RATE, TrackListener } from '../../electron/core/model/track-inputs.js';
import { loadBackbone } from '../../electron/core/model/backbone.js';
import { openInference } from '../../electron/core/model/inference.js';
import { NATIVE_MODELS_DIR } from '../../electron/core/model/paths.js';

const { values } = parseArgs({ options: { tracks: { type: 'string' }, library: { type: 'string' } } });
const root = values.library ?? join(tmpdir(), 'spectag-bench-analyze-v1-120');
const files: string[] = [];
(function walk(d: string) {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory()) walk(join(d, e.name));
    else files.push(join(d, e.name));
  }
})(root);
files.sort();
const picked = files.filter((_, i) => i % Math.max(1, Math.floor(files.length / Number(values.tracks ?? 22))) === 0);

function childCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) * 10;
}
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const backbones = await Promise.all(['musicnn-msd', 'efficientat-mn04'].map((b) => loadBackbone(NATIVE_MODELS_DIR, b)));
const { runners } = await openInference(backbones, { forced: 'cpu', threads: 1 });
const listener = new TrackListener();
const stages: Record<string, number[]> = {};
const add = (k: string, v: number) => (stages[k] ??= []).push(v);
const load0 = loadavg()[0]!;
for (const [n, path] of picked.entries()) {
  const duration = await probeDurationSec(path, {});
  const plan = planExcerpts(duration);
  const k0 = childCpuMs();
  const decoded = await decodeExcerpts(path, plan, { sampleRate: LISTEN_SAMPLE_RATE });
  const ffmpegCpu = childCpuMs() - k0;
  const k1 = childCpuMs();
  await audioStreamHash(path);
  const hashCpu = childCpuMs() - k1;
  let t = cpuMs();
  const lap = (k: string) => {
    const now = cpuMs();
    if (n > 0) add(k, now - t); // the first track warms up
    t = now;
  };
  measureLevels(decoded.map((e) => e.pcm), LISTEN_SAMPLE_RATE);
  lap('levels');
  const eat = listener.listen(decoded, { musicnnPatches: null, efficientat: true });
  lap('EfficientAT log-mel + windows');
  const mus = listener.listen(decoded, { musicnnPatches: 3, efficientat: false });
  lap('musicnn patches (halving + log-mel)');
  renderSpectrogramImage(decoded.map((e, i) => ({ durationSec: e.durationSec, windows: eat.windows[i]! })));
  lap('picture (render + PNG)');
  for (const r of runners) {
    const input = (r.backbone.frontEnd === 'musicnn-logmel-16k' ? mus : eat).inputs[r.backbone.frontEnd]!;
    for (const g of input.groups) {
      const size = g.shape.reduce((a, b) => a * b, 1);
      for (let i = 0; i < g.count; i++) await r.run(g.data.subarray(i * size, (i + 1) * size), [1, ...g.shape], r.backbone.id === 'efficientat-mn04' ? ['embedding', 'logits'] : ['embedding']);
    }
    lap(`${r.backbone.id} forward (${input.groups.reduce((a, g) => a + g.count, 0)} items)`);
  }
  if (n > 0) add('ffmpeg decode (child CPU)', ffmpegCpu);
  if (n > 0) add('audio identity (ffmpeg -c copy + MD5 of the packets, child CPU)', hashCpu);
}
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
console.log(`${picked.length - 1} tracks from ${root}; ${availableParallelism()} cores, load average ${load0.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}`);
let sum = 0;
for (const [k, v] of Object.entries(stages)) {
  sum += median(v);
  console.log(`  ${k}: ${median(v).toFixed(1)} ms CPU per track (median)`);
}
console.log(`  sum: ${sum.toFixed(0)} ms CPU per track -> at most ${(2000 / sum).toFixed(1)} tracks/s on 2 idle cores (without the queue, database and thread overheads)`);
for (const r of runners) await r.release();
