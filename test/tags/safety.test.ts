// Writing genres safely: dry run, modes, faults injected at every step, kill -9 mid-write, files changed
// behind our back, read-only files, errors that must not stop a batch, permissions/mtime, exact undo.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore, JournalStore } from '../../electron/core/db/decisions.js';
import { scanLibrary } from '../../electron/core/library/scan.js';
import { applyWrite, genresAfter, planWrite, undoWrite, UndoError } from '../../electron/core/tags/write.js';
import { writeGenreTags } from '../../electron/core/tags/genre-tags.js';
import { isSpectagTemp, type ReplaceStep } from '../../electron/core/tags/safe-replace.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { prependId3v24 } from '../helpers/id3.js';
import { makeTagFixture, mmView, type Variant } from '../helpers/tag-fixtures.js';

const base = mkdtempSync(join(tmpdir(), 'spectag-safety-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const temps = (dir: string) => readdirSync(dir).filter(isSpectagTemp);

interface Lib { dir: string; db: Db; paths: string[]; ids: number[]; store: FileStore; journal: JournalStore; close(): void }

/** A small library of real files, scanned, each with a decision (Jazz, Blues). */
async function library(variants: Variant[], decided: string[] = ['Jazz', 'Blues']): Promise<Lib> {
  const dir = join(base, `lib-${n++}`);
  const paths = variants.map((v, i) => makeTagFixture(mkdirp(dir), v, 'one-genre', 400 + i * 20));
  const db = openDatabase(join(dir, 'lib.sqlite'));
  await scanLibrary(db, [dir], { workers: 1 });
  const store = new FileStore(db);
  const ids = paths.map((p) => store.getByPath(p)!.id);
  const decisions = new DecisionStore(db);
  for (const id of ids) decisions.record(id, decided, 'cli');
  return { dir, db, paths, ids, store, journal: new JournalStore(db), close: () => db.close() };
}

function mkdirp(dir: string): string {
  spawnSync('mkdir', ['-p', dir]);
  return dir;
}

describe('planning a write', () => {
  it('genresAfter: replace, add (case-insensitive, order kept), if-empty', () => {
    assert.deepEqual(genresAfter('replace', ['Rock'], ['Jazz', 'Blues']), ['Jazz', 'Blues']);
    assert.deepEqual(genresAfter('add', ['Rock', 'Jazz'], ['jazz', 'Blues', 'blues']), ['Rock', 'Jazz', 'Blues']);
    assert.deepEqual(genresAfter('if-empty', ['Rock'], ['Jazz']), ['Rock']);
    assert.deepEqual(genresAfter('if-empty', [], ['Jazz']), ['Jazz']);
  });

  it('a dry run shows old → new per file and writes nothing', async () => {
    const lib = await library(['mp3-v2.3', 'flac']);
    const before = lib.paths.map(sha);
    const plan = planWrite(lib.db, {}, 'add');
    assert.deepEqual(plan.files.map((f) => [f.action, f.oldGenres, f.newGenres]), [
      ['write', ['Rock'], ['Rock', 'Jazz', 'Blues']],
      ['write', ['Rock'], ['Rock', 'Jazz', 'Blues']],
    ]);
    assert.deepEqual(planWrite(lib.db, {}, 'if-empty').files.map((f) => f.action), ['unchanged', 'unchanged']);
    assert.deepEqual(lib.paths.map(sha), before);
    assert.equal(lib.journal.batches().length, 0, 'a plan journals nothing');
    lib.close();
  });

  it('selects by file, by folder, and skips rejected, undecided and changed files with a reason', async () => {
    const lib = await library(['mp3-v2.4', 'ogg-vorbis', 'aiff']);
    new DecisionStore(lib.db).record(lib.ids[1]!, [], 'rejected');
    utimesSync(lib.paths[2]!, new Date(), new Date(Date.now() + 5000));
    const plan = planWrite(lib.db, { paths: [lib.dir] }, 'replace');
    assert.deepEqual(plan.files.map((f) => f.action), ['skip', 'write', 'skip']);
    assert.match(plan.files[0]!.reason!, /changed on disk since it was scanned/);
    assert.match(plan.files[2]!.reason!, /rejected/);
    assert.deepEqual(planWrite(lib.db, { paths: [lib.paths[0]!] }, 'replace').files.map((f) => f.path), [lib.paths[0]]);
    lib.close();
  });
});

describe('faults at every step leave the original intact', () => {
  const steps: ReplaceStep[] = ['copied', 'modified', 'synced', 'verified', 'before-rename'];
  for (const step of steps) {
    it(`a failure after "${step}": original byte-identical, no temp file, error recorded, batch goes on`, async () => {
      const lib = await library(['mp3-v2.3', 'flac']);
      const before = sha(lib.paths[0]!);
      const report = await applyWrite(lib.db, planWrite(lib.db, {}, 'replace'), {
        onStep: (path, s) => {
          if (path === lib.paths[0] && s === step) throw new Error(`injected failure at ${s}`);
        },
      });
      assert.equal(sha(lib.paths[0]!), before);
      assert.deepEqual(temps(lib.dir), []);
      const failed = report.files.find((f) => f.path === lib.paths[0])!;
      assert.equal(failed.status, 'failed');
      assert.match(failed.message!, new RegExp(`injected failure at ${step}`));
      assert.equal(report.files.find((f) => f.path === lib.paths[1])!.status, 'written', 'the other file is still written');
      assert.deepEqual(lib.store.getByPath(lib.paths[0]!)!.genres, ['Rock'], 'the database still shows what the file has');
      const entries = lib.journal.entries(report.batchId!);
      assert.equal(entries.find((e) => e.path === lib.paths[0])!.status, 'failed');
      lib.close();
    });
  }

  it('verification catches changed audio in the copy (verify mismatch)', async () => {
    const lib = await library(['wav']);
    const before = sha(lib.paths[0]!);
    const report = await applyWrite(lib.db, planWrite(lib.db, {}, 'replace'), {
      onStep: (_p, s, temp) => {
        if (s !== 'modified') return;
        const buf = readFileSync(temp);
        for (let i = buf.length - 4000; i < buf.length - 3000; i++) buf[i] = buf[i]! ^ 0x55; // inside the PCM data
        writeFileSync(temp, buf);
      },
    });
    assert.equal(report.files[0]!.errorKind, 'verify-failed');
    assert.match(report.files[0]!.message!, /audio stream changed/);
    assert.equal(sha(lib.paths[0]!), before);
    assert.deepEqual(temps(lib.dir), []);
    lib.close();
  });

  it('verification catches wrong genres in the copy (verify mismatch)', async () => {
    const lib = await library(['mp3-v2.4']);
    const before = sha(lib.paths[0]!);
    const report = await applyWrite(lib.db, planWrite(lib.db, {}, 'replace'), {
      onStep: (_p, s, temp) => {
        if (s === 'modified') writeGenreTags(temp, 'mp3', ['Polka'], { id3v23Join: '; ', id3v2Version: null });
      },
    });
    assert.equal(report.files[0]!.errorKind, 'verify-failed');
    assert.match(report.files[0]!.message!, /genres read back \["Polka"\], expected \["Jazz","Blues"\]/);
    assert.equal(sha(lib.paths[0]!), before);
    lib.close();
  });

  it('a full disk and a locked file: clear per-file errors, original intact', async () => {
    const lib = await library(['flac', 'opus']);
    const before = lib.paths.map(sha);
    const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });
    const report = await applyWrite(lib.db, planWrite(lib.db, {}, 'replace'), {
      onStep: (path, s) => {
        if (s === 'copied') throw errno(path === lib.paths[0] ? 'ENOSPC' : 'EBUSY');
      },
    });
    assert.deepEqual(report.files.map((f) => f.errorKind), ['disk-full', 'locked']);
    assert.match(report.files[0]!.message!, /disk is full/);
    assert.match(report.files[1]!.message!, /in use by another program/);
    assert.deepEqual(lib.paths.map(sha), before);
    lib.close();
  });

  for (const step of ['modified', 'before-rename'] as const) {
    it(`kill -9 during a write (at "${step}"): original intact; the next run cleans the temp file and writes`, async () => {
      const lib = await library(['mp3-v2.4']);
      const before = sha(lib.paths[0]!);
      lib.close();
      const script = new URL('../helpers/write-then-die.js', import.meta.url).pathname;
      const r = spawnSync(process.execPath, [script, join(lib.dir, 'lib.sqlite'), step], { encoding: 'utf8' });
      assert.equal(r.signal, 'SIGKILL', r.stdout + r.stderr);
      assert.equal(sha(lib.paths[0]!), before, 'the original is intact');
      assert.equal(temps(lib.dir).length, 1, 'the dead process left its temp file');
      const db = openDatabase(join(lib.dir, 'lib.sqlite'));
      const journal = new JournalStore(db);
      assert.equal(journal.batches()[0]!.status, 'interrupted', 'its process is gone: the batch no longer shows running');
      const report = await applyWrite(db, planWrite(db, {}, 'replace'));
      assert.deepEqual(temps(lib.dir), [], 'the next run removed the stale temp file');
      assert.equal(journal.batches()[1]!.status, 'interrupted', 'the killed batch is marked interrupted');
      assert.equal(report.written, 1);
      assert.deepEqual((await mmView(lib.paths[0]!)).genres, ['Jazz', 'Blues']);
      db.close();
    });
  }

  it('temp files of a live process are left alone', async () => {
    const lib = await library(['flac']);
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    try {
      const live = join(lib.dir, `.x.flac.${child.pid}-0123abcd.spectag-tmp`);
      writeFileSync(live, 'in progress');
      await applyWrite(lib.db, planWrite(lib.db, {}, 'replace'));
      assert.deepEqual(temps(lib.dir), [`.x.flac.${child.pid}-0123abcd.spectag-tmp`]);
    } finally {
      child.kill();
      lib.close();
    }
  });
});

