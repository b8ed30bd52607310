// Listening in the window to files the browser engine cannot decode (AIFF, WMA, ALAC, WAV that is not plain
// PCM): ffmpeg turns them into 16-bit PCM WAV as they are played. The WAV's size is known from the duration
// before anything is decoded, and any byte range of it maps to a sample position, so the audio element sees
// an ordinary seekable file: a seek is a range request, answered by starting ffmpeg at that moment.
import { PassThrough, Readable } from 'node:stream';
import ffmpegCommand from 'fluent-ffmpeg';
import type { Container } from '../../shared/library.js';

/** What a WAV preview of a track looks like (from the scan's audio properties). */
export interface WavPreviewFormat {
  sampleRate: number;
  channels: 1 | 2;
  /** whole frames of the track (duration × rate, rounded) */
  frames: number;
}

const HEADER_BYTES = 44;
const BYTES_PER_SAMPLE = 2;

/**
 * Whether Chromium (Electron's, and Debian's chromium for web mode) plays this file itself. Conservative:
 * anything not on the list is transcoded; the window also falls back to the transcode when the file fails.
 */
export function browserPlays(container: Container | null, codec: string | null): boolean {
  const c = (codec ?? '').toLowerCase();
  switch (container) {
    case 'mp3': case 'flac': case 'opus': return true;
    case 'ogg': return /vorbis|opus|flac/.test(c);
    case 'mp4': return /aac|mp3|mpeg-1|flac|opus/.test(c) && !/alac/.test(c);
    // plain integer PCM only: WAVE_FORMAT_EXTENSIBLE, ADPCM, μ-law, ... are not all decoded by Chromium
    case 'wav': return c === 'pcm';
    default: return false; // aiff, asf (WMA), unknown
  }
}

/** The preview's format: the track's rate (48 kHz at most, 8 kHz at least), mono or stereo. */
export function wavPreviewFormat(audio: { durationSec: number | null; sampleRate: number | null; channels: number | null }): WavPreviewFormat | null {
  if (audio.durationSec == null || !(audio.durationSec > 0)) return null;
  const sampleRate = Math.round(Math.min(48_000, Math.max(8_000, audio.sampleRate ?? 44_100)));
  return { sampleRate, channels: audio.channels === 1 ? 1 : 2, frames: Math.round(audio.durationSec * sampleRate) };
}

export function wavPreviewSize(f: WavPreviewFormat): number {
  return HEADER_BYTES + f.frames * f.channels * BYTES_PER_SAMPLE;
}

/** The canonical 44-byte RIFF/WAVE header for 16-bit PCM. */
export function wavHeader(f: WavPreviewFormat): Buffer {
  const block = f.channels * BYTES_PER_SAMPLE;
  const data = f.frames * block;
  const h = Buffer.alloc(HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(Math.min(0xffffffff, 36 + data), 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(f.channels, 22);
  h.writeUInt32LE(f.sampleRate, 24);
  h.writeUInt32LE(f.sampleRate * block, 28);
  h.writeUInt16LE(block, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(Math.min(0xffffffff, data), 40);
  return h;
}

/**
 * Bytes start..end (inclusive) of the WAV preview of `path`. The header comes from the format; the samples
 * from ffmpeg started at the first wanted frame (-ss before -i: it seeks in the file, then decodes exactly
 * to that moment). A track ffmpeg finds shorter than its stated duration is padded with silence, a longer
 * one cut, so the length always matches the promise. Destroying the stream stops ffmpeg.
 */
export function wavPreviewStream(ffmpeg: string, path: string, f: WavPreviewFormat, start: number, end: number): Readable {
  const header = wavHeader(f);
  const block = f.channels * BYTES_PER_SAMPLE;
  const last = Math.min(end, wavPreviewSize(f) - 1);
  async function* bytes(): AsyncGenerator<Buffer> {
    let at = start;
    if (at < HEADER_BYTES) {
      const part = header.subarray(at, Math.min(HEADER_BYTES, last + 1));
      at += part.length;
      yield part;
    }
    if (at > last) return;
    const offset = at - HEADER_BYTES;
    const frame = Math.floor(offset / block);
    let skip = offset - frame * block;
    let remaining = last + 1 - at;
    // fluent-ffmpeg builds the command and owns the process; its 'error' covers both a failed decode and
    // the kill below, so the exit status is read from it (the samples' stream ends either way)
    const samples = new PassThrough();
    const command = ffmpegCommand(path).setFfmpegPath(ffmpeg)
      .inputOptions(['-hide_banner', '-nostdin', '-v', 'error', ...(frame > 0 ? ['-ss', (frame / f.sampleRate).toFixed(6)] : [])])
      .outputOptions(['-map', '0:a:0'])
      .noVideo().audioChannels(f.channels).audioFrequency(f.sampleRate).audioCodec('pcm_s16le').format('s16le');
    let started = false;
    command.once('start', () => { started = true; });
    const exited = new Promise<boolean>((resolve) => {
      command.once('end', () => resolve(true));
      command.once('error', () => resolve(false));
    });
    command.pipe(samples, { end: true });
    let produced = 0;
    try {
      for await (const chunk of samples as AsyncIterable<Buffer>) {
        let c = chunk;
        if (skip) {
          const n = Math.min(skip, c.length);
          c = c.subarray(n);
          skip -= n;
        }
        if (!c.length) continue;
        produced += c.length;
        if (c.length >= remaining) {
          yield c.subarray(0, remaining);
          remaining = 0;
          break;
        }
        remaining -= c.length;
        yield c;
      }
      // nothing decoded at all: a broken file is an error, not minutes of silence
      if (remaining > 0 && produced === 0 && !(await exited)) throw new Error(`ffmpeg could not decode ${path}`);
      // ffmpeg ended early (a duration rounded up, a truncated file): silence up to the promised length
      const silence = Buffer.alloc(Math.min(remaining, 64 * 1024));
      while (remaining > 0) {
        const n = Math.min(remaining, silence.length);
        remaining -= n;
        yield silence.subarray(0, n);
      }
    } finally {
      // a range answered before ffmpeg even started (fluent-ffmpeg checks its capabilities first) still
      // stops it as soon as it starts
      if (started) command.kill('SIGKILL');
      else command.once('start', () => command.kill('SIGKILL'));
      samples.destroy();
      await exited;
    }
  }
  return Readable.from(bytes(), { objectMode: false });
}
