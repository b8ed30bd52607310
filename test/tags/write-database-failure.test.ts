// A write whose library database fails (full disk): a file is replaced only after its journal entry, with the
// old and the new genre values, is committed; a failure before that leaves the file untouched, one after it is
// reported as "written, not recorded", and undo restores such a file by the values it finds in it.
// Faults: SQLite's own SQLITE_FULL, from a page limit on the real database file (PRAGMA max_page_count), and a
// real full disk (a 3 MB tmpfs holding the database) where mounting one is permitted (root).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore, JournalStore } from '../../electron/core/db/decisions.js';
import { scanLibrary } from '../../electron/core/library/scan.js';
import { applyWrite, planWrite, undoWrite } from '../../electron/core/tags/write.js';
import { readGenreSnapshot } from '../../electron/core/tags/genre-tags.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { spectag } from '../helpers/cli.js';
import { EngineService } from '../../electron/core/service/engine.js';
import { waitForJob } from '../app/wait-for-job.js';
import { mmView } from '../helpers/tag-fixtures.js';

const base = mkdtempSync(join(tmpdir(), 'spectag-dbfull-'));
const mounts: string[] = [];
after(() => {
  for (const m of mounts) spawnSync('umount', [m]);
  rmSync(base, { recursive: true, force: true });
});
let n = 0;
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** Real MP3s (ID3v2.3, genre Rock, or none), in a folder of their own. */
function mp3s(count: number, genre: string | null): { dir: string; paths: string[] } {
  const dir = join(base, `music-${n++}`);
  mkdirSync(dir);
  const paths = Array.from({ length: count }, (_, i) => {
    const p = join(dir, `t${i + 1}.mp3`);
    ffmpeg([...SOUNDS.tone(0.5, 300 + i * 40), '-c:a', 'libmp3lame', '-id3v2_version', '3', '-metadata', `title=T${i + 1}`,
      ...(genre ? ['-metadata', `genre=${genre}`] : []), p]);
    return p;
  });
  return { dir, paths };
}

async function library(count: number, decided: string[]): Promise<{ db: Db; paths: string[] }> {
  const { dir, paths } = mp3s(count, 'Rock');
  const db = openDatabase(join(dir, 'lib.sqlite'));
  await scanLibrary(db, [dir], { workers: 1 });
  const store = new FileStore(db);
  for (const p of paths) new DecisionStore(db).record(store.getByPath(p)!.id, decided, 'cli');
  return { db, paths };
}

/** No page may be added to the database file from now on (SQLite answers SQLITE_FULL), with no free page left to reuse. */
function fillDatabase(db: Db): void {
  db.exec('VACUUM');
  assert.equal(db.pragma('freelist_count', { simple: true }), 0);
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
}
const unlimit = (db: Db) => db.pragma('max_page_count = 1073741823');

