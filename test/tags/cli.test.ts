// `spectag decide`, `write` and `undo` end to end, as a script uses them: exit codes, JSON, messages.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTagFixture, mmView } from '../helpers/tag-fixtures.js';
import type { WritePlan, WriteReport } from '../../electron/shared/tags.js';
import { spectag as run } from '../helpers/cli.js';

function spectag(args: string[], db: string) {
  return run([...args, '--db', db]);
}

describe('spectag decide / write / undo', () => {
  let dir: string;
  let music: string;
  let db: string;
  let files: string[];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-cli-tags-'));
    music = join(dir, 'Music');
    mkdirSync(music);
    db = join(dir, 'lib.sqlite');
    files = [makeTagFixture(music, 'mp3-v2.3', 'one-genre', 500), makeTagFixture(music, 'flac', 'no-genre', 520), makeTagFixture(music, 'm4a', 'one-genre', 540)];
    assert.equal(spectag(['scan', music], db).code, 0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('decide: records genres for library files, reports files it does not know (exit 1), refuses bad input (exit 2)', () => {
    const r = spectag(['decide', files[0]!, files[1]!, join(music, 'nope.mp3'), '--genre', 'Shoegaze', '--genre', 'Dream Pop'], db);
    assert.equal(r.code, 1);
    assert.match(r.out, /Shoegaze; Dream Pop/);
    assert.match(r.err, /not in the library.*nope\.mp3/);
    assert.equal(spectag(['decide', files[2]!], db).code, 2, 'no --genre');
    const semi = spectag(['decide', files[2]!, '--genre', 'A; B'], db);
    assert.equal(semi.code, 2);
    assert.match(semi.err, /cannot contain ";"/);
    assert.equal(spectag(['decide', files[2]!, '--reject'], db).code, 0);
  });

  it('write --dry-run --json: old → new per file, nothing written', () => {
    const bytes = files.map((f) => readFileSync(f));
    const r = spectag(['write', '--dry-run', '--json'], db);
    assert.equal(r.code, 0, r.err);
    const plan = JSON.parse(r.out) as WritePlan & { dryRun: boolean };
    assert.equal(plan.dryRun, true);
    const byPath = new Map(plan.files.map((f) => [f.path, f]));
    assert.deepEqual([byPath.get(files[0]!)!.oldGenres, byPath.get(files[0]!)!.newGenres], [['Rock'], ['Shoegaze', 'Dream Pop']]);
    assert.equal(byPath.get(files[2]!)!.action, 'skip');
    files.forEach((f, i) => assert.deepEqual(readFileSync(f), bytes[i]));
    const text = spectag(['write', '--dry-run', '--mode', 'add'], db);
    assert.match(text.out, /would write\t.*mp3-v2\.3-one-genre\.mp3\tRock → Rock; Shoegaze; Dream Pop/);
    assert.match(text.out, /Nothing was written/);
  });

  it('write: writes, reports the batch; a read-only file fails alone (exit 1); undo restores (exit 0)', async () => {
    chmodSync(files[1]!, 0o444);
    const r = spectag(['write', '--json', '--id3v23-join', ' / '], db);
    assert.equal(r.code, 1, r.err);
    const report = JSON.parse(r.out) as WriteReport;
    assert.equal(report.written, 1);
    assert.equal(report.failed, 1);
    assert.equal(report.files.find((f) => f.path === files[1])!.errorKind, 'read-only');
    const mm = await mmView(files[0]!);
    assert.deepEqual(mm.genres, ['Shoegaze / Dream Pop'], 'the ID3v2.3 join asked for');
    const list = spectag(['list', '--json'], db);
    assert.match(list.out, /"Shoegaze",\s*"Dream Pop"/);

    const batches = spectag(['undo'], db);
    assert.match(batches.out, new RegExp(`^${report.batchId}\\t.*write\\tdone\\t1 written, 1 failed`, 'm'));
    const u = spectag(['undo', String(report.batchId), '--json'], db);
    assert.equal(u.code, 0, u.err);
    assert.equal((JSON.parse(u.out) as WriteReport).written, 1);
    assert.deepEqual((await mmView(files[0]!)).genres, ['Rock']);
    const again = spectag(['undo', String(report.batchId)], db);
    assert.equal(again.code, 3);
    assert.match(again.err, /already undone/);
    assert.equal(spectag(['undo', 'x'], db).code, 2);
    chmodSync(files[1]!, 0o644);
  });

  it('write with a path that is not in the library is a usage error', () => {
    const r = spectag(['write', join(dir, 'elsewhere')], db);
    assert.equal(r.code, 2);
    assert.match(r.err, /not in the library/);
  });
});