describe('files that must not be written', () => {
  it('a file changed on disk since the scan is refused, rescanned, and the batch continues', async () => {
    const lib = await library(['mp3-v2.3', 'flac']);
    const plan = planWrite(lib.db, {}, 'replace');
    // another program retags the file after the plan was made
    ffmpeg(['-i', lib.paths[0]!, '-map', '0', '-c', 'copy', '-id3v2_version', '3', '-metadata', 'genre=Trance', join(lib.dir, 'tmp.mp3')]);
    writeFileSync(lib.paths[0]!, readFileSync(join(lib.dir, 'tmp.mp3')));
    rmSync(join(lib.dir, 'tmp.mp3'));
    const changed = sha(lib.paths[0]!);
    const report = await applyWrite(lib.db, plan);
    const refused = report.files.find((f) => f.path === lib.paths[0])!;
    assert.equal(refused.errorKind, 'changed-on-disk');
    assert.match(refused.message!, /changed on disk since it was scanned.*rescan/);
    assert.equal(sha(lib.paths[0]!), changed, 'the changed file was not touched');
    assert.deepEqual(lib.store.getByPath(lib.paths[0]!)!.genres, ['Trance'], 'and it was read again');
    assert.equal(report.files.find((f) => f.path === lib.paths[1])!.status, 'written');
    lib.close();
  });

  it('a file changed by another program during the write is not replaced', async () => {
    const lib = await library(['ogg-vorbis']);
    const report = await applyWrite(lib.db, planWrite(lib.db, {}, 'replace'), {
      onStep: (path, s) => {
        if (s === 'verified') utimesSync(path, new Date(), new Date(Date.now() + 60_000));
      },
    });
    assert.equal(report.files[0]!.errorKind, 'changed-on-disk');
    assert.match(report.files[0]!.message!, /changed by another program while Spectag was writing/);
    assert.deepEqual((await mmView(lib.paths[0]!)).genres, ['Rock']);
    assert.deepEqual(temps(lib.dir), []);
    lib.close();
  });

  it('a read-only file is refused with a clear message; the batch continues', async () => {
    const lib = await library(['m4a', 'wma']);
    chmodSync(lib.paths[0]!, 0o444);
    const before = sha(lib.paths[0]!);
    const report = await applyWrite(lib.db, planWrite(lib.db, {}, 'replace'));
    assert.equal(report.files[0]!.errorKind, 'read-only');
    assert.match(report.files[0]!.message!, /read-only/);
    assert.equal(sha(lib.paths[0]!), before);
    assert.equal(statSync(lib.paths[0]!).mode & 0o777, 0o444);
    assert.equal(report.files[1]!.status, 'written');
    assert.equal(report.failed, 1);
    lib.close();
  });
});

