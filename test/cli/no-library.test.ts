// A mistyped --db: only the commands that start a library (scan, serve) create one; every other command says
// there is no library at that path, exits 3, and leaves no folder or empty database behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { spectag, SPECTAG_CLI } from '../helpers/cli.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';

const READ_COMMANDS: string[][] = [
  ['stats'], ['list'], ['list', '--json'], ['albums'], ['analyze', '--no-model'], ['decide', '/music/a.mp3', '--genre', 'Rock'],
  ['write', '--dry-run'], ['undo'], ['learn'], ['doctor'],
];

describe('a --db where there is no library', () => {
  let dir: string;
  let music: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-nolib-'));
    music = join(dir, 'music');
    mkdirSync(music);
    ffmpeg([...SOUNDS.tone(1), '-c:a', 'libmp3lame', '-b:a', '64k', join(music, 'a.mp3')]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const args of READ_COMMANDS) {
    it(`${args.join(' ')}: refused, nothing created`, () => {
      const db = join(dir, 'typo', 'nested', 'libary.sqlite');
      const r = spectag([...args, '--db', db]);
      if (args[0] === 'doctor') {
        // doctor reports on the installation: it says the database is not there, and creates nothing either
        assert.match(r.out, /libary\.sqlite/);
      } else {
        assert.equal(r.code, 3, `${r.out}\n${r.err}`);
        assert.match(r.err, new RegExp(`^spectag ${args[0]}: .*libary\\.sqlite: there is no Spectag library here \\(no such file\\)`));
        assert.match(r.err, /Nothing was created/);
        assert.equal(r.out, '');
      }
      assert.equal(existsSync(join(dir, 'typo')), false, 'no folder was created');
    });
  }

  it('SPECTAG_DB naming a missing file is refused the same way', () => {
    const db = join(dir, 'env-typo', 'lib.sqlite');
    const r = spectag(['stats'], { SPECTAG_DB: db });
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /env-typo\/lib\.sqlite: there is no Spectag library here/);
    assert.equal(existsSync(join(dir, 'env-typo')), false);
  });

  it('predict --model personal with a missing --db: refused, nothing created', () => {
    const db = join(dir, 'p-typo', 'lib.sqlite');
    const r = spectag(['predict', join(music, 'a.mp3'), '--model', 'personal', '--db', db]);
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /p-typo\/lib\.sqlite: there is no Spectag library here/);
    assert.equal(existsSync(join(dir, 'p-typo')), false);
  });

  it('an empty file, or another program\'s SQLite database, is not a library: refused and left unchanged', () => {
    const empty = join(dir, 'empty.sqlite');
    writeFileSync(empty, '');
    const r = spectag(['list', '--db', empty]);
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /empty\.sqlite: there is no Spectag library here \(the file is not a Spectag library database\)/);
    assert.equal(statSync(empty).size, 0, 'the empty file was not turned into a database');

    const other = join(dir, 'other-app.sqlite');
    const foreign = new Database(other);
    foreign.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    foreign.close();
    const before = readFileSync(other);
    const s = spectag(['stats', '--db', other]);
    assert.equal(s.code, 3, s.err);
    assert.match(s.err, /other-app\.sqlite: there is no Spectag library here \(the file is not a Spectag library database\)/);
    assert.deepEqual(readFileSync(other), before, 'the other program\'s database was not migrated');
  });

  it('scan starts a library at a new path (folders included), and then the read commands use it', () => {
    const db = join(dir, 'new', 'place', 'lib.sqlite');
    const scan = spectag(['scan', music, '--db', db]);
    assert.equal(scan.code, 0, scan.err);
    assert.ok(existsSync(db));
    const stats = spectag(['stats', '--db', db, '--json']);
    assert.equal(stats.code, 0, stats.err);
    assert.equal((JSON.parse(stats.out) as { files: number }).files, 1);
    const list = spectag(['list', '--db', db]);
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, /a\.mp3/);
  });

  it('serve starts a library at a new path', async () => {
    const db = join(dir, 'served', 'lib.sqlite');
    const child = spawn(process.execPath, [SPECTAG_CLI, 'serve', '--db', db, '--port', '0', '--no-model'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    try {
      const deadline = Date.now() + 30_000;
      while (!/Open: http/.test(out)) {
        if (child.exitCode != null || Date.now() > deadline) assert.fail(`serve did not start: ${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(existsSync(db), 'serve created the library');
      assert.match(readFileSync(db).subarray(0, 16).toString('latin1'), /^SQLite format 3/);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await exited;
    }
  });
});
