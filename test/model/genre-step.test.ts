// The genre model as the analyzer's model step, on a real scanned library: predictions are stored per
// file with the model version; an unchanged model never re-queues; a new model version re-queues; a file
// that turns silent loses its stale prediction. Also `spectag predict --json` on files outside any library, and
// that it hears what the analyzer heard: one listening plan.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Analyzer } from '../../electron/core/jobs/analyzer.js';
import { GenrePredictor } from '../../electron/core/model/predictor.js';
import { genreModelStep, genreStepId } from '../../electron/core/model/genre-step.js';
import { PredictionStore } from '../../electron/core/db/predictions.js';
import { predictCommand, type PredictJsonFile } from '../../electron/core/cli/commands/predict.js';
import { ffmpeg } from '../helpers/ffmpeg.js';
import { symlinkSync, writeFileSync } from 'node:fs';
import { readAudioFile } from '../../electron/core/library/read-file.js';
import { FLAC, MP3, OGG, makeAnalysisLibrary, music, silence, type AnalysisLibrary } from '../jobs/analysis-library.js';

let lib: AnalysisLibrary;
let predictor: GenrePredictor;

before(async () => {
  // 6 s tracks: taken whole, 2 patches each (keeps the model's share of the test small)
  lib = makeAnalysisLibrary([
    { rel: 'a.flac', input: music(6, 1), codec: FLAC },
    { rel: 'b.mp3', input: music(6, 2), codec: MP3 },
  ]);
  predictor = await GenrePredictor.create({ workers: 1 });
});
after(async () => {
  await predictor?.close();
  lib?.cleanup();
});

test('analysis with the genre step stores predictions and re-queues only for a new model version', async () => {
  const { db } = await lib.scannedDb('step');
  const step = genreModelStep(predictor);
  assert.equal(step.id, genreStepId(predictor));
  const first = await new Analyzer(db, { workers: 1, images: false, modelStep: step }).run();
  assert.deepEqual([first.ok, first.errors], [2, 0]);
  const store = new PredictionStore(db);
  const ids = (db.prepare('SELECT id FROM files ORDER BY path').all() as { id: number }[]).map((r) => r.id);
  for (const id of ids) {
    const [p] = store.forFile(id);
    assert.ok(p, `file ${id} has a prediction`);
    assert.equal(p.modelId, predictor.modelId);
    assert.equal(p.modelVersion, predictor.modelVersion);
    assert.deepEqual(Object.keys(p.probabilities).sort(), [...predictor.genres].sort());
    assert.equal(p.excerpts.length, Math.min(2, predictor.patchesPerTrack ?? 2));
    assert.equal(p.embeddings['musicnn-msd']?.length, 200);
    // both backbones ran: EfficientAT's embedding and its 527 AudioSet logits are kept for the heads to come
    assert.equal(p.embeddings['efficientat-mn04']?.length, 384);
    assert.deepEqual(p.outputs.map((o) => [o.backbone, o.output, o.values.length]), [['efficientat-mn04', 'logits', 527]]);
  }
  // unchanged model: nothing to do
  assert.equal((await new Analyzer(db, { workers: 1, images: false, modelStep: step }).run()).analysed, 0);
  // a new model version: every classified file is queued again and its row replaced
  const v2 = { ...step, id: `${predictor.modelId}@2+000000000000` };
  const again = await new Analyzer(db, { workers: 1, images: false, modelStep: v2 }).run();
  assert.deepEqual(again.queuedByReason, { model: 2 });
  assert.equal(again.ok, 2);
  assert.equal(store.forFile(ids[0]!).length, 1);
  // the file turns silent: its prediction is removed
  ffmpeg([...silence(6), ...FLAC, lib.path('a.flac')]);
  const { scanLibrary } = await import('../../electron/core/library/scan.js');
  await scanLibrary(db, [lib.root]);
  const silent = await new Analyzer(db, { workers: 1, images: false, modelStep: v2 }).run();
  assert.equal(silent.silent, 1);
  assert.equal(store.forFile(ids[0]!).length, 0);
  db.close();
});

