// Decoding excerpts of an audio file to mono float32 PCM (16 kHz for musicnn, 32 kHz for EfficientAT) with the
// real ffmpeg: ONE ffmpeg run per track for all its excerpts (an input with its own seek per excerpt, each written
// to its own pipe), a timeout per run, and no process left behind.
import { constants as fsConstants, accessSync, promises as fsp } from 'node:fs';
import { delimiter, join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { findFfmpeg } from './ffmpeg-binary.js';
import { notRegularReason } from '../library/regular-file.js';
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
  /** limit for the ffmpeg run (all excerpts of the file), ms; default 30 s */
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

/** The useful part of ffmpeg's complaint: its last stderr lines, without our file name. */
function ffmpegReason(message: string, path: string): string {
  const lines = message
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
 * Is `bin` an executable we can start? (A missing binary is told apart from a file ffmpeg cannot read before
 * anything is spawned.) A bare name is looked up on the PATH.
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
 * Decode each planned excerpt ([startSec, startSec + durationSec)) to mono float32 PCM at opts.sampleRate, all in
 * one ffmpeg run (starting a process costs more CPU than decoding a 3 s excerpt). An excerpt that lies past the
 * real end of the audio yields nothing and is left out of the result, with every excerpt after it. Throws
 * DecodeError: missing / permission-denied / empty (0 bytes, or no audio at all from the start) / truncated (no
 * audio at any planned position after the start: the file is shorter than its header says) / undecodable (ffmpeg
 * failed) / timeout / killed / cancelled (signal aborted; the running ffmpeg is killed and awaited first).
 */
export async function decodeExcerpts(path: string, plan: readonly Excerpt[], opts: DecodeOptions = {}): Promise<DecodedExcerpt[]> {
  if (opts.signal?.aborted) throw new DecodeError('cancelled', path, 'cancelled');
  try {
    const st = await fsp.stat(path);
    // ffmpeg would wait for good on a FIFO: only regular files are decoded
    if (!st.isFile()) return Promise.reject(new DecodeError('undecodable', path, notRegularReason(st)));
    await fsp.access(path, fsConstants.R_OK);
    if (st.size === 0) throw new DecodeError('empty', path, 'the file is empty (0 bytes)');
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    throw describeStatError(err, path);
  }
  const bin = opts.ffmpegPath ?? findFfmpeg().path;
  if (!canRun(bin)) throw new DecodeError('no-ffmpeg', path, `ffmpeg cannot be started: ${bin} is not an executable file`);
  const rate = opts.sampleRate ?? DECODE_SAMPLE_RATE;
  const pcms = plan.length ? await decodeAll(path, bin, plan, opts) : [];
  const out: DecodedExcerpt[] = [];
  for (let i = 0; i < plan.length; i++) {
    const pcm = pcms[i]!;
    // past the end: later excerpts lie further on, so stop here
    if (pcm.length === 0) break;
    out.push({ startSec: plan[i]!.startSec, durationSec: pcm.length / rate, sampleRate: rate, pcm });
  }
  if (out.length === 0 && plan.length > 0) {
    const first = plan[0]!;
    if (first.startSec <= 0) throw new DecodeError('empty', path, 'ffmpeg found no audio samples in the file');
    const at = plan.map((e) => `${e.startSec.toFixed(1)} s`).join(', ');
    throw new DecodeError('truncated', path, `no audio at ${at}: the audio ends before the length its header states (truncated file?)`);
  }
  return out;
}

/** One output of the run: a pipe into a buffer sized for its excerpt (it may only grow a little past that). */
class ExcerptSink {
  private buf: Uint8Array;
  private used = 0;

  constructor(
    expected: number,
    private readonly limit: number,
  ) {
    this.buf = new Uint8Array(expected);
  }

  /** false when the chunk would pass the limit (ffmpeg produces more than the excerpt can hold) */
  add(chunk: Buffer): boolean {
    if (this.used + chunk.length > this.limit) return false;
    if (this.used + chunk.length > this.buf.length) {
      const bigger = new Uint8Array(Math.min(this.limit, Math.max(this.buf.length * 2, this.used + chunk.length)));
      bigger.set(this.buf.subarray(0, this.used));
      this.buf = bigger;
    }
    this.buf.set(chunk, this.used);
    this.used += chunk.length;
    return true;
  }

  /**
   * The samples, over the sink's own buffer (no copy: a track's audio is ~4 MB, and each copy is garbage that piles up
   * in the thread until V8 collects). The buffer is sized for the excerpt, so a view holds at most a little slack.
   */
  pcm(): Float32Array {
    return new Float32Array(this.buf.buffer, 0, this.used >> 2);
  }
}

/**
 * The ffmpeg run: input k is the file seeked to excerpt k (`-ss`/`-t` before `-i`: fast input seeking, exact to
 * the sample since ffmpeg decodes from the packet before and drops the rest), output k goes to pipe fd 3 + k.
 * (Windows: Node hands fds above 2 to the child through the C runtime's handle inheritance, which ffmpeg's
 * `pipe:N` reads like any C program.) ffmpeg interleaves the outputs, so every pipe is drained as it fills.
 */
function decodeArgs(path: string, plan: readonly Excerpt[], rate: DecodeSampleRate): string[] {
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error'];
  for (const e of plan) {
    // `file:` keeps a name containing ':' from being read as a protocol
    args.push('-guess_layout_max', '8', '-ss', e.startSec.toFixed(3), '-t', e.durationSec.toFixed(3), '-i', `file:${path}`);
  }
  plan.forEach((_, k) => args.push('-map', `${k}:a:0`, '-af', downmixFilter(rate), '-f', 'f32le', `pipe:${3 + k}`));
  return args;
}

/** Why an ffmpeg run that we did not stop ourselves failed, or null when it succeeded. */
function exitFailure(path: string, bin: string, exit: { code: number | null; signal: NodeJS.Signals | null; spawnError?: Error; killedByUs: boolean }, stderr: string): DecodeError | null {
  if (exit.spawnError) return new DecodeError('no-ffmpeg', path, `ffmpeg could not be started (${bin}): ${exit.spawnError.message}`);
  if (exit.signal && !exit.killedByUs) return new DecodeError('killed', path, `ffmpeg was killed from outside (signal ${exit.signal}); the file may be fine`);
  if (exit.code !== 0) return new DecodeError(classifyFailure(stderr), path, `ffmpeg could not decode the audio (${ffmpegReason(stderr, path)})`);
  return null;
}

function decodeAll(path: string, bin: string, plan: readonly Excerpt[], opts: DecodeOptions): Promise<Float32Array[]> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const rate = opts.sampleRate ?? DECODE_SAMPLE_RATE;
  const args = decodeArgs(path, plan, rate);
  // 4 bytes per sample; a little slack for resampler rounding
  const sinks = plan.map((e) => {
    const expected = Math.ceil((e.durationSec + 0.1) * rate) * 4;
    return new ExcerptSink(expected, expected + 64 * 1024);
  });
  return new Promise<Float32Array[]>((resolve, reject) => {
    let failure: DecodeError | null = null;
    let killedByUs = false;
    let stderr = '';
    let settled = false;
    let proc: ChildProcess;
    try {
      proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe', ...plan.map(() => 'pipe' as const)], windowsHide: true });
    } catch (err) {
      reject(new DecodeError('no-ffmpeg', path, `ffmpeg could not be started (${bin}): ${(err as Error).message}`));
      return;
    }
    const pid = proc.pid;
    if (pid != null) opts.onProcess?.({ pid, running: true });

    const kill = (reason: DecodeError) => {
      failure ??= reason;
      killedByUs = true;
      try {
        proc.kill('SIGKILL');
      } catch {
        // already gone
      }
    };
    const onAbort = () => kill(new DecodeError('cancelled', path, 'cancelled'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => kill(new DecodeError('timeout', path, `ffmpeg did not finish within ${(timeoutMs / 1000).toFixed(0)} s`)),
      timeoutMs,
    );
    if (opts.signal?.aborted) onAbort();

    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (d: string) => {
      if (stderr.length < 64 * 1024) stderr += d;
    });
    sinks.forEach((sink, k) => {
      const pipe = proc.stdio[3 + k] as Readable;
      pipe.on('data', (chunk: Buffer) => {
        if (!sink.add(chunk)) kill(new DecodeError('undecodable', path, 'ffmpeg produced more audio than the excerpt can hold'));
      });
      // a pipe error (EPIPE after a kill) ends in 'close' like everything else
      pipe.on('error', () => {});
    });

    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (pid != null) opts.onProcess?.({ pid, running: false });
      failure ??= exitFailure(path, bin, { code, signal, spawnError, killedByUs }, stderr);
      if (failure) reject(failure);
      else resolve(sinks.map((s) => s.pcm()));
    };
    // 'close': the process has exited AND every pipe has been read to its end
    proc.on('close', (code, signal) => finish(code, signal));
    proc.on('error', (err) => {
      // no process (spawn failed): there is nothing to wait for
      if (proc.pid == null) finish(null, null, err);
    });
  });
}
