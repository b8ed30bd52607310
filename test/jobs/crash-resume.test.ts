// A crash in the middle of `spectag analyze` (the process killed with SIGKILL) loses nothing: finished
// tracks stay finished, no decoder outlives it, and the next run does exactly the rest.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { analyzeLibrary } from '../../electron/core/jobs/analyzer.js';
import { CAN_LIST_PROCESSES, ffmpegProcessesMentioning } from '../audio/processes.js';
import { FLAC, makeAnalysisLibrary, music, type AnalysisLibrary } from './analysis-library.js';
import { SPECTAG_CLI } from '../helpers/cli.js';

const TRACKS = 16;

let lib: AnalysisLibrary;
before(() => {
  lib = makeAnalysisLibrary(Array.from({ length: TRACKS }, (_, i) => ({ rel: `t/${String(i).padStart(2, '0')}.flac`, input: music(60, i + 1), codec: FLAC })));
});
after(() => lib.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crash and resume', () => {
  it('kill -9 of `spectag analyze`: finished tracks are kept, no ffmpeg is left, the next run does only the rest', async () => {
    const { db, dbPath } = await lib.scannedDb('crash');
    db.close();
    const child = spawn(process.execPath, [SPECTAG_CLI, 'analyze', '--no-model', '--db', dbPath, '--workers', '1'], { stdio: 'ignore' });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    const watch = new Database(dbPath, { readonly: true, fileMustExist: true });
    let atKill = 0;
    try {
      for (let i = 0; i < 1500; i++) {
        try {
          atKill = (watch.prepare('SELECT count(*) AS n FROM analysis').get() as { n: number }).n;
        } catch {
          // the table appears when the child has migrated the database
        }
        if (atKill >= 2) break;
        await sleep(10);
      }
      child.kill('SIGKILL');
      await exited;
    } finally {
      watch.close();
    }
    assert.ok(atKill >= 2 && atKill < TRACKS, `analysed ${atKill} of ${TRACKS} before the kill`);
    if (CAN_LIST_PROCESSES) {
      // ffmpeg children of the dead process end as soon as they write to its closed pipe
      let left = ffmpegProcessesMentioning(lib.root);
      for (let i = 0; i < 100 && left.length; i++) {
        await sleep(30);
        left = ffmpegProcessesMentioning(lib.root);
      }
      assert.deepEqual(left, [], 'ffmpeg outlived the killed analysis');
    }

    const reopened = new Database(dbPath);
    const before = reopened.prepare('SELECT file_id, analysed_at FROM analysis ORDER BY file_id').all() as { file_id: number; analysed_at: number }[];
    const queued = (reopened.prepare('SELECT count(*) AS n FROM analysis_queue').get() as { n: number }).n;
    assert.equal(before.length + queued, TRACKS, 'every file is either analysed or still queued');
    // a try is counted when a track starts, not when it is taken from the queue: the tracks in flight (and
    // finished ones whose batched write had not happened yet) have one, the rest none
    const tried = (reopened.prepare('SELECT count(*) AS n FROM analysis_queue WHERE attempts > 0').get() as { n: number }).n;
    assert.ok(tried >= 1 && tried < queued, `${tried} of ${queued} queued files have a try counted`);
    const report = await analyzeLibrary(reopened, { workers: 2 });
    assert.deepEqual([report.analysed, report.ok, report.errors, report.remaining], [queued, queued, 0, 0]);
    assert.deepEqual(report.queuedByReason, {}, 'the queue survived the crash: nothing had to be queued again');
    const kept = reopened.prepare(`SELECT file_id, analysed_at FROM analysis WHERE file_id IN (${before.map(() => '?').join(',')}) ORDER BY file_id`)
      .all(...before.map((b) => b.file_id));
    assert.deepEqual(kept, before, 'tracks finished before the crash were analysed again');
    assert.equal((reopened.prepare("SELECT count(*) AS n FROM analysis WHERE status = 'ok'").get() as { n: number }).n, TRACKS);
    reopened.close();
  });
});
