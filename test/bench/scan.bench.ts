// npm run bench:scan [-- <library folder>] [--files N] [--workers N] [--beets PATH] [--repeat N] [--engine DIR] [--overall-only] [--cold]
// First scan per container and overall, the CPU split between the main thread and the reader threads, what
// the scan read per file (bytes and read calls, from /proc/self/io), unchanged rescan, peak RSS; and beets'
// `import -A` over the same files, when a `beet` is given or found.
// Without a folder it generates a realistic library (test/helpers/realistic-library.ts) of N files (default
// 6,720), once: it is kept in the temp folder under a name keyed by the generator's version and parameters.
// --engine DIR runs the scanner compiled in DIR (another checkout's .build) on the same library: before/after
// comparisons in one run on a busy machine. --cold also measures each scan with the library's files dropped from
// the page cache first (posix_fadvise DONTNEED on each file, through python3: Node has no fadvise), as after a
// reboot; on a virtual machine the host may still cache the disk, so "cold" is a lower bound of a real disk's cost.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CONTAINER_FOLDER, makeRealisticLibrary, realisticLibraryKey } from '../helpers/realistic-library.js';
import { defaultWorkerCount } from '../../electron/core/library/read-pool.js';
import { isSkippedName } from '../../electron/core/library/walk.js';
import { CONTAINERS, type Container, type ScanReport } from '../../electron/shared/library.js';

const { values, positionals } = parseArgs({
  options: {
    files: { type: 'string' }, workers: { type: 'string' }, beets: { type: 'string' }, repeat: { type: 'string' }, 'no-beets': { type: 'boolean' },
    engine: { type: 'string' }, 'overall-only': { type: 'boolean' }, cold: { type: 'boolean' },
  },
  allowPositionals: true,
});
const engine = values.engine ? pathToFileURL(`${resolve(values.engine)}/`).href : new URL('../../', import.meta.url).href;
const { openDatabase } = (await import(`${engine}electron/core/db/open.js`)) as typeof import('../../electron/core/db/open.js');
const { scanLibrary } = (await import(`${engine}electron/core/library/scan.js`)) as typeof import('../../electron/core/library/scan.js');
const count = Number(values.files ?? 6720);
const workers = values.workers ? Number(values.workers) : defaultWorkerCount();
const repeat = Number(values.repeat ?? 1);

// ------------------------------------------------------------------------------------------- the library

/** Folders that each hold one container's files: the generator's own, or links grouped by extension. */
function containerFolders(root: string, generated: boolean, scratch: string): Map<Container, string> {
  const out = new Map<Container, string>();
  if (generated) {
    for (const c of CONTAINERS) if (existsSync(join(root, CONTAINER_FOLDER[c]))) out.set(c, join(root, CONTAINER_FOLDER[c]));
    return out;
  }
  const byExt: Record<string, Container> = {
    '.mp3': 'mp3', '.flac': 'flac', '.m4a': 'mp4', '.mp4': 'mp4', '.m4b': 'mp4', '.ogg': 'ogg', '.oga': 'ogg', '.opus': 'opus',
    '.wma': 'asf', '.asf': 'asf', '.wav': 'wav', '.aif': 'aiff', '.aiff': 'aiff',
  };
  let n = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (isSkippedName(e.name)) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const c = byExt[extname(e.name).toLowerCase()];
        if (!c) continue;
        const folder = join(scratch, 'by-container', c);
        if (!out.has(c)) mkdirSync(folder, { recursive: true });
        out.set(c, folder);
        symlinkSync(p, join(folder, `${n++}${extname(e.name)}`));
      }
    }
  };
  walk(root);
  return out;
}

