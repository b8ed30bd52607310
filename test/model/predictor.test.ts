// The production inference path end to end on real audio made by ffmpeg: excerpt plan → one decode at 32 kHz →
// musicnn patches and EfficientAT windows → both backbones in worker threads (ONNX Runtime; TF.js as the fallback,
// musicnn only) → genre head. Checks the result format, what is kept per track, that several tracks in flight get
// exactly their own numbers, failure reporting, and that no tensor is left behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { GenrePredictor } from '../../electron/core/model/predictor.js';
import { TrackAnalysisError } from '../../electron/core/model/pool.js';
import { MODEL_GENRES } from '../../electron/shared/genres-model.js';
import { GENRE_VOCABULARY } from '../../electron/shared/genre-vocabulary.js';
import { spreadIndices } from '../../electron/core/model/track-inputs.js';
import { NATIVE_MODELS_DIR } from '../../electron/core/model/paths.js';
import { SHIPPED_HEAD_DIR } from '../../electron/core/model/genre-head.js';
import { readFileSync } from 'node:fs';

/** the shipped head's own thresholds: a head genre is suggested at its confidentThreshold, an AudioSet entry at 0.5 */
const shipped = JSON.parse(readFileSync(join(NATIVE_MODELS_DIR, SHIPPED_HEAD_DIR, 'head.json'), 'utf8')) as { confidentThreshold: number; audioset: { suggestThreshold: number } };

const dir = mkdtempSync(join(tmpdir(), 'spectag-predict-'));
const files = {
  // 12 s: short enough to be taken whole → 4 musicnn patches, one EfficientAT window
  stereo: join(dir, 'stereo tones.mp3'),
  // 100 s: three 10 s excerpts → a musicnn patch at the centre of each, one EfficientAT window each
  noise: join(dir, 'noise.flac'),
  broken: join(dir, 'broken.mp3'),
};
let predictor: GenrePredictor;

before(async () => {
  ffmpeg([...SOUNDS.stereo(12), '-c:a', 'libmp3lame', '-b:a', '128k', files.stereo]);
  ffmpeg([...SOUNDS.noise(100), '-c:a', 'flac', files.noise]);
  writeFileSync(files.broken, Buffer.from('ID3\u0004\u0000\u0000\u0000\u0000\u0000\u0000' + 'garbage'.repeat(100)));
  predictor = await GenrePredictor.create({ workers: 2 });
});
after(async () => {
  await predictor?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a prediction scores the whole vocabulary, with calibrated probabilities, a suggestion set and per-excerpt outputs', async () => {
  const { prediction: p, embeddings, outputs } = await predictor.predictFile(files.stereo);
  // the trained head's 11 genres (a softmax: they sum to 1) and every other vocabulary entry from AudioSet
  assert.deepEqual(Object.keys(p.probabilities).sort(), GENRE_VOCABULARY.map((e) => e.id).sort());
  assert.deepEqual(p.genres.slice(0, MODEL_GENRES.length), [...MODEL_GENRES]);
  const sum = MODEL_GENRES.reduce((a, g) => a + p.probabilities[g]!, 0);
  assert.ok(Math.abs(sum - 1) < 1e-3, `the head's probabilities sum to ${sum}`);
  if (p.unsure) {
    const best = MODEL_GENRES.map((g) => [g, p.probabilities[g]!] as const).sort((a, b) => b[1] - a[1])[0]!;
    assert.equal(p.top[0]?.genre, best[0], 'unsure: the head\'s best genre is offered as a question');
  } else {
    for (const t of p.top) assert.ok(t.probability >= ((MODEL_GENRES as readonly string[]).includes(t.genre) ? shipped.confidentThreshold : shipped.audioset.suggestThreshold), `${t.genre} ${t.probability}`);
  }
  assert.equal(p.modelId, predictor.modelId);
  assert.match(p.modelVersion, /^\d+\+[0-9a-f]{12}\.[0-9a-f]{8}$/);
  // the whole 12 s track holds 4 patches (centred in it), thinned out to the predictor's patch budget
  const kept = spreadIndices(4, predictor.patchesPerTrack ?? 4);
  const first = (12 - 4 * 2.992) / 2;
  assert.equal(p.excerpts.length, kept.length);
  p.excerpts.forEach((e, i) => assert.ok(Math.abs(e.startSec - (first + kept[i]! * 2.992)) < 0.02, `${e.startSec}`));
  for (const e of p.excerpts) assert.equal(e.probabilities.length, p.genres.length);
  assert.equal(embeddings['musicnn-msd']?.length, 200);
  assert.ok(embeddings['musicnn-msd']!.every((v) => v >= 0), 'embedding is after ReLU');
  // EfficientAT ran too: its embedding and its 527 AudioSet logits (mean over the windows) are kept
  assert.equal(embeddings['efficientat-mn04']?.length, 384);
  const [logits] = outputs;
  assert.deepEqual([logits?.backbone, logits?.output, logits?.values.length], ['efficientat-mn04', 'logits', 527]);
  // two pure tones: AudioSet's "Sine wave" (class 501) is among the track's five strongest classes
  const ranked = [...logits!.values.keys()].sort((i, j) => logits!.values[j]! - logits!.values[i]!);
  assert.ok(ranked.slice(0, 5).includes(501), `top classes ${ranked.slice(0, 5).join(', ')}`);
});

