// npm run bench:analyze [-- --tracks N] [--workers N[,N...]] [--per-worker N[,N...]] [--fresh] [--no-model] [--backend B]
//   [--inference-workers N[,N...]] [--threads N[,N...]] [--engine DIR[,DIR...]] [--rounds N] [--no-wasm] [--model-only]:
// `spectag analyze` speed on a generated library of realistic-length tracks (3–5 min, MP3 / FLAC / AAC /
// Ogg Vorbis / Opus / WAV, 44.1 or 48 kHz stereo). The library is made once with ffmpeg and kept in the temp
// folder (its generation time is not counted). First listening only (decode + spectrogram): tracks/s, time
// split into decode and spectrogram work, CPU used by node and by the ffmpeg children, peak memory (node
// process and ffmpeg children). Then end to end with the default genre model, on the backend the chain picks
// (or --backend; --model-only skips the listening-alone run) and on TF.js wasm (musicnn alone: it has no
// EfficientAT) side by side: tracks/s, where the time goes, peak memory of node + ffmpeg children (targets: >= 10
// tracks/s on 2 cores, < 400 MB), and the load average around each run (the machine may be shared).
// Every run is a fresh process, as `spectag analyze` is: memory a run's allocator kept would otherwise count in the
// next. The listed alternatives (analysis threads × tracks per thread × inference workers × ORT threads × engines:
// --engine ../other-checkout/.build runs that build's engine, for before/after comparisons) run in turn, --rounds
// times over (alternating, so that load changes hit each alike), then a summary gives each one's median.
// `npm run bench:model` has the forward pass per backend.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ffmpeg } from '../helpers/ffmpeg.js';
import { inferenceBackendOption } from '../../electron/core/cli/options.js';

const { values } = parseArgs({
  options: {
    tracks: { type: 'string' }, workers: { type: 'string' }, 'per-worker': { type: 'string' }, fresh: { type: 'boolean' },
    'no-model': { type: 'boolean' }, backend: { type: 'string' }, 'inference-workers': { type: 'string' }, threads: { type: 'string' },
    'no-wasm': { type: 'boolean' }, 'model-only': { type: 'boolean' }, engine: { type: 'string' }, rounds: { type: 'string' },
    child: { type: 'string' },
  },
});
const count = Number(values.tracks ?? 120);
/** the 1, 5 and 15 min load averages: the machine may be shared */
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

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

/** One measured run, in its own process: which engine (a .build folder), what to run, with which settings. */
interface RunSpec {
  engine: string;
  /** listening alone, or end to end with the genre model */
  model: boolean;
  backend?: string;
  workers?: number;
  perWorker?: number;
  inferenceWorkers?: number;
  threads?: number;
}

/** What a run reports back (besides its printed lines). */
interface RunResult {
  tracksPerSec: number;
  nodeCpuMs: number;
  ffmpegCpuMs: number;
  peakMb: number;
  nodeMb: number;
  childrenMb: number;
  load: string;
}

const RESULT = '@@result ';

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

/** Resident memory of this process now, bytes: /proc/self/statm (a counter: cheap), else process.memoryUsage. */
function nodeRss(): number {
  try {
    return Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]) * 4096;
  } catch {
    return process.memoryUsage.rss();
  }
}

let nodeExe: string | null = null;
/**
 * Memory of this process's children that already run ffmpeg, bytes (Linux: /proc/self/task/x/children): the private
 * pages of each (resident minus file-backed, from /proc/pid/statm, a counter: cheap to read) plus the file-backed
 * pages of the largest once (the ffmpeg binary, which every run maps), close to their summed PSS. A child between fork
 * and exec still maps node's pages: they are node's memory, counted in node's RSS, so it is left out.
 */
function childrenMemory(): number {
  let own = 0;
  let shared = 0;
  try {
    nodeExe ??= realpathSync('/proc/self/exe');
    for (const tid of readdirSync('/proc/self/task')) {
      for (const pid of readFileSync(`/proc/self/task/${tid}/children`, 'utf8').split(' ').filter(Boolean)) {
        try {
          if (realpathSync(`/proc/${pid}/exe`) === nodeExe) continue;
          const [, resident, file] = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ').map((x) => Number(x) * 4096);
          own += resident! - file!;
          shared = Math.max(shared, file!);
        } catch {
          // exited meanwhile
        }
      }
    }
  } catch {
    // not Linux
  }
  return own + shared;
}

/**
 * Samples every 25 ms until stopped: the peak RSS of node, the peak memory of its ffmpeg children, and the peak of
 * node's RSS + its children's memory taken at the same instant: the memory the analysis really holds (node's RSS
 * rather than its PSS: reading a large process's PSS walks all its pages, ~10 ms of kernel time a read, which at this
 * rate would take a fifth of a 2-core machine and block the event loop the analysis runs on; RSS is the larger).
 * `sampleMs`: CPU the sampling itself cost (node's CPU figures are given without it).
 */