describe('what a write keeps', () => {
  it('permissions always; the modification time when asked (default: not)', async () => {
    const lib = await library(['flac', 'mp3-v2.4']);
    chmodSync(lib.paths[0]!, 0o640);
    chmodSync(lib.paths[1]!, 0o604);
    const old = new Date('2011-03-04T05:06:07Z');
    for (const p of lib.paths) utimesSync(p, old, old);
    await scanLibrary(lib.db, [lib.dir], { workers: 1 });
    const plan = planWrite(lib.db, { paths: [lib.paths[0]!] }, 'replace', { preserveMtime: true });
    await applyWrite(lib.db, plan);
    await applyWrite(lib.db, planWrite(lib.db, { paths: [lib.paths[1]!] }, 'replace'));
    assert.equal(statSync(lib.paths[0]!).mode & 0o777, 0o640);
    assert.equal(statSync(lib.paths[1]!).mode & 0o777, 0o604);
    assert.equal(statSync(lib.paths[0]!).mtimeMs, old.getTime(), 'mtime preserved on request');
    assert.ok(statSync(lib.paths[1]!).mtimeMs > old.getTime(), 'mtime updated by default');
    lib.close();
  });

  it('the database row is updated in place: the next scan sees the files as unchanged, decisions stay attached', async () => {
    const lib = await library(['mp3-v2.3', 'wav', 'opus']);
    await applyWrite(lib.db, planWrite(lib.db, {}, 'replace'));
    for (const [i, p] of lib.paths.entries()) {
      const f = lib.store.getByPath(p)!;
      assert.equal(f.id, lib.ids[i]);
      assert.deepEqual(f.genres, ['Jazz', 'Blues']);
      assert.equal(f.size, statSync(p).size);
    }
    const rescan = await scanLibrary(lib.db, [lib.dir], { workers: 1 });
    assert.equal(rescan.unchanged, 3);
    assert.equal(rescan.updated + rescan.added, 0);
    assert.deepEqual(new DecisionStore(lib.db).latest(lib.ids[0]!)?.genres, ['Jazz', 'Blues']);
    assert.deepEqual(planWrite(lib.db, {}, 'replace').files.map((f) => f.action), ['unchanged', 'unchanged', 'unchanged']);
    lib.close();
  });

  it('keeps the ID3v2 version, or converts 2.3 → 2.4 when asked, with every other tag kept', async () => {
    const lib = await library(['mp3-v2.3', 'aiff']);
    const before = await mmView(lib.paths[0]!);
    const report = await applyWrite(lib.db, planWrite(lib.db, { paths: [lib.paths[0]!] }, 'replace', { id3v2Version: 4 }));
    assert.equal(report.written, 1, report.files[0]!.message ?? '');
    const after = await mmView(lib.paths[0]!);
    assert.ok(after.tagTypes.includes('ID3v2.4') && !after.tagTypes.includes('ID3v2.3'), after.tagTypes.join());
    assert.deepEqual(after.genres, ['Jazz', 'Blues'], 'a native ID3v2.4 list now');
    assert.deepEqual(after.natives.ID3v1, before.natives.ID3v1);
    assert.deepEqual(after.pictures, before.pictures);
    // and back: undo restores the 2.3 tag with its original genre frame
    await undoWrite(lib.db, report.batchId!);
    const undone = await mmView(lib.paths[0]!);
    assert.ok(undone.tagTypes.includes('ID3v2.3'), undone.tagTypes.join());
    assert.deepEqual(undone.genreValues['ID3v2.3'], before.genreValues['ID3v2.3']);
    assert.deepEqual(undone.natives['ID3v2.3'], before.natives['ID3v2.3']);
    lib.close();
  });

  it('cancellation stops between files; the batch says so', async () => {
    const lib = await library(['flac', 'flac', 'flac']);
    const ac = new AbortController();
    const report = await applyWrite(lib.db, planWrite(lib.db, {}, 'replace'), {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.done === 1) ac.abort();
      },
    });
    assert.equal(report.cancelled, true);
    assert.equal(report.written, 1);
    assert.equal(lib.journal.batch(report.batchId!)!.status, 'cancelled');
    lib.close();
  });
});

