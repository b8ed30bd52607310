// Parity of the TypeScript EfficientAT front end with its reference: golden numbers made once by
// native-models/tools/efficientat_golden.py (numpy float64, itself within 4.3e-5 of EfficientAT's PyTorch
// preprocessing on three real 10 s clips, as recorded in the golden file) for a deterministic fixture signal.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeExcerpts } from '../../electron/core/audio/decode.js';
import {
  EFFICIENTAT_MEL, EfficientAtMelComputer, efficientAtFrameCount, efficientAtLogMel, kaldiMelBanks,
} from '../../electron/core/spectrogram/efficientat-mel.js';
import { lcgNoise, mixture } from './mel-fixture.js';
import { assertSameSignal, type GoldenLogMelCase } from './mel-fixture-check.js';
import { writeFloatWav } from '../helpers/wav.js';

/** Largest allowed |TypeScript − reference| per log-mel value (the golden file is rounded to 1e-5). */
const MAX_ABS_ERROR = 1e-4;

interface Golden {
  params: { sampleRate: number; nFft: number; winLength: number; hop: number; nMels: number; fMin: number; fMax: number; preEmphasis: number };
  referenceCheck: { clip: string; logmelMaxAbsDiff: number; logitsMaxAbsDiff: number }[] | null;
  cases: GoldenLogMelCase[];
}

const golden = JSON.parse(
  readFileSync(new URL('../../../test/golden/efficientat/golden.json', import.meta.url), 'utf8'),
) as Golden;