test('tracks batched together get exactly the numbers they get alone', async () => {
  const [stereoAlone, noiseAlone] = [await predictor.predictFile(files.stereo), await predictor.predictFile(files.noise)];
  const alone = [stereoAlone.prediction, noiseAlone.prediction];
  const together = await Promise.all([files.stereo, files.noise, files.stereo, files.noise].map((f) => predictor.predictFile(f)));
  // a long track: 3 × 10 s excerpts, one musicnn patch at the centre of each (with the head's budget of 3)
  assert.equal(alone[1]!.excerpts.length, predictor.patchesPerTrack ?? 9);
  assert.ok(alone[1]!.excerpts[0]!.startSec > 20, 'excerpts of a long track come from its middle');
  for (let i = 0; i < 4; i++) {
    const a = alone[i % 2]!;
    const b = together[i]!.prediction;
    for (const g of a.genres) assert.ok(Math.abs(a.probabilities[g]! - b.probabilities[g]!) < 1e-4, `${g}: ${a.probabilities[g]} vs ${b.probabilities[g]}`);
    const e = together[i]!.embeddings['efficientat-mn04']!;
    const ea = i % 2 ? noiseAlone.embeddings['efficientat-mn04']! : stereoAlone.embeddings['efficientat-mn04']!;
    for (let j = 0; j < e.length; j++) assert.ok(Math.abs(e[j]! - ea[j]!) < 1e-4);
  }
  assert.notDeepEqual(alone[0]!.probabilities, alone[1]!.probabilities, 'different sounds, different outputs');
});

test('a patch budget keeps patches spread over the track', () => {
  assert.deepEqual(spreadIndices(10, 1), [4]);
  assert.deepEqual(spreadIndices(10, 3), [0, 5, 9]);
  assert.deepEqual(spreadIndices(10, 5), [0, 2, 5, 7, 9]);
  assert.deepEqual(spreadIndices(3, 5), [0, 1, 2]);
});

test('a file that cannot be decoded fails alone with its reason; the pool keeps working', async () => {
  await assert.rejects(predictor.predictFile(files.broken, { durationSec: 30 }), (err: unknown) => {
    assert.ok(err instanceof TrackAnalysisError);
    assert.ok(['undecodable', 'empty', 'truncated'].includes(err.kind), err.kind);
    assert.ok(err.message.includes('broken.mp3'));
    return true;
  });
  await assert.rejects(predictor.predictFile(join(dir, 'nope.mp3'), { durationSec: 30 }), /file not found/);
  const ok = await predictor.predictFile(files.noise);
  assert.equal(ok.prediction.excerpts.length, predictor.patchesPerTrack ?? 9);
});

test('the TF.js fallback (no EfficientAT) runs the musicnn-only head under its own version, hears musicnn as ONNX Runtime does, and leaves no tensors behind', async () => {
  const fallback = await GenrePredictor.create({ workers: 1, backend: 'tfjs-wasm' });
  after(() => fallback.close());
  assert.equal((await fallback.backend).runtime, 'tfjs');
  assert.equal((await predictor.backend).runtime, 'onnxruntime');
  assert.match((await fallback.backend).detail, /without efficientat-mn04/);
  // another head: its predictions are the musicnn-only head's, and a later ONNX Runtime run replaces them
  assert.deepEqual([...fallback.genres], [...MODEL_GENRES]);
  assert.match(fallback.modelVersion, /^1\+[0-9a-f]{12}$/);
  assert.notEqual(fallback.modelVersion, predictor.modelVersion);
  const [ra, rb] = [await predictor.predictFile(files.noise), await fallback.predictFile(files.noise)];
  const b = rb.prediction;
  assert.deepEqual(Object.keys(b.probabilities).sort(), [...MODEL_GENRES].sort());
  const ea = ra.embeddings['musicnn-msd']!;
  const eb = rb.embeddings['musicnn-msd']!;
  for (let j = 0; j < ea.length; j++) assert.ok(Math.abs(ea[j]! - eb[j]!) <= 1e-4, `musicnn embedding[${j}]: ${ea[j]} vs ${eb[j]}`);
  assert.deepEqual(Object.keys(rb.embeddings), ['musicnn-msd']);
  assert.deepEqual(rb.outputs, []);
  const before = await fallback.memory();
  assert.ok(before[0]!.numTensors > 0, 'the TF.js worker holds the model weights');
  const patches = 2;
  for (let round = 0; round < 3; round++) {
    await Promise.all(
      Array.from({ length: 4 }, (_, i) => {
        const data = new Float32Array(patches * 187 * 96).map((_, j) => ((j * (i + 1) + round) % 97) / 40);
        const spans = Array.from({ length: patches }, (_, k) => ({ startSec: k * 2.992, durationSec: 2.992 }));
        return fallback.analyze({ 'musicnn-logmel-16k': { groups: [{ data, count: patches, shape: [187, 96] }], spans } });
      }),
    );
  }
  const later = await fallback.memory();
  assert.deepEqual(later.map((m) => m.numTensors), before.map((m) => m.numTensors));
  assert.deepEqual(later.map((m) => m.numBytes), before.map((m) => m.numBytes));
});

test('closing the predictor while tracks are in flight settles every request and does not take the process down', async () => {
  // ending a worker thread inside an ONNX Runtime forward pass aborts the whole process: close() must wait for it
  const p = await GenrePredictor.create({ workers: 1 });
  await p.backend;
  const pending = Array.from({ length: 4 }, () => p.predictFile(files.noise).then(() => 'done', (err: Error) => err.message));
  // the first track is decoded and in the model when close() comes
  await new Promise((r) => setTimeout(r, 1500));
  await p.close();
  const outcomes = await Promise.all(pending);
  assert.equal(outcomes.length, 4);
  for (const o of outcomes) assert.ok(o === 'done' || /inference pool (is )?closed/.test(o), o);
  await assert.rejects(p.predictFile(files.noise), /closed/);
});
