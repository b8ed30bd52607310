// The library's folders at the engine the window talks to, on real files made by ffmpeg: a folder added as
// ~/… is scanned and then listened to (the setting listenAfterScan, on by default); with it off the tracks wait
// and the status counts them; a relative path is refused; removing a folder says first what leaves the library
// (decisions, the unwritten ones, analyses, writes that stop being undoable), then takes exactly that out and
// leaves the files alone; watching is switched on and off and remembered.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { EngineService } from '../../electron/core/service/engine.js';
import { readAudioFile } from '../../electron/core/library/read-file.js';
import type { JobInfo } from '../../electron/shared/api.js';
import { waitForJob } from './wait-for-job.js';

describe('folders: add (~), listen after the scan, remove, watch', () => {
  let home: string;
  let service: EngineService;
  const oldHome = process.env.HOME;
  const dbPath = () => join(home, 'library.sqlite');
  const a = () => join(home, 'Music A');
  const b = () => join(home, 'Music B');
  const open = () => new EngineService({ dbPath: dbPath(), host: 'web', model: false, scanWorkers: 1, analysisWorkers: 1 });
  const jobsOf = async (kind: JobInfo['kind']) => (await service.listJobs()).filter((j) => j.kind === kind);
  /** the analysis a finished scan started, if any (it starts as the scan job ends) */
  const analysisAfter = async (count: number) => {
    const end = Date.now() + 5000;
    while ((await jobsOf('analyze')).length < count && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return (await jobsOf('analyze'))[0];
  };

  before(() => {
    home = mkdtempSync(join(tmpdir(), 'spectag-folders-'));
    // the engine expands ~ with the home folder of the process: this test's own
    process.env.HOME = home;
    for (const [dir, hz] of [[a(), 300], [b(), 600]] as const) {
      mkdirSync(dir);
      ffmpeg([...SOUNDS.tone(1, hz), '-c:a', 'flac', '-metadata', `title=${hz} one`, join(dir, 'one.flac')]);
      ffmpeg([...SOUNDS.tone(1, hz + 50), '-c:a', 'libmp3lame', '-metadata', `title=${hz} two`, join(dir, 'two.mp3')]);
    }
    service = open();
  });
  after(async () => {
    process.env.HOME = oldHome;
    await service?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('a folder given as ~/…: scanned, then listened to without being asked', async () => {
    const { job } = await service.addRoot({ path: '~/Music A' });
    assert.equal((await service.status()).roots[0]?.path, a());
    assert.equal((await waitForJob(service, job!)).state, 'done');
    const listening = await analysisAfter(1);
    assert.ok(listening, 'an analysis started after the scan');
    assert.equal((await waitForJob(service, listening)).state, 'done');
    assert.equal((await service.status()).unanalysed, 0);
  });

  it('with listenAfterScan off, a new folder\'s tracks wait, and the status counts them', async () => {
    await service.updateAppSettings({ listenAfterScan: false });
    const { job } = await service.addRoot({ path: b() });
    await waitForJob(service, job!);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await jobsOf('analyze')).length, 1, 'no second analysis');
    assert.equal((await service.status()).unanalysed, 2);
    const listen = await service.startAnalysis({});
    await waitForJob(service, listen);
    assert.equal((await service.status()).unanalysed, 0);
  });

  it('refuses a relative path, naming it', async () => {
    await assert.rejects(service.addRoot({ path: 'Music A' }), /"Music A" is not an absolute path/);
    await assert.rejects(service.addRoot({ path: '~/Nowhere' }), new RegExp(`${join(home, 'Nowhere')}: no such folder`));
  });

  it('removing a folder: says what leaves the library (and which writes stop being undoable), takes out exactly that, leaves the files', async () => {
    const rows = (await service.queryLibrary({ text: '600' })).rows;
    const [one, two] = [rows.find((r) => r.path.endsWith('one.flac'))!, rows.find((r) => r.path.endsWith('two.mp3'))!];
    await service.decide({ fileId: one.id, action: 'correct', genres: ['Drone'] });
    await service.decide({ fileId: two.id, action: 'correct', genres: ['Noise'] });
    const plan = await service.planWrite({ selection: { fileIds: [one.id] }, mode: 'replace' });
    const written = await waitForJob(service, await service.applyWrite({ planId: plan.planId }));
    assert.equal(written.state, 'done');
    const pictures = [one.id, two.id].map((id) => service.services.library.view.analysis(id)?.imagePath);
    assert.ok(pictures.every((p) => p && existsSync(p)));

    const rootB = (await service.status()).roots.find((r) => r.path === b())!;
    const preview = await service.removeRootPreview({ rootId: rootB.id });
    assert.deepEqual(preview, { rootId: rootB.id, path: b(), files: 2, decided: 2, unwritten: 1, analysed: 2, undoable: 1, busy: null });

    await service.removeRoot({ rootId: rootB.id });
    const status = await service.status();
    assert.deepEqual(status.roots.map((r) => r.path), [a()]);
    assert.equal((await service.queryLibrary({})).total, 2, 'only Music A\'s tracks are left');
    assert.ok(pictures.every((p) => !existsSync(p!)), 'their spectrogram pictures are gone from the cache');
    assert.ok(existsSync(one.path) && existsSync(two.path), 'the files are not touched');
    const after = await readAudioFile(one.path);
    assert.deepEqual(after.ok ? after.tags.genres : null, ['Drone'], 'the genre written stays in the file');
    // as the dialog said: the write history is kept, but that write can no longer be undone
    const history = await service.writeHistory();
    assert.equal(history.length, 1);
    const undo = await waitForJob(service, await service.undoWrite({ batchId: history[0]!.id }));
    assert.equal(undo.result?.kind === 'undo-write' || undo.result?.kind === 'write' ? undo.result.report.failed : null, 1, JSON.stringify(undo.result));
    const still = await readAudioFile(one.path);
    assert.deepEqual(still.ok ? still.tags.genres : null, ['Drone']);
    await assert.rejects(service.removeRootPreview({ rootId: rootB.id }), /no library folder with id/);
  });

  it('watching: switched on and off at once, and remembered by the library', async () => {
    assert.equal((await service.status()).watching, false, 'spectag serve watches only when asked');
    await service.updateAppSettings({ watchFolders: true });
    assert.equal((await service.status()).watching, true);
    await service.close();
    service = open();
    assert.equal((await service.status()).watching, true, 'remembered');
    await service.updateAppSettings({ watchFolders: false });
    assert.equal((await service.status()).watching, false);
  });
});