/** The raw bytes of every TCON frame in the ID3v2 tag at the start of a file (an independent, minimal parser). */
function rawTcon(path: string): string[] {
  const b = readFileSync(path);
  if (b.toString('latin1', 0, 3) !== 'ID3') return [];
  const v = b[3]!;
  const ss = (at: number) => ((b[at]! & 0x7f) << 21) | ((b[at + 1]! & 0x7f) << 14) | ((b[at + 2]! & 0x7f) << 7) | (b[at + 3]! & 0x7f);
  const end = 10 + ss(6);
  const out: string[] = [];
  for (let pos = 10; pos + 10 <= end && b[pos] !== 0; ) {
    const size = v === 4 ? ss(pos + 4) : b.readUInt32BE(pos + 4);
    if (b.toString('latin1', pos, pos + 4) === 'TCON') out.push(b.subarray(pos + 10, pos + 10 + size).toString('hex'));
    pos += 10 + size;
  }
  return out;
}

function stripId3v2(path: string): void {
  const b = readFileSync(path);
  if (b.toString('latin1', 0, 3) !== 'ID3') return;
  const size = ((b[6]! & 0x7f) << 21) | ((b[7]! & 0x7f) << 14) | ((b[8]! & 0x7f) << 7) | (b[9]! & 0x7f);
  writeFileSync(path, b.subarray(10 + size));
}

