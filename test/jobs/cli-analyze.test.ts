// `spectag analyze` (listening only: --no-model) and `spectag doctor` end to end, as a script would run them:
// exit codes, JSON, messages.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFixtureLibrary, type FixtureLibrary } from '../helpers/fixture-library.js';
import type { AnalysisReport } from '../../electron/shared/analysis.js';
import { spectag } from '../helpers/cli.js';


describe('spectag analyze / doctor', () => {
  let lib: FixtureLibrary;
  let dir: string;
  let db: string;
  before(() => {
    lib = makeFixtureLibrary();
    dir = mkdtempSync(join(tmpdir(), 'spectag-cli-analyze-'));
    db = join(dir, 'lib.sqlite');
    spectag(['scan', lib.root, '--db', db]);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    lib.cleanup();
  });
  const readable = () => lib.files.filter((f) => !f.error).length;

  it('doctor: names the bundled ffmpeg and its version, and the decode self-test passes', () => {
    const r = spectag(['doctor', '--db', db]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^ffmpeg: .*ffmpeg.* \(bundled\)\n {2}ffmpeg version /);
    assert.match(r.out, /decode self-test: ok/);
    assert.match(r.out, /analysis: 0 analysed .* 0 queued/);
  });

  it('usage errors exit 2; no ffmpeg exits 3 and leaves the queue for later', () => {
    assert.equal(spectag(['analyze', '--no-model', '--db', db, '--workers', '0']).code, 2);
    assert.equal(spectag(['analyze', '--no-model', '--db', db, '--limit', 'x']).code, 2);
    const missing = spectag(['analyze', '--no-model', '--db', db], { SPECTAG_FFMPEG: join(dir, 'no-ffmpeg') });
    assert.equal(missing.code, 3, missing.out + missing.err);
    assert.match(missing.err, /ffmpeg cannot be started: .*no-ffmpeg/);
    const doctor = spectag(['doctor', '--db', db, '--json'], { SPECTAG_FFMPEG: join(dir, 'no-ffmpeg') });
    assert.equal(doctor.code, 3);
    const d = JSON.parse(doctor.out) as { ffmpeg: { source: string; error: string }; database: { analysis: { queued: number; analysed: number } } };
    assert.equal(d.ffmpeg.source, 'configured');
    assert.ok(d.ffmpeg.error);
    assert.deepEqual([d.database.analysis.analysed, d.database.analysis.queued], [0, readable()]);
  });

  it('analyze --limit, then the rest; --json report; a second run has nothing to do', () => {
    const first = spectag(['analyze', '--no-model', '--db', db, '--limit', '5']);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /^Analysed 5 tracks in .* 5 ok, 0 silent, 0 failed\./);
    assert.match(first.out, new RegExp(`Still queued: ${readable() - 5}\\.`));
    assert.doesNotMatch(first.err, /\r/, 'no terminal redraws when piped');
    const rest = spectag(['analyze', '--no-model', '--db', db, '--json']);
    assert.equal(rest.code, 0, rest.err);
    const report = JSON.parse(rest.out) as AnalysisReport & { cacheDir: string };
    assert.deepEqual([report.analysed, report.ok, report.remaining], [readable() - 5, readable() - 5, 0]);
    assert.equal(report.cacheDir, join(dir, 'lib-cache'));
    assert.ok(existsSync(join(dir, 'lib-cache', 'spectrograms')));
    const again = spectag(['analyze', '--no-model', '--db', db]);
    assert.match(again.out, /^Analysed 0 tracks/);
    const doctor = spectag(['doctor', '--db', db]);
    assert.match(doctor.out, new RegExp(`analysis: ${readable()} analysed \\(${readable()} ok, 0 silent, 0 failed\\), 0 outdated, 0 queued`));
  });
});