const dir = mkdtempSync(join(tmpdir(), 'spectag-eat-parity-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Largest |TS − golden| over a band-major spectrogram against the frame-major golden values. */
function maxAbsError(data: Float32Array, frames: number, expected: number[]): { max: number; at: number } {
  let max = 0;
  let at = -1;
  for (let t = 0; t < frames; t++) {
    for (let m = 0; m < 128; m++) {
      const d = Math.abs(data[m * frames + t]! - expected[t * 128 + m]!);
      if (!(d <= max)) {
        max = d;
        at = t * 128 + m;
      }
    }
  }
  return { max, at };
}

describe('EfficientAT log-mel parity', () => {
  it('uses the golden file\'s parameters, and the golden file was checked against PyTorch', () => {
    const p = golden.params;
    assert.deepEqual(
      [p.sampleRate, p.nFft, p.winLength, p.hop, p.nMels, p.fMin, p.fMax, p.preEmphasis],
      [EFFICIENTAT_MEL.sampleRate, EFFICIENTAT_MEL.nFft, EFFICIENTAT_MEL.winLength, EFFICIENTAT_MEL.hop,
        EFFICIENTAT_MEL.nMels, EFFICIENTAT_MEL.fMin, EFFICIENTAT_MEL.fMax, EFFICIENTAT_MEL.preEmphasis],
    );
    assert.ok(golden.referenceCheck && golden.referenceCheck.length >= 3, 'the golden file records its check against PyTorch');
    for (const r of golden.referenceCheck) assert.ok(r.logmelMaxAbsDiff < 1e-4, `${r.clip}: reference front end off by ${r.logmelMaxAbsDiff}`);
  });

  const full = mixture(32000, 32000);
  for (const c of golden.cases) {
    it(`${c.name}: same samples as the Python script, log-mel within ${MAX_ABS_ERROR}`, () => {
      const x = full.subarray(0, c.samples);
      assertSameSignal(x, c.checksum);

      const spec = efficientAtLogMel(x);
      assert.equal(spec.frames, c.frames);
      assert.equal(efficientAtFrameCount(c.samples), c.frames);
      const { max, at } = maxAbsError(spec.data, c.frames, c.logmel);
      console.log(`  ${c.name}: ${c.frames} frames, max |TS - reference| = ${max.toExponential(2)} (frame ${Math.floor(at / 128)}, band ${at % 128})`);
      assert.ok(max <= MAX_ABS_ERROR, `max abs error ${max} at frame ${Math.floor(at / 128)}, band ${at % 128}`);
    });
  }

  it('through the real decoder at 32 kHz: a stereo file is averaged to mono, the log-mel matches', async () => {
    const c = golden.cases.find((g) => g.name === 'mixture-1s')!;
    const m = mixture(c.samples, 32000);
    const d = lcgNoise(c.samples, 777);
    const left = new Float32Array(c.samples);
    const right = new Float32Array(c.samples);
    for (let i = 0; i < c.samples; i++) {
      left[i] = m[i]! + 0.3 * d[i]!;
      right[i] = m[i]! - 0.3 * d[i]!;
    }
    const path = join(dir, 'stereo-32k.wav');
    writeFloatWav(path, [left, right], 32000);
    const [excerpt] = await decodeExcerpts(path, [{ startSec: 0, durationSec: 1 }], { sampleRate: 32000 });
    assert.ok(excerpt);
    assert.equal(excerpt.pcm.length, c.samples);
    let maxSampleDiff = 0;
    for (let i = 0; i < c.samples; i++) maxSampleDiff = Math.max(maxSampleDiff, Math.abs(excerpt.pcm[i]! - m[i]!));
    assert.ok(maxSampleDiff < 1e-6, `decoded samples differ from the channel average by ${maxSampleDiff}`);
    const spec = efficientAtLogMel(excerpt.pcm);
    const { max } = maxAbsError(spec.data, spec.frames, c.logmel);
    console.log(`  decoded stereo WAV at 32 kHz: max sample diff ${maxSampleDiff.toExponential(2)}, max |TS - reference| = ${max.toExponential(2)}`);
    assert.ok(max <= MAX_ABS_ERROR, `max abs error ${max}`);
  });

  it('10 s give the 1000 frames the network was trained on; 0 or 1 sample give none', () => {
    assert.equal(efficientAtFrameCount(320_000), 1000);
    assert.equal(efficientAtFrameCount(1), 0);
    assert.equal(efficientAtLogMel(new Float32Array(0)).frames, 0);
  });

  it('writes into a wider, batch-padded row and leaves the padding alone', () => {
    const x = full.subarray(0, 2000);
    const frames = efficientAtFrameCount(x.length);
    const stride = frames + 5;
    const out = new Float32Array(stride * 128).fill(7);
    new EfficientAtMelComputer().computeInto(x, out, stride);
    const alone = efficientAtLogMel(x);
    for (let m = 0; m < 128; m++) {
      for (let t = 0; t < frames; t++) assert.equal(out[m * stride + t], alone.data[m * frames + t]);
      for (let t = frames; t < stride; t++) assert.equal(out[m * stride + t], 7);
    }
  });

  it('mel bands cover 0–15 kHz, none empty, unnormalised triangles (wide bands peak near 1)', () => {
    const bands = kaldiMelBanks();
    assert.equal(bands.length, 128);
    assert.equal(bands[0]!.start, 1, 'the first band rises from 0 Hz (bin 0 has weight 0)');
    const last = bands[127]!;
    assert.ok((last.start + last.weights.length - 1) * 31.25 < 15000);
    for (const b of bands) {
      assert.ok(b.weights.length > 0 && b.weights.every((w) => w > 0 && w <= 1));
      // low bands are about as narrow as an FFT bin (31.25 Hz) and peak between bins; above 4 kHz a band
      // spans over 3 bins, so one of them lies near its apex
      if (b.start * 31.25 > 4000) assert.ok(Math.max(...b.weights) > 0.8);
    }
  });

  it('silence is the log of the offset, the same in every band', () => {
    const spec = efficientAtLogMel(new Float32Array(32000));
    const expected = (Math.log(1e-5) + 4.5) / 5;
    for (const v of spec.data) assert.ok(Math.abs(v - expected) < 1e-6);
  });
});
