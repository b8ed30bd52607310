// Which ffmpeg processes are running, for the no-orphan checks (Linux /proc; elsewhere the checks skip).
import { readdirSync, readFileSync } from 'node:fs';

export const CAN_LIST_PROCESSES = process.platform === 'linux';

interface Proc {
  pid: number;
  ppid: number;
  cmdline: string;
}

function listProcesses(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may contain spaces, so split after the last ')'
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z') continue; // a zombie is already dead
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      out.push({ pid: Number(name), ppid: Number(rest[1]), cmdline });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** ffmpeg processes whose command line mentions `marker` (e.g. a test's temp folder). */
export function ffmpegProcessesMentioning(marker: string): Proc[] {
  return listProcesses().filter((p) => /ffmpeg/.test(p.cmdline.split(' ')[0] ?? '') && p.cmdline.includes(marker));
}

/** ffmpeg processes that are children of this process. */
export function ffmpegChildren(): Proc[] {
  return listProcesses().filter((p) => p.ppid === process.pid && /ffmpeg/.test(p.cmdline.split(' ')[0] ?? ''));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !readFileSafe(`/proc/${pid}/stat`).includes(') Z ');
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