test('a new head over the same listening re-scores stored analyses from their embeddings and AudioSet logits, without listening', async () => {
  const own = makeAnalysisLibrary([
    { rel: 'a.flac', input: music(6, 1), codec: FLAC },
    { rel: 'b.mp3', input: music(6, 2), codec: MP3 },
  ]);
  after(() => own.cleanup());
  const { db } = await own.scannedDb('rescore');
  const step = genreModelStep(predictor);
  assert.equal((await new Analyzer(db, { workers: 1, images: false, modelStep: step }).run()).ok, 2);
  const store = new PredictionStore(db);
  const ids = (db.prepare('SELECT id FROM files ORDER BY path').all() as { id: number }[]).map((r) => r.id);
  const fresh = new Map(ids.map((id) => [id, store.forFile(id)[0]!]));
  // as another head left them: another head hash over this listening, and version 1's musicnn-only head (its
  // version hashed head and listening together; the TF.js fallback still runs that head, under that version)
  const listening = /\+([0-9a-f]{12})\./.exec(predictor.modelVersion)![1]!;
  const fallback = await GenrePredictor.create({ workers: 1, backend: 'tfjs-wasm' });
  const versionOne = fallback.modelVersion;
  await fallback.close();
  const olderHeads = [`2+${listening}.00000000`, versionOne];
  ids.forEach((id, i) => {
    const v = olderHeads[i]!;
    db.prepare(`UPDATE predictions SET model_version = ?, probabilities = '{"rock":1}', top = '[{"genre":"rock","probability":1}]',
      top_genre = 'rock', unsure = 0 WHERE file_id = ?`).run(v, id);
    db.prepare('DELETE FROM prediction_suggestions WHERE file_id = ?').run(id);
    db.prepare("INSERT INTO prediction_suggestions VALUES (?, ?, 'rock', 1, 0)").run(id, predictor.modelId);
    db.prepare('UPDATE analysis SET model_id = ? WHERE file_id = ?').run(`${predictor.modelId}@${v}`, id);
  });
  const started = Date.now();
  const report = await new Analyzer(db, { workers: 1, images: false, modelStep: step }).run();
  assert.equal(report.rescored, 2);
  assert.deepEqual([report.analysed, report.queuedByReason], [0, {}], 'nothing listened to again');
  assert.ok(Date.now() - started < 5000);
  for (const id of ids) {
    const [p] = store.forFile(id);
    const before = fresh.get(id)!;
    assert.equal(p!.modelVersion, predictor.modelVersion);
    for (const g of predictor.genres) assert.ok(Math.abs(p!.probabilities[g]! - before.probabilities[g]!) <= 1e-4, `${g}`);
    assert.deepEqual(p!.top, before.top);
    assert.equal(p!.unsure, before.unsure);
    assert.deepEqual(store.suggestionSet(id, predictor.modelId), before.unsure ? [] : before.top);
    assert.deepEqual(p!.embeddings, before.embeddings, 'the stored embeddings are kept');
  }
  // once re-scored, the next run has nothing to do
  assert.deepEqual([(await new Analyzer(db, { workers: 1, images: false, modelStep: step }).run()).rescored], [0]);
  // another listening (plan, backbones) cannot be re-scored: listened to again
  db.prepare('UPDATE predictions SET model_version = ? WHERE file_id = ?').run('2+ffffffffffff.00000000', ids[0]);
  db.prepare('UPDATE analysis SET model_id = ? WHERE file_id = ?').run(`${predictor.modelId}@2+ffffffffffff.00000000`, ids[0]);
  const again = await new Analyzer(db, { workers: 1, images: false, modelStep: step }).run();
  assert.deepEqual([again.rescored, again.queuedByReason, again.ok], [0, { model: 1 }, 1]);
  db.close();
});

test('spectag predict --json: every genre per file by path, model id, failures per file, exit code 1', async () => {
  const out = new PassThrough();
  const err = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  err.resume();
  // notes saved with an audio name: predict explains it as the scanner does, not with ffmpeg's words
  const notes = lib.path('notes.mp3');
  writeFileSync(notes, 'These are my notes about the album, not audio.\n'.repeat(20));
  const code = await predictCommand.run(
    { values: { json: true, workers: '1' }, positionals: [lib.path('b.mp3'), lib.path('missing.mp3'), notes] },
    { stdout: out, stderr: err, env: {}, signal: new AbortController().signal },
  );
  assert.equal(code, 1);
  const json = JSON.parse(text) as { version: number; modelId: string; genres: string[]; files: PredictJsonFile[] };
  assert.equal(json.version, 1);
  assert.deepEqual(json.genres, [...predictor.genres]);
  const [ok, missing, notAudio] = json.files;
  assert.equal(ok?.path, lib.path('b.mp3'));
  assert.equal(ok?.ok, true);
  assert.equal(ok?.modelId, json.modelId);
  assert.deepEqual(Object.keys(ok!.probabilities!), [...predictor.genres]);
  assert.ok(ok!.top!.length >= 1);
  assert.equal(missing?.ok, false);
  assert.equal(missing?.error?.kind, 'missing');
  const scanned = await readAudioFile(notes);
  assert.ok(!scanned.ok);
  assert.equal(notAudio?.error?.kind, 'not-audio');
  assert.equal(notAudio?.error?.message, `${notes}: ${scanned.ok ? '' : scanned.errorMessage}`);
  assert.doesNotMatch(notAudio?.error?.message ?? '', /ffmpeg|Invalid/);
});

