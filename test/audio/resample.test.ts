// One decode per excerpt feeds both backbones: ffmpeg decodes at 32 kHz (EfficientAT) and the 16 kHz audio
// musicnn hears is made by halving it. These tests check the halving filter and that musicnn's log-mel from
// the halved audio matches the one from ffmpeg's own 16 kHz decode of a real encoded file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeExcerpts } from '../../electron/core/audio/decode.js';
import { halveSampleRate, halvingFilterGain } from '../../electron/core/audio/resample.js';
import { logMelSpectrogram } from '../../electron/core/spectrogram/mel.js';
import { ffmpeg } from '../helpers/ffmpeg.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'spectag-resample-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const tone = (n: number, rate: number, hz: number, amp: number) => {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * hz * i) / rate);
  return x;
};

describe('halveSampleRate', () => {
  it('keeps what 16 kHz can hold: tones up to 7 kHz come out as the same tones at 16 kHz', () => {
    for (const hz of [100, 1000, 5000, 6800]) {
      const y = halveSampleRate(tone(32000, 32000, hz, 0.5));
      assert.equal(y.length, 16000);
      const want = tone(16000, 16000, hz, 0.5);
      let max = 0;
      // the first and last 31 output samples see the silence outside the excerpt
      for (let i = 40; i < 16000 - 40; i++) max = Math.max(max, Math.abs(y[i]! - want[i]!));
      assert.ok(max < 0.5 * (1 - halvingFilterGain(hz)) + 2e-3, `${hz} Hz: max error ${max}`);
    }
  });

  it('removes what would fold back: a 12 kHz tone does not come out at 4 kHz', () => {
    const y = halveSampleRate(tone(32000, 32000, 12000, 0.5));
    let rms = 0;
    for (let i = 40; i < y.length - 40; i++) rms += y[i]! * y[i]!;
    rms = Math.sqrt(rms / (y.length - 80));
    assert.ok(20 * Math.log10(rms / (0.5 / Math.SQRT2)) < -80, `residue ${rms}`);
  });

  it('an odd length gives ⌈n/2⌉ samples, empty gives empty', () => {
    assert.equal(halveSampleRate(new Float32Array(7)).length, 4);
    assert.equal(halveSampleRate(new Float32Array(0)).length, 0);
  });

  it('musicnn hears the halved 32 kHz decode as it hears ffmpeg\'s 16 kHz decode of a real MP3', async () => {
    // 44.1 kHz stereo MP3: pink noise, a chord and a 7.5 kHz whistle near the top of musicnn's mel range
    const path = join(dir, 'music-like.mp3');
    ffmpeg([
      '-f', 'lavfi', '-i', 'anoisesrc=color=pink:duration=6:sample_rate=44100:amplitude=0.2',
      '-f', 'lavfi', '-i', 'aevalsrc=0.3*sin(2*PI*220*t)+0.2*sin(2*PI*277*t)|0.3*sin(2*PI*330*t)+0.05*sin(2*PI*7500*t):s=44100:d=6',
      '-filter_complex', '[0][1]amerge=inputs=2,pan=stereo|c0=c0+c1|c1=c0+c2', '-c:a', 'libmp3lame', '-b:a', '192k', path,
    ]);
    const plan = [{ startSec: 1, durationSec: 4 }];
    const [direct] = await decodeExcerpts(path, plan);
    const [wide] = await decodeExcerpts(path, plan, { sampleRate: 32000 });
    assert.ok(direct && wide);
    assert.equal(wide.sampleRate, 32000);
    assert.ok(Math.abs(wide.durationSec - direct.durationSec) < 1e-3);
    const a = logMelSpectrogram(direct.pcm);
    const b = logMelSpectrogram(halveSampleRate(wide.pcm));
    assert.equal(a.frames, b.frames);
    // inner frames (the first and last touch the excerpt's edges, where the two resamplers start differently)
    const diffs: number[] = [];
    for (let t = 2; t < a.frames - 2; t++) for (let m = 0; m < 96; m++) diffs.push(Math.abs(a.data[t * 96 + m]! - b.data[t * 96 + m]!));
    diffs.sort((x, y) => x - y);
    const mean = diffs.reduce((s, v) => s + v, 0) / diffs.length;
    const p99 = diffs[Math.floor(diffs.length * 0.99)]!;
    console.log(`  musicnn log-mel, ffmpeg 16 kHz vs 32 kHz halved: mean |diff| ${mean.toExponential(2)}, 99th percentile ${p99.toExponential(2)}, max ${diffs[diffs.length - 1]!.toExponential(2)}`);
    assert.ok(mean < 0.01 && p99 < 0.05, `mean ${mean}, p99 ${p99}`);
  });
});
