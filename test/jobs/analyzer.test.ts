// The analysis queue end to end on real files, a real database and the real ffmpeg: what is stored per
// track, silence, broken files, never repeating work, re-queueing, pictures, the model step, and
// cancel / pause / killed decoders / killed threads / repeated crashes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync, statSync } from 'node:fs';
import { ffmpeg } from '../helpers/ffmpeg.js';
import { dirname, join } from 'node:path';
import type { Db } from '../../electron/core/db/open.js';
import { Analyzer, analyzeLibrary } from '../../electron/core/jobs/analyzer.js';
import type { ModelStep, ModelStepInput } from '../../electron/core/jobs/model-step.js';
import { AnalysisStore } from '../../electron/core/db/analysis.js';
import { analysisCacheDirFor, listeningPipelineId } from '../../electron/core/jobs/pipeline.js';
import { planExcerpts } from '../../electron/core/audio/excerpt-plan.js';
import { scanLibrary } from '../../electron/core/library/scan.js';
import type { AnalysisProgress } from '../../electron/shared/analysis.js';
import { readIndexedPng } from '../spectrogram/png-reader.js';
import { CAN_LIST_PROCESSES, ffmpegChildren } from '../audio/processes.js';
import { FLAC, MP3, OGG, WAV, makeAnalysisLibrary, music, nearSilence, silence, type AnalysisLibrary } from './analysis-library.js';

const LONG = 60;
const TRACKS = [
  { rel: 'a/01 flac.flac', input: music(LONG, 1), codec: FLAC },
  { rel: 'a/02 wav.wav', input: music(LONG, 2), codec: WAV },
  { rel: 'a/03 mp3.mp3', input: music(LONG, 3), codec: MP3 },
  { rel: 'a/04 vorbis.ogg', input: music(LONG, 4), codec: OGG },
  { rel: 'b/short.flac', input: music(20, 5), codec: FLAC },
  { rel: 'b/silent.flac', input: silence(LONG), codec: FLAC },
  { rel: 'b/hiss.wav', input: nearSilence(LONG), codec: WAV },
  { rel: 'c/corrupted later.mp3', input: music(30, 6), codec: MP3 },
  { rel: 'c/deleted later.flac', input: music(30, 7), codec: FLAC },
];
const MUSIC = ['a/01 flac.flac', 'a/02 wav.wav', 'a/03 mp3.mp3', 'a/04 vorbis.ogg'];

let lib: AnalysisLibrary;
before(() => {
  lib = makeAnalysisLibrary(TRACKS);
});
after(() => lib.cleanup());

const count = (db: Db, sql: string, ...params: unknown[]) => (db.prepare(sql).get(...params) as { n: number }).n;
const fileId = (db: Db, rel: string) => (db.prepare('SELECT id FROM files WHERE path = ?').get(lib.path(rel)) as { id: number }).id;

/** A database with only some of the library's folders in it. */
async function dbWith(name: string, ...folders: string[]): Promise<{ db: Db; dbPath: string }> {
  const { db, dbPath } = await lib.scannedDb(name);
  const keep = folders.map((f) => lib.path(f) + '/');
  const ids = (db.prepare('SELECT id, path FROM files').all() as { id: number; path: string }[]).filter((f) => !keep.some((k) => f.path.startsWith(k)));
  for (const f of ids) db.prepare('DELETE FROM files WHERE id = ?').run(f.id);
  return { db, dbPath };
}

