// A write keeps the file's owner and group where permitted, as it keeps its permissions: root keeps both; another
// member of the file's group (who may write it, but may not give a file away) keeps its group. Needs root to
// create files of other users and run a write as one; skipped with the reason otherwise.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPECTAG_CLI, spectag } from '../helpers/cli.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { mmView } from '../helpers/tag-fixtures.js';

const base = mkdtempSync(join(tmpdir(), 'spectag-owner-'));
chmodSync(base, 0o755); // the other user must reach the library inside
after(() => rmSync(base, { recursive: true, force: true }));
const root = process.getuid?.() === 0;
const OWNER = 41001; // the file's owner
const WRITER = 41002; // another user, in the file's group
const MUSIC_GROUP = 42001;
/** The write runs as WRITER from this checkout: a checkout inside a folder only root may enter (a clone into
 *  `mktemp -d`, mode 0700) cannot be run as another user at all. */
function checkoutReachableByWriter(): boolean {
  const probe = `process.setgid(${WRITER}); process.setuid(${WRITER}); require('node:fs').accessSync(${JSON.stringify(SPECTAG_CLI)}, 4);`;
  return spawnSync(process.execPath, ['-e', probe]).status === 0;
}
const memberSkip = root && !checkoutReachableByWriter()
  ? `another user cannot read this checkout (${SPECTAG_CLI}), so no write can run as one`
  : false;

describe('owner and group of a written file', { skip: root ? false : 'needs root (to make files of other users and write as one)' }, () => {
  function library(name: string): { dir: string; file: string; dbArgs: string[] } {
    const dir = join(base, name);
    mkdirSync(join(dir, 'music'), { recursive: true });
    const file = join(dir, 'music', 'shared.flac');
    ffmpeg([...SOUNDS.tone(0.4, 440), '-metadata', 'genre=Rock', file]);
    // a shared music folder: owned by one user, group-writable for the music group
    chownSync(file, OWNER, MUSIC_GROUP);
    chmodSync(file, 0o664);
    chownSync(join(dir, 'music'), OWNER, MUSIC_GROUP);
    chmodSync(join(dir, 'music'), 0o775);
    chmodSync(dir, 0o777); // the library database, writable by both
    const dbArgs = ['--db', join(dir, 'lib.sqlite')];
    assert.equal(spectag(['scan', join(dir, 'music'), ...dbArgs]).code, 0);
    assert.equal(spectag(['decide', file, '--genre', 'Jazz', ...dbArgs]).code, 0);
    for (const f of ['lib.sqlite', 'lib.sqlite-wal', 'lib.sqlite-shm']) spawnSync('chmod', ['-f', '0666', join(dir, f)]);
    return { dir, file, dbArgs };
  }

  it('root keeps both', async () => {
    const lib = library('as-root');
    assert.equal(spectag(['write', ...lib.dbArgs]).code, 0);
    const st = statSync(lib.file);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [OWNER, MUSIC_GROUP, 0o664]);
    assert.deepEqual((await mmView(lib.file)).genres, ['Jazz']);
  });

  it('another member of the group keeps the group (the owner becomes the writer: only root may give a file away)', { skip: memberSkip }, async () => {
    const lib = library('as-member');
    const script = new URL('../helpers/as-user.js', import.meta.url).pathname;
    // primary group of its own, the music group as a supplementary one
    const r = spawnSync(process.execPath, [script, String(WRITER), String(WRITER), `${WRITER},${MUSIC_GROUP}`, 'write', ...lib.dbArgs], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const st = statSync(lib.file);
    assert.equal(st.gid, MUSIC_GROUP, 'the group is kept');
    assert.equal(st.uid, WRITER);
    assert.equal(st.mode & 0o7777, 0o664, 'and the permissions');
    assert.deepEqual((await mmView(lib.file)).genres, ['Jazz']);
  });
});