test('spectag predict <folder> walks as scan does: a link to a folder above it is not followed into the library', async () => {
  // Music/a.flac and Music/Live/c.flac; Music/Live/up -> .. (a loop back into the whole library)
  const loop = makeAnalysisLibrary([{ rel: 'Live/c.flac', input: music(3, 3), codec: FLAC }, { rel: 'a.flac', input: music(3, 1), codec: FLAC }]);
  try {
    symlinkSync('..', loop.path('Live/up'));
    let text = '';
    const out = new PassThrough();
    out.on('data', (c: Buffer) => (text += c.toString()));
    const code = await predictCommand.run(
      { values: { json: true, workers: '1' }, positionals: [loop.path('Live')] },
      { stdout: out, stderr: new PassThrough(), env: {}, signal: new AbortController().signal },
    );
    assert.equal(code, 0);
    const json = JSON.parse(text) as { files: PredictJsonFile[] };
    assert.deepEqual(json.files.map((f) => f.path), [loop.path('Live/c.flac')], 'only the folder asked for');
  } finally {
    loop.cleanup();
  }
});

test('on tracks longer than 45 s, spectag predict gives exactly the prediction spectag analyze stored', async () => {
  // an MP3 (duration from its header) and an Ogg Vorbis file (duration from its last page)
  const long = makeAnalysisLibrary([
    { rel: 'long.mp3', input: music(100, 3), codec: MP3 },
    { rel: 'long.ogg', input: music(70, 4), codec: OGG },
  ]);
  try {
    const { db } = await long.scannedDb('plan');
    const report = await new Analyzer(db, { workers: 1, images: false, modelStep: genreModelStep(predictor) }).run();
    assert.equal(report.ok, 2);
    const store = new PredictionStore(db);
    const stored = new Map(
      (db.prepare('SELECT id, path FROM files').all() as { id: number; path: string }[]).map((f) => [f.path, store.forFile(f.id)[0]!]),
    );
    db.close();
    const out = new PassThrough();
    const err = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    err.resume();
    const files = [long.path('long.mp3'), long.path('long.ogg')];
    const code = await predictCommand.run(
      { values: { json: true, workers: '1', excerpts: true }, positionals: files },
      { stdout: out, stderr: err, env: {}, signal: new AbortController().signal },
    );
    assert.equal(code, 0);
    const json = JSON.parse(text) as { modelVersion: string; files: PredictJsonFile[] };
    assert.equal(json.modelVersion, predictor.modelVersion);
    for (const f of json.files) {
      const s = stored.get(f.path)!;
      assert.ok(s, f.path);
      assert.equal(s.modelVersion, json.modelVersion);
      // the same excerpts and patches: identical positions, the same numbers (up to float noise of batching)
      assert.deepEqual(f.excerpts!.map((e) => [e.startSec, e.durationSec]), s.excerpts.map((e) => [e.startSec, e.durationSec]));
      assert.ok(f.excerpts![0]!.startSec > 45 * 0.2 - 3, 'excerpts come from the middle of the track');
      for (const g of predictor.genres) assert.ok(Math.abs(f.probabilities![g]! - s.probabilities[g]!) <= 1e-4, `${f.path} ${g}: ${f.probabilities![g]} vs ${s.probabilities[g]}`);
      assert.deepEqual(f.top!.map((t) => t.genre), s.top.map((t) => t.genre));
      // EfficientAT heard the same ~10 s windows: the same embedding and AudioSet logits as stored
      const live = await predictor.predictFile(f.path);
      const same = (a: Float32Array, b: Float32Array, what: string) => {
        assert.equal(a.length, b.length, what);
        for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-4, `${f.path} ${what}[${i}]: ${a[i]} vs ${b[i]}`);
      };
      same(live.embeddings['efficientat-mn04']!, s.embeddings['efficientat-mn04']!, 'embedding');
      same(live.outputs[0]!.values, s.outputs[0]!.values, 'logits');
    }
  } finally {
    long.cleanup();
  }
});
