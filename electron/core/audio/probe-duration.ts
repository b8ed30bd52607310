// The duration of a file as ffmpeg sees it, for files whose header the scanner could not read it from
// (e.g. Ogg, where it sits in the last page): `ffmpeg -i file` prints "Duration: hh:mm:ss.cc" and stops.
import { spawn } from 'node:child_process';
import { findFfmpeg } from './ffmpeg-binary.js';

export interface ProbeOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  ffmpegPath?: string;
  onProcess?: (event: { pid: number; running: boolean }) => void;
}

/** Seconds, or null when ffmpeg reports none (N/A), cannot open the file, or is stopped. Never throws. */
export function probeDurationSec(path: string, opts: ProbeOptions = {}): Promise<number | null> {
  return new Promise((resolve) => {
    if (opts.signal?.aborted) return resolve(null);
    const bin = opts.ffmpegPath ?? findFfmpeg().path;
    let stderr = '';
    let child;
    try {
      child = spawn(bin, ['-hide_banner', '-nostdin', '-i', `file:${path}`], { stdio: ['ignore', 'ignore', 'pipe'], windowsHide: true });
    } catch {
      return resolve(null);
    }
    const pid = child.pid;
    if (pid != null) opts.onProcess?.({ pid, running: true });
    const kill = () => child.kill('SIGKILL');
    const timer = setTimeout(kill, opts.timeoutMs ?? 15_000);
    opts.signal?.addEventListener('abort', kill, { once: true });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      if (stderr.length < 64 * 1024) stderr += d;
    });
    const done = () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', kill);
      if (pid != null) opts.onProcess?.({ pid, running: false });
      const m = /Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(stderr);
      const sec = m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
      resolve(sec != null && Number.isFinite(sec) && sec > 0 ? sec : null);
    };
    child.on('error', () => resolve(null));
    child.on('close', done);
  });
}