describe('a write whose library database fails', () => {
  it('full before the first journal entry: no file is touched, the report says why, the rest is not attempted', async () => {
    // a genre list long enough that its journal entry needs a page of its own
    const many = Array.from({ length: 300 }, (_, i) => `Genre Number ${i + 1}`);
    const lib = await library(3, many);
    const before = lib.paths.map(sha);
    const plan = planWrite(lib.db, {}, 'replace');
    fillDatabase(lib.db);
    const report = await applyWrite(lib.db, plan);
    assert.deepEqual(lib.paths.map(sha), before, 'every file byte-identical');
    assert.equal(report.written, 0);
    assert.deepEqual(report.files.map((f) => [f.status, f.errorKind]), [['failed', 'database'], ['skipped', 'database'], ['skipped', 'database']]);
    assert.match(report.files[0]!.message!, /was not changed: the library database could not record the write first \(database or disk is full\)/);
    assert.match(report.files[1]!.message!, /not attempted: the library database cannot be written/);
    unlimit(lib.db);
    // nothing to undo, and a new write works once there is room
    assert.equal((await undoWrite(lib.db, report.batchId!)).written, 0);
    assert.equal((await applyWrite(lib.db, planWrite(lib.db, {}, 'replace'))).written, 3);
    lib.db.close();
  });

  it('full after a file was replaced: reported as written but not recorded; undo restores it by its values', async () => {
    // genres long enough (about 5,000 characters together) that the file's row needs a new page once it is written
    const long = Array.from({ length: 30 }, (_, i) => `Some Very Long Genre Name ${i + 1} `.repeat(6).trim());
    const lib = await library(3, ['Jazz', 'Blues', ...long]);
    const before = await Promise.all(lib.paths.map(async (p) => ({ sha: sha(p), snapshot: JSON.stringify(readGenreSnapshot(p, 'mp3')), genres: (await mmView(p)).genres })));
    const report = await applyWrite(lib.db, planWrite(lib.db, {}, 'replace'), {
      // the journal entry is committed by now: the database fills up before the file row can be updated
      onStep: (path, step) => {
        if (path === lib.paths[0] && step === 'before-rename') fillDatabase(lib.db);
      },
    });
    const first = report.files[0]!;
    assert.equal(first.status, 'written', 'the file was replaced: the report must not say otherwise');
    assert.equal(first.errorKind, 'database');
    assert.match(first.message!, /was written, but the library database could not record it \(database or disk is full\).*spectag undo/);
    assert.equal(report.unrecorded, 1);
    assert.notEqual(sha(lib.paths[0]!), before[0]!.sha);
    assert.deepEqual(report.files.slice(1).map((f) => [f.status, f.errorKind]), [['skipped', 'database'], ['skipped', 'database']]);
    assert.deepEqual(lib.paths.slice(1).map(sha), before.slice(1).map((b) => b.sha), 'the files not attempted are untouched');
    const entry = new JournalStore(lib.db).entries(report.batchId!)[0]!;
    assert.equal(entry.status, 'pending', 'journaled before the rename, never confirmed');
    unlimit(lib.db);
    // the window's Undo (no batch number) finds this write although no entry of it is confirmed 'written'
    const engine = new EngineService({ dbPath: lib.db.name, host: 'web', watch: false, model: false });
    const job = await waitForJob(engine, await engine.undoWrite({}));
    await engine.close();
    assert.equal(job.state, 'done', job.error ?? '');
    const undone = job.result?.kind === 'undo-write' ? job.result.report : null;
    assert.equal(undone?.written, 1, JSON.stringify(undone?.files));
    assert.equal(JSON.stringify(readGenreSnapshot(lib.paths[0]!, 'mp3')), before[0]!.snapshot, 'the exact previous genre values');
    assert.deepEqual((await mmView(lib.paths[0]!)).genres, before[0]!.genres);
    lib.db.close();
  });

  // the report of the torture run: database on a 3 MB tmpfs with 240 KB or 160 KB free, 6 files decided
  for (const [freeKb, genre] of [[240, 'Rock'], [160, null]] as const) {
    it(`a real full disk (${freeKb} KB free, files ${genre ? 'with' : 'without'} a genre): every changed file is reported written and undo restores it`, async (t) => {
      const mnt = join(base, `disk-${n++}`);
      mkdirSync(mnt);
      const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt], { encoding: 'utf8' });
      if (m.status !== 0) {
        t.skip(`cannot mount a tmpfs here (${(m.stderr || m.error?.message || '').trim()}); the page-limit tests above cover the same paths`);
        return;
      }
      mounts.push(mnt);
      const { dir, paths } = mp3s(6, genre);
      const dbArg = ['--db', join(mnt, 'lib.sqlite')];
      assert.equal(spectag(['scan', dir, ...dbArg]).code, 0);
      assert.equal(spectag(['decide', ...paths, '--genre', 'Jazz', '--genre', 'Blues', ...dbArg]).code, 0);
      const before = await Promise.all(paths.map(async (p) => ({ sha: sha(p), genres: (await mmView(p)).genres })));
      const avail = Number(spawnSync('df', ['-k', '--output=avail', mnt], { encoding: 'utf8' }).stdout.trim().split('\n').pop());
      spawnSync('dd', ['if=/dev/zero', `of=${join(mnt, 'filler')}`, 'bs=1k', `count=${avail - freeKb}`]);

      const w = spectag(['write', '--json', ...dbArg]);
      const changed = paths.filter((p, i) => sha(p) !== before[i]!.sha);
      const report = w.out ? (JSON.parse(w.out) as { batchId: number | null; files: { path: string; status: string; message: string | null }[] }) : null;
      const reported = new Set(report?.files.filter((f) => f.status === 'written').map((f) => f.path) ?? []);
      t.diagnostic(`exit ${w.code}; ${changed.length} of 6 files changed; ${reported.size} reported written; ${w.err.split('\n').filter((l) => l && !l.includes('progress:')).join(' | ')}`);
      for (const p of changed) assert.ok(reported.has(p), `${p} was changed but not reported written: ${w.out}${w.err}`);
      for (const f of report?.files ?? []) if (f.status !== 'written') assert.match(f.message ?? '', /not changed|not attempted|no file was changed/);
      if (changed.length < 6) assert.notEqual(w.code, 0, 'not everything was done: the exit code says so');

      rmSync(join(mnt, 'filler'));
      if (changed.length) {
        const u = spectag(['undo', String(report!.batchId), ...dbArg]);
        assert.equal(u.code, 0, u.out + u.err);
      }
      for (const [i, p] of paths.entries()) assert.deepEqual((await mmView(p)).genres, before[i]!.genres, `${p}: genres as before the write`);
    });
  }
});
