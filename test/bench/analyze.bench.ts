// npm run bench:analyze [-- --tracks N] [--workers N] [--per-worker N] [--fresh] [--no-model] [--backend B]
//   [--inference-workers N[,N...]] [--threads N[,N...]] [--no-wasm] [--model-only]:
// `spectag analyze` speed on a generated library of realistic-length tracks (3–5 min, MP3 / FLAC / AAC /
// Ogg Vorbis / Opus / WAV, 44.1 or 48 kHz stereo). The library is made once with ffmpeg and kept in the temp
// folder (its generation time is not counted). First listening only (decode + spectrogram): tracks/s, time
// split into decode and spectrogram work, CPU used by node and by the ffmpeg children, peak memory (node
// process and ffmpeg children). Then end to end with the default genre model, on the backend the chain picks
// (or --backend; --model-only skips the listening-alone run, so that the process's memory is that of one
// `spectag analyze`; each listed inference worker count × ORT thread count in turn, to compare them in one run) and on
// TF.js wasm (musicnn alone: it has no EfficientAT) side by side: tracks/s, where the time goes, peak memory of node
// + ffmpeg children (targets: >= 10 tracks/s on 2 cores, < 400 MB), and the load average around each run (the
// machine may be shared). `npm run bench:model` has the forward pass per backend.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ffmpeg } from '../helpers/ffmpeg.js';
import { openDatabase } from '../../electron/core/db/open.js';
import { scanLibrary } from '../../electron/core/library/scan.js';
import { analyzeLibrary } from '../../electron/core/jobs/analyzer.js';
import { defaultAnalysisWorkers } from '../../electron/core/jobs/analysis-pool.js';
import { genreModelStep } from '../../electron/core/model/genre-step.js';
import { GenrePredictor } from '../../electron/core/model/predictor.js';
import { describeInference } from '../../electron/core/model/inference.js';
import { inferenceBackendOption } from '../../electron/core/cli/options.js';

const { values } = parseArgs({
  options: {
    tracks: { type: 'string' }, workers: { type: 'string' }, 'per-worker': { type: 'string' }, fresh: { type: 'boolean' },
    'no-model': { type: 'boolean' }, backend: { type: 'string' }, 'inference-workers': { type: 'string' }, threads: { type: 'string' },
    'no-wasm': { type: 'boolean' }, 'model-only': { type: 'boolean' },
  },
});
const count = Number(values.tracks ?? 120);
/** the 1, 5 and 15 min load averages: the machine may be shared */
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const workers = values.workers ? Number(values.workers) : defaultAnalysisWorkers();
const perWorker = values['per-worker'] ? Number(values['per-worker']) : 2;

// distinct sources per container, copied to make up the library (decoding cost does not depend on uniqueness)
const CONTAINERS: { ext: string; codec: string[]; rate: number }[] = [
  { ext: 'mp3', codec: ['-c:a', 'libmp3lame', '-q:a', '2'], rate: 44100 },
  { ext: 'flac', codec: ['-c:a', 'flac'], rate: 44100 },
  { ext: 'm4a', codec: ['-c:a', 'aac', '-b:a', '256k'], rate: 44100 },
  { ext: 'ogg', codec: ['-c:a', 'libvorbis', '-q:a', '5'], rate: 44100 },
  { ext: 'opus', codec: ['-c:a', 'libopus', '-b:a', '128k'], rate: 48000 },
  { ext: 'mp3', codec: ['-c:a', 'libmp3lame', '-b:a', '320k'], rate: 44100 },
  { ext: 'wav', codec: ['-c:a', 'pcm_s16le'], rate: 44100 },
];
const SOURCES_PER_CONTAINER = 3;
// how often each container appears in a library: mostly MP3 and FLAC, like most collections
const MIX = ['mp3', 'mp3', 'mp3', 'flac', 'flac', 'm4a', 'm4a', 'ogg', 'opus', 'mp3320', 'wav'];

