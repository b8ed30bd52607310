// Decoding excerpts of an audio file to mono float32 PCM (16 kHz for musicnn, 32 kHz for EfficientAT) with the
// real ffmpeg (via fluent-ffmpeg): one short ffmpeg run per excerpt with input seeking, a timeout per run, and
// no process left behind.
import { constants as fsConstants, accessSync, promises as fsp } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { findFfmpeg } from './ffmpeg-binary.js';
import type { Excerpt } from './excerpt-plan.js';

export const DECODE_SAMPLE_RATE = 16000;
/** The rates the backbones hear: musicnn 16 kHz, EfficientAT 32 kHz. */
export type DecodeSampleRate = 16000 | 32000;

/**
 * The ffmpeg filter that makes the model's input: resample (16 kHz unless told), down-mix to mono, float32.
 * The down-mix must AVERAGE the channels like librosa.load(mono=True), which musicnn was trained on.
 * ffmpeg's plain `-ac 1` gives (L+R)·0.707 for float output (1.41× the average); `rematrix_maxval=1`
 * makes swresample scale its mixing matrix so each output's weights sum to 1: mono stays as is, stereo
 * becomes exactly (L+R)/2, and multichannel files get ffmpeg's standard down-mix, normalised (weights
 * summing to 1, LFE left out) rather than a plain mean of all channels. This works without knowing the
 * channel count in advance, unlike a `pan=mono|c0=0.5*c0+0.5*c1` filter (which halves a mono file).
 */
export function downmixFilter(sampleRate: DecodeSampleRate = DECODE_SAMPLE_RATE): string {
  return `aresample=${sampleRate}:ocl=mono:rematrix_maxval=1,aformat=sample_fmts=flt:channel_layouts=mono`;
}

export const DECODE_ERROR_KINDS = [
  'missing', 'permission-denied', 'empty', 'undecodable', 'truncated', 'timeout', 'killed', 'cancelled', 'no-ffmpeg',
] as const;
export type DecodeErrorKind = (typeof DECODE_ERROR_KINDS)[number];

/** A decode failure, naming the file and the reason. `killed`: ffmpeg died from a signal we did not send (retry). */
export class DecodeError extends Error {
  constructor(readonly kind: DecodeErrorKind, readonly path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'DecodeError';
  }
}

export interface DecodedExcerpt {
  startSec: number;
  /** seconds of audio actually decoded (pcm.length / sampleRate): the last excerpt may be shorter than planned */
  durationSec: number;
  sampleRate: DecodeSampleRate;
  pcm: Float32Array;
}

export interface DecodeOptions {
  /** output sample rate, Hz (default 16000) */
  sampleRate?: DecodeSampleRate;
  signal?: AbortSignal;
  /** limit for each ffmpeg run (one excerpt), ms; default 30 s */
  timeoutMs?: number;
  /** ffmpeg binary; default findFfmpeg() */
  ffmpegPath?: string;
  /** told the pid of every ffmpeg started and, later, that it has exited (lets a supervisor reap orphans) */
  onProcess?: (event: { pid: number; running: boolean }) => void;
}

const DEFAULT_TIMEOUT_MS = 30_000;

function describeStatError(err: unknown, path: string): DecodeError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new DecodeError('missing', path, 'file not found');
  if (code === 'EACCES' || code === 'EPERM') return new DecodeError('permission-denied', path, 'permission denied');
  return new DecodeError('undecodable', path, `cannot open the file (${code ?? (err as Error).message})`);
}

/** The useful part of ffmpeg's complaint: its last stderr lines, without fluent-ffmpeg's prefix or our file name. */
function ffmpegReason(message: string, path: string): string {
  const lines = message
    .replace(/^ffmpeg exited with code \d+:\s*/, '')
    .split('\n')
    .map((l) => l.split(`file:${path}: `).join('').trim())
    .filter((l) => l && !/^Conversion failed/.test(l));
  return lines.slice(-2).join('; ') || 'unknown error';
}

