// Spectag opens only regular files. A named pipe (FIFO) blocks whoever opens it until a writer appears (a
// thread, an ffmpeg run or the whole event loop would wait forever); a device or a socket is not music either.
// Every place that opens a track checks first, and opens with O_NONBLOCK where the file could be swapped between
// the check and the open (O_NONBLOCK makes opening a FIFO return at once; it changes nothing for a regular file).
import { constants, fstatSync, openSync, closeSync, promises as fsp, statSync, type Stats } from 'node:fs';

/** Thrown for a path that exists but is not a regular file; `code` lets the callers' errno switches see it. */
export class NotRegularFileError extends Error {
  readonly code = 'ENOTREG';
  /** the reason without the path */
  readonly reason: string;
  constructor(readonly path: string, readonly what: string) {
    super(`${path}: ${reasonFor(what)}`);
    this.reason = reasonFor(what);
    this.name = 'NotRegularFileError';
  }
}

const reasonFor = (what: string) => `it is ${what}, not a regular file; Spectag reads only regular files`;

/** What a non-regular file is, in words. */
export function fileTypeName(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a folder';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a plain file';
}

/** Why a file that is not regular is left alone, in words (without its path). */
export function notRegularReason(st: Stats): string {
  return reasonFor(fileTypeName(st));
}

/** The stat of `path` (links followed) when it is a regular file; NotRegularFileError otherwise, fs errors as they are. */
export function regularFileStatSync(path: string): Stats {
  const st = statSync(path);
  if (!st.isFile()) throw new NotRegularFileError(path, fileTypeName(st));
  return st;
}

/** As regularFileStatSync, without blocking the thread. */
export async function regularFileStat(path: string): Promise<Stats> {
  const st = await fsp.stat(path);
  if (!st.isFile()) throw new NotRegularFileError(path, fileTypeName(st));
  return st;
}

const NONBLOCK = constants.O_NONBLOCK ?? 0;

/**
 * Open a regular file: with O_NONBLOCK (so a FIFO put in its place cannot block the open), then its fstat is
 * checked, so what is opened is what was checked. Returns the descriptor and its stat; NotRegularFileError
 * (the descriptor closed) otherwise. `write`: read and write access.
 */
export function openRegularFileSync(path: string, mode: 'read' | 'write' = 'read'): { fd: number; stat: Stats } {
  const fd = openSync(path, (mode === 'write' ? constants.O_RDWR : constants.O_RDONLY) | NONBLOCK);
  let stat: Stats;
  try {
    stat = fstatSync(fd);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  if (!stat.isFile()) {
    closeSync(fd);
    throw new NotRegularFileError(path, fileTypeName(stat));
  }
  return { fd, stat };
}