describe('analyzeLibrary', () => {
  it('listens to every readable file once: excerpts, levels, pictures; silent and broken files reported, the batch goes on', async () => {
    const { db, dbPath } = await lib.scannedDb('main');
    // after the scan, one file is overwritten with junk and one deleted: the analysis finds out
    const corrupted = lib.path('c/corrupted later.mp3');
    writeFileSync(corrupted, Buffer.alloc(statSync(corrupted).size, 'junk '));
    rmSync(lib.path('c/deleted later.flac'));

    const events: AnalysisProgress[] = [];
    const report = await analyzeLibrary(db, { workers: 2, onProgress: (p) => events.push(p), progressIntervalMs: 0 });
    assert.equal(report.analysed, 9);
    assert.deepEqual([report.ok, report.silent, report.errors], [5, 2, 2],
      JSON.stringify(db.prepare("SELECT file_id, error_kind, error_message FROM analysis WHERE status = 'error'").all()));
    assert.deepEqual(report.queuedByReason, { new: 9 });
    assert.equal(report.remaining, 0);
    assert.equal(report.cancelled, false);
    assert.ok(report.decodeMs > 0 && report.spectrogramMs > 0);
    const last = events[events.length - 1]!;
    assert.equal(last.phase, 'done');
    assert.deepEqual([last.total, last.done, last.errors, last.silent], [9, 9, 2, 2]);
    assert.ok(events.some((e) => e.phase === 'analysing' && e.rate > 0 && e.etaSec != null));

    const store = new AnalysisStore(db, analysisCacheDirFor(dbPath));
    for (const rel of MUSIC) {
      const a = store.get(fileId(db, rel))!;
      assert.equal(a.status, 'ok', rel);
      assert.equal(a.pipeline, listeningPipelineId());
      assert.equal(a.modelId, null);
      // the planned windows of a 60 s track, decoded in full
      // (the Ogg file's duration is not in the scan: ffmpeg is asked for it, so its excerpts are planned the same way)
      const plan = planExcerpts(LONG);
      assert.equal(a.excerpts.length, 3, rel);
      for (const [i, e] of a.excerpts.entries()) assert.ok(Math.abs(e.startSec - plan[i]!.startSec) < 0.1, `${rel}: ${e.startSec}`);
      // one EfficientAT window each: 10 s = 1000 frames; each holds three musicnn patches
      for (const e of a.excerpts) assert.ok(Math.abs(e.durationSec - 10) < 0.01, `${rel}: ${e.durationSec}`);
      assert.ok(Math.abs(a.analysedSec - 30) < 0.05);
      assert.ok(a.frames >= 3 * 999 && a.frames <= 3 * 1001, `${rel}: ${a.frames} frames`);
      assert.equal(a.patches, 9);
      assert.ok(a.rmsDb! > -40 && a.rmsDb! < -5 && a.peakDb! > a.rmsDb!, `${rel}: ${a.rmsDb} dBFS`);
      assert.ok(a.silentFraction! < 0.05);
      assert.equal(a.warning, null);
      // the picture: beside the database, 128 rows, three excerpts of 313 columns with two white bars
      assert.ok(a.imagePath && a.imagePath.startsWith(join(dirname(dbPath), 'library-cache', 'spectrograms')), a.imagePath ?? 'no image');
      const png = readIndexedPng(readFileSync(a.imagePath));
      assert.equal(png.height, 128);
      assert.equal(png.width, 3 * 313 + 2 * 2);
      const white = [...Array(png.palette.length / 3).keys()].find((i) => png.palette[3 * i] === 255 && png.palette[3 * i + 1] === 255 && png.palette[3 * i + 2] === 255);
      assert.ok(white != null && png.pixels.includes(white), 'separator bars');
    }
    const short = store.get(fileId(db, 'b/short.flac'))!;
    assert.equal(short.status, 'ok');
    assert.equal(short.excerpts.length, 1);
    assert.equal(short.excerpts[0]!.startSec, 0);
    assert.ok(Math.abs(short.excerpts[0]!.durationSec - 20) < 0.05);
    assert.equal(short.patches, 6);
    for (const rel of ['b/silent.flac', 'b/hiss.wav']) {
      const a = store.get(fileId(db, rel))!;
      assert.equal(a.status, 'silent', rel);
      assert.ok(a.rmsDb! < -60, `${rel}: ${a.rmsDb}`);
      assert.ok(a.imagePath && existsSync(a.imagePath));
    }
    const junk = store.get(fileId(db, 'c/corrupted later.mp3'))!;
    assert.equal(junk.status, 'error');
    assert.equal(junk.errorKind, 'undecodable');
    assert.ok(junk.errorMessage!.startsWith(corrupted), junk.errorMessage!);
    assert.equal(junk.imagePath, null);
    const gone = store.get(fileId(db, 'c/deleted later.flac'))!;
    assert.deepEqual([gone.status, gone.errorKind], ['error', 'missing']);
    assert.deepEqual(store.stats(listeningPipelineId()), {
      pipeline: listeningPipelineId(), analysed: 9, ok: 5, silent: 2, errors: 2, outdated: 0, queued: 0,
      errorsByKind: { undecodable: 1, missing: 1 },
    });

    // nothing changed: nothing to do
    const again = await analyzeLibrary(db, { workers: 2 });
    assert.deepEqual([again.analysed, again.remaining], [0, 0]);
    assert.deepEqual(again.queuedByReason, {});

    // a file touched (the scanner sees a new mtime) but with the same audio keeps its analysis
    const before = store.get(fileId(db, 'a/01 flac.flac'))!;
    const later = new Date(Date.now() + 60_000);
    utimesSync(lib.path('a/01 flac.flac'), later, later);
    await scanLibrary(db, [lib.root]);
    const touched = await analyzeLibrary(db, { workers: 2 });
    assert.deepEqual(touched.queuedByReason, { changed: 1 });
    assert.deepEqual([touched.analysed, touched.audioUnchanged], [0, 1]);
    assert.equal(store.get(fileId(db, 'a/01 flac.flac'))!.analysedAt, before.analysedAt);

    // a file whose audio changed is analysed again, and only it
    ffmpeg([...music(LONG, 9), ...FLAC, lib.path('a/01 flac.tmp.flac')]);
    renameSync(lib.path('a/01 flac.tmp.flac'), lib.path('a/01 flac.flac'));
    await scanLibrary(db, [lib.root]);
    const changed = await analyzeLibrary(db, { workers: 2 });
    assert.deepEqual(changed.queuedByReason, { changed: 1 });
    assert.deepEqual([changed.analysed, changed.audioUnchanged], [1, 0]);
    assert.ok(store.get(fileId(db, 'a/01 flac.flac'))!.analysedAt >= before.analysedAt);

    // another pipeline (here: another excerpt plan) makes every stored analysis outdated
    const readable = count(db, "SELECT count(*) AS n FROM files WHERE status = 'ok'");
    const other = await analyzeLibrary(db, { workers: 2, excerpts: { count: 2 } });
    assert.deepEqual(other.queuedByReason, { pipeline: readable });
    const wav = store.get(fileId(db, 'a/02 wav.wav'))!;
    assert.equal(wav.excerpts.length, 2, JSON.stringify(wav));

    db.close();
  });

  it('a picture that has gone missing is drawn again by the next run', async () => {
    const { db, dbPath } = await dbWith('pictures', 'a');
    await analyzeLibrary(db, { workers: 2 });
    const store = new AnalysisStore(db, analysisCacheDirFor(dbPath));
    const id = fileId(db, 'a/02 wav.wav');
    const image = store.imageFor(id)!;
    assert.ok(existsSync(image));
    rmSync(image);
    assert.equal(store.imageFor(id), null, 'no picture to show');
    rmSync(store.imageFor(fileId(db, 'a/01 flac.flac')) ?? '', { force: true });
    const report = await analyzeLibrary(db, { workers: 2 });
    assert.deepEqual(report.queuedByReason, { 'image-missing': 1 }); // the second was found by the run's own check
    assert.equal(report.analysed, 2);
    assert.ok(existsSync(image));
    assert.ok(store.imageFor(fileId(db, 'a/01 flac.flac')));
    db.close();
  });

  it('the model step gets each track\'s inputs (musicnn patches, EfficientAT windows), its result is stored with the analysis; a new model re-queues', async () => {
    const { db } = await dbWith('model', 'a', 'b');
    db.exec('CREATE TABLE test_results (file_id INTEGER PRIMARY KEY, model TEXT, patches INTEGER, mean REAL)');
    const seen: ModelStepInput[] = [];
    let running = 0;
    let maxRunning = 0;
    const step = (id: string, failFor?: string): ModelStep<{ patches: number; mean: number }> => ({
      id,
      inputs: { musicnnPatches: 3, efficientat: true },
      concurrency: 1,
      async run(input) {
        running++;
        maxRunning = Math.max(maxRunning, running);
        try {
          seen.push(input);
          await new Promise((r) => setTimeout(r, 30)); // a slow model: decoding must wait for it
          if (failFor && input.path.endsWith(failFor)) throw new Error('out of cheese');
          const patches = input.inputs['musicnn-logmel-16k']!.groups[0]!;
          let sum = 0;
          for (const v of patches.data) sum += v;
          return { patches: patches.count, mean: sum / patches.data.length };
        } finally {
          running--;
        }
      },
      save(sdb, fileId, r) {
        sdb.prepare('INSERT OR REPLACE INTO test_results VALUES (?, ?, ?, ?)').run(fileId, id, r.patches, r.mean);
      },
      clear(sdb, fileId) {
        sdb.prepare('DELETE FROM test_results WHERE file_id = ?').run(fileId);
      },
    });

    const report = await analyzeLibrary(db, { workers: 2, modelStep: step('m1') });
    assert.deepEqual([report.ok, report.silent, report.errors, report.modelId], [5, 2, 0, 'm1']);
    assert.equal(maxRunning, 1, 'concurrency respected');
    // silent tracks are not classified
    assert.deepEqual(seen.map((s) => s.path).sort(), [...MUSIC, 'b/short.flac'].map((r) => lib.path(r)).sort());
    for (const s of seen.filter((x) => MUSIC.some((m) => x.path.endsWith(m)))) {
      assert.equal(s.excerpts.length, 3, `${s.path}: ${JSON.stringify(s.excerpts)}`);
      // musicnn: the patch at the centre of each 10 s excerpt
      const musicnn = s.inputs['musicnn-logmel-16k']!;
      assert.deepEqual(musicnn.groups.map((g) => [g.count, g.shape, g.data.length]), [[3, [187, 96], 3 * 187 * 96]]);
      musicnn.spans.forEach((p, i) => {
        const e = s.excerpts[i]!;
        assert.ok(Math.abs(p.startSec + p.durationSec / 2 - (e.startSec + e.durationSec / 2)) < 0.01, `${s.path}: patch ${p.startSec} in ${e.startSec}`);
      });
      // EfficientAT: each excerpt whole, one 10 s window of 1000 frames
      const eat = s.inputs['efficientat-logmel-32k']!;
      assert.deepEqual(eat.groups.map((g) => [g.count, g.shape]), [[3, [1, 128, 1000]]]);
      assert.deepEqual(eat.spans.map((w) => w.startSec), s.excerpts.map((e) => e.startSec));
      assert.equal(s.levels.silent, false);
    }
    // a short track is taken whole: musicnn's three patches spread over it, EfficientAT's windows of ~10 s
    const short = seen.find((x) => x.path.endsWith('b/short.flac'))!;
    assert.deepEqual(short.inputs['musicnn-logmel-16k']!.spans.map((p) => Math.round(p.startSec)), [1, 10, 16]);
    assert.deepEqual(short.inputs['efficientat-logmel-32k']!.spans.map((w) => [w.startSec, w.durationSec]), [[0, 10], [10, 10]]);
    const rows = db.prepare('SELECT r.patches, r.mean, a.model_id AS model, a.status FROM test_results r JOIN analysis a USING (file_id)').all() as
      { patches: number; mean: number; model: string; status: string }[];
    assert.equal(rows.length, 5);
    for (const r of rows) assert.ok(r.model === 'm1' && r.status === 'ok' && r.mean > 0.1 && r.patches >= 3, JSON.stringify(r));
    assert.equal(count(db, "SELECT count(*) AS n FROM analysis WHERE status = 'silent' AND model_id IS NULL"), 2);

    // a listening-only run does not throw the model's results away
    assert.equal((await analyzeLibrary(db, { workers: 2 })).analysed, 0);
    // a new model: only the classified tracks are queued again; a failing track is recorded, the rest go on
    seen.length = 0;
    const next = await analyzeLibrary(db, { workers: 2, modelStep: step('m2', '03 mp3.mp3') });
    assert.deepEqual(next.queuedByReason, { model: 5 });
    assert.deepEqual([next.ok, next.errors], [4, 1]);
    const failed = db.prepare('SELECT a.error_kind AS kind, a.error_message AS msg FROM analysis a WHERE a.file_id = ?').get(fileId(db, 'a/03 mp3.mp3')) as { kind: string; msg: string };
    assert.equal(failed.kind, 'model-failed');
    assert.match(failed.msg, /out of cheese/);
    assert.equal(count(db, 'SELECT count(*) AS n FROM test_results WHERE file_id = ?', fileId(db, 'a/03 mp3.mp3')), 0, 'stale result cleared');
    assert.equal(count(db, "SELECT count(*) AS n FROM test_results WHERE model = 'm2'"), 4);
    db.close();
  });

  it('cancel: ffmpeg children are gone, finished tracks are kept, the next run does only the rest', async () => {
    const { db } = await dbWith('cancel', 'a', 'b');
    const controller = new AbortController();
    const first = await analyzeLibrary(db, {
      workers: 1, tracksPerWorker: 1, signal: controller.signal, progressIntervalMs: 0,
      onProgress: (p) => p.done >= 2 && controller.abort(),
    });
    assert.equal(first.cancelled, true);
    assert.ok(first.analysed >= 2 && first.analysed < 7, `analysed ${first.analysed}`);
    assert.equal(first.remaining, 7 - first.analysed);
    if (CAN_LIST_PROCESSES) assert.deepEqual(ffmpegChildren(), [], 'ffmpeg left running after cancel');
    // a cancelled try is not counted against the file
    assert.equal(count(db, 'SELECT count(*) AS n FROM analysis_queue WHERE attempts > 0'), 0);
    const done = db.prepare('SELECT file_id, analysed_at FROM analysis ORDER BY file_id').all();
    const second = await analyzeLibrary(db, { workers: 2 });
    assert.equal(second.analysed, 7 - first.analysed);
    assert.equal(count(db, 'SELECT count(*) AS n FROM analysis'), 7);
    const kept = db.prepare(`SELECT file_id, analysed_at FROM analysis WHERE file_id IN (${done.map(() => '?').join(',')}) ORDER BY file_id`)
      .all(...done.map((d) => (d as { file_id: number }).file_id));
    assert.deepEqual(kept, done, 'finished tracks were analysed again');
    db.close();
  });

  it('pause holds new tracks back until resume', async () => {
    const { db } = await dbWith('pause', 'a');
    let analyzer: Analyzer | null = null;
    let pausedAt = -1;
    const seenWhilePaused: number[] = [];
    analyzer = new Analyzer(db, {
      workers: 1, tracksPerWorker: 1, progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.paused) seenWhilePaused.push(p.done);
        if (p.done === 1 && pausedAt < 0 && analyzer) {
          pausedAt = p.done;
          analyzer.pause();
          setTimeout(() => analyzer!.resume(), 400);
        }
      },
    });
    const started = Date.now();
    const report = await analyzer.run();
    assert.equal(report.analysed, 4);
    assert.ok(Date.now() - started >= 400);
    // at most the track already in flight finished during the pause
    assert.ok(seenWhilePaused.length > 0 && Math.max(...seenWhilePaused) <= pausedAt + 1, JSON.stringify(seenWhilePaused));
    db.close();
  });

  it('an ffmpeg killed from outside and a crashed thread: their tracks are tried again, nothing is lost', { skip: !CAN_LIST_PROCESSES && 'needs /proc' }, async () => {
    const { db } = await dbWith('kill', 'a', 'b');
    let killedFfmpeg = 0;
    const hunter = setInterval(() => {
      if (killedFfmpeg) return;
      const [victim] = ffmpegChildren();
      if (!victim) return;
      try {
        process.kill(victim.pid, 'SIGKILL');
        killedFfmpeg++;
      } catch (err) {
        // it finished between the listing and the kill (short excerpts on an idle machine): try the next one
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    }, 1);
    let threadKilled = false;
    const analyzer: Analyzer = new Analyzer(db, {
      workers: 2, progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.done >= 1 && !threadKilled && analyzer.pool) {
          threadKilled = true;
          void analyzer.pool.threads[0]!.terminate();
        }
      },
    });
    const report = await analyzer.run().finally(() => clearInterval(hunter));
    assert.equal(killedFfmpeg, 1);
    assert.ok(threadKilled);
    assert.ok(report.retried >= 1, `retried ${report.retried}`);
    assert.deepEqual([report.analysed, report.ok, report.silent, report.errors], [7, 5, 2, 0]);
    assert.equal(count(db, 'SELECT count(*) AS n FROM analysis_queue'), 0);
    assert.deepEqual(ffmpegChildren(), []);
    db.close();
  });

  it('a file whose tries keep dying with the app is finally recorded as crashed, not tried forever', async () => {
    const { db } = await dbWith('crashed', 'a');
    const store = new AnalysisStore(db, '');
    store.enqueue(listeningPipelineId(), null);
    db.prepare('UPDATE analysis_queue SET attempts = 3 WHERE file_id = ?').run(fileId(db, 'a/02 wav.wav'));
    const report = await analyzeLibrary(db, { workers: 2, images: false });
    assert.deepEqual([report.ok, report.errors], [3, 1]);
    const a = store.get(fileId(db, 'a/02 wav.wav'))!;
    assert.equal(a.errorKind, 'crashed');
    assert.match(a.errorMessage!, /stopped 3 times/);
    assert.equal(store.get(fileId(db, 'a/01 flac.flac'))!.imagePath, null, 'images: false draws nothing');
    db.close();
  });

  it('--limit analyses that many and leaves the rest queued', async () => {
    const { db } = await dbWith('limit', 'a', 'b');
    const report = await analyzeLibrary(db, { workers: 2, limit: 3 });
    assert.deepEqual([report.analysed, report.remaining], [3, 4]);
    db.close();
  });
});
