// Stopping `spectag` as a shell, a service manager or a pipeline does: SIGINT (Ctrl-C) and SIGTERM sent to the real
// process while it works end it cleanly (worker threads and ffmpeg runs stopped, the database consistent, a
// message, exit 130 / 143 by shell convention, the next run resuming), and a reader that closes the pipe early
// (`spectag list | head -1`) ends it quietly with 141, as SIGPIPE ends any Unix tool: no stack trace.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeBulkLibrary } from '../helpers/bulk-library.js';
import { SPECTAG_CLI, spectag, startSpectag, type Finished } from '../helpers/cli.js';
import { CAN_LIST_PROCESSES, ffmpegProcessesMentioning } from '../audio/processes.js';

/** Every file under `dir`, recursively (the write's temp copies are hidden files beside the tracks). */
function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

function integrity(db: string): string {
  const d = new Database(db, { readonly: true });
  try {
    return d.pragma('integrity_check', { simple: true }) as string;
  } finally {
    d.close();
  }
}

describe('spectag stopped by SIGINT / SIGTERM, and by a closed pipe', () => {
  let dir: string;
  let root: string;
  let db: string;
  let tracks: string[];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-signals-'));
    root = join(dir, 'Music');
    db = join(dir, 'lib.sqlite');
    tracks = makeBulkLibrary(root, 48, 30);
    const scan = spectag(['scan', root, '--db', db]);
    assert.equal(scan.code, 0, scan.err);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const noFfmpegLeft = () => {
    if (CAN_LIST_PROCESSES) assert.deepEqual(ffmpegProcessesMentioning(dir).map((p) => p.cmdline), [], 'no ffmpeg run outlives the command');
  };
  const stoppedBy = (r: Finished, sig: 'SIGINT' | 'SIGTERM', command: string) => {
    assert.equal(r.signal, null, `ended by its own handler, not killed by ${r.signal}`);
    assert.equal(r.code, sig === 'SIGTERM' ? 143 : 130, r.err);
    assert.match(r.err, new RegExp(`spectag ${command}: stopped by ${sig}; what was finished is saved`));
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  };

  it('analyze, SIGTERM mid-run: 143, ffmpeg and workers stopped, database intact, the next run analyses the rest', async () => {
    const run = startSpectag(['analyze', '--db', db, '--no-model', '--workers', '1']);
    await run.ready(/^progress: [1-9]/m);
    run.child.kill('SIGTERM');
    const r = await run.finished(60_000);
    stoppedBy(r, 'SIGTERM', 'analyze');
    assert.match(r.out, /Analysis interrupted (\d+) tracks/);
    const first = Number(/Analysis interrupted (\d+)/.exec(r.out)![1]);
    assert.ok(first < tracks.length, 'stopped before the end');
    noFfmpegLeft();
    assert.equal(integrity(db), 'ok');
    const again = await startSpectag(['analyze', '--db', db, '--no-model', '--json']).finished(300_000);
    assert.equal(again.code, 0, again.err);
    const report = JSON.parse(again.out) as { analysed: number; remaining: number };
    assert.equal(report.remaining, 0);
    assert.ok(report.analysed > 0 && report.analysed <= tracks.length - first, `resumed: ${report.analysed} after ${first}`);
  });

  it('predict on a folder, SIGINT after the first file: 130, no ffmpeg left', async () => {
    const run = startSpectag(['predict', root, '--workers', '1']);
    await run.ready(/\t/);
    run.child.kill('SIGINT');
    const r = await run.finished(60_000);
    stoppedBy(r, 'SIGINT', 'predict');
    assert.ok(r.out.trim().split('\n').length < tracks.length, 'stopped before the end');
    noFfmpegLeft();
  });

  it('write, SIGTERM mid-batch: 143, no temp copy left, the database intact, the next write finishes the rest', async () => {
    // a batch long enough to be stopped in its midst
    const many = makeBulkLibrary(join(root, 'More'), 200, 1);
    assert.equal(spectag(['scan', root, '--db', db]).code, 0);
    const decide = spectag(['decide', ...tracks, ...many, '--genre', 'Ambient', '--db', db]);
    assert.equal(decide.code, 0, decide.err);
    tracks = [...tracks, ...many];
    const run = startSpectag(['write', '--db', db]);
    await run.ready(/^progress: /m);
    run.child.kill('SIGTERM');
    const r = await run.finished(60_000);
    stoppedBy(r, 'SIGTERM', 'write');
    assert.deepEqual(allFiles(root).filter((f) => f.endsWith('.spectag-tmp')), []);
    assert.equal(integrity(db), 'ok');
    const again = spectag(['write', '--db', db, '--json']);
    assert.equal(again.code, 0, again.err);
    const report = JSON.parse(again.out) as { written: number; unchanged: number };
    assert.ok(report.written > 0, 'the interrupted write left files to do');
    assert.equal(report.written + report.unchanged, tracks.length);
  });

  it('scan of a large folder, SIGINT mid-scan: 130, the library intact, the next scan reads the rest', async () => {
    const big = join(dir, 'Big');
    const files = makeBulkLibrary(big, 4000, 1);
    const bigDb = join(dir, 'big.sqlite');
    const run = startSpectag(['scan', big, '--db', bigDb, '--workers', '1']);
    await run.ready(/^progress: /m);
    run.child.kill('SIGINT');
    const r = await run.finished(60_000);
    stoppedBy(r, 'SIGINT', 'scan');
    assert.match(r.out, /Scan interrupted/);
    assert.equal(integrity(bigDb), 'ok');
    const again = spectag(['scan', big, '--db', bigDb, '--json']);
    assert.equal(again.code, 0, again.err);
    const report = JSON.parse(again.out) as { seen: number; added: number };
    assert.equal(report.seen, files.length);
    assert.ok(report.added > 0 && report.added < files.length, `the first scan had saved some files: ${report.added} added now`);
    rmSync(big, { recursive: true, force: true });
  });

  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    it(`serve, ${sig}: the server stops, the database is closed, exit ${sig === 'SIGTERM' ? 143 : 130}`, async () => {
      const run = startSpectag(['serve', '--db', db, '--port', '0', '--no-model']);
      await run.ready(/^Open: http/m);
      const port = Number(/127\.0\.0\.1:(\d+) only/.exec(run.output().out)![1]);
      run.child.kill(sig);
      const r = await run.finished(30_000);
      stoppedBy(r, sig, 'serve');
      assert.match(r.out, /Stopped\.\n/);
      await assert.rejects(fetch(`http://127.0.0.1:${port}/`), 'nothing listens any more');
      // closed cleanly: no write-ahead log left behind to replay
      assert.equal(allFiles(dir).filter((f) => f.endsWith('-wal') && f.startsWith('lib.sqlite')).length, 0);
    });
  }

  /** Run `spectag args` with its stdout a pipe whose reading end is closed before it writes anything. */
  const withClosedPipe = (args: string[]) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }>((resolve) => {
      const child = spawn(process.execPath, [SPECTAG_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy();
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.on('close', (code, signal) => resolve({ code, signal, err }));
    });

  /** nothing about the closed pipe on stderr (progress lines may be there) */
  const quiet = (err: string) => {
    assert.doesNotMatch(err, /EPIPE|Error|\n\s+at /, 'no EPIPE stack trace');
    assert.doesNotMatch(err, /stopped by/);
  };

  it('list | head -1: the reader leaves, spectag ends quietly with 141', async () => {
    const r = await withClosedPipe(['list', '--db', db]);
    assert.equal(r.err, '');
    assert.equal(r.code, 141);
  });

  it('undo | head: the history and an undo with the reader gone end quietly; the undo itself is done', async () => {
    const history = await withClosedPipe(['undo', '--db', db]);
    quiet(history.err);
    assert.equal(history.code, 141);
    const batches = (JSON.parse(spectag(['undo', '--db', db, '--json']).out) as { batches: { id: number; kind: string; status: string }[] }).batches;
    const last = batches.find((b) => b.kind === 'write')!;
    const undone = await withClosedPipe(['undo', String(last.id), '--db', db]);
    quiet(undone.err);
    assert.equal(undone.code, 141);
    const after = (JSON.parse(spectag(['undo', '--db', db, '--json']).out) as { batches: { kind: string; undoesBatchId?: number | null }[] }).batches;
    assert.ok(after.some((b) => b.kind === 'undo' && b.undoesBatchId === last.id), 'the undo ran to its end');
  });
});
