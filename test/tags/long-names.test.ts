// File names at the length limit: a 254-byte name (the longest most file systems allow is 255 bytes) must be
// written like any other; the temp copy's name fits wherever the original's does, and is still recognised as
// Spectag's (so a crash leaves nothing that the next run does not clean).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore } from '../../electron/core/db/decisions.js';
import { scanLibrary } from '../../electron/core/library/scan.js';
import { applyWrite, planWrite, undoWrite } from '../../electron/core/tags/write.js';
import { cleanStaleTemps, isSpectagTemp, tempPathFor } from '../../electron/core/tags/safe-replace.js';
import { processAlive } from '../../electron/core/db/write-lease.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { mmView } from '../helpers/tag-fixtures.js';

const base = mkdtempSync(join(tmpdir(), 'spectag-names-'));
after(() => rmSync(base, { recursive: true, force: true }));

/** A name of exactly `bytes` bytes in UTF-8, from a repeated character, ending in `ext`. */
function nameOf(bytes: number, ch: string, ext: string): string {
  const unit = Buffer.byteLength(ch);
  const room = bytes - Buffer.byteLength(ext);
  const name = ch.repeat(Math.floor(room / unit)) + 'x'.repeat(room % unit) + ext;
  assert.equal(Buffer.byteLength(name), bytes);
  return name;
}

describe('long file names', () => {
  it('254-byte names (ASCII, and 2- and 3-byte characters) are written and undone', async () => {
    const dir = join(base, 'lib');
    mkdirSync(dir);
    const names = [nameOf(254, 'a', '.mp3'), nameOf(254, 'é', '.flac'), nameOf(254, '音', '.ogg')];
    const paths = names.map((name, i) => {
      const p = join(dir, name);
      ffmpeg([...SOUNDS.tone(0.4, 400 + i * 30), '-metadata', 'genre=Rock', p]);
      return p;
    });
    const db = openDatabase(join(base, 'lib.sqlite'));
    await scanLibrary(db, [dir], { workers: 1 });
    const store = new FileStore(db);
    for (const p of paths) new DecisionStore(db).record(store.getByPath(p)!.id, ['Jazz'], 'cli');
    const w = await applyWrite(db, planWrite(db, {}, 'replace'));
    assert.deepEqual(w.files.map((f) => [f.status, f.message]), paths.map(() => ['written', null]));
    for (const p of paths) assert.deepEqual((await mmView(p)).genres, ['Jazz']);
    const u = await undoWrite(db, w.batchId!);
    assert.equal(u.written, 3, JSON.stringify(u.files));
    assert.deepEqual(readdirSync(dir).sort(), [...names].sort(), 'no temp file left, no name changed');
    db.close();
  });

  it('a temp name is never longer than the original name (or 64 bytes), cut at a character boundary, and recognised', () => {
    for (const ch of ['a', 'é', '音', '😀']) {
      for (let bytes = 5; bytes <= 255; bytes += 7) {
        const name = nameOf(bytes, ch, '.mp3');
        const temp = basename(tempPathFor(join('/music', name)));
        assert.ok(Buffer.byteLength(temp) <= Math.max(bytes, 64), `${bytes}-byte name → ${Buffer.byteLength(temp)}-byte temp name`);
        assert.equal(Buffer.from(temp, 'utf8').toString('utf8'), temp, 'valid UTF-8');
        assert.ok(!temp.includes('\uFFFD'));
        assert.ok(isSpectagTemp(temp), temp);
      }
    }
  });

  it('a cut temp name left by a dead process is cleaned by the next run', () => {
    const dir = join(base, 'stale');
    mkdirSync(dir);
    const name = nameOf(254, 'b', '.mp3');
    // a process id of as many digits as ours (the name keeps its length) that no process has
    const digits = String(process.pid).length;
    const dead = Array.from({ length: 100 }, (_, i) => Number('9'.repeat(digits)) - i).find((pid) => !processAlive(pid))!;
    const stale = basename(tempPathFor(join(dir, name))).replace(`.${process.pid}-`, `.${dead}-`);
    writeFileSync(join(dir, stale), 'left by a killed write');
    assert.deepEqual(cleanStaleTemps([dir]), [join(dir, stale)]);
  });
});