/** A stereo "song": pink noise, a bass line and a melody that change every few seconds, and a beat. */
function song(sec: number, seed: number, rate: number): string[] {
  const bass = 55 * (1 + (seed % 4));
  const melody = 220 * (1 + (seed % 3) * 0.25);
  return [
    '-f', 'lavfi', '-i', `anoisesrc=d=${sec}:c=pink:r=${rate}:a=0.15:s=${seed}`,
    '-f', 'lavfi', '-i',
    `aevalsrc=0.3*sin(2*PI*${bass}*(1+mod(floor(t/2)\\,3)/4)*t)+0.2*sin(2*PI*${melody}*(1+mod(floor(t*2)\\,5)/8)*t)*(0.6+0.4*sin(2*PI*t/7))` +
      `|0.3*sin(2*PI*${bass}*(1+mod(floor(t/2)\\,3)/4)*t)+0.15*sin(2*PI*${melody * 1.5}*t)*exp(-mod(t\\,0.5)*6):s=${rate}:d=${sec}`,
    '-filter_complex', '[0]aformat=channel_layouts=stereo[n];[n][1]amix=inputs=2,volume=1.6',
  ];
}

function makeLibrary(root: string): void {
  const src = join(root, '.sources');
  mkdirSync(src, { recursive: true });
  const sources: Record<string, string[]> = {};
  let seed = 1;
  for (const c of CONTAINERS) {
    const key = c.ext === 'mp3' && c.codec.includes('320k') ? 'mp3320' : c.ext;
    sources[key] = [];
    for (let i = 0; i < SOURCES_PER_CONTAINER; i++, seed++) {
      const sec = 180 + ((seed * 37) % 121); // 3 to 5 minutes
      const p = join(src, `${key}-${i}.${c.ext}`);
      ffmpeg([...song(sec, seed, c.rate), ...c.codec, '-ar', String(c.rate), p]);
      sources[key].push(p);
    }
  }
  for (let i = 0; i < count; i++) {
    const key = MIX[i % MIX.length]!;
    const from = sources[key]![Math.floor(i / MIX.length) % SOURCES_PER_CONTAINER]!;
    const dir = join(root, `Artist ${Math.floor(i / 24)}`, `Album ${Math.floor(i / 12)}`);
    mkdirSync(dir, { recursive: true });
    copyFileSync(from, join(dir, `${String(i).padStart(4, '0')} Track.${from.split('.').pop()}`));
  }
}

const root = join(tmpdir(), `spectag-bench-analyze-v1-${count}`);
if (values.fresh || !existsSync(join(root, '.generated'))) {
  rmSync(root, { recursive: true, force: true });
  const t = Date.now();
  console.log(`generating ${count} tracks of 3-5 min in ${root} (not timed) ...`);
  makeLibrary(root);
  writeFileSync(join(root, '.generated'), 'ok');
  console.log(`generated in ${((Date.now() - t) / 1000).toFixed(0)} s`);
}
const byExt: Record<string, number> = {};
(function walk(d: string) {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory()) walk(join(d, e.name));
    else byExt[e.name.split('.').pop()!] = (byExt[e.name.split('.').pop()!] ?? 0) + 1;
  }
})(root);

const dbDir = mkdtempSync(join(tmpdir(), 'spectag-bench-analyze-db-'));
const db = openDatabase(join(dbDir, 'library.sqlite'));
await scanLibrary(db, [root]);
const totalSec = (db.prepare("SELECT sum(duration_sec) AS s FROM files WHERE status = 'ok'").get() as { s: number }).s;

