// "Your genres" through the app API: the engine service over a real SQLite library whose embeddings are
// synthetic (one cluster per genre, tracks in albums; test/personal/synthetic-library.ts), with real TF.js
// training. Retrain as a job, the report, personal suggestions beside the default ones and driving the
// review queue, more-like-this with undo, settings and exclusions, automatic retraining after decisions.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineService } from '../../electron/core/service/engine.js';
import { dispatchCall } from '../../electron/core/service/dispatch.js';
import type { ApiEvent, JobInfo } from '../../electron/shared/api.js';
import { buildSyntheticLibrary, type SyntheticTrack } from '../personal/synthetic-library.js';
import { waitForJob } from './wait-for-job.js';

// Dub and Shoegaze: the default model cannot name them (it says reggae / rock); Hip Hop it gets at random
const GENRES = [
  { spellings: ['Shoegaze', 'shoegaze'], albums: 5, tracksPerAlbum: 4, defaultSays: 'rock', untagged: 5 },
  { spellings: ['Dub'], albums: 5, tracksPerAlbum: 4, defaultSays: 'reggae', untagged: 5 },
  { spellings: ['Hip Hop', 'Hip-Hop'], albums: 5, tracksPerAlbum: 4, defaultSays: null, untagged: 5 },
  { spellings: ['Kids'], albums: 1, tracksPerAlbum: 3, defaultSays: null },
];
// fewer optimiser steps than the app uses: the clusters are easy, and the suite stays fast
const TRAINING = { targetSteps: 60, minEpochs: 2 };