let root = positionals[0];
const generated = !root;
if (!root) {
  const key = realisticLibraryKey(count, 1);
  root = join(tmpdir(), `spectag-bench-real-library-${key}`);
  if (!existsSync(join(root, '.generated'))) {
    rmSync(root, { recursive: true, force: true });
    const t = Date.now();
    console.log(`generating a realistic library of ${count} files in ${root} (once; kept for later runs) ...`);
    const lib = makeRealisticLibrary(root, count, { seed: 1, log: (s) => console.log(`  ${s}`) });
    writeFileSync(join(root, '.generated'), JSON.stringify({ counts: lib.counts, bytes: lib.bytes }));
    console.log(`generated ${lib.files.length} files, ${(lib.bytes / 1e9).toFixed(2)} GB, in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  }
}

// ------------------------------------------------------------------------------------------- measuring

/** CPU seconds of each thread of this process (Linux: /proc/self/task), keyed by thread id. */
function threadCpu(): Map<number, number> {
  const out = new Map<number, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(Number(tid), (Number(f[11]) + Number(f[12])) / 100); // utime + stime, in clock ticks of 10 ms
      } catch {
        // the thread ended meanwhile
      }
    }
  } catch {
    // not Linux
  }
  return out;
}

/** CPU seconds of this process's finished children (Linux: cutime + cstime). */
function childCpu(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return NaN;
  }
}

function procIo(): { rchar: number; syscr: number } | null {
  try {
    const t = readFileSync('/proc/self/io', 'utf8');
    const get = (k: string) => Number(new RegExp(`^${k}: (\\d+)$`, 'm').exec(t)?.[1] ?? NaN);
    return { rchar: get('rchar'), syscr: get('syscr') };
  } catch {
    return null;
  }
}

interface Run {
  report: ScanReport;
  wallS: number;
  mainCpuS: number;
  readerCpuS: number;
  otherCpuS: number;
  readKiBPerFile: number | null;
  readCallsPerFile: number | null;
}

let peakRss = 0;
const rssSampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);

/** Threads that exist before any scan: the main thread and V8's and libuv's helpers. Threads born later are readers. */
const startupThreads = new Set(threadCpu().keys());

/**
 * One scan into `dbPath`. CPU: each thread's time from /proc before and after, the main thread, the helpers
 * that existed before the first scan, and the reader threads (started by the first scan, kept warm between
 * scans; a reader replaced during the scan is counted through the process's total).
 */
async function measuredScan(dbPath: string, folder: string): Promise<Run> {
  const db = openDatabase(dbPath);
  const before = threadCpu();
  const cpu0 = process.cpuUsage();
  const io0 = procIo();
  const t0 = performance.now();
  const report = await scanLibrary(db, [folder], { workers });
  const wallS = (performance.now() - t0) / 1000;
  const io1 = procIo();
  const cpu1 = process.cpuUsage(cpu0);
  const after = threadCpu();
  db.close();
  const total = (cpu1.user + cpu1.system) / 1e6;
  let main = 0, other = 0;
  for (const [tid, s] of after) {
    const d = s - (before.get(tid) ?? 0);
    if (tid === process.pid) main += d;
    else if (startupThreads.has(tid)) other += d;
  }
  const readers = Math.max(0, total - main - other);
  const read = report.added + report.updated + report.moved;
  return {
    report, wallS, mainCpuS: main, readerCpuS: readers, otherCpuS: other,
    readKiBPerFile: io0 && io1 && read ? (io1.rchar - io0.rchar) / 1024 / read : null,
    readCallsPerFile: io0 && io1 && read ? (io1.syscr - io0.syscr) / read : null,
  };
}

const dbDir = mkdtempSync(join(tmpdir(), 'spectag-bench-db-'));
let dbN = 0;
const freshDb = () => join(dbDir, `library-${dbN++}.sqlite`);
const rate = (r: Run) => r.report.seen / r.wallS;
const engineRate = (r: Run) => r.report.seen / (r.report.durationMs / 1000);
const perFile = (s: number, r: Run) => ((s * 1000) / Math.max(1, r.report.seen)).toFixed(2);
const cpu = (r: Run) =>
  `main thread ${r.mainCpuS.toFixed(2)} s (${perFile(r.mainCpuS, r)} ms/file), reader threads ${r.readerCpuS.toFixed(2)} s ` +
  `(${perFile(r.readerCpuS, r)} ms/file), other threads ${r.otherCpuS.toFixed(2)} s`;

const folders = containerFolders(root, generated, dbDir);
/**
 * Warm cache means the parts of the files a scan reads are in the page cache: each measured scan follows an
 * unmeasured one of the same folder (on machines that reclaim idle page cache quickly, a warm-up of the whole
 * library long before is not enough).
 */
const warm = async (folder: string) => void (await measuredScan(freshDb(), folder));

const EVICT = `import os, sys
for d, _, names in os.walk(sys.argv[1], followlinks=True):
    for n in names:
        try:
            fd = os.open(os.path.join(d, n), os.O_RDONLY)
        except OSError:
            continue
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
`;
/** Drop every file below `folder` from the page cache (false when it cannot be done here). */
function evict(folder: string): boolean {
  return spawnSync('python3', ['-c', EVICT, folder], { stdio: 'ignore' }).status === 0;
}
const cold = values.cold ? evict(root) : false;
if (values.cold && !cold) console.log('--cold: cannot drop files from the page cache here (needs python3 on Linux); warm figures only');
/** A first scan with the folder's files out of the page cache. */
const coldScan = async (folder: string) => {
  evict(folder);
  return measuredScan(freshDb(), folder);
};

console.log(`engine: ${engine}`);
console.log(`library: ${root} (${generated ? 'generated' : 'given'}), reader threads: ${workers}, load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${readdirSync('/sys/devices/system/cpu').filter((n) => /^cpu\d+$/.test(n)).length || '?'} CPUs`);
console.log('');
console.log(`container      files   files/s${cold ? ' (cold)' : '       '}   CPU ms/file: main  readers   KiB read/file  reads/file`);
const perContainer: { c: Container; best: Run }[] = [];
for (const [c, folder] of values['overall-only'] ? [] : folders) {
  let best: Run | null = null;
  for (let i = 0; i < repeat; i++) {
    await warm(folder);
    const r = await measuredScan(freshDb(), folder);
    if (!best || rate(r) > rate(best)) best = r;
  }
  perContainer.push({ c, best: best! });
  const b = best!;
  const coldRate = cold ? ` (${rate(await coldScan(folder)).toFixed(0).padStart(5)})` : '        ';
  console.log(
    `${c.padEnd(12)} ${String(b.report.seen).padStart(6)}   ${rate(b).toFixed(0).padStart(7)}${coldRate}   ` +
      `${perFile(b.mainCpuS, b).padStart(15)}  ${perFile(b.readerCpuS, b).padStart(7)}   ` +
      `${(b.readKiBPerFile ?? NaN).toFixed(1).padStart(13)}  ${(b.readCallsPerFile ?? NaN).toFixed(1).padStart(10)}` +
      `${b.report.errors ? `   (${b.report.errors} errors)` : ''}`,
  );
}
if (perContainer.length) {
  const slowest = perContainer.reduce((a, b) => (rate(b.best) < rate(a.best) ? b : a));
  console.log(`slowest container: ${slowest.c} ${rate(slowest.best).toFixed(0)} files/s (target >= 1500)`);
}
console.log('');

let overall: Run | null = null;
let overallDb = '';
for (let i = 0; i < repeat; i++) {
  await warm(root);
  const path = freshDb();
  const r = await measuredScan(path, root);
  if (!overall || rate(r) > rate(overall)) {
    overall = r;
    overallDb = path;
  }
}
const o = overall!;
console.log(`first scan:       ${o.report.seen} files in ${o.wallS.toFixed(2)} s = ${rate(o).toFixed(0)} files/s (engine ${engineRate(o).toFixed(0)}; target >= 2500); errors ${o.report.errors}`);
console.log(`  CPU: ${cpu(o)}; per file: ${(o.readKiBPerFile ?? NaN).toFixed(1)} KiB read in ${(o.readCallsPerFile ?? NaN).toFixed(1)} read calls`);
if (cold) {
  const c = await coldScan(root);
  console.log(`cold first scan:  ${c.report.seen} files in ${c.wallS.toFixed(2)} s = ${rate(c).toFixed(0)} files/s, files out of the page cache; errors ${c.report.errors}`);
  console.log(`  CPU: ${cpu(c)}; per file: ${(c.readKiBPerFile ?? NaN).toFixed(1)} KiB read in ${(c.readCallsPerFile ?? NaN).toFixed(1)} read calls`);
}
const rescan = await measuredScan(overallDb, root);
console.log(
  `unchanged rescan: ${rescan.report.seen} files in ${rescan.wallS.toFixed(3)} s = ${rate(rescan).toFixed(0)} files/s (target >= 30000); ` +
    `re-read ${rescan.report.added + rescan.report.updated}; CPU ${(((rescan.mainCpuS + rescan.readerCpuS + rescan.otherCpuS) * 1e6) / Math.max(1, rescan.report.seen)).toFixed(0)} µs/file`,
);
clearInterval(rssSampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss());
console.log(`peak RSS: ${(peakRss / 1048576).toFixed(0)} MB sampled, ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB max (target < 300 MB)`);

// ------------------------------------------------------------------------------------------------ beets

function findBeet(): string | null {
  if (values['no-beets']) return null;
  if (values.beets) return values.beets;
  if (process.env.SPECTAG_BEET) return process.env.SPECTAG_BEET;
  const r = spawnSync('beet', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? 'beet' : null;
}

const beet = findBeet();
if (!beet) {
  console.log('beets: skipped (no `beet` on the PATH; give --beets PATH or SPECTAG_BEET; see test/bench/README.md)');
} else {
  const home = join(dbDir, 'beets');
  mkdirSync(home, { recursive: true });
  const config = join(home, 'config.yaml');
  // a throwaway library that only records what it reads: no autotagging, no copying, no writing, no plugins
  // albums that share a name are kept, not skipped as duplicates: every file is imported
  writeFileSync(config, `directory: ${join(home, 'music')}\nlibrary: ${join(home, 'library.db')}\nplugins: []\nimport:\n  copy: no\n  move: no\n  write: no\n  autotag: no\n  quiet: yes\n  duplicate_action: keep\n  log: null\n`);
  const env = { ...process.env, BEETSDIR: home };
  const version = /beets version \S+/.exec(execFileSync(beet, ['-c', config, 'version'], { env, encoding: 'utf8' }))?.[0] ?? 'beets';
  const children = childCpu();
  const t0 = performance.now();
  const r = spawnSync(beet, ['-c', config, 'import', '-A', '-q', root], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const secs = (performance.now() - t0) / 1000;
  const beetsCpu = childCpu() - children;
  const imported = Number(execFileSync(beet, ['-c', config, 'stats'], { env, encoding: 'utf8' }).match(/Tracks:\s*(\d+)/)?.[1] ?? NaN);
  if (r.status !== 0) console.log(`beets: import failed (${r.status}): ${r.stderr.slice(-400)}`);
  console.log(`${version} import -A: ${imported} files in ${secs.toFixed(1)} s = ${(imported / secs).toFixed(0)} files/s, ` +
    `CPU ${((beetsCpu * 1000) / imported).toFixed(2)} ms/file (same library, same run; Spectag's first scan above: ` +
    `${rate(o).toFixed(0)} files/s, CPU ${perFile(o.mainCpuS + o.readerCpuS + o.otherCpuS, o)} ms/file)`);
}
rmSync(dbDir, { recursive: true, force: true });
console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