/** CPU seconds of this process's waited-for children (the ffmpeg runs), from /proc/self/stat (Linux). */
function childCpuSec(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / 100; // cutime + cstime, in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

/** PSS of a process, bytes (Linux), or null. */
function pss(pid: number | 'self'): number | null {
  try {
    const m = /\nPss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Summed memory (PSS) of this process's children (the ffmpeg runs) right now, bytes (Linux: /proc/self/task/x/children). */
function childrenRss(): number {
  let sum = 0;
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      for (const pid of readFileSync(`/proc/self/task/${tid}/children`, 'utf8').split(' ').filter(Boolean)) {
        try {
          // PSS: shared pages (the ffmpeg binary's code, mapped by every run) counted once in total, not per process
          const pss = /\nPss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
          const kb = pss ? pss[1] : /\nVmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
          if (kb) sum += Number(kb) * 1024;
        } catch {
          // exited meanwhile
        }
      }
    }
  } catch {
    // not Linux
  }
  return sum;
}

/**
 * Samples every 25 ms until stopped: the peak RSS of node, the peak PSS of its children, and the peak of node's PSS +
 * its children's PSS taken at the same instant: the memory the analysis really holds. (Adding node's RSS to the
 * children's PSS counts twice what a child just forked from node still shares with it, before it becomes ffmpeg.)
 */
function peakMemory(): { stop(): { node: number; children: number; total: number } } {
  const peak = { node: 0, children: 0, total: 0 };
  const timer = setInterval(() => {
    peak.node = Math.max(peak.node, process.memoryUsage.rss());
    const kids = childrenRss();
    peak.children = Math.max(peak.children, kids);
    peak.total = Math.max(peak.total, (pss('self') ?? process.memoryUsage.rss()) + kids);
  }, 25);
  return {
    stop() {
      clearInterval(timer);
      peak.node = Math.max(peak.node, process.memoryUsage.rss());
      return peak;
    },
  };
}

/** The first listening alone (no model): decode + spectrograms + levels + picture. */
async function listeningAlone(): Promise<void> {
  const sampler = peakMemory();
  const cpu0 = process.cpuUsage();
  const child0 = childCpuSec();
  const report = await analyzeLibrary(db, { workers, tracksPerWorker: perWorker, images: true });
  const cpu = process.cpuUsage(cpu0);
  const child1 = childCpuSec();
  const { node: peakRss, children: peakChildren, total: peakTotal } = sampler.stop();
  const pictures = (db.prepare('SELECT count(*) AS n FROM analysis WHERE image_path IS NOT NULL').get() as { n: number }).n;
  db.close();

  const secs = report.durationMs / 1000;
  const perTrack = (ms: number) => (ms / Math.max(1, report.analysed)).toFixed(1);
  let pngBytes = 0;
  let pngs = 0;
  (function walk(d: string) {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.png')) {
        pngBytes += readFileSync(join(d, e.name)).length;
        pngs++;
      }
    }
  })(join(dbDir, 'library-cache'));
  rmSync(dbDir, { recursive: true, force: true });

  console.log(`analysed ${report.analysed} tracks (${report.ok} ok, ${report.silent} silent, ${report.errors} failed), ` +
    `${(report.audioSec / report.analysed).toFixed(1)} s of audio each, ${pictures} pictures`);
  console.log(`listening alone (decode + spectrogram + picture): ${secs.toFixed(2)} s wall = ${(report.analysed / secs).toFixed(1)} tracks/s`);
  console.log(`  per track, summed over threads: decode ${perTrack(report.decodeMs)} ms (ffmpeg runs, wall), ` +
    `spectrogram + levels + picture ${perTrack(report.spectrogramMs)} ms`);
  console.log(`  CPU: node ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s` +
    (child0 != null && child1 != null ? `, ffmpeg children ${(child1 - child0).toFixed(1)} s` : '') +
    ` (${((cpu.user + cpu.system) / 1e3 / report.analysed).toFixed(0)} + ${child0 != null && child1 != null ? (((child1 - child0) * 1e3) / report.analysed).toFixed(0) : '?'} ms per track)`);
  console.log(`  pictures: ${pngs} PNGs, ${(pngBytes / Math.max(1, pngs) / 1024).toFixed(1)} KB each on average`);
  console.log(`peak RSS: node ${(peakRss / 1048576).toFixed(0)} MB sampled, ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB max; ` +
    `ffmpeg children together ${(peakChildren / 1048576).toFixed(0)} MB PSS at peak; node + children ${(peakTotal / 1048576).toFixed(0)} MB PSS at peak`);
}

console.log(`library: ${root}: ${count} tracks, ${(totalSec / 60).toFixed(0)} min of audio (${(totalSec / count / 60).toFixed(1)} min/track); ` +
  Object.entries(byExt).map(([k, n]) => `${k} ${n}`).join(', '));
