// npm run bench:personal — how long learning the personal model takes for 1,000 and 10,000 tracks, per
// TF.js backend available here. Synthetic embeddings (400 values per track, as musicnn MSD + MTT store them)
// in a real SQLite library; the timing covers everything `spectag learn` does after the audio was analysed:
// loading embeddings and labels, album-grouped validation, the final training, and storing suggestions.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildSyntheticLibrary, type SyntheticGenre } from '../personal/synthetic-library.js';
import { learnPersonalModel } from '../../electron/core/personal/learn.js';
import { trainingBackend } from '../../electron/core/personal/train.js';
import type { BackendName } from '../../electron/shared/genres-model.js';

const dir = mkdtempSync(join(tmpdir(), 'spectag-bench-personal-'));
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function library(tracks: number, genres: number): SyntheticGenre[] {
  const perGenre = Math.round(tracks / genres);
  return Array.from({ length: genres }, (_, g) => ({
    spellings: [`Genre ${g}`], albums: Math.round(perGenre / 10), tracksPerAlbum: 10, defaultSays: null,
  }));
}

try {
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (2-core machine shared with other work)`);
  const backends: BackendName[] = [];
  for (const b of ['node-gpu', 'node', 'wasm', 'cpu'] as const) {
    try {
      await trainingBackend(b);
      backends.push(b);
    } catch {
      console.log(`backend ${b}: not available here`);
    }
  }
  for (const [tracks, genres] of [[1000, 10], [10_000, 20]] as const) {
    const { db } = buildSyntheticLibrary(join(dir, `lib-${tracks}.sqlite`), library(tracks, genres), { noise: 0.8 });
    try {
      for (const backend of backends) {
        if (backend === 'cpu' && tracks > 1000) {
          console.log(`${tracks} tracks on cpu: skipped (the pure-JS backend is the last resort; it is ~4× slower than wasm at 1,000)`);
          continue;
        }
        for (const evaluateFolds of [undefined, 5]) {
          // the engine runs learning in its own process, between the window's requests: the longest stretch
          // it cannot answer one is the event loop's longest delay
          const loop = monitorEventLoopDelay({ resolution: 5 });
          loop.enable();
          const r = await learnPersonalModel(db, { backend, evaluateFolds });
          loop.disable();
          const t = r.timings;
          console.log(
            `${String(tracks).padStart(6)} tracks, ${genres} genres, ${backend.padEnd(5)} ${evaluateFolds ? 'all 5 folds scored' : `auto (${r.validation!.folds} scored)`}: ` +
              `total ${s(t.totalMs)} (load ${s(t.loadMs)}, validation ${s(t.validateMs)}, final training ${s(t.trainMs)}, ` +
              `suggestions for ${r.predicted} tracks ${s(t.predictMs)}); held-out accuracy ${(100 * r.validation!.personalAccuracy).toFixed(1)} %; ` +
              `engine unresponsive at most ${(loop.max / 1e6).toFixed(0)} ms at a time`,
          );
        }
      }
    } finally {
      db.close();
    }
  }
  console.log(`load average at end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