describe('undo', () => {
  it('restores byte-for-byte the previous genre values: numeric, escaped, NUL lists, ID3v1 byte', async () => {
    const dir = mkdirp(join(base, `undo-${n++}`));
    const v23 = join(dir, 'v23.mp3');
    // ID3v2.3 with a numeric reference and a refinement, UTF-16; plus an ID3v1 tag with genre 17
    ffmpeg([...SOUNDS.tone(0.5, 500), '-c:a', 'libmp3lame', '-id3v2_version', '3', '-write_id3v1', '1', '-metadata', 'title=Ünïcode',
      '-metadata', 'genre=(17)Rock/Blues; Söul', v23]);
    const v24 = join(dir, 'v24.mp3');
    ffmpeg([...SOUNDS.tone(0.5, 550), '-c:a', 'libmp3lame', '-map_metadata', '-1', '-write_id3v2', '0', v24]);
    prependId3v24(v24, { TIT2: ['Numeric'], TCON: ['17', 'Shoegaze', ''] });
    const none = join(dir, 'none.mp3');
    ffmpeg([...SOUNDS.tone(0.5, 600), '-c:a', 'libmp3lame', '-map_metadata', '-1', '-write_id3v2', '0', none]);
    stripId3v2(none); // ffmpeg 4.1 still writes an encoder frame: this file must have no tag at all
    assert.notEqual(readFileSync(none).toString('latin1', 0, 3), 'ID3');
    const paths = [v23, v24, none];
    const before = paths.map((p) => ({ tcon: rawTcon(p), size: statSync(p).size, last: readFileSync(p).subarray(-128).toString('hex') }));
    const db = openDatabase(join(dir, 'lib.sqlite'));
    await scanLibrary(db, [dir], { workers: 1 });
    const store = new FileStore(db);
    const dbBefore = paths.map((p) => store.getByPath(p)!.genres);
    for (const p of paths) new DecisionStore(db).record(store.getByPath(p)!.id, ['Jazz', 'Blues'], 'cli');
    const w = await applyWrite(db, planWrite(db, {}, 'replace'));
    assert.equal(w.written, 3);
    assert.notDeepEqual(rawTcon(v23), before[0]!.tcon);
    const u = await undoWrite(db, w.batchId!);
    assert.equal(u.written, 3, JSON.stringify(u.files.map((f) => f.message)));
    for (const [i, p] of paths.entries()) {
      assert.deepEqual(rawTcon(p), before[i]!.tcon, `${p}: TCON bytes as before`);
      assert.deepEqual(store.getByPath(p)!.genres, dbBefore[i]);
    }
    assert.equal(readFileSync(v23).subarray(-128).toString('hex'), before[0]!.last, 'ID3v1 tag byte-identical, genre byte included');
    assert.notEqual(readFileSync(none).toString('latin1', 0, 3), 'ID3', 'the MP3 that had no tag has none again');
    db.close();
  });

  it('is itself a journaled batch: it can be undone, not repeated; a file changed since the write is left alone', async () => {
    const lib = await library(['flac', 'aiff']);
    const w = await applyWrite(lib.db, planWrite(lib.db, {}, 'replace'));
    utimesSync(lib.paths[1]!, new Date(), new Date(Date.now() + 90_000)); // touched after the write
    const u = await undoWrite(lib.db, w.batchId!);
    assert.equal(u.files.find((f) => f.path === lib.paths[0])!.status, 'written');
    const refused = u.files.find((f) => f.path === lib.paths[1])!;
    assert.equal(refused.errorKind, 'changed-on-disk');
    assert.match(refused.message!, /changed on disk after Spectag wrote it/);
    assert.deepEqual((await mmView(lib.paths[0]!)).genres, ['Rock']);
    assert.deepEqual((await mmView(lib.paths[1]!)).genres, ['Jazz', 'Blues']);
    const info = lib.journal.batch(u.batchId!)!;
    assert.equal(info.kind, 'undo');
    assert.equal(info.undoesBatchId, w.batchId);
    assert.equal(lib.journal.batch(w.batchId!)!.undoneByBatchId, u.batchId);
    await assert.rejects(undoWrite(lib.db, w.batchId!), (err: unknown) => err instanceof UndoError && /already undone/.test(err.message));
    await assert.rejects(undoWrite(lib.db, 999), UndoError);
    // undoing the undo writes the genres again
    const redo = await undoWrite(lib.db, u.batchId!);
    assert.equal(redo.written, 1);
    assert.deepEqual((await mmView(lib.paths[0]!)).genres, ['Jazz', 'Blues']);
    lib.close();
  });
});
