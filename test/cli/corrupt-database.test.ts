// A damaged library database: every command names the file, says that nothing was changed and how to recover,
// instead of SQLite's bare "database disk image is malformed"; `spectag doctor` runs an integrity check.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseDamagedError } from '../../electron/core/db/open.js';
import { EngineService } from '../../electron/core/service/engine.js';
import { spectag } from '../helpers/cli.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';

const base = mkdtempSync(join(tmpdir(), 'spectag-corrupt-'));
after(() => rmSync(base, { recursive: true, force: true }));
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('a damaged library database', () => {
  const music = join(base, 'music');
  mkdirSync(music);
  const songs = [0, 1, 2].map((i) => {
    const p = join(music, `s${i}.ogg`);
    ffmpeg([...SOUNDS.tone(0.3, 400 + i * 50), '-c:a', 'libvorbis', '-metadata', 'genre=Rock', p]);
    return p;
  });
  const dbPath = join(base, 'lib.sqlite');

  it('doctor: a healthy database passes the integrity check', () => {
    assert.equal(spectag(['scan', music, '--db', dbPath]).code, 0);
    assert.equal(spectag(['decide', ...songs, '--genre', 'Jazz', '--db', dbPath]).code, 0);
    const r = spectag(['doctor', '--db', dbPath]);
    assert.match(r.out, /integrity check: ok/);
  });

  it('every command: the file named, nothing changed, how to recover', () => {
    // garbage over every page after the first (the header stays valid, so SQLite opens it and fails on reading)
    const size = statSync(dbPath).size;
    const fd = openSync(dbPath, 'r+');
    for (let at = 4096 * 2; at < size; at += 4096) writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, at);
    closeSync(fd);
    const before = songs.map(sha);
    const dbBytes = sha(dbPath);
    for (const args of [['list'], ['stats'], ['write'], ['undo', '1'], ['scan', music]]) {
      const r = spectag([...args, '--db', dbPath]);
      assert.equal(r.code, 3, `${args[0]}: ${r.out}${r.err}`);
      assert.match(r.err, new RegExp(`${dbPath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: the library database is damaged`), args[0]);
      assert.match(r.err, /Nothing was changed/);
      assert.match(r.err, /backup/);
      assert.match(r.err, /spectag doctor --db/);
      assert.match(r.err, /--db FILE/);
      assert.doesNotMatch(r.err, /^\s+at /m, 'no stack trace');
    }
    assert.deepEqual(songs.map(sha), before, 'no music file touched');
    assert.equal(sha(dbPath), dbBytes, 'the damaged database itself untouched');
  });

  it('damaged where opening it already fails: `spectag serve DB` and the window\'s engine name the file and the way out', async () => {
    // the first page (the header) overwritten: SQLite cannot even read the schema version
    const broken = join(base, 'header-damaged.sqlite');
    writeFileSync(broken, Buffer.concat([Buffer.alloc(4096, 0x5a), readFileSync(dbPath).subarray(4096)]));
    const bytes = sha(broken);
    const r = spectag(['serve', broken, '--port', '0', '--no-model']);
    assert.equal(r.code, 3, r.out + r.err);
    assert.match(r.err, new RegExp(`^spectag serve: ${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: the library database is damaged \\(file is not a database\\)`));
    assert.match(r.err, /Nothing was changed/);
    assert.doesNotMatch(r.err, /^\s+at /m, 'no stack trace');
    // what the desktop app's engine process reports to the window when it cannot start
    assert.throws(() => new EngineService({ dbPath: broken, host: 'electron', watch: false, model: false }), (err: Error) => {
      assert.ok(err instanceof DatabaseDamagedError);
      assert.match(err.message, /header-damaged\.sqlite: the library database is damaged[\s\S]*restore header-damaged\.sqlite from a backup/);
      return true;
    });
    assert.equal(sha(broken), bytes, 'the damaged file itself untouched');
  });

  it('doctor: the integrity check fails, says what is wrong and how to recover', () => {
    const r = spectag(['doctor', '--db', dbPath]);
    assert.equal(r.code, 3, r.out + r.err);
    assert.match(r.out, /integrity check: FAILED/);
    assert.match(r.out, /restore .*backup/);
  });
});
