// Two Spectag processes on one library: one write or undo at a time (a lease in the database). Concurrent writes
// never put a file in two batches, concurrent undos of one batch never fail half-way, a second process is told
// who holds the library, and a holder that died (kill -9, or a lease left by another machine) stops counting.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore, JournalStore } from '../../electron/core/db/decisions.js';
import { currentLease, LeaseLostError, LibraryBusyError, WriteLease } from '../../electron/core/db/write-lease.js';
import { scanLibrary } from '../../electron/core/library/scan.js';
import { applyWrite, planWrite } from '../../electron/core/tags/write.js';
import { SPECTAG_CLI, spectag } from '../helpers/cli.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { mmView } from '../helpers/tag-fixtures.js';

const base = mkdtempSync(join(tmpdir(), 'spectag-lease-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

async function library(count: number): Promise<{ dir: string; dbPath: string; db: Db; paths: string[] }> {
  const dir = join(base, `lib-${n++}`);
  mkdirSync(dir);
  const paths = Array.from({ length: count }, (_, i) => {
    const p = join(dir, `t${String(i).padStart(2, '0')}.ogg`);
    ffmpeg([...SOUNDS.tone(0.4, 300 + i * 25), '-c:a', 'libvorbis', '-metadata', 'genre=Rock', p]);
    return p;
  });
  const dbPath = join(dir, 'lib.sqlite');
  const db = openDatabase(dbPath);
  await scanLibrary(db, [dir], { workers: 1 });
  const store = new FileStore(db);
  for (const p of paths) new DecisionStore(db).record(store.getByPath(p)!.id, ['Jazz', 'Blues'], 'cli');
  return { dir, dbPath, db, paths };
}

/** `spectag …` in a child process, not waited for: several run at once. */
function spectagAsync(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SPECTAG_CLI, ...args]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** Per file: how many batches journal it as written (or written, then undone). */
function batchesPerFile(db: Db): Map<string, number> {
  const rows = db.prepare("SELECT path, count(*) AS n FROM write_journal j JOIN write_batches b ON b.id = j.batch_id WHERE b.kind = 'write' AND j.status IN ('written', 'undone') GROUP BY path").all() as { path: string; n: number }[];
  return new Map(rows.map((r) => [r.path, r.n]));
}

describe('one write or undo at a time per library', () => {
  it('a second process is refused while the library is held, names the holder, and touches nothing', async () => {
    const lib = await library(2);
    const before = lib.paths.map(sha);
    const lease = WriteLease.acquire(lib.db, 'write');
    const r = spectag(['write', '--db', lib.dbPath]);
    assert.equal(r.code, 3, r.out + r.err);
    assert.match(r.err, new RegExp(`another Spectag \\(process ${process.pid}\\) is running a write on this library .*nothing was done`));
    assert.deepEqual(lib.paths.map(sha), before);
    // the same process, a second write (the engine's jobs): refused as well
    await assert.rejects(applyWrite(lib.db, planWrite(lib.db, {}, 'replace')), LibraryBusyError);
    lease.release();
    assert.equal(spectag(['write', '--db', lib.dbPath]).code, 0);
    assert.deepEqual(await Promise.all(lib.paths.map(async (p) => (await mmView(p)).genres)), [['Jazz', 'Blues'], ['Jazz', 'Blues']]);
    lib.db.close();
  });

  it('two writes started together: every file in exactly one batch; the other is refused or finds it done', async () => {
    const lib = await library(8);
    const [a, b] = await Promise.all([spectagAsync(['write', '--db', lib.dbPath]), spectagAsync(['write', '--db', lib.dbPath])]);
    const written = (r: { out: string }) => r.out.split('\n').filter((l) => l.startsWith('written\t')).length;
    assert.equal(written(a) + written(b), 8, `${a.out}${a.err}\n---\n${b.out}${b.err}`);
    for (const r of [a, b]) {
      if (written(r) === 8) assert.equal(r.code, 0, r.err);
      else assert.ok(r.code === 3 ? /another Spectag .* is running a write/.test(r.err) : /8 unchanged/.test(r.out), r.out + r.err);
    }
    assert.deepEqual([...batchesPerFile(lib.db).values()], Array(8).fill(1), 'no file in two batches');
    lib.db.close();
  });

  it('two undos of one batch started together: one restores, the other is refused; no journal row left half-done', async () => {
    const lib = await library(6);
    const w = await applyWrite(lib.db, planWrite(lib.db, {}, 'replace'));
    assert.equal(w.written, 6);
    const [a, b] = await Promise.all([spectagAsync(['undo', String(w.batchId), '--db', lib.dbPath]), spectagAsync(['undo', String(w.batchId), '--db', lib.dbPath])]);
    const outputs = `${a.out}${a.err}\n---\n${b.out}${b.err}`;
    assert.doesNotMatch(outputs, /UNIQUE|constraint/i);
    assert.deepEqual([a.code, b.code].sort(), [0, 3], outputs);
    const loser = a.code === 3 ? a : b;
    assert.match(loser.err, /already undone|another Spectag .* is running an undo/);
    const statuses = new JournalStore(lib.db).entries(w.batchId!).map((e) => e.status);
    assert.deepEqual(statuses, Array(6).fill('undone'));
    for (const p of lib.paths) assert.deepEqual((await mmView(p)).genres, ['Rock']);
    lib.db.close();
  });

  it('a lease left by another machine holds until it expires; then the batch it ran shows interrupted', async () => {
    const lib = await library(1);
    const journal = new JournalStore(lib.db);
    const stale = journal.createBatch('write', null, null);
    const now = Date.now();
    lib.db.prepare("INSERT INTO write_lease(id, token, pid, host, kind, batch_id, acquired_at, expires_at) VALUES (1, 'x', 1, 'nas-box', 'write', ?, ?, ?)")
      .run(stale, now - 5000, now + 60_000);
    assert.equal(journal.batch(stale)!.status, 'running', 'a live lease: the batch is still running elsewhere');
    await assert.rejects(applyWrite(lib.db, planWrite(lib.db, {}, 'replace')), (e: unknown) => e instanceof LibraryBusyError && /process 1 on nas-box/.test(e.message));
    lib.db.prepare('UPDATE write_lease SET expires_at = ?').run(now - 1);
    assert.equal(journal.batch(stale)!.status, 'interrupted', 'expired: no longer shown running');
    assert.equal(currentLease(lib.db), null);
    assert.equal((await applyWrite(lib.db, planWrite(lib.db, {}, 'replace'))).written, 1);
    lib.db.close();
  });

  it('kill -9 of a writing process: its batch shows interrupted at once, and the next write proceeds', async () => {
    const lib = await library(1);
    lib.db.close();
    const script = new URL('../helpers/write-then-die.js', import.meta.url).pathname;
    const r = spawnSync(process.execPath, [script, lib.dbPath, 'modified'], { encoding: 'utf8' });
    assert.equal(r.signal, 'SIGKILL', r.stdout + r.stderr);
    const db = openDatabase(lib.dbPath);
    assert.ok(db.prepare('SELECT 1 FROM write_lease').get(), 'the dead process still has its lease row');
    assert.equal(currentLease(db), null, 'but it does not count: its process is gone');
    assert.equal(new JournalStore(db).batches()[0]!.status, 'interrupted');
    assert.equal((await applyWrite(db, planWrite(db, {}, 'replace'))).written, 1);
    db.close();
  });

  it('a holder whose lease was taken over (it stood still past the expiry) replaces no file from then on', async () => {
    const lib = await library(3);
    const before = lib.paths.map(sha);
    let usurper: WriteLease | null = null;
    const report = await applyWrite(lib.db, planWrite(lib.db, {}, 'replace'), {
      onStep: (path, step) => {
        if (path !== lib.paths[0] || step !== 'copied') return;
        // this write stalls past its lease; another one takes the library
        lib.db.prepare('UPDATE write_lease SET expires_at = 0').run();
        usurper = WriteLease.acquire(lib.db, 'write');
      },
    });
    assert.deepEqual(lib.paths.map(sha), before, 'no file replaced once the lease was lost');
    assert.deepEqual(report.files.map((f) => f.status), ['skipped', 'skipped', 'skipped']);
    assert.match(report.files[0]!.message!, /was not changed: another Spectag took over this library/);
    assert.ok(currentLease(lib.db), "the old holder's end did not release the new holder's lease");
    usurper!.release();
    assert.throws(() => usurper!.renew(), LeaseLostError);
    lib.db.close();
  });
});