console.log(`machine: ${availableParallelism()} cores, load average ${load()}; analysis threads ${workers}, ${perWorker} tracks each in flight`);
if (values['model-only']) {
  db.close();
  rmSync(dbDir, { recursive: true, force: true });
} else {
  await listeningAlone();
}

// ---- end to end with the genre model, as `spectag analyze` runs it (a fresh database: every track again), on the
// backend the chain picks (or --backend) and, side by side in the same run, on TF.js wasm
async function endToEnd(backend: string | undefined, inferenceWorkers: number | undefined, threads: number | undefined): Promise<void> {
  const modelDir = mkdtempSync(join(tmpdir(), 'spectag-bench-analyze-model-'));
  const mdb = openDatabase(join(modelDir, 'library.sqlite'));
  try {
    await scanLibrary(mdb, [root]);
    const rss0 = process.memoryUsage.rss();
    let predictor: GenrePredictor;
    try {
      predictor = await GenrePredictor.create({ backend: inferenceBackendOption(backend), workers: inferenceWorkers, threads });
    } catch (err) {
      console.log(`end to end with the model on ${backend ?? 'the default backend'}: skipped (${(err as Error).message})`);
      return;
    }
    const label = `${backend ?? 'the default backend'}, ${inferenceWorkers ?? 'default'} inference workers × ${threads ?? 1} thread(s)`;
    console.log(`model: ${predictor.modelId} ${predictor.modelVersion}, inference ${describeInference(await predictor.backend)}; load average before ${load()}`);
    const genre = { step: genreModelStep(predictor), close: () => predictor.close() };
    let modelMs = 0;
    const step = {
      ...genre.step,
      run: async (...args: Parameters<typeof genre.step.run>) => {
        const t = performance.now();
        try {
          return await genre.step.run(...args);
        } finally {
          modelMs += performance.now() - t;
        }
      },
    };
    const sample = peakMemory();
    const cpuM = process.cpuUsage();
    const kid0 = childCpuSec();
    const r = await analyzeLibrary(mdb, { workers, tracksPerWorker: perWorker, images: true, modelStep: step });
    const used = process.cpuUsage(cpuM);
    const kid1 = childCpuSec();
    const { node: peak, children: peakKids, total } = sample.stop();
    await genre.close();
    const predicted = (mdb.prepare('SELECT count(*) AS n FROM predictions').get() as { n: number }).n;
    const wall = r.durationMs / 1000;
    const n = Math.max(1, r.analysed);
    console.log(`end to end with the genre model on ${label}: ${r.analysed} tracks (${r.ok} ok, ${r.errors} failed), ` +
      `${predicted} predictions in ${wall.toFixed(1)} s = ${(r.analysed / wall).toFixed(2)} tracks/s (target >= 10)`);
    console.log(`  per track: decode ${(r.decodeMs / n).toFixed(1)} ms + spectrogram ${(r.spectrogramMs / n).toFixed(1)} ms (listening threads), ` +
      `model ${(modelMs / n).toFixed(0)} ms in flight; CPU per track: node ${((used.user + used.system) / 1e3 / n).toFixed(0)} ms` +
      (kid0 != null && kid1 != null ? ` + ffmpeg ${(((kid1 - kid0) * 1e3) / n).toFixed(0)} ms` : ''));
    console.log(`  peak memory: node + children ${(total / 1048576).toFixed(0)} MB PSS at one instant (target < 400 MB); node RSS ` +
      `${(peak / 1048576).toFixed(0)} MB (${(rss0 / 1048576).toFixed(0)} MB before the model loaded), children ${(peakKids / 1048576).toFixed(0)} MB PSS at ` +
      `their peak; load average after ${load()}`);
  } finally {
    mdb.close();
    rmSync(modelDir, { recursive: true, force: true });
  }
}

if (!values['no-model']) {
  const list = (v: string | undefined) => (v ? v.split(',').map(Number) : [undefined]);
  for (const w of list(values['inference-workers'])) {
    for (const t of list(values.threads)) await endToEnd(values.backend, w, t);
  }
  if (!values.backend && !values['no-wasm']) await endToEnd('tfjs-wasm', undefined, undefined);
}
