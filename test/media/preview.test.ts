// Preview of formats the browser engine cannot decode: the WAV made by ffmpeg as it is played, with any byte
// range served by starting ffmpeg at the matching sample (how the audio element seeks). Real files by ffmpeg.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FFMPEG, ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { readAudioFile } from '../../electron/core/library/read-file.js';
import { browserPlays, wavHeader, wavPreviewFormat, wavPreviewSize, wavPreviewStream, type WavPreviewFormat } from '../../electron/core/media/preview.js';

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** ffmpeg's own decode of the whole file, as the preview's samples should be. */
function decodeAll(path: string, f: WavPreviewFormat): Buffer {
  return execFileSync(FFMPEG, ['-v', 'error', '-i', path, '-map', '0:a:0', '-ac', String(f.channels), '-ar', String(f.sampleRate), '-f', 's16le', 'pipe:1'], { maxBuffer: 1 << 28 });
}

describe('WAV preview of formats Chromium cannot play', () => {
  let dir: string;
  const files: Record<string, string> = {};

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-preview-'));
    const make = (name: string, args: string[]) => {
      files[name] = join(dir, name);
      ffmpeg([...args, files[name]!]);
    };
    // two tones, left and right, 8 s: a wrong channel order or offset shows in the samples
    make('tone.aiff', [...SOUNDS.stereo(8), '-c:a', 'pcm_s16be', '-write_id3v2', '1', '-metadata', 'title=Aiff']);
    make('tone.wma', [...SOUNDS.stereo(4), '-c:a', 'wmav2', '-b:a', '96k']);
    make('alac.m4a', [...SOUNDS.stereo(4), '-c:a', 'alac']);
    make('aac.m4a', [...SOUNDS.tone(2), '-c:a', 'aac']);
    make('tone.mp3', [...SOUNDS.tone(2), '-c:a', 'libmp3lame']);
    make('tone.flac', [...SOUNDS.tone(2), '-c:a', 'flac']);
    make('vorbis.ogg', [...SOUNDS.tone(2), '-c:a', 'libvorbis']);
    make('opus.opus', [...SOUNDS.tone(2), '-c:a', 'libopus']);
    make('pcm.wav', [...SOUNDS.tone(2), '-c:a', 'pcm_s16le']);
    make('float.wav', [...SOUNDS.tone(2), '-c:a', 'pcm_f32le']);
    make('adpcm.wav', [...SOUNDS.tone(2), '-c:a', 'adpcm_ms']);
    make('mono96k.aiff', ['-f', 'lavfi', '-i', 'sine=frequency=1000:duration=2:sample_rate=96000', '-c:a', 'pcm_s24be']);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  const scanned = async (name: string) => {
    const r = await readAudioFile(files[name]!);
    assert.ok(r.ok, `${name} readable`);
    if (!r.ok) throw new Error('unreadable');
    return r.audio;
  };

  it('knows, from what the scan found, which files the browser plays itself and which it must be given as WAV', async () => {
    const expected: Record<string, boolean> = {
      'tone.aiff': false, 'tone.wma': false, 'alac.m4a': false, 'float.wav': false, 'adpcm.wav': false, 'mono96k.aiff': false,
      'aac.m4a': true, 'tone.mp3': true, 'tone.flac': true, 'vorbis.ogg': true, 'opus.opus': true, 'pcm.wav': true,
    };
    for (const [name, plays] of Object.entries(expected)) {
      const a = await scanned(name);
      assert.equal(browserPlays(a.container, a.codec), plays, `${name} (${a.container}, ${a.codec})`);
    }
  });

  it('gives a whole AIFF as a valid WAV with exactly ffmpeg\'s samples and the size it announced', async () => {
    const a = await scanned('tone.aiff');
    const f = wavPreviewFormat(a)!;
    assert.deepEqual({ rate: f.sampleRate, ch: f.channels }, { rate: 44100, ch: 2 });
    const size = wavPreviewSize(f);
    const wav = await collect(wavPreviewStream(FFMPEG, files['tone.aiff']!, f, 0, size - 1));
    assert.equal(wav.length, size);
    assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
    assert.equal(wav.readUInt32LE(40), size - 44, 'data chunk size');
    const pcm = decodeAll(files['tone.aiff']!, f);
    assert.equal(pcm.length, size - 44, 'the 8 s are all there');
    assert.ok(wav.subarray(44).equals(pcm), 'samples identical to a straight decode');
    // ffmpeg itself reads the preview back as 8 s of stereo
    const back = join(dir, 'back.wav');
    writeFileSync(back, wav);
    const again = await readAudioFile(back);
    assert.ok(again.ok && Math.abs((again.audio.durationSec ?? 0) - 8) < 0.01 && again.audio.channels === 2);
  });

  it('answers a range in the middle (a seek) with the same bytes as the whole file has there', async () => {
    const a = await scanned('tone.aiff');
    const f = wavPreviewFormat(a)!;
    const full = Buffer.concat([wavHeader(f), decodeAll(files['tone.aiff']!, f)]);
    // 5.3 s in, not on a frame boundary, and a range that starts inside the header
    for (const [start, end] of [[44 + Math.round(5.3 * 44100) * 4 + 3, 44 + Math.round(5.3 * 44100) * 4 + 3 + 20_000], [20, 5000], [full.length - 100, full.length - 1]] as const) {
      const part = await collect(wavPreviewStream(FFMPEG, files['tone.aiff']!, f, start, end));
      assert.equal(part.length, end - start + 1, `length of ${start}-${end}`);
      assert.ok(part.equals(full.subarray(start, end + 1)), `bytes ${start}-${end}`);
    }
  });

  it('previews WMA and ALAC too: the promised length, real sound, and a range from the middle', async () => {
    for (const name of ['tone.wma', 'alac.m4a']) {
      const f = wavPreviewFormat(await scanned(name))!;
      const size = wavPreviewSize(f);
      const wav = await collect(wavPreviewStream(FFMPEG, files[name]!, f, 0, size - 1));
      assert.equal(wav.length, size, name);
      let peak = 0;
      for (let i = 44; i < wav.length - 1; i += 2) peak = Math.max(peak, Math.abs(wav.readInt16LE(i)));
      assert.ok(peak > 8000, `${name}: sound, not silence (peak ${peak})`);
      const at2s = 44 + 2 * f.sampleRate * f.channels * 2;
      const part = await collect(wavPreviewStream(FFMPEG, files[name]!, f, at2s, at2s + 9999));
      assert.equal(part.length, 10_000);
    }
  });

  it('caps a 96 kHz file at 48 kHz and keeps mono mono', async () => {
    const f = wavPreviewFormat(await scanned('mono96k.aiff'))!;
    assert.deepEqual({ rate: f.sampleRate, ch: f.channels, frames: f.frames }, { rate: 48000, ch: 1, frames: 96000 });
  });

  it('fails, rather than playing silence, on a file ffmpeg cannot decode', async () => {
    const bad = join(dir, 'bad.aiff');
    writeFileSync(bad, Buffer.alloc(5000, 7));
    const f: WavPreviewFormat = { sampleRate: 44100, channels: 2, frames: 44100 };
    await assert.rejects(collect(wavPreviewStream(FFMPEG, bad, f, 0, wavPreviewSize(f) - 1)), /could not decode/);
  });
});
