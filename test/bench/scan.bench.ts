// npm run bench:scan [-- <library folder>] [--files N]: first scan and unchanged rescan speed, peak RSS.
// Without a folder it generates (once, cached in the temp folder) a library of N distinct files (default 5000).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeBulkLibrary } from '../helpers/bulk-library.js';
import { openDatabase } from '../../electron/core/db/open.js';
import { scanLibrary } from '../../electron/core/library/scan.js';
import { defaultWorkerCount } from '../../electron/core/library/read-pool.js';

const { values, positionals } = parseArgs({ options: { files: { type: 'string' }, workers: { type: 'string' } }, allowPositionals: true });
const count = Number(values.files ?? 5000);
let root = positionals[0];
if (!root) {
  root = join(tmpdir(), `spectag-bench-library-${count}`);
  if (!existsSync(join(root, '.generated'))) {
    rmSync(root, { recursive: true, force: true });
    const t = Date.now();
    console.log(`generating ${count} files in ${root} ...`);
    makeBulkLibrary(root, count);
    writeFileSync(join(root, '.generated'), 'ok');
    console.log(`generated in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
}
const workers = values.workers ? Number(values.workers) : defaultWorkerCount();
const dbDir = mkdtempSync(join(tmpdir(), 'spectag-bench-db-'));
const db = openDatabase(join(dbDir, 'library.sqlite'));
const mb = (kb: number) => (kb / 1024).toFixed(0);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);

const first = await scanLibrary(db, [root], { workers });
const firstRate = first.seen / (first.durationMs / 1000);
const rescan = await scanLibrary(db, [root], { workers });
const rescanRate = rescan.seen / (rescan.durationMs / 1000);
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss());
db.close();
rmSync(dbDir, { recursive: true, force: true });

console.log(`library: ${root} (${first.seen} audio files), reader threads: ${workers}`);
console.log(`first scan:       ${first.seen} files in ${(first.durationMs / 1000).toFixed(2)} s = ${firstRate.toFixed(0)} files/s (target >= 2000); errors ${first.errors}`);
console.log(`unchanged rescan: ${rescan.seen} files in ${(rescan.durationMs / 1000).toFixed(3)} s = ${rescanRate.toFixed(0)} files/s (target >= 30000); re-read ${rescan.added + rescan.updated}`);
console.log(`peak RSS: ${(peakRss / 1048576).toFixed(0)} MB sampled, ${mb(process.resourceUsage().maxRSS)} MB max (target < 300 MB)`);
