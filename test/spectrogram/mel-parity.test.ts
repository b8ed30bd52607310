// Parity of the TypeScript log-mel spectrogram with librosa: golden numbers made once by
// native-models/tools/mel_golden.py (librosa 0.10.2, float64) for a deterministic fixture signal,
// and the same check through the real decoder on a stereo file (ffmpeg's down-mix must average channels).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEL, logMelSpectrogram } from '../../electron/core/spectrogram/mel.js';
import { decodeExcerpts } from '../../electron/core/audio/decode.js';
import { lcgNoise, mixture } from './mel-fixture.js';
import { assertSameSignal, type GoldenLogMelCase } from './mel-fixture-check.js';
import { writeFloatWav } from '../helpers/wav.js';

/**
 * Largest allowed |TypeScript − librosa| per value. The parity target is 1e-3; the implementation
 * reaches ~5e-6 (the golden file is rounded to 1e-5), so a tenth of the target still leaves room.
 */
const MAX_ABS_ERROR = 1e-4;

interface Golden {
  params: { sampleRate: number; nFft: number; hop: number; nMels: number; fMin: number; fMax: number; padMode: string };
  cases: GoldenLogMelCase[];
}

const golden = JSON.parse(
  readFileSync(new URL('../../../test/golden/mel/logmel-golden.json', import.meta.url), 'utf8'),
) as Golden;

function maxAbsError(actual: Float32Array, expected: number[]): { max: number; at: number } {
  assert.equal(actual.length, expected.length);
  let max = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= max)) {
      max = d;
      at = i;
    }
  }
  return { max, at };
}

const dir = mkdtempSync(join(tmpdir(), 'spectag-parity-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('log-mel parity with librosa', () => {
  it('uses the golden file\'s parameters', () => {
    const p = golden.params;
    assert.deepEqual(
      [p.sampleRate, p.nFft, p.hop, p.nMels, p.fMin, p.fMax, p.padMode],
      [MEL.sampleRate, MEL.nFft, MEL.hop, MEL.nMels, MEL.fMin, MEL.fMax, 'reflect'],
    );
  });

  const full = mixture(16000);
  for (const c of golden.cases) {
    it(`${c.name}: same samples as the Python script, log-mel within ${MAX_ABS_ERROR}`, () => {
      const x = full.subarray(0, c.samples);
      assertSameSignal(x, c.checksum);

      const spec = logMelSpectrogram(x);
      assert.equal(spec.frames, c.frames);
      const { max, at } = maxAbsError(spec.data, c.logmel);
      console.log(`  ${c.name}: ${c.frames} frames, max |TS - librosa| = ${max.toExponential(2)} (frame ${Math.floor(at / 96)}, band ${at % 96})`);
      assert.ok(max <= MAX_ABS_ERROR, `max abs error ${max} at frame ${Math.floor(at / 96)}, band ${at % 96}`);
    });
  }

  it('through the real decoder: a stereo file is averaged to mono like librosa.load(mono=True)', async () => {
    // L = m + d, R = m − d: the channel average is the fixture m, ffmpeg's plain -ac 1 would give 1.41·m
    const c = golden.cases.find((g) => g.name === 'mixture-1s')!;
    const m = mixture(c.samples);
    const d = lcgNoise(c.samples, 777);
    const left = new Float32Array(c.samples);
    const right = new Float32Array(c.samples);
    for (let i = 0; i < c.samples; i++) {
      left[i] = m[i]! + 0.3 * d[i]!;
      right[i] = m[i]! - 0.3 * d[i]!;
    }
    const path = join(dir, 'stereo-16k.wav');
    writeFloatWav(path, [left, right], 16000);
    const [excerpt] = await decodeExcerpts(path, [{ startSec: 0, durationSec: 1 }]);
    assert.ok(excerpt);
    assert.equal(excerpt.pcm.length, c.samples);
    let maxSampleDiff = 0;
    for (let i = 0; i < c.samples; i++) maxSampleDiff = Math.max(maxSampleDiff, Math.abs(excerpt.pcm[i]! - m[i]!));
    assert.ok(maxSampleDiff < 1e-6, `decoded samples differ from the channel average by ${maxSampleDiff}`);
    const { max } = maxAbsError(logMelSpectrogram(excerpt.pcm).data, c.logmel);
    console.log(`  decoded stereo WAV: max sample diff ${maxSampleDiff.toExponential(2)}, max |TS - librosa| = ${max.toExponential(2)}`);
    assert.ok(max <= MAX_ABS_ERROR, `max abs error ${max}`);
  });
});
