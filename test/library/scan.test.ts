// Scanning a real library made by ffmpeg: every field of every file, errors, ignored paths.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFixtureLibrary, type FixtureLibrary } from '../helpers/fixture-library.js';
import { openDatabase, type Db } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { scanLibrary } from '../../electron/core/library/scan.js';
import type { ScanProgress, ScanReport } from '../../electron/shared/library.js';

describe('first scan of a fixture library', () => {
  let lib: FixtureLibrary;
  let dir: string;
  let db: Db;
  let store: FileStore;
  let report: ScanReport;
  const progress: ScanProgress[] = [];

  before(async () => {
    lib = makeFixtureLibrary();
    dir = mkdtempSync(join(tmpdir(), 'spectag-db-'));
    db = openDatabase(join(dir, 'library.sqlite'));
    store = new FileStore(db);
    report = await scanLibrary(db, [lib.root], { workers: 2, onProgress: (p) => progress.push(p), progressIntervalMs: 0 });
  });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    lib.cleanup();
  });

  it('finds exactly the audio candidates, once each, and nothing hidden, system or linked twice', () => {
    const paths = store.query({ limit: 1000 }).files.map((f) => f.path).sort();
    assert.deepEqual(paths, lib.files.map((f) => lib.path(f.rel)).sort());
    for (const rel of lib.ignored) assert.equal(store.getByPath(lib.path(rel)), null, `${rel} must not be scanned`);
    assert.equal(report.seen, lib.files.length);
    assert.equal(report.added, lib.files.length);
    assert.equal(report.errors, lib.files.filter((f) => f.error).length);
    assert.equal(report.cancelled, false);
  });

  it('reads tags and audio properties of every container field by field', () => {
    for (const exp of lib.files.filter((f) => !f.error)) {
      const f = store.getByPath(lib.path(exp.rel));
      assert.ok(f, `${exp.rel} is in the library`);
      const where = `${exp.rel}`;
      assert.equal(f.status, 'ok', `${where}: ${f.errorMessage}`);
      for (const key of ['container', 'title', 'artist', 'albumArtist', 'album', 'trackNo', 'trackOf', 'discNo', 'year', 'hasCover', 'channels', 'sampleRate', 'lossless'] as const) {
        if (exp[key] !== undefined) assert.equal(f[key], exp[key], `${where}: ${key}`);
      }
      if (exp.genres) assert.deepEqual(f.genres, exp.genres, `${where}: genres`);
      if (exp.codec) assert.match(f.codec ?? '', exp.codec, `${where}: codec`);
      if (exp.durationSec !== undefined) assert.ok(Math.abs((f.durationSec ?? -1) - exp.durationSec) < 0.15, `${where}: duration ${f.durationSec}`);
      assert.ok(f.size > 0 && f.mtimeMs > 0 && f.scannedAt, `${where}: stat recorded`);
      assert.ok((f.bitrate ?? 0) > 0, `${where}: bitrate`);
    }
  });

  it('records broken files with the kind of error and a message, and keeps going', () => {
    for (const exp of lib.files.filter((f) => f.error)) {
      const f = store.getByPath(lib.path(exp.rel));
      assert.ok(f, `${exp.rel} is recorded`);
      assert.equal(f.status, 'error', exp.rel);
      assert.equal(f.errorKind, exp.error, `${exp.rel}: ${f.errorMessage}`);
      assert.ok((f.errorMessage ?? '').length > 5, `${exp.rel} has a readable message`);
    }
  });

  it('reports progress with counts, rate and a final done event', () => {
    assert.ok(progress.length >= 2);
    const last = progress.at(-1)!;
    assert.equal(last.phase, 'done');
    assert.equal(last.done, lib.files.length);
    assert.equal(last.seen, lib.files.length);
    assert.equal(last.errors, report.errors);
    assert.ok(progress.some((p) => p.currentPath && p.rate > 0));
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.done >= progress[i - 1]!.done, 'done never goes back');
  });

  it('filters by genre (case-insensitive, any position in a multi-genre list), status and missing genre', () => {
    const rock = store.query({ genre: 'rock' }).files.map((f) => f.title).sort();
    assert.deepEqual(rock, ['First Tone', 'List', 'Old Style']);
    assert.deepEqual(store.query({ genre: 'Blues' }).files.map((f) => f.title).sort(), ['Old Style', 'Repeated Fields']);
    const noGenre = store.query({ missingGenre: true, status: 'ok' }).files.map((f) => f.path);
    assert.deepEqual(noGenre.sort(), lib.files.filter((f) => !f.error && f.genres === undefined || (f.genres && f.genres.length === 0)).map((f) => lib.path(f.rel)).sort());
    assert.equal(store.query({ status: 'error' }).total, report.errors);
  });

  it('searches text in titles, artists and paths, unicode included, and sorts and pages', () => {
    assert.deepEqual(store.query({ text: 'björk' }).files.map((f) => f.title), ['Jóga 日本']);
    assert.deepEqual(store.query({ text: '日本' }).files.map((f) => f.artist), ['Björk']);
    assert.deepEqual(store.query({ text: 'album one list' }).files.map((f) => f.title), ['List']);
    const byTitle = store.query({ sort: 'title', status: 'ok', limit: 1000 }).files.filter((f) => f.title).map((f) => f.title!.toLowerCase());
    assert.deepEqual(byTitle, [...byTitle].sort());
    const all = store.query({ sort: 'durationSec', descending: true, limit: 1000 });
    const page2 = store.query({ sort: 'durationSec', descending: true, limit: 5, offset: 5 });
    assert.equal(page2.total, all.total);
    assert.deepEqual(page2.files.map((f) => f.id), all.files.slice(5, 10).map((f) => f.id));
  });
});
