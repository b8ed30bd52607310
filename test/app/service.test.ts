// The engine service behind the window, over a real fixture library and a real SQLite file: scan job with
// progress events, library view with review status, decisions + undo, vocabulary rename, write → tags in
// the files → undo, media confinement, and "not available yet" answers for engine parts not built.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFixtureLibrary, type FixtureLibrary } from '../helpers/fixture-library.js';
import { EngineService } from '../../electron/core/service/engine.js';
import { dispatchCall } from '../../electron/core/service/dispatch.js';
import { MediaRefusedError } from '../../electron/core/service/media.js';
import { readAudioFile } from '../../electron/core/library/read-file.js';
import { PredictionStore } from '../../electron/core/db/predictions.js';
import type { ApiEvent } from '../../electron/shared/api.js';
import { waitForJob } from './wait-for-job.js';
import type { GenrePrediction } from '../../electron/shared/genres-model.js';

describe('engine service over a fixture library', () => {
  let lib: FixtureLibrary;
  let dir: string;
  let service: EngineService;
  const events: ApiEvent[] = [];

  before(async () => {
    lib = makeFixtureLibrary();
    dir = mkdtempSync(join(tmpdir(), 'spectag-svc-'));
    service = new EngineService({ dbPath: join(dir, 'library.sqlite'), host: 'web', scanWorkers: 2, model: false });
    // these tests start each job themselves (listening after a scan is folders.test.ts's)
    await service.updateAppSettings({ listenAfterScan: false });
    service.subscribe((e) => events.push(e));
  });
  after(async () => {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
    lib.cleanup();
  });

  it('starts as a first run with no roots', async () => {
    const s = await service.status();
    assert.equal(s.firstRun, true);
    assert.equal(s.host, 'web');
    assert.equal(s.features.pickFolder, false, 'a browser has no native folder dialog: the window asks for a path');
  });

  it('adds a root and scans it as a job with progress events', async () => {
    const { job } = await service.addRoot({ path: lib.root });
    assert.ok(job);
    const done = await waitForJob(service, job);
    assert.equal(done.state, 'done', done.error ?? '');
    assert.equal(done.result?.kind, 'scan');
    if (done.result?.kind === 'scan') assert.equal(done.result.report.seen, lib.files.length);
    const jobEvents = events.filter((e) => e.type === 'job' && e.job.id === job.id);
    assert.ok(jobEvents.length >= 2, 'running and done events');
    assert.ok(events.some((e) => e.type === 'library-changed' && e.reason === 'scan'));
    assert.equal((await service.status()).firstRun, false);
  });

  it('pages, sorts, filters and searches the library with review status', async () => {
    const all = await service.queryLibrary({ limit: 1000 });
    assert.equal(all.total, lib.files.length);
    const errors = lib.files.filter((f) => f.error).length;
    const byStatus = await service.queryLibrary({ status: 'error', limit: 1000 });
    assert.equal(byStatus.total, errors);
    assert.ok(byStatus.rows.every((r) => r.status === 'error'));
    const unanalysed = await service.queryLibrary({ status: 'unanalysed', limit: 1000 });
    assert.equal(unanalysed.total, lib.files.length - errors);
    const rock = await service.queryLibrary({ genre: 'rock', limit: 1000 });
    assert.deepEqual(rock.rows.map((r) => r.title).sort(), ['First Tone', 'List', 'Old Style']);
    const page = await service.queryLibrary({ sort: 'title', limit: 3, offset: 2 });
    const titles = (await service.queryLibrary({ sort: 'title', limit: 1000 })).rows.map((r) => r.title);
    assert.deepEqual(page.rows.map((r) => r.title), titles.slice(2, 5));
    const search = await service.queryLibrary({ text: 'björk' });
    assert.equal(search.total, 1);
    const overview = await service.libraryStats();
    assert.equal(overview.byReviewStatus.error, errors);
    assert.ok(overview.distribution.some((d) => d.genre === 'Rock' && d.files === 3));
  });

  it('records decisions, shows them as review status, and undoes the latest', async () => {
    const noise = (await service.queryLibrary({ text: 'noise' })).rows[0]!;
    const r = await service.decide({ fileId: noise.id, action: 'correct', genres: ['Ambient', 'Drone', 'ambient'] });
    assert.equal(r.status, 'corrected');
    assert.deepEqual(r.decision?.genres, ['Ambient', 'Drone']);
    const wave = (await service.queryLibrary({ text: 'Wave' })).rows[0]!;
    await service.decide({ fileId: wave.id, action: 'reject' });
    assert.equal((await service.queryLibrary({ status: 'rejected' })).total, 1);
    const undone = await service.undoDecision();
    assert.equal(undone?.fileId, wave.id);
    assert.equal(undone?.status, 'unanalysed');
    assert.equal((await service.queryLibrary({ status: 'corrected' })).total, 1);
    // accepting needs a suggestion; without the model there is none
    await assert.rejects(service.decide({ fileId: wave.id, action: 'accept' }), /no suggestion/);
  });

  it('writes decided genres into the files with a dry run first, then undoes the batch', async () => {
    const noise = (await service.queryLibrary({ text: 'noise' })).rows[0]!;
    const plan = await service.planWrite({ selection: {}, mode: 'replace' });
    assert.equal(plan.counts.write, 1);
    assert.deepEqual(plan.files[0]?.newGenres, ['Ambient', 'Drone']);
    const job = await waitForJob(service, await service.applyWrite({ planId: plan.planId }));
    assert.equal(job.state, 'done', job.error ?? '');
    assert.equal(job.result?.kind === 'write' ? job.result.report.written : -1, 1);
    const read = await readAudioFile(noise.path);
    assert.ok(read.ok);
    if (read.ok) assert.deepEqual(read.tags.genres, ['Ambient', 'Drone']);
    assert.equal((await service.queryLibrary({ text: 'noise' })).rows[0]?.status, 'written');
    await assert.rejects(service.applyWrite({ planId: plan.planId }), /no longer known/);
    const undo = await waitForJob(service, await service.undoWrite({}));
    assert.equal(undo.state, 'done', undo.error ?? '');
    const back = await readAudioFile(noise.path);
    if (back.ok) assert.deepEqual(back.tags.genres, []);
    assert.equal((await service.queryLibrary({ text: 'noise' })).rows[0]?.status, 'corrected');
    const history = await service.writeHistory();
    assert.deepEqual(history.map((b) => b.kind), ['undo', 'write']);
  });

  it('renames a genre in the vocabulary by recording decisions for the files that have it', async () => {
    const before = await service.vocabulary();
    assert.ok(before.find((v) => v.genre === 'Rock')?.inFiles === 3);
    assert.ok(before.some((v) => v.model && v.genre === 'Hip-Hop'), 'the model genre hip-hop takes the library spelling');
    const r = await service.renameGenre({ from: 'rock', to: 'Rock & Roll' });
    assert.equal(r.filesChanged, 3);
    const decided = await service.queryLibrary({ status: 'corrected', genre: 'Rock' });
    assert.equal(decided.total, 3);
    assert.ok(decided.rows.every((row) => row.decided?.includes('Rock & Roll') && !row.decided.includes('Rock')));
    await service.hideGenre({ genre: 'Drone', hidden: true });
    assert.equal((await service.vocabulary()).find((v) => v.genre === 'Drone')?.hidden, true);
  });

  it('serves media only from inside the roots and the cache', async () => {
    const noise = (await service.queryLibrary({ text: 'noise' })).rows[0]!;
    assert.deepEqual(await service.mediaSource({ kind: 'audio', id: noise.id }), { kind: 'file', path: noise.path, cache: 'private, no-cache' });
    await assert.rejects(service.mediaSource({ kind: 'spectrogram', id: noise.id }), /no spectrogram/);
    // a file row pointing outside every root (a root removed, a database edited by hand) is refused
    const outside = join(dir, 'outside.mp3');
    writeFileSync(outside, 'x');
    service.db.prepare('UPDATE files SET path = ? WHERE id = ?').run(join(lib.root, '..', 'outside-link.mp3'), noise.id);
    symlinkSync(outside, join(lib.root, '..', 'outside-link.mp3'));
    await assert.rejects(service.mediaSource({ kind: 'audio', id: noise.id }), (e: unknown) => e instanceof MediaRefusedError && e.status === 403);
    service.db.prepare('UPDATE files SET path = ? WHERE id = ?').run(`${lib.root}/../../etc/passwd`, noise.id);
    await assert.rejects(service.mediaSource({ kind: 'audio', id: noise.id }), MediaRefusedError);
    service.db.prepare('UPDATE files SET path = ? WHERE id = ?').run(noise.path, noise.id);
  });

  it('answers what this host cannot do with a clear not-available error', async () => {
    const r = await dispatchCall(service, 'pickFolder', undefined);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.code, 'not-available');
      assert.match(r.error.message, /not available/);
    }
  });

  it('listens to the library as a job: spectrogram pictures in the cache, errors per file', async () => {
    const status = await service.status();
    const job = await waitForJob(service, await service.startAnalysis({}), 120_000);
    assert.equal(job.state, 'done', job.error ?? '');
    assert.equal(job.result?.kind, 'analyze');
    const readable = (await service.queryLibrary({ limit: 1000 })).rows.filter((r) => r.fileStatus === 'ok');
    if (job.result?.kind === 'analyze') assert.equal(job.result.report.analysed, readable.length);
    const tone = readable.find((r) => r.title === 'Vorbis')!;
    const track = await service.getTrack({ id: tone.id });
    assert.equal(track.analysis?.status, 'ok', track.analysis?.errorMessage ?? '');
    assert.equal(track.media.spectrogram, true);
    assert.ok(track.analysis!.excerpts.length >= 1);
    const png = (await service.mediaSource({ kind: 'spectrogram', id: tone.id })).path;
    assert.ok(png.startsWith(service.cacheDir), png);
    assert.equal(status.features.predictions, false, 'this service runs without the model');
    await assert.rejects(service.controlJob({ jobId: 'nope', action: 'pause' }), /no job/);
  });

  it('shows stored suggestions under the library\'s spelling; accept, bulk accept with a preview, undo', async () => {
    const rows = (await service.queryLibrary({ limit: 1000 })).rows.filter((r) => r.fileStatus === 'ok' && !r.decided);
    const store = new PredictionStore(service.db);
    const predict = (genre: string, p: number, unsure = false): GenrePrediction => ({
      modelId: 'test-model', modelVersion: '1', genres: ['hip-hop', 'jazz'], probabilities: { 'hip-hop': genre === 'hip-hop' ? p : 1 - p, jazz: genre === 'jazz' ? p : 1 - p },
      top: unsure ? [] : [{ genre, probability: p }], unsure, excerpts: [{ startSec: 0, durationSec: 3, probabilities: [p, 1 - p] }],
    });
    store.save(rows[0]!.id, predict('hip-hop', 0.95), {});
    store.save(rows[1]!.id, predict('hip-hop', 0.7), {});
    store.save(rows[2]!.id, predict('jazz', 0.9), {});
    store.save(rows[3]!.id, predict('jazz', 0.4, true), {});
    // a second window onto the same database sees the stored model's suggestions
    const other = new EngineService({ dbPath: join(dir, 'library.sqlite'), host: 'web', model: false });
    try {
      const first = (await other.queryLibrary({ text: rows[0]!.path.split('/').pop()!.slice(0, 12) })).rows.find((r) => r.id === rows[0]!.id)!;
      assert.equal(first.suggested, 'Hip-Hop', 'the model says hip-hop; the library spells it Hip-Hop');
      assert.equal(first.status, 'suggested');
      assert.equal((await other.queryLibrary({ status: 'unsure' })).total, 1);
      assert.equal((await other.queryLibrary({ suggested: 'Hip-Hop' })).total, 2);
      const byConfidence = (await other.queryLibrary({ sort: 'confidence', descending: true, limit: 3 })).rows.map((r) => r.confidence);
      assert.deepEqual(byConfidence, [0.95, 0.9, 0.7]);
      const track = await other.getTrack({ id: rows[0]!.id });
      assert.deepEqual(track.prediction?.top, [{ genre: 'Hip-Hop', probability: 0.95 }]);
      const preview = await other.bulkAcceptPreview({ minConfidence: 0.85 });
      assert.equal(preview.count, 2);
      assert.deepEqual(preview.byGenre.map((g) => g.genre).sort(), ['Hip-Hop', 'Jazz']);
      assert.equal((await other.bulkAcceptPreview({ minConfidence: 0.6, genre: 'Hip-Hop' })).count, 2);
      assert.equal((await other.bulkAccept({ minConfidence: 0.85 })).accepted, 2);
      assert.deepEqual((await other.getTrack({ id: rows[2]!.id })).decision?.genres, ['Jazz']);
      assert.equal((await other.bulkAcceptPreview({ minConfidence: 0.85 })).count, 0, 'decided files are not offered again');
      await other.undoDecision();
      assert.equal((await other.bulkAcceptPreview({ minConfidence: 0.85 })).count, 2, 'undo takes the whole bulk accept back');
      const accepted = await other.decide({ fileId: rows[1]!.id, action: 'accept' });
      assert.deepEqual(accepted.decision?.genres, ['Hip-Hop']);
      assert.equal(accepted.status, 'accepted');
      await other.hideGenre({ genre: 'Jazz', hidden: true });
      assert.equal((await other.bulkAcceptPreview({ minConfidence: 0.5 })).count, 1, 'hidden genres are never bulk accepted');
      await other.hideGenre({ genre: 'Jazz', hidden: false });
    } finally {
      await other.close();
    }
  });

  it('validates every call argument before the engine sees it', async () => {
    const bad = [
      ['queryLibrary', { limit: 5000 }],
      ['queryLibrary', { status: 'maybe' }],
      ['queryLibrary', { sort: 'path; DROP TABLE files' }],
      ['decide', { fileId: 1, action: 'correct' }],
      ['decide', { fileId: 1, action: 'reject', genres: ['Rock'] }],
      ['decide', { fileId: -1, action: 'accept' }],
      ['decide', { fileId: 1, action: 'accept', extra: true }],
      ['renameGenre', { from: 'a', to: 'b;c' }],
      ['getTrack', { id: '1' }],
      ['status', { x: 1 }],
      ['nope', {}],
      ['__proto__', {}],
    ] as const;
    for (const [method, input] of bad) {
      const r = await dispatchCall(service, method, input);
      assert.equal(r.ok, false, `${method} ${JSON.stringify(input)} must be refused`);
      if (!r.ok) assert.equal(r.error.code, 'invalid-input', `${method}: ${r.error.message}`);
    }
    const ok = await dispatchCall(service, 'queryLibrary', { limit: 2 });
    assert.equal(ok.ok, true);
  });
});
