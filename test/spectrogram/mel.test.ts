// The spectrogram's building blocks: FFT against a plain DFT, frame counts, where a tone lands,
// silence, and cutting into model patches.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RealFft } from '../../electron/core/spectrogram/fft.js';
import {
  MEL, frameCount, hzToMel, logMelSpectrogram, melBandCentresHz, melFilterbank, melToHz, toPatches,
} from '../../electron/core/spectrogram/mel.js';
import { lcgNoise } from './mel-fixture.js';

function tone(hz: number, seconds: number, amplitude = 0.5): Float32Array {
  const n = Math.round(seconds * MEL.sampleRate);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / MEL.sampleRate);
  return out;
}

function loudestBand(spec: { frames: number; data: Float32Array }, frame: number): number {
  let best = 0;
  for (let m = 1; m < MEL.nMels; m++) if (spec.data[frame * MEL.nMels + m]! > spec.data[frame * MEL.nMels + best]!) best = m;
  return best;
}

describe('RealFft', () => {
  it('power spectrum equals a direct DFT', () => {
    const n = 512;
    const fft = new RealFft(n);
    const noise = lcgNoise(n, 99);
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = noise[i]! + Math.sin(i * 0.3);
    const power = new Float64Array(n / 2 + 1);
    fft.powerSpectrum(x, power);
    let worst = 0;
    for (let k = 0; k <= n / 2; k++) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < n; i++) {
        re += x[i]! * Math.cos((2 * Math.PI * k * i) / n);
        im -= x[i]! * Math.sin((2 * Math.PI * k * i) / n);
      }
      const p = re * re + im * im;
      worst = Math.max(worst, Math.abs(power[k]! - p) / Math.max(1, p));
    }
    assert.ok(worst < 1e-9, `relative error ${worst}`);
  });

  it('refuses sizes that are not powers of two', () => {
    assert.throws(() => new RealFft(500));
  });
});

describe('mel scale and filterbank', () => {
  it('Slaney scale: linear below 1 kHz (15 mel at 1 kHz), invertible', () => {
    assert.ok(Math.abs(hzToMel(1000) - 15) < 1e-12);
    assert.ok(Math.abs(hzToMel(500) - 7.5) < 1e-12);
    for (const hz of [0, 100, 999, 1000, 2500, 8000]) assert.ok(Math.abs(melToHz(hzToMel(hz)) - hz) < 1e-9, String(hz));
  });

  it('96 bands between 0 and 8 kHz, every band has weights, centres increase', () => {
    const bands = melFilterbank();
    assert.equal(bands.length, 96);
    for (const b of bands) assert.ok(b.weights.length > 0 && b.weights.every((w) => w > 0));
    const c = melBandCentresHz();
    for (let m = 1; m < c.length; m++) assert.ok(c[m]! > c[m - 1]!);
    assert.ok(c[0]! > 0 && c[95]! < 8000);
  });
});

describe('logMelSpectrogram', () => {
  it('centred frames: 1 + floor(n / 256), none for an empty signal', () => {
    assert.equal(frameCount(0), 0);
    assert.equal(frameCount(1), 1);
    assert.equal(frameCount(255), 1);
    assert.equal(frameCount(256), 2);
    assert.equal(frameCount(16000), 63);
    assert.equal(logMelSpectrogram(new Float32Array(0)).frames, 0);
    assert.equal(logMelSpectrogram(new Float32Array(1)).frames, 1);
    assert.equal(logMelSpectrogram(tone(440, 3)).data.length, frameCount(48000) * 96);
  });

  it('a tone lands in the mel band whose centre it sits on', () => {
    const centres = melBandCentresHz();
    for (const band of [5, 20, 40, 60, 80, 94]) {
      const spec = logMelSpectrogram(tone(centres[band]!, 1));
      assert.equal(loudestBand(spec, 30), band, `${centres[band]!.toFixed(1)} Hz`);
    }
  });

  it('a louder tone gives larger values; silence gives exactly 0', () => {
    const quiet = logMelSpectrogram(tone(1000, 1, 0.01));
    const loud = logMelSpectrogram(tone(1000, 1, 0.5));
    const band = loudestBand(loud, 30);
    assert.ok(loud.data[30 * 96 + band]! > quiet.data[30 * 96 + band]! + 1);
    const silence = logMelSpectrogram(new Float32Array(16000));
    assert.ok(silence.data.every((v) => v === 0));
  });
});

describe('toPatches', () => {
  const spec = (frames: number) => {
    const data = new Float32Array(frames * 96);
    for (let i = 0; i < data.length; i++) data[i] = i;
    return { frames, data };
  };

  it('cuts non-overlapping 187-frame patches, frame-major, and drops an incomplete tail', () => {
    const s = spec(187 * 2 + 50);
    const patches = toPatches(s);
    assert.equal(patches.length, 2);
    for (const [p, patch] of patches.entries()) {
      assert.equal(patch.length, 187 * 96);
      assert.equal(patch[0], p * 187 * 96);
      assert.equal(patch[187 * 96 - 1], (p + 1) * 187 * 96 - 1);
    }
    // independent copies (they may be transferred to another thread)
    patches[0]![0] = -1;
    assert.equal(s.data[0], 0);
    assert.equal(toPatches(spec(187)).length, 1);
    assert.equal(toPatches(spec(10), 5).length, 2);
  });

  it('a spectrogram shorter than one patch gives one zero-padded patch; an empty one none', () => {
    const patches = toPatches(spec(100));
    assert.equal(patches.length, 1);
    assert.equal(patches[0]![100 * 96 - 1], 100 * 96 - 1);
    assert.ok(patches[0]!.subarray(100 * 96).every((v) => v === 0));
    assert.deepEqual(toPatches(spec(0)), []);
  });
});
