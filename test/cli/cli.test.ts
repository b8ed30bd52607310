// The `spectag` command end to end, as a script would use it: exit codes, JSON output, messages.
import { formatBytes } from '../../electron/shared/units.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeFixtureLibrary, type FixtureLibrary } from '../helpers/fixture-library.js';
import type { LibraryFile, LibraryStats, ScanReport } from '../../electron/shared/library.js';
import { spectag } from '../helpers/cli.js';


describe('spectag CLI', () => {
  let lib: FixtureLibrary;
  let dir: string;
  let db: string;
  before(() => {
    lib = makeFixtureLibrary();
    dir = mkdtempSync(join(tmpdir(), 'spectag-cli-'));
    db = join(dir, 'lib.sqlite');
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    lib.cleanup();
  });

  it('scan: reads the library, prints a summary, exits 1 because some files are broken', () => {
    const r = spectag(['scan', lib.root, '--db', db]);
    assert.equal(r.code, 1, r.err);
    const broken = lib.files.filter((f) => f.error).length;
    assert.match(r.out, new RegExp(`Scanned ${lib.files.length} audio files .* ${lib.files.length} new, .* ${broken} unreadable`));
    assert.match(r.out, /spectag list --errors/);
    assert.doesNotMatch(r.err, /\r/, 'no terminal redraws when piped');
  });

  it('scan --json again: everything unchanged, machine-readable report, exit 0', () => {
    const r = spectag(['scan', lib.root, '--db', db, '--json']);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out) as ScanReport & { db: string };
    assert.equal(report.db, db);
    assert.equal(report.unchanged, lib.files.length);
    assert.equal(report.added, 0);
  });

  it('list --genre --json: the files of a genre with their fields', () => {
    const r = spectag(['list', '--db', db, '--genre', 'rock', '--json']);
    assert.equal(r.code, 0, r.err);
    const { total, files } = JSON.parse(r.out) as { total: number; files: LibraryFile[] };
    assert.equal(total, 3);
    assert.deepEqual(files.map((f) => f.title).sort(), ['First Tone', 'List', 'Old Style']);
    const first = files.find((f) => f.title === 'First Tone')!;
    assert.equal(first.hasCover, true);
    assert.equal(first.path, lib.path('Artist A/Album One/01 First Tone.mp3'));
  });

  it('list --errors: each broken file with its kind and reason', () => {
    const r = spectag(['list', '--db', db, '--errors']);
    assert.equal(r.code, 0);
    const lines = r.out.trim().split('\n');
    assert.equal(lines.length, lib.files.filter((f) => f.error).length);
    assert.ok(lines.some((l) => l.startsWith(lib.path('broken/empty.mp3')) && l.includes('ERROR empty')));
    assert.ok(lines.some((l) => l.includes('notes.mp3') && /ERROR not-audio: not an audio file/.test(l)));
  });

  it('list --missing-genre and stats --json agree', () => {
    const missing = JSON.parse(spectag(['list', '--db', db, '--missing-genre', '--status', 'ok', '--json']).out) as { total: number };
    const stats = JSON.parse(spectag(['stats', '--db', db, '--json']).out) as LibraryStats;
    assert.equal(stats.withoutGenre, missing.total);
    assert.equal(stats.files, lib.files.length);
    assert.equal(stats.byStatus.error, lib.files.filter((f) => f.error).length);
    assert.equal(stats.topGenres[0]?.genre, 'Rock');
    // the size in the one unit system the window uses too, labelled
    const text = spectag(['stats', '--db', db]).out;
    assert.ok(text.includes(`, ${formatBytes(stats.totalBytes)} (1 GB = 10^9 bytes)`), text);
  });

  it('SPECTAG_DB selects the database when --db is not given', () => {
    const r = spectag(['stats'], { SPECTAG_DB: db });
    assert.equal(r.code, 0);
    assert.match(r.out, new RegExp(`Library: ${db}`));
  });

  it('--help lists every command with its summary', () => {
    const r = spectag(['--help']);
    assert.equal(r.code, 0);
    for (const name of ['scan', 'list', 'stats', 'analyze', 'doctor', 'decide', 'write', 'undo', 'predict', 'serve', 'learn', 'settings']) {
      assert.match(r.out, new RegExp(`^  ${name} +\\S`, 'm'), name);
    }
  });

  it('usage errors exit 2 and say what is wrong', () => {
    let r = spectag(['scan', '--db', db]);
    assert.equal(r.code, 2);
    assert.match(r.err, /name at least one folder/);
    r = spectag(['list', '--db', db, '--sort', 'colour']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--sort must be one of/);
    r = spectag(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command "frobnicate"/);
    r = spectag(['list', '--db', db, '--bogus']);
    assert.equal(r.code, 2);
  });

  it('exits 3 when nothing can be scanned, or the database is from a newer Spectag', () => {
    let r = spectag(['scan', join(dir, 'nowhere'), '--db', db]);
    assert.equal(r.code, 3);
    assert.match(r.err, /nowhere: not found/);
    const newer = join(dir, 'newer.sqlite');
    const raw = new Database(newer);
    raw.pragma('user_version = 999');
    raw.close();
    r = spectag(['stats', '--db', newer]);
    assert.equal(r.code, 3);
    assert.match(r.err, /newer Spectag/);
  });
});
