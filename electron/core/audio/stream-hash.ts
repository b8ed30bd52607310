// The audio's identity: an MD5 of the audio packets as ffmpeg's demuxer delivers them (`-c copy`: nothing is
// decoded). Tags, padding, cover pictures and page or chunk layout are not part of it; any changed audio byte is.
// The tag writer checks with it that a write left the audio alone; the analysis keeps it, so that a file whose
// tags alone changed (a write by Spectag or by any other tool) is not listened to again.
import { spawn, type ChildProcess } from 'node:child_process';
import { findFfmpeg } from './ffmpeg-binary.js';

export interface StreamHashOptions {
  signal?: AbortSignal;
  /** ffmpeg binary; default findFfmpeg() */
  ffmpegPath?: string;
  /** limit for the ffmpeg run, ms; default 60 s (it reads the whole file) */
  timeoutMs?: number;
  /** told the pid of the ffmpeg started and, later, that it has exited (lets a supervisor reap orphans) */
  onProcess?: (event: { pid: number; running: boolean }) => void;
}

export class StreamHashError extends Error {
  /** 'ABORT_ERR' when cancelled (as Node names an aborted operation) */
  readonly code: string | undefined;
  constructor(readonly path: string, reason: string) {
    super(`${path}: no audio hash: ${reason}`);
    this.name = 'StreamHashError';
    if (reason === 'cancelled') this.code = 'ABORT_ERR';
  }
}

/** MD5 (hex) of the file's audio packets. Throws StreamHashError (ffmpeg failed, timed out, cancelled). */
export function audioStreamHash(path: string, opts: StreamHashOptions = {}): Promise<string> {
  const bin = opts.ffmpegPath ?? findFfmpeg().path;
  // file: so that a name with a colon is never taken for a protocol
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-i', `file:${path}`, '-map', '0:a', '-c', 'copy', '-f', 'md5', '-'];
  return new Promise<string>((resolve, reject) => {
    let proc: ChildProcess;
    try {
      proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (err) {
      reject(new StreamHashError(path, `ffmpeg could not be started (${(err as Error).message})`));
      return;
    }
    const pid = proc.pid;
    if (pid != null) opts.onProcess?.({ pid, running: true });
    let out = '';
    let err = '';
    let failure: string | null = null;
    let settled = false;
    const kill = (reason: string) => {
      failure ??= reason;
      try {
        proc.kill('SIGKILL');
      } catch {
        // already gone
      }
    };
    const onAbort = () => kill('cancelled');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const timer = setTimeout(() => kill(`ffmpeg did not finish within ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
      if (err.length < 16 * 1024) err += d;
    });
    const finish = (code: number | null, spawnError?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (pid != null) opts.onProcess?.({ pid, running: false });
      const m = /MD5=([0-9a-f]{32})/.exec(out);
      if (failure) reject(new StreamHashError(path, failure));
      else if (spawnError) reject(new StreamHashError(path, `ffmpeg could not be started (${spawnError.message})`));
      else if (code !== 0 || !m) reject(new StreamHashError(path, err.trim().split('\n').slice(-2).join('; ') || `ffmpeg exited with code ${code}`));
      else resolve(m[1]!);
    };
    proc.on('close', (code) => finish(code));
    proc.on('error', (e) => {
      if (proc.pid == null) finish(null, e);
    });
  });
}