function peakMemory(): { stop(): { node: number; children: number; total: number; sampleMs: number } } {
  const peak = { node: 0, children: 0, total: 0, sampleMs: 0 };
  const timer = setInterval(() => {
    const c0 = process.cpuUsage();
    const rss = nodeRss();
    const kids = childrenMemory();
    peak.node = Math.max(peak.node, rss);
    peak.children = Math.max(peak.children, kids);
    peak.total = Math.max(peak.total, rss + kids);
    const c = process.cpuUsage(c0);
    peak.sampleMs += (c.user + c.system) / 1000;
  }, 25);
  return {
    stop() {
      clearInterval(timer);
      peak.node = Math.max(peak.node, nodeRss());
      peak.total = Math.max(peak.total, peak.node);
      return peak;
    },
  };
}

/** The child's side: one run, printed, then its figures on one line for the parent. */
async function runOne(spec: RunSpec): Promise<void> {
  const engine = pathToFileURL(`${resolve(spec.engine)}/`).href;
  const { openDatabase } = (await import(`${engine}electron/core/db/open.js`)) as typeof import('../../electron/core/db/open.js');
  const { scanLibrary } = (await import(`${engine}electron/core/library/scan.js`)) as typeof import('../../electron/core/library/scan.js');
  const { analyzeLibrary } = (await import(`${engine}electron/core/jobs/analyzer.js`)) as typeof import('../../electron/core/jobs/analyzer.js');
  const dir = mkdtempSync(join(tmpdir(), 'spectag-bench-analyze-db-'));
  const db = openDatabase(join(dir, 'library.sqlite'));
  try {
    await scanLibrary(db, [root]);
    const rss0 = nodeRss();
    let step: import('../../electron/core/jobs/model-step.js').ModelStep<unknown> | undefined;
    let close = async (): Promise<void> => {};
    let modelMs = 0;
    let label = 'listening alone (decode + spectrogram + picture)';
    if (spec.model) {
      const { genreModelStep } = (await import(`${engine}electron/core/model/genre-step.js`)) as typeof import('../../electron/core/model/genre-step.js');
      const { GenrePredictor } = (await import(`${engine}electron/core/model/predictor.js`)) as typeof import('../../electron/core/model/predictor.js');
      const { describeInference } = (await import(`${engine}electron/core/model/inference.js`)) as typeof import('../../electron/core/model/inference.js');
      let predictor: import('../../electron/core/model/predictor.js').GenrePredictor;
      try {
        predictor = await GenrePredictor.create({ backend: inferenceBackendOption(spec.backend), workers: spec.inferenceWorkers, threads: spec.threads });
      } catch (err) {
        console.log(`end to end with the model on ${spec.backend ?? 'the default backend'}: skipped (${(err as Error).message})`);
        return;
      }
      console.log(`model: ${predictor.modelId} ${predictor.modelVersion}, inference ${describeInference(await predictor.backend)}`);
      const genre = genreModelStep(predictor);
      step = {
        ...genre,
        run: async (...args: Parameters<typeof genre.run>) => {
          const t = performance.now();
          try {
            return await genre.run(...args);
          } finally {
            modelMs += performance.now() - t;
          }
        },
      };
      close = () => predictor.close();
      label = `end to end with the genre model on ${spec.backend ?? 'the default backend'}`;
    }
    const before = load();
    const sampler = peakMemory();
    const cpu0 = process.cpuUsage();
    const kid0 = childCpuSec();
    const r = await analyzeLibrary(db, { workers: spec.workers, tracksPerWorker: spec.perWorker, images: true, modelStep: step });
    const used = process.cpuUsage(cpu0);
    const kid1 = childCpuSec();
    const peak = sampler.stop();
    await close();
    const n = Math.max(1, r.analysed);
    const wall = r.durationMs / 1000;
    const nodeCpuMs = ((used.user + used.system) / 1e3 - peak.sampleMs) / n;
    const ffmpegCpuMs = kid0 != null && kid1 != null ? ((kid1 - kid0) * 1e3) / n : NaN;
    const predicted = spec.model ? (db.prepare('SELECT count(*) AS n FROM predictions').get() as { n: number }).n : 0;
    const pictures = (db.prepare('SELECT count(*) AS n FROM analysis WHERE image_path IS NOT NULL').get() as { n: number }).n;
    console.log(`${label}: ${r.analysed} tracks (${r.ok} ok, ${r.errors} failed), ${spec.model ? `${predicted} predictions, ` : ''}${pictures} pictures, ` +
      `${(r.audioSec / n).toFixed(1)} s of audio each, in ${wall.toFixed(1)} s = ${(r.analysed / wall).toFixed(2)} tracks/s${spec.model ? ' (target >= 10)' : ''}`);
    console.log(`  per track: decode ${(r.decodeMs / n).toFixed(1)} ms (ffmpeg runs, wall) + spectrogram, levels, picture ${(r.spectrogramMs / n).toFixed(1)} ms ` +
      `(listening threads)${spec.model ? `, model ${(modelMs / n).toFixed(0)} ms in flight` : ''}; CPU per track: node ${nodeCpuMs.toFixed(0)} ms + ffmpeg ` +
      `${ffmpegCpuMs.toFixed(0)} ms (the memory sampling's own ${(peak.sampleMs / n).toFixed(1)} ms left out)`);
    console.log(`  peak memory: node RSS + ffmpeg children ${(peak.total / 1048576).toFixed(0)} MB at one instant${spec.model ? ' (target < 400 MB)' : ''}; node RSS ` +
      `${(peak.node / 1048576).toFixed(0)} MB (${(rss0 / 1048576).toFixed(0)} MB before the run), children ${(peak.children / 1048576).toFixed(0)} MB at ` +
      `their peak; load average before ${before}, after ${load()}`);
    const result: RunResult = {
      tracksPerSec: r.analysed / wall, nodeCpuMs, ffmpegCpuMs, peakMb: peak.total / 1048576, nodeMb: peak.node / 1048576,
      childrenMb: peak.children / 1048576, load: `${before} -> ${load()}`,
    };
    console.log(RESULT + JSON.stringify(result));
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The parent's side: one run in a fresh process; its lines are passed on, its figures returned. */
function runChild(spec: RunSpec): Promise<RunResult | null> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--tracks', String(count), '--child', JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let result: RunResult | null = null;
    let rest = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      const lines = (rest + d).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith(RESULT)) result = JSON.parse(line.slice(RESULT.length)) as RunResult;
        else console.log(line);
      }
    });
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(result) : fail(new Error(`bench run ${JSON.stringify(spec)} exited with ${code}`))));
  });
}

