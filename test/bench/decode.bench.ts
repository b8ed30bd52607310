// npm run bench:decode — how one track's excerpts should be decoded for two backbones (musicnn at 16 kHz,
// EfficientAT at 32 kHz): (a) 16 kHz only (one backbone, the old pipeline, for reference), (b) two ffmpeg
// runs per excerpt (16 kHz and 32 kHz), (c) one 32 kHz run per excerpt, halved to 16 kHz in TypeScript.
// Prints ms per track (3 excerpts of 10 s of a 4-minute 44.1 kHz stereo MP3), the modes alternated in rounds
// so a machine whose load changes affects them alike.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeExcerpts } from '../../electron/core/audio/decode.js';
import { planExcerpts } from '../../electron/core/audio/excerpt-plan.js';
import { halveSampleRate } from '../../electron/core/audio/resample.js';
import { ffmpeg } from '../helpers/ffmpeg.js';
import { MP3, music } from '../jobs/analysis-library.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TRACKS = 4;

const dir = mkdtempSync(join(tmpdir(), 'spectag-bench-decode-'));
try {
  const files: string[] = [];
  for (let i = 0; i < TRACKS; i++) {
    const path = join(dir, `track-${i}.mp3`);
    ffmpeg([...music(240, i + 1), ...MP3, path]);
    files.push(path);
  }
  const plan = planExcerpts(240);
  const modes: Record<string, (path: string) => Promise<void>> = {
    '16 kHz only (one backbone)': async (p) => {
      await decodeExcerpts(p, plan);
    },
    'two decodes (16 + 32 kHz)': async (p) => {
      await decodeExcerpts(p, plan);
      await decodeExcerpts(p, plan, { sampleRate: 32000 });
    },
    'one 32 kHz decode, halved in TS': async (p) => {
      for (const e of await decodeExcerpts(p, plan, { sampleRate: 32000 })) halveSampleRate(e.pcm);
    },
  };
  const totals = new Map<string, number[]>();
  for (const f of files) await decodeExcerpts(f, plan); // warm the page cache
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, run] of Object.entries(modes)) {
      const t0 = performance.now();
      for (const f of files) await run(f);
      const ms = (performance.now() - t0) / files.length;
      totals.set(name, [...(totals.get(name) ?? []), ms]);
    }
  }
  const t0 = performance.now();
  const pcm = new Float32Array(320_000).map((_, i) => Math.sin(i / 7));
  for (let i = 0; i < 20; i++) halveSampleRate(pcm);
  console.log(`halving alone: ${((performance.now() - t0) / 20).toFixed(1)} ms per 10 s excerpt`);
  for (const [name, ms] of totals) {
    const sorted = [...ms].sort((a, b) => a - b);
    console.log(`${name}: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms per track (3 × 10 s), min ${sorted[0]!.toFixed(0)}, max ${sorted[sorted.length - 1]!.toFixed(0)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
