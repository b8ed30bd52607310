// Decoding excerpts with the real ffmpeg: every fixture container, input seeking, channel averaging,
// broken files with clear errors, timeouts and cancellation without a process left behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecodeError, decodeExcerpts, type DecodeErrorKind } from '../../electron/core/audio/decode.js';
import { planExcerpts } from '../../electron/core/audio/excerpt-plan.js';
import { LogMelComputer, melBandCentresHz } from '../../electron/core/spectrogram/mel.js';
import { makeFixtureLibrary, type FixtureLibrary } from '../helpers/fixture-library.js';
import { ffmpeg } from '../helpers/ffmpeg.js';
import { CAN_LIST_PROCESSES, ffmpegChildren, isAlive } from './processes.js';

let lib: FixtureLibrary;
let dir: string;
before(() => {
  lib = makeFixtureLibrary();
  dir = mkdtempSync(join(tmpdir(), 'spectag-decode-'));
});
after(() => {
  lib.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function rms(pcm: Float32Array): number {
  let s = 0;
  for (const v of pcm) s += v * v;
  return Math.sqrt(s / Math.max(1, pcm.length));
}

async function decodeError(promise: Promise<unknown>): Promise<DecodeError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof DecodeError, `expected a DecodeError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected decoding to fail');
}

function loudestBandHz(pcm: Float32Array): number {
  const spec = new LogMelComputer().compute(pcm);
  const t = Math.floor(spec.frames / 2);
  let best = 0;
  for (let m = 1; m < 96; m++) if (spec.data[t * 96 + m]! > spec.data[t * 96 + best]!) best = m;
  return melBandCentresHz()[best]!;
}

describe('decodeExcerpts', () => {
  it('decodes every fixture container to 16 kHz mono float32 of the right length', async () => {
    const good = lib.files.filter((f) => !f.error);
    assert.ok(good.length >= 12);
    for (const f of good) {
      const plan = planExcerpts(f.durationSec ?? null);
      const excerpts = await decodeExcerpts(lib.path(f.rel), plan);
      assert.equal(excerpts.length, 1, f.rel);
      const e = excerpts[0]!;
      assert.equal(e.durationSec, e.pcm.length / 16000);
      if (f.durationSec != null) assert.ok(Math.abs(e.durationSec - f.durationSec) < 0.1, `${f.rel}: ${e.durationSec} s`);
      assert.ok(e.pcm.every((v) => Number.isFinite(v) && Math.abs(v) <= 1.5), f.rel);
      assert.ok(rms(e.pcm) > 0.01, `${f.rel} is silent`);
    }
  });

  it('stereo is the average of the channels (FLAC exactly, Opus roughly)', async () => {
    // the fixture's stereo sound is 0.5·sin 330 Hz | 0.5·sin 440 Hz: the average has RMS 0.25 (-ac 1 would give 0.354)
    const [flac] = await decodeExcerpts(lib.path('flac/Repeated Fields.flac'), [{ startSec: 0.2, durationSec: 1.5 }]);
    assert.ok(Math.abs(rms(flac!.pcm) - 0.25) < 0.0025, `FLAC rms ${rms(flac!.pcm)}`);
    const [opus] = await decodeExcerpts(lib.path('ogg/opus.opus'), [{ startSec: 0.2, durationSec: 1.5 }]);
    assert.ok(Math.abs(rms(opus!.pcm) - 0.25) < 0.025, `Opus rms ${rms(opus!.pcm)}`);
  });

  it('input seeking lands where asked, in MP3 and FLAC, and several excerpts come back in order', async () => {
    // 300 Hz for the first 10 s, then 3 kHz
    for (const [ext, codec] of [['mp3', 'libmp3lame'], ['flac', 'flac']] as const) {
      const path = join(dir, `two-tones.${ext}`);
      ffmpeg(['-f', 'lavfi', '-i', 'aevalsrc=0.5*sin(2*PI*if(lt(t\\,10)\\,300\\,3000)*t):s=44100:d=20', '-c:a', codec, path]);
      const got = await decodeExcerpts(path, [{ startSec: 2, durationSec: 3 }, { startSec: 13, durationSec: 3 }, { startSec: 19, durationSec: 3 }]);
      assert.deepEqual(got.map((e) => e.startSec), [2, 13, 19]);
      assert.ok(Math.abs(got[0]!.durationSec - 3) < 0.05 && Math.abs(got[1]!.durationSec - 3) < 0.05);
      // the last window runs past the end: it comes back shorter
      assert.ok(got[2]!.durationSec < 1.2 && got[2]!.durationSec > 0.8, `${ext}: ${got[2]!.durationSec}`);
      const low = loudestBandHz(got[0]!.pcm);
      const high = loudestBandHz(got[1]!.pcm);
      assert.ok(low > 250 && low < 360, `${ext}: ${low} Hz`);
      assert.ok(high > 2700 && high < 3300, `${ext}: ${high} Hz`);
    }
  });

  it('names with a colon, unicode and leading dashes decode (not read as ffmpeg protocols or options)', async () => {
    const path = join(dir, '-x: Björk – Jóga 日本.flac');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'flac', path]);
    const [e] = await decodeExcerpts(path, [{ startSec: 0, durationSec: 1 }]);
    assert.equal(e!.pcm.length, 16000);
  });

  const cases: [string, () => string, DecodeErrorKind[], RegExp][] = [
    ['an empty file', () => lib.path('broken/empty.mp3'), ['empty'], /empty \(0 bytes\)/],
    ['text named .mp3', () => lib.path('broken/notes.mp3'), ['undecodable'], /ffmpeg could not decode/],
    ['an MP4 cut after 200 bytes', () => lib.path('broken/cut.m4a'), ['undecodable', 'truncated'], /ffmpeg could not decode/],
    ['a file that is not there', () => join(dir, 'gone.mp3'), ['missing'], /file not found/],
    ['a folder', () => dir, ['undecodable'], /not a regular file/],
  ];
  for (const [name, path, kinds, message] of cases) {
    it(`${name}: a clear error naming the file`, async () => {
      const p = path();
      const err = await decodeError(decodeExcerpts(p, [{ startSec: 0, durationSec: 5 }]));
      assert.ok(kinds.includes(err.kind), `${err.kind}: ${err.message}`);
      assert.ok(err.message.startsWith(`${p}: `), err.message);
      assert.match(err.message, message);
    });
  }

  it('a WAV with a header and no samples: empty', async () => {
    const path = join(dir, 'no-samples.wav');
    ffmpeg(['-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=stereo', '-t', '0', '-c:a', 'pcm_s16le', path]);
    const err = await decodeError(decodeExcerpts(path, planExcerpts(null)));
    assert.equal(err.kind, 'empty');
  });

  it('nothing where the header says the audio is: truncated', async () => {
    // a 2 s file asked for audio at 5 s and 8 s, as a plan made from a wrong (or cut) header would
    const err = await decodeError(decodeExcerpts(lib.path('Artist A/Album One/01 First Tone.mp3'), [
      { startSec: 5, durationSec: 2 }, { startSec: 8, durationSec: 2 },
    ]));
    assert.equal(err.kind, 'truncated');
    assert.match(err.message, /no audio at 5\.0 s, 8\.0 s/);
  });

  it('a truncated MP3 decodes up to where it was cut', async () => {
    const got = await decodeExcerpts(lib.path('broken/truncated.mp3'), [{ startSec: 0, durationSec: 20 }]);
    assert.ok(got[0]!.durationSec > 4 && got[0]!.durationSec < 8, `${got[0]!.durationSec} s`);
  });

  it('an unreadable file: permission-denied', { skip: process.getuid?.() === 0 ? 'running as root: permissions do not apply' : false }, async () => {
    const path = join(dir, 'locked.flac');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', 'flac', path]);
    chmodSync(path, 0o000);
    const err = await decodeError(decodeExcerpts(path, [{ startSec: 0, durationSec: 1 }]));
    assert.equal(err.kind, 'permission-denied');
    chmodSync(path, 0o644);
  });

  it('no ffmpeg: a no-ffmpeg error, not a file error', async () => {
    const err = await decodeError(decodeExcerpts(lib.path('wav/tone.wav'), [{ startSec: 0, durationSec: 1 }], { ffmpegPath: join(dir, 'no-such-ffmpeg') }));
    assert.equal(err.kind, 'no-ffmpeg');
  });

  it('a timeout kills ffmpeg and says so', async () => {
    const pids: number[] = [];
    const err = await decodeError(decodeExcerpts(lib.path('wav/tone.wav'), [{ startSec: 0, durationSec: 1 }], {
      timeoutMs: 1, onProcess: (p) => p.running && pids.push(p.pid),
    }));
    assert.equal(err.kind, 'timeout');
    assert.match(err.message, /did not finish/);
    for (const pid of pids) assert.equal(isAlive(pid), false);
    if (CAN_LIST_PROCESSES) assert.deepEqual(ffmpegChildren(), []);
  });

  it('cancelling kills the running ffmpeg before returning; an aborted signal starts nothing', async () => {
    const long = join(dir, 'long.flac');
    ffmpeg(['-f', 'lavfi', '-i', 'anoisesrc=d=120:c=pink:r=44100', '-c:a', 'flac', long]);
    const controller = new AbortController();
    const pids: number[] = [];
    const err = await decodeError(decodeExcerpts(long, [{ startSec: 0, durationSec: 120 }], {
      signal: controller.signal,
      onProcess: (p) => {
        if (!p.running) return;
        pids.push(p.pid);
        setTimeout(() => controller.abort(), 20);
      },
    }));
    assert.equal(err.kind, 'cancelled');
    assert.equal(pids.length, 1);
    assert.equal(isAlive(pids[0]!), false, 'ffmpeg still running after cancel');
    if (CAN_LIST_PROCESSES) assert.deepEqual(ffmpegChildren(), []);

    const started: number[] = [];
    const again = await decodeError(decodeExcerpts(long, [{ startSec: 0, durationSec: 1 }], {
      signal: AbortSignal.abort(), onProcess: (p) => started.push(p.pid),
    }));
    assert.equal(again.kind, 'cancelled');
    assert.deepEqual(started, []);
  });
});