if (values.child) {
  await runOne(JSON.parse(values.child) as RunSpec);
} else {
  const byExt: Record<string, number> = {};
  (function walk(d: string) {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) walk(join(d, e.name));
      else byExt[e.name.split('.').pop()!] = (byExt[e.name.split('.').pop()!] ?? 0) + 1;
    }
  })(root);
  const here = fileURLToPath(new URL('../../', import.meta.url));
  const list = (v: string | undefined) => (v ? v.split(',').map(Number) : [undefined]);
  const engines = values.engine ? values.engine.split(',') : [here];
  console.log(`library: ${root}: ${count} tracks (${(count / MIX.length).toFixed(0)} of each mix of ` +
    `${Object.entries(byExt).map(([k, n]) => `${k} ${n}`).join(', ')}), 3-5 min each`);
  console.log(`machine: ${availableParallelism()} cores, load average ${load()}; engines: ${engines.join(', ')}`);
  const label = (s: RunSpec) =>
    `${s.engine === here ? 'this build' : s.engine}: ${s.backend ?? 'default backend'}, analysis threads ${s.workers ?? 'default'} × ${s.perWorker ?? 'default'} tracks, ` +
    `${s.model ? `inference workers ${s.inferenceWorkers ?? 'default'} × ${s.threads ?? 1} thread(s)` : 'no model'}`;
  const specs: RunSpec[] = [];
  for (const engine of engines) {
    for (const workers of list(values.workers)) {
      for (const perWorker of list(values['per-worker'])) {
        if (!values['model-only']) specs.push({ engine, model: false, workers, perWorker });
        if (values['no-model']) continue;
        for (const inferenceWorkers of list(values['inference-workers'])) {
          for (const threads of list(values.threads)) specs.push({ engine, model: true, backend: values.backend, workers, perWorker, inferenceWorkers, threads });
        }
      }
    }
    if (!values['no-model'] && !values.backend && !values['no-wasm']) specs.push({ engine, model: true, backend: 'tfjs-wasm' });
  }
  const results = new Map<RunSpec, RunResult[]>(specs.map((s) => [s, []]));
  const rounds = Number(values.rounds ?? 1);
  for (let round = 1; round <= rounds; round++) {
    for (const spec of specs) {
      console.log(`\n== round ${round}/${rounds}: ${label(spec)}`);
      const r = await runChild(spec);
      if (r) results.get(spec)!.push(r);
    }
  }
  const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
  console.log(`\nsummary, median of ${rounds} round(s) (load average now ${load()}):`);
  for (const [spec, rs] of results) {
    if (!rs.length) continue;
    const m = (f: (r: RunResult) => number) => median(rs.map(f));
    console.log(`  ${label(spec)}: ${m((r) => r.tracksPerSec).toFixed(2)} tracks/s [${rs.map((r) => r.tracksPerSec.toFixed(2)).join(', ')}], ` +
      `CPU per track node ${m((r) => r.nodeCpuMs).toFixed(0)} + ffmpeg ${m((r) => r.ffmpegCpuMs).toFixed(0)} ms, peak node + children ` +
      `${m((r) => r.peakMb).toFixed(0)} MB [${rs.map((r) => r.peakMb.toFixed(0)).join(', ')}] (node ${m((r) => r.nodeMb).toFixed(0)}, children ` +
      `${m((r) => r.childrenMb).toFixed(0)}); load ${rs.map((r) => r.load).join('; ')}`);
  }
}
