// npm run bench:write [-- --files N]: what a genre write costs per file, and how much of it is the journal entry
// committed (synced to disk) before each file is replaced; then the undo of the same batch.
// Real MP3s (ID3v2.3 from ffmpeg, genre Rock) in a temp folder; the database next to them, on the same disk.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore } from '../../electron/core/db/decisions.js';
import { scanLibrary } from '../../electron/core/library/scan.js';
import { applyWrite, planWrite, undoWrite, type WriteJobOptions } from '../../electron/core/tags/write.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';

const { values } = parseArgs({ options: { files: { type: 'string' } } });
const count = Number(values.files ?? 40);
const dir = mkdtempSync(join(tmpdir(), 'spectag-bench-write-'));
const paths = Array.from({ length: count }, (_, i) => {
  const p = join(dir, `t${i + 1}.mp3`);
  ffmpeg([...SOUNDS.tone(3, 200 + i * 7), '-c:a', 'libmp3lame', '-b:a', '128k', '-id3v2_version', '3', '-metadata', `title=T${i + 1}`,
    '-metadata', 'artist=Bench', '-metadata', 'date=2019', '-metadata', 'genre=Rock', p]);
  return p;
});
const db = openDatabase(join(dir, 'lib.sqlite'));
await scanLibrary(db, [dir], { workers: 1 });
const files = new FileStore(db);
for (const p of paths) new DecisionStore(db).record(files.getByPath(p)!.id, ['Jazz', 'Blues'], 'cli');

/** Per file: the time from the verified copy to the moment before the rename (journal entry, lease renewal). */
function timed(): { job: WriteJobOptions; journalMs: number[] } {
  const verifiedAt = new Map<string, number>();
  const journalMs: number[] = [];
  return {
    journalMs,
    job: {
      onStep: (path, step) => {
        if (step === 'verified') verifiedAt.set(path, performance.now());
        if (step === 'before-rename') journalMs.push(performance.now() - verifiedAt.get(path)!);
      },
    },
  };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)] ?? NaN;

const w = timed();
const write = await applyWrite(db, planWrite(db, {}, 'replace'), w.job);
const u = timed();
const undo = await undoWrite(db, write.batchId!, u.job);
db.close();
rmSync(dir, { recursive: true, force: true });

for (const [name, r, t] of [['write', write, w], ['undo', undo, u]] as const) {
  const perFile = r.durationMs / Math.max(1, r.written);
  console.log(`${name}: ${r.written} of ${count} files in ${(r.durationMs / 1000).toFixed(2)} s = ${perFile.toFixed(1)} ms per file; ` +
    `journal entry before the rename: median ${median(t.journalMs).toFixed(2)} ms, p90 ${p90(t.journalMs).toFixed(2)} ms ` +
    `(${((median(t.journalMs) / perFile) * 100).toFixed(1)} % of a file's time)`);
}