/** Truncated containers have recognisable complaints; everything else that fails is "undecodable". */
function classifyFailure(stderr: string): DecodeErrorKind {
  return /moov atom not found|truncat|partial file|unexpected end|end of file/i.test(stderr) ? 'truncated' : 'undecodable';
}

const usable = new Set<string>();

/**
 * Is `bin` an executable we can start? (fluent-ffmpeg throws from inside an event handler when the spawn
 * fails, so a missing binary must be caught before.) A bare name is looked up on the PATH.
 */
function canRun(bin: string): boolean {
  if (usable.has(bin)) return true;
  const candidates = /[\\/]/.test(bin)
    ? [bin]
    : (process.env.PATH ?? '').split(delimiter).filter(Boolean).flatMap((d) =>
      process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE').split(';').map((e) => join(d, bin + e)).concat(join(d, bin)) : [join(d, bin)]);
  for (const c of candidates) {
    try {
      accessSync(c, fsConstants.X_OK);
      usable.add(bin);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/**
 * Decode each planned excerpt ([startSec, startSec + durationSec)) to mono float32 PCM at opts.sampleRate.
 * Excerpts are decoded one after another (each is a fraction of a second of work); an excerpt that lies
 * past the real end of the audio yields nothing and is left out of the result. Throws DecodeError:
 * missing / permission-denied / empty (0 bytes, or no audio at all from the start) / truncated (no audio at
 * any planned position after the start: the file is shorter than its header says) / undecodable (ffmpeg
 * failed) / timeout / killed / cancelled (signal aborted; the running ffmpeg is killed and awaited first).
 */
export async function decodeExcerpts(path: string, plan: readonly Excerpt[], opts: DecodeOptions = {}): Promise<DecodedExcerpt[]> {
  if (opts.signal?.aborted) throw new DecodeError('cancelled', path, 'cancelled');
  try {
    const st = await fsp.stat(path);
    if (!st.isFile()) return Promise.reject(new DecodeError('undecodable', path, 'not a regular file'));
    await fsp.access(path, fsConstants.R_OK);
    if (st.size === 0) throw new DecodeError('empty', path, 'the file is empty (0 bytes)');
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    throw describeStatError(err, path);
  }
  const bin = opts.ffmpegPath ?? findFfmpeg().path;
  if (!canRun(bin)) throw new DecodeError('no-ffmpeg', path, `ffmpeg cannot be started: ${bin} is not an executable file`);
  const rate = opts.sampleRate ?? DECODE_SAMPLE_RATE;
  const out: DecodedExcerpt[] = [];
  for (const excerpt of plan) {
    const pcm = await decodeOne(path, bin, excerpt, opts);
    if (pcm.length === 0) {
      // past the end: later excerpts lie further on, so stop here
      break;
    }
    out.push({ startSec: excerpt.startSec, durationSec: pcm.length / rate, sampleRate: rate, pcm });
  }
  if (out.length === 0 && plan.length > 0) {
    const first = plan[0]!;
    if (first.startSec <= 0) throw new DecodeError('empty', path, 'ffmpeg found no audio samples in the file');
    const at = plan.map((e) => `${e.startSec.toFixed(1)} s`).join(', ');
    throw new DecodeError('truncated', path, `no audio at ${at}: the audio ends before the length its header states (truncated file?)`);
  }
  return out;
}

function decodeOne(path: string, bin: string, excerpt: Excerpt, opts: DecodeOptions): Promise<Float32Array> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // 4 bytes per sample; a little slack for resampler rounding
  const rate = opts.sampleRate ?? DECODE_SAMPLE_RATE;
  const expected = Math.ceil((excerpt.durationSec + 0.1) * rate) * 4;
  const limit = expected + 64 * 1024;
  return new Promise<Float32Array>((resolve, reject) => {
    let buf = new Uint8Array(expected);
    let used = 0;
    let failure: DecodeError | null = null;
    let killedByUs = false;
    let proc: ChildProcess | undefined;
    let pid: number | undefined;
    let cmdDone = false;
    let streamDone = false;
    let settled = false;

    const cmd = ffmpeg({ stdoutLines: 30 })
      .setFfmpegPath(bin)
      // `file:` keeps a name containing ':' from being read as a protocol
      .input(`file:${path}`)
      .inputOptions(['-nostdin', '-hide_banner', '-loglevel', 'error', '-guess_layout_max', '8',
        '-ss', excerpt.startSec.toFixed(3), '-t', excerpt.durationSec.toFixed(3)])
      .outputOptions(['-map', '0:a:0', '-af', downmixFilter(rate)])
      .format('f32le');

    const kill = (reason: DecodeError) => {
      failure ??= reason;
      killedByUs = true;
      try {
        proc?.kill('SIGKILL');
      } catch {
        // already gone
      }
    };
    const onAbort = () => kill(new DecodeError('cancelled', path, 'cancelled'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => kill(new DecodeError('timeout', path, `ffmpeg did not finish an excerpt within ${(timeoutMs / 1000).toFixed(0)} s`)),
      timeoutMs,
    );

    const finish = () => {
      // both ffmpeg's exit (fluent-ffmpeg 'end'/'error') and the end of its output must have happened; an
      // output that has not ended 2 s after the exit never will (it cannot hold more data)
      if (cmdDone && !streamDone && !settled) {
        setTimeout(() => {
          streamDone = true;
          finish();
        }, 2000).unref();
      }
      if (!cmdDone || !streamDone || settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (pid != null) opts.onProcess?.({ pid, running: false });
      if (failure) return reject(failure);
      const samples = used >> 2;
      resolve(new Float32Array(buf.buffer.slice(0, samples * 4)));
    };

    cmd.on('start', () => {
      proc = (cmd as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
      pid = proc?.pid;
      if (pid != null) opts.onProcess?.({ pid, running: true });
      if (opts.signal?.aborted) onAbort();
    });
    cmd.on('error', (err: Error) => {
      if (!failure) {
        const msg = err.message ?? String(err);
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || /Cannot find ffmpeg/.test(msg)) {
          failure = new DecodeError('no-ffmpeg', path, `ffmpeg could not be started (${bin}): ${msg}`);
        } else if (/killed with signal/.test(msg) && !killedByUs) {
          failure = new DecodeError('killed', path, `ffmpeg was killed from outside (${msg}); the file may be fine`);
        } else if (!killedByUs) {
          failure = new DecodeError(classifyFailure(msg), path, `ffmpeg could not decode the audio (${ffmpegReason(msg, path)})`);
        }
      }
      cmdDone = true;
      // a process that never started has no output stream to wait for
      if (!proc) streamDone = true;
      finish();
    });
    cmd.on('end', () => {
      cmdDone = true;
      finish();
    });

    // Our own sink that never emits 'close': fluent-ffmpeg reports "Output stream closed" as an error when
    // an output stream closes more than 20 ms before it has seen the process exit (a race under load).
    const sink = new Writable({
      emitClose: false,
      autoDestroy: false,
      write(chunk: Buffer, _enc, callback) {
        if (used + chunk.length > limit) {
          kill(new DecodeError('undecodable', path, 'ffmpeg produced more audio than the excerpt can hold'));
          return callback();
        }
        if (used + chunk.length > buf.length) {
          const bigger = new Uint8Array(Math.min(limit, Math.max(buf.length * 2, used + chunk.length)));
          bigger.set(buf.subarray(0, used));
          buf = bigger;
        }
        buf.set(chunk, used);
        used += chunk.length;
        callback();
      },
      final(callback) {
        streamDone = true;
        finish();
        callback();
      },
    });
    cmd.pipe(sink, { end: true });
  });
}