describe('the personal model through the app API', () => {
  let dir: string;
  let tracks: SyntheticTrack[];
  let service: EngineService;
  const events: ApiEvent[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-app-personal-'));
    const built = buildSyntheticLibrary(join(dir, 'library.sqlite'), GENRES);
    tracks = built.tracks;
    built.db.close();
    service = new EngineService({ dbPath: join(dir, 'library.sqlite'), host: 'web', model: false, retrainDebounceMs: 50, personalTraining: TRAINING });
    service.subscribe((e) => events.push(e));
  });
  after(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const untagged = (genre: number) => tracks.filter((t) => !t.tagged && t.genre === genre);

  it('shows the vocabulary it would learn before any training', async () => {
    const o = await service.personalOverview();
    assert.equal(o.active, null);
    const byGenre = new Map(o.vocabulary.map((v) => [v.genre, v]));
    assert.equal(byGenre.get('Hip Hop')?.examples, 20, 'spellings of one genre count together');
    assert.equal(byGenre.get('Kids')?.tooFew, true);
    assert.equal(byGenre.get('Dub')?.tooFew, false);
    const ex = await service.personalExamples({ genre: 'hip-hop', limit: 3 });
    assert.equal(ex.total, 20);
    assert.equal(ex.tracks.length, 3);
    assert.ok(ex.tracks.every((t) => t.source === 'tags'));
  });

  it('retrains as a job with phases, and reports per-genre precision and recall against the default model', async () => {
    const started = await service.learnPersonal();
    await assert.rejects(service.learnPersonal(), /being trained already/);
    const job = await waitForJob(service, started);
    assert.equal(job.state, 'done', job.error ?? '');
    assert.equal(job.result?.kind, 'learn');
    const phases = events.flatMap((e) => (e.type === 'job' && e.job.id === job.id ? [e.job.progress.phase] : []));
    assert.ok(phases.some((p) => p.startsWith('validating')), phases.join());
    assert.ok(events.some((e) => e.type === 'library-changed' && e.reason === 'personal'));
    const o = await service.personalOverview();
    assert.equal(o.active?.version, 1);
    const report = o.report!;
    assert.deepEqual(report.genres.map((g) => g.genre).sort(), ['Dub', 'Hip Hop', 'Shoegaze']);
    assert.deepEqual(report.notLearned.map((g) => g.genre), ['Kids']);
    const dub = report.genres.find((g) => g.genre === 'Dub')!;
    assert.ok(dub.personal.recall > 0.9 && dub.default.recall === 0, `Dub recall ${dub.personal.recall} vs ${dub.default.recall}`);
    assert.equal(dub.offered, true);
    assert.ok(report.validation!.personalAccuracy > report.validation!.defaultAccuracy);
    assert.deepEqual((await service.personalModelVersions()).map((v) => v.version), [1]);
    assert.equal((await service.personalModelReport({ version: 1 }))?.version, 1);
  });

  it('puts "yours" next to the default suggestion, and drives the review queue by either', async () => {
    const dub = untagged(1)[0]!;
    const byDefault = (await service.queryLibrary({ text: dub.path.split('/').pop()! })).rows[0]!;
    assert.equal(byDefault.suggested, 'Reggae', 'the default model, under its own name');
    assert.equal(byDefault.personal?.genre, 'Dub');
    const byYours = (await service.queryLibrary({ text: dub.path.split('/').pop()!, suggestions: 'personal' })).rows[0]!;
    assert.equal(byYours.suggested, 'Dub');
    assert.equal(byYours.status, 'suggested');
    // the queue of personal suggestions: every untagged Dub-sounding track, with its confidence
    const queue = await service.queryLibrary({ suggestions: 'personal', suggested: 'dub', limit: 100 });
    const ids = new Set(untagged(1).map((t) => t.fileId));
    assert.ok(untagged(1).every((t) => queue.rows.some((r) => r.id === t.fileId)), 'every untagged Dub track is in the queue');
    assert.ok(queue.rows.every((r) => r.suggested === 'Dub' && r.confidence! >= 0.5));
    const sorted = await service.queryLibrary({ suggestions: 'personal', status: 'suggested', sort: 'confidence', descending: true, limit: 5 });
    assert.ok(sorted.rows.every((r, i) => i === 0 || r.confidence! <= sorted.rows[i - 1]!.confidence!));
    const track = await service.getTrack({ id: dub.fileId });
    assert.equal(track.personal?.top[0]?.genre, 'Dub');
    assert.equal(track.personal?.modelVersion, 1);
    // bulk accept of the personal model's suggestions, then undone
    const preview = await service.bulkAcceptPreview({ minConfidence: 0.5, suggestions: 'personal', genre: 'Dub' });
    assert.ok(preview.count >= ids.size, `${preview.count}`);
    assert.deepEqual(preview.byGenre.map((g) => g.genre), ['Dub']);
  });

  it('never suggests a genre the person hid in the vocabulary (until it is shown again)', async () => {
    const dub = untagged(1)[0]!;
    const row = async () => (await service.queryLibrary({ text: dub.path.split('/').pop()! })).rows[0]!;
    await service.hideGenre({ genre: 'Dub', hidden: true });
    assert.equal((await row()).personal, null);
    assert.ok(!(await service.getTrack({ id: dub.fileId })).personal?.top.some((t) => t.genre === 'Dub'));
    assert.equal((await service.queryLibrary({ suggestions: 'personal', suggested: 'Dub' })).total, 0);
    await service.hideGenre({ genre: 'dub', hidden: false });
    assert.equal((await row()).personal?.genre, 'Dub');
  });

  it('previews more like this (untagged tracks of the same sound), applies a genre, and undoes it in one step', async () => {
    const seed = tracks.find((t) => t.tagged && t.genre === 0)!;
    const preview = await service.moreLikeThisPreview({ fileId: seed.fileId, genre: 'Shoegaze', limit: 5 });
    assert.equal(preview.candidates.length, 5);
    const genreOf = new Map(tracks.map((t) => [t.fileId, t]));
    assert.ok(preview.candidates.every((c) => genreOf.get(c.fileId)?.genre === 0 && !genreOf.get(c.fileId)?.tagged), 'the nearest untagged tracks sound alike');
    assert.ok(preview.candidates.every((c, i) => i === 0 || c.score <= preview.candidates[i - 1]!.score));
    const chosen = preview.candidates.slice(0, 3).map((c) => c.fileId);
    assert.deepEqual(await service.moreLikeThisApply({ fileIds: chosen, genre: 'Shoegaze' }), { decided: 3 });
    for (const id of chosen) assert.deepEqual((await service.getTrack({ id })).decision?.genres, ['Shoegaze']);
    const after = await service.moreLikeThisPreview({ fileId: seed.fileId, genre: 'Shoegaze', limit: 50 });
    assert.ok(!after.candidates.some((c) => chosen.includes(c.fileId)), 'decided tracks are not offered again');
    const undone = await service.undoDecision();
    assert.ok(undone && chosen.includes(undone.fileId));
    for (const id of chosen) assert.equal((await service.getTrack({ id })).decision, null);
    await assert.rejects(service.moreLikeThisApply({ fileIds: [999_999], genre: 'Dub' }), /not readable library files/);
  });

  it('keeps settings and exclusions, and validates them at the boundary', async () => {
    assert.equal((await service.updatePersonalSettings({ minPerGenre: 3 })).minPerGenre, 3);
    const o = await service.personalOverview();
    assert.equal(o.vocabulary.find((v) => v.genre === 'Kids')?.tooFew, false);
    const ex = await service.setGenreExcluded({ genre: 'kids', excluded: true });
    assert.deepEqual(ex.genres.map((g) => g.key), ['kids']);
    assert.equal((await service.personalOverview()).vocabulary.find((v) => v.key === 'kids')?.excluded, true);
    await service.setGenreExcluded({ genre: 'Kids', excluded: false });
    const folders = await service.setFolderExcluded({ folder: '/music/Someone 0/', excluded: true });
    assert.deepEqual(folders.folders, ['/music/Someone 0']);
    await service.setFolderExcluded({ folder: '/music/Someone 0', excluded: false });
    await service.updatePersonalSettings({ minPerGenre: 5 });
    for (const [method, input] of [
      ['updatePersonalSettings', { minPerGenre: 1 }],
      ['updatePersonalSettings', { bogus: 3 }],
      ['setFolderExcluded', { folder: '', excluded: true }],
      ['setGenreExcluded', { genre: 'a;b', excluded: true }],
      ['moreLikeThisApply', { fileIds: [], genre: 'Dub' }],
      ['moreLikeThisPreview', { fileId: 1, genre: 'Dub', limit: 10_000 }],
    ] as const) {
      const r = await dispatchCall(service, method, input);
      assert.equal(r.ok, false, `${method} ${JSON.stringify(input)}`);
      if (!r.ok) assert.equal(r.error.code, 'invalid-input');
    }
  });

  it('retrains by itself once enough decisions were made (debounced), as a job', async () => {
    await service.updatePersonalSettings({ retrainAfterDecisions: 3 });
    const learned = new Promise<JobInfo>((resolve) => {
      const off = service.subscribe((e) => {
        if (e.type === 'job' && e.job.kind === 'learn' && e.job.state === 'done') {
          off();
          resolve(e.job);
        }
      });
    });
    for (const t of untagged(2).slice(0, 3)) await service.decide({ fileId: t.fileId, action: 'correct', genres: ['Hip-Hop'] });
    const job = await learned;
    assert.equal(job.label, 'Relearning your genres (new decisions)');
    assert.equal(job.result?.kind === 'learn' ? job.result.report?.version : null, 2);
    const o = await service.personalOverview();
    assert.equal(o.active?.trigger, 'auto');
    assert.equal(o.retrain.newDecisions, 0);
    assert.equal(o.vocabulary.find((v) => v.genre === 'Hip Hop')?.fromDecisions, 3);
  });
});
