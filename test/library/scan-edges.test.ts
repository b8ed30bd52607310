// What the scanner does with the edges a hostile tester found: names that are not valid UTF-8, folders the user
// may not read, hard links, and random bytes behind an audio extension. Nothing is skipped without a word.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { id3v24Tag } from '../helpers/id3.js';
import { SPECTAG_CLI } from '../helpers/cli.js';
import { openDatabase, type Db } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { scanLibrary } from '../../electron/core/library/scan.js';
import type { ScanReport } from '../../electron/shared/library.js';
import { scanSummary } from '../../renderer/src/lib/format.js';

/** Deterministic "random" bytes (xorshift), so that the same files are tried on every run. */
function noise(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

describe('scanner edge cases', () => {
  let base: string;
  let mp3: string;
  const dbs: Db[] = [];
  const openDb = () => {
    const db = openDatabase(join(mkdtempSync(join(base, 'db-')), 'library.sqlite'));
    dbs.push(db);
    return db;
  };

  before(() => {
    base = mkdtempSync(join(tmpdir(), 'spectag-edges-'));
    mp3 = join(base, 'source.mp3');
    ffmpeg([...SOUNDS.tone(1, 440), '-c:a', 'libmp3lame', '-metadata', 'title=Tone', mp3]);
  });
  after(() => {
    for (const db of dbs) db.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('records random bytes named like audio as not-audio, with or without an ID3 tag in front', async () => {
    const root = join(base, 'random');
    mkdirSync(root);
    const names: string[] = [];
    for (let i = 0; i < 36; i++) {
      const name = `noise-${i}.${['m4a', 'mp3', 'ogg', 'flac'][i % 4]}`;
      writeFileSync(join(root, name), noise(4096 + i * 17_000, i + 1));
      names.push(name);
    }
    // an ID3 tag makes any file look like MP3 at first sight
    writeFileSync(join(root, 'tagged-noise.mp3'), Buffer.concat([id3v24Tag({ TIT2: ['Not music'] }), noise(300_000, 99)]));
    names.push('tagged-noise.mp3');
    const db = openDb();
    const report = await scanLibrary(db, [root], { workers: 2 });
    assert.equal(report.seen, names.length);
    const store = new FileStore(db);
    for (const name of names) {
      const f = store.getByPath(join(root, name))!;
      assert.equal(f.status, 'error', `${name} is recorded as ${f.status} (${f.container} ${f.codec})`);
      assert.equal(f.errorKind, 'not-audio', `${name}: ${f.errorMessage}`);
    }
  });

  it('reports names that are not valid UTF-8: files as errors under a readable name, folders among the root errors', async () => {
    const root = join(base, 'bytes');
    mkdirSync(root);
    copyFileSync(mp3, join(root, 'good.mp3'));
    const rootBytes = Buffer.from(`${root}/`);
    copyFileSync(mp3, Buffer.concat([rootBytes, Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from('.mp3')]));
    const dir = Buffer.concat([rootBytes, Buffer.from('dir'), Buffer.from([0xff])]);
    mkdirSync(dir);
    copyFileSync(mp3, Buffer.concat([dir, Buffer.from('/inside.mp3')]));
    const db = openDb();
    const report = await scanLibrary(db, [root], { workers: 2 });
    assert.equal(report.seen, 2, 'the good file and the one with a Latin-1 name');
    assert.equal(report.errors, 1);
    const store = new FileStore(db);
    assert.equal(store.getByPath(join(root, 'good.mp3'))?.status, 'ok');
    const bad = store.getByPath(join(root, 'caf\\xE9.mp3'));
    assert.ok(bad, 'the file is listed under its name with the bad byte spelled out');
    assert.equal(bad.status, 'error');
    assert.match(bad.errorMessage ?? '', /not valid UTF-8/);
    const folder = report.rootErrors.find((e) => e.folder === join(root, 'dir\\xFF'));
    assert.ok(folder, `the folder is reported: ${JSON.stringify(report.rootErrors)}`);
    assert.match(folder.message, /not valid UTF-8/);
    // the window's line for the finished scan says so too
    assert.match(scanSummary(report), /2 files: 2 new, 0 changed, 0 missing, 1 unreadable; 1 folder inside was not read \(.*dir\\xFF: its name is not valid UTF-8/);
    // reported again, not duplicated, by the next scan
    const again = await scanLibrary(db, [root], { workers: 2 });
    assert.equal(again.unchanged, 2);
    assert.equal(again.rootErrors.length, 1);
  });

  it('lists folders that cannot be read among the root errors and keeps their files', async (t) => {
    const root = join(base, 'locked-lib');
    mkdirSync(join(root, 'open'), { recursive: true });
    mkdirSync(join(root, 'private'));
    copyFileSync(mp3, join(root, 'open', 'a.mp3'));
    copyFileSync(mp3, join(root, 'private', 'b.mp3'));
    const dbPath = join(base, 'locked.sqlite');
    // root reads every folder whatever its mode: as root, the scan runs without the capabilities that allow it
    const asUser = process.getuid?.() === 0 ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search'] : [];
    if (asUser.length && spawnSync(asUser[0]!, [...asUser.slice(1), 'true']).status !== 0) {
      return t.skip('running as root, and setpriv (util-linux) cannot drop the capabilities that bypass permissions here');
    }
    const scan = (): ScanReport => {
      const cmd = [...asUser, process.execPath, SPECTAG_CLI, 'scan', root, '--db', dbPath, '--json'];
      const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
      assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
      return JSON.parse(r.stdout) as ScanReport;
    };
    assert.equal(scan().added, 2);
    chmodSync(join(root, 'private'), 0o000);
    try {
      const report = scan();
      assert.deepEqual(report.rootErrors.map((e) => [e.folder, e.message]), [[join(root, 'private'), `${join(root, 'private')}: permission denied`]]);
      assert.equal(report.missing, 0, 'a folder that cannot be read proves nothing about its files');
    } finally {
      chmodSync(join(root, 'private'), 0o755);
    }
  });

  it('indexes a hard-linked file once, under the first root named, and says which paths it folded', async () => {
    const first = join(base, 'first');
    const second = join(base, 'second');
    mkdirSync(join(first, 'b'), { recursive: true });
    mkdirSync(join(first, 'a'));
    mkdirSync(second);
    copyFileSync(mp3, join(first, 'b', 'song.mp3'));
    linkSync(join(first, 'b', 'song.mp3'), join(first, 'a', 'same song.mp3'));
    linkSync(join(first, 'b', 'song.mp3'), join(second, 'again.mp3'));
    for (const [roots, kept] of [[[first, second], join(first, 'a', 'same song.mp3')], [[second, first], join(second, 'again.mp3')]] as const) {
      const db = openDb();
      const report = await scanLibrary(db, [...roots], { workers: 2 });
      assert.equal(report.seen, 1);
      assert.equal(report.folded.count, 2);
      assert.match(scanSummary(report), /; 2 other names of files already indexed \(hard links\) not listed again$/);
      assert.deepEqual(new Set(report.folded.paths.map((p) => p.keptPath)), new Set([kept]));
      assert.deepEqual(
        report.folded.paths.map((p) => p.path).sort(),
        [join(first, 'a', 'same song.mp3'), join(first, 'b', 'song.mp3'), join(second, 'again.mp3')].filter((p) => p !== kept).sort(),
      );
      assert.deepEqual(new FileStore(db).query({ limit: 10 }).files.map((f) => f.path), [kept]);
    }
  });
});
