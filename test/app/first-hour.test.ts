// What a new user meets in the first hour, at the engine the window talks to, over real files made by
// ffmpeg and a real SQLite library: review statuses that say what happened to the file ("confirmed" is not
// "written"), a write with files unticked in the dry run, undo that "restores", and the batch history.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { EngineService } from '../../electron/core/service/engine.js';
import { readAudioFile } from '../../electron/core/library/read-file.js';
import { batchSummary, writeReportSummary } from '../../electron/shared/tags.js';
import { waitForJob } from './wait-for-job.js';

async function genresIn(path: string): Promise<string[]> {
  const r = await readAudioFile(path);
  assert.ok(r.ok, path);
  return r.ok ? r.tags.genres : [];
}

describe('a new user\'s first hour, at the engine', () => {
  let dir: string;
  let music: string;
  let service: EngineService;
  const p: Record<string, string> = {};
  const id: Record<string, number> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-first-hour-'));
    music = join(dir, 'Music');
    mkdirSync(music);
    const make = (name: string, args: string[]) => {
      p[name] = join(music, name);
      ffmpeg([...args, p[name]!]);
    };
    make('rock.flac', [...SOUNDS.tone(1, 300), '-c:a', 'flac', '-metadata', 'title=Rock Song', '-metadata', 'genre=Rock']);
    make('jazz.mp3', [...SOUNDS.tone(1, 400), '-c:a', 'libmp3lame', '-id3v2_version', '3', '-metadata', 'title=Jazz Song', '-metadata', 'genre=Jazz']);
    make('none.ogg', [...SOUNDS.tone(1, 500), '-c:a', 'libvorbis', '-metadata', 'title=Untagged']);
    const png = join(dir, 'cover.png');
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=teal:s=120x120', '-frames:v', '1', png]);
    make('cover.aiff', [...SOUNDS.stereo(2), '-i', png, '-map', '0', '-map', '1', '-c:v', 'png', '-disposition:v', 'attached_pic',
      '-c:a', 'pcm_s16be', '-write_id3v2', '1', '-metadata', 'title=Aiff With Cover']);
    service = new EngineService({ dbPath: join(dir, 'library.sqlite'), host: 'web', model: false, scanWorkers: 1 });
    const { job } = await service.addRoot({ path: music });
    assert.equal((await waitForJob(service, job!)).state, 'done');
    for (const r of (await service.queryLibrary({ limit: 10 })).rows) id[r.path.split('/').pop()!] = r.id;
  });

  after(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a cover only when the window asks, never during a scan; an AIFF plays as ffmpeg\'s WAV', async () => {
    assert.equal((await service.getTrack({ id: id['cover.aiff']! })).media.cover, true);
    assert.equal((await service.queryLibrary({ text: 'Aiff With Cover' })).rows[0]?.hasCover, true);
    assert.ok(!existsSync(join(service.cacheDir, 'covers')), 'the scan did not read the picture');
    const scan = await service.startScan({});
    await assert.rejects(service.mediaSource({ kind: 'cover-thumb', id: id['cover.aiff']! }), /once the scan is done/);
    await waitForJob(service, scan);
    const cover = await service.mediaSource({ kind: 'cover', id: id['cover.aiff']! });
    assert.ok(cover.path.startsWith(service.cacheDir) && readFileSync(cover.path).equals(readFileSync(join(dir, 'cover.png'))));
    await assert.rejects(service.mediaSource({ kind: 'cover', id: id['rock.flac']! }), /no embedded cover/);
    const sound = await service.mediaSource({ kind: 'audio', id: id['cover.aiff']! });
    assert.equal(sound.kind, 'wav-preview');
    assert.equal(sound.path, p['cover.aiff']);
    assert.equal((await service.mediaSource({ kind: 'audio', id: id['rock.flac']! })).kind, 'file', 'FLAC plays as it is');
    assert.equal((await service.mediaSource({ kind: 'audio-wav', id: id['rock.flac']! })).kind, 'wav-preview', 'unless the window asks for WAV');
  });

  it('calls a decision the file already had "confirmed", and keeps "written" for what Spectag wrote', async () => {
    const same = await service.decide({ fileId: id['rock.flac']!, action: 'correct', genres: ['Rock'] });
    assert.equal(same.status, 'confirmed', 'nothing was written: the file says Rock already');
    assert.equal((await service.decide({ fileId: id['jazz.mp3']!, action: 'correct', genres: ['Blues'] })).status, 'corrected');
    const plan = await service.planWrite({ selection: {}, mode: 'replace' });
    assert.deepEqual(plan.counts, { write: 1, unchanged: 1, skip: 0 });
    const job = await waitForJob(service, await service.applyWrite({ planId: plan.planId }));
    assert.equal(job.state, 'done', job.error ?? '');
    const status = async (name: string) => (await service.queryLibrary({ text: name.split('.')[0]! })).rows.find((r) => r.id === id[name])?.status;
    assert.equal(await status('jazz.mp3'), 'written');
    assert.equal(await status('rock.flac'), 'confirmed', 'the write left it alone, so it is still not "written"');
    assert.equal((await service.queryLibrary({ status: 'written' })).total, 1);
    assert.equal((await service.queryLibrary({ status: 'confirmed' })).total, 1);
    assert.equal((await service.libraryStats()).byReviewStatus.confirmed, 1);
    // undone: the decision is no longer in the file
    const undo = await waitForJob(service, await service.undoWrite({}));
    assert.equal(undo.state, 'done');
    assert.equal(await status('jazz.mp3'), 'corrected');
  });

  it('writes only the files left ticked in the dry run; undo "restores", and the history says what happened', async () => {
    await service.decide({ fileId: id['jazz.mp3']!, action: 'correct', genres: ['Swing'] });
    await service.decide({ fileId: id['none.ogg']!, action: 'correct', genres: ['Ambient'] });
    const plan = await service.planWrite({ selection: {}, mode: 'replace' });
    assert.equal(plan.counts.write, 2);
    const job = await waitForJob(service, await service.applyWrite({ planId: plan.planId, exclude: [id['none.ogg']!] }));
    assert.equal(job.state, 'done', job.error ?? '');
    const report = job.result?.kind === 'write' ? job.result.report : null;
    assert.ok(report);
    assert.deepEqual({ written: report.written, skipped: report.skipped }, { written: 1, skipped: 1 });
    assert.equal(report.files.find((f) => f.fileId === id['none.ogg'])?.message, 'unticked in the dry run');
    assert.deepEqual(await genresIn(p['jazz.mp3']!), ['Swing']);
    assert.deepEqual(await genresIn(p['none.ogg']!), [], 'the unticked file is untouched');
    assert.equal(writeReportSummary(report), '1 written, 1 unchanged, 1 skipped, 0 failed');

    const undo = await waitForJob(service, await service.undoWrite({}));
    const undone = undo.result?.kind === 'undo-write' ? undo.result.report : null;
    assert.ok(undone);
    assert.equal(writeReportSummary(undone), '1 restored, 0 unchanged, 0 skipped, 0 failed');
    assert.deepEqual(await genresIn(p['jazz.mp3']!), ['Jazz']);
    const [undoBatch, writeBatch] = await service.writeHistory();
    assert.equal(undoBatch?.kind, 'undo');
    assert.equal(batchSummary(undoBatch!), '1 restored');
    assert.equal(batchSummary(writeBatch!), `1 written, all undone by batch ${undoBatch!.id}`);
  });
});
