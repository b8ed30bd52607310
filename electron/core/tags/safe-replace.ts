// Changing a file without ever risking the original: copy to a temp file in the same folder, change and fsync
// the copy, verify it, then rename it over the original. A crash at any point leaves the original intact and
// at most a recognisably named temp file, which `cleanStaleTemps` removes on the next run.
import { chmodSync, chownSync, closeSync, fsyncSync, openSync, readdirSync, statSync, unlinkSync, utimesSync, type Stats } from 'node:fs';
import { copyFile, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { WriteErrorKind } from '../../shared/tags.js';

/** `.<name>.<pid>-<random>.spectag-tmp`: hidden (the scanner skips it), tied to the process that made it. */
const TEMP_RE = /^\..+\.(\d+)-[0-9a-f]{8}\.spectag-tmp$/;

export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.spectag-tmp`);
}

export function isSpectagTemp(name: string): boolean {
  return TEMP_RE.test(name);
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove temp files left by a Spectag process that no longer runs (killed mid-write) from these folders.
 * Files of a live process are left alone (it may be writing them). Returns the paths removed.
 */
export function cleanStaleTemps(folders: Iterable<string>, inUse: ReadonlySet<string> = new Set()): string[] {
  const removed: string[] = [];
  for (const dir of new Set(folders)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = TEMP_RE.exec(name);
      if (!m) continue;
      const p = join(dir, name);
      const pid = Number(m[1]);
      if (inUse.has(p) || (pid !== process.pid && processAlive(pid))) continue;
      if (pid === process.pid && activeTemps.has(p)) continue;
      try {
        unlinkSync(p);
        removed.push(p);
      } catch {
        // gone already, or not ours to remove: leave it
      }
    }
  }
  return removed;
}

/** Temp files this process is working on right now (never cleaned). */
const activeTemps = new Set<string>();

export class SafeReplaceError extends Error {
  constructor(readonly kind: WriteErrorKind, message: string) {
    super(message);
    this.name = 'SafeReplaceError';
  }
}

/** A file-system error as a per-file error kind and a sentence a person understands. */
export function classifyFsError(err: unknown, path: string): SafeReplaceError {
  if (err instanceof SafeReplaceError) return err;
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return new SafeReplaceError('missing', `${path} is no longer there`);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new SafeReplaceError('read-only', `${path} cannot be changed: ${e.code === 'EROFS' ? 'the disk is read-only' : 'permission denied (read-only file or folder)'}`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new SafeReplaceError('disk-full', `${path} was not changed: the disk is full`);
    case 'EBUSY':
    case 'ETXTBSY':
      return new SafeReplaceError('locked', `${path} is in use by another program (locked); try again when it is closed`);
    case 'ABORT_ERR':
      return new SafeReplaceError('cancelled', `${path} was not changed: cancelled`);
    default:
      return new SafeReplaceError('io', `${path} was not changed: ${e?.message ?? String(err)}`);
  }
}

/** The steps of a replacement, named for fault-injection tests and crash reasoning. */
export type ReplaceStep = 'copied' | 'modified' | 'synced' | 'verified' | 'before-rename';

export interface ReplaceOptions {
  /** what the database knows: the file must still be exactly this (else it changed since the scan) */
  expected?: { size: number; mtimeMs: number };
  preserveMtime?: boolean;
  signal?: AbortSignal;
  /** change the temp copy (sync or async) */
  modify(tempPath: string): void | Promise<void>;
  /** check the temp copy: a list of problems, empty when it is right */
  verify(tempPath: string): string[] | Promise<string[]>;
  /** called after each step; throwing aborts the replacement (tests inject faults here) */
  onStep?(step: ReplaceStep, tempPath: string): void | Promise<void>;
}

function sameFile(a: Stats, b: { size: number; mtimeMs: number }): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}

function fsyncPath(path: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The file may not be changed: no write permission bit at all, or no write access for us. */
function checkWritable(path: string, st: Stats): void {
  if ((st.mode & 0o222) === 0) throw new SafeReplaceError('read-only', `${path} is read-only; Spectag does not change read-only files`);
  try {
    // even when the folder allows the rename, a file we may not write is not ours to change
    closeSync(openSync(path, 'r+'));
  } catch (err) {
    throw classifyFsError(err, path);
  }
}

/**
 * Replace `path` by a changed, verified copy. Returns the new file's stat. On any failure the original is
 * untouched, the temp copy is removed, and a SafeReplaceError says why.
 */
export async function replaceFileSafely(path: string, opts: ReplaceOptions): Promise<Stats> {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    throw classifyFsError(err, path);
  }
  if (opts.expected && !sameFile(st, opts.expected)) {
    throw new SafeReplaceError('changed-on-disk',
      `${path} changed on disk since it was scanned (size ${opts.expected.size} → ${st.size}, modified ${new Date(st.mtimeMs).toISOString()}); ` +
      'it was not written: rescan it, review it, then write again');
  }
  checkWritable(path, st);
  const temp = tempPathFor(path);
  activeTemps.add(temp);
  const step = async (s: ReplaceStep) => {
    if (opts.signal?.aborted) throw new SafeReplaceError('cancelled', `${path} was not changed: cancelled`);
    await opts.onStep?.(s, temp);
  };
  let renamed = false;
  try {
    await copyFile(path, temp);
    await step('copied');
    await opts.modify(temp);
    await step('modified');
    // permissions (and owner, where allowed) as the original's, before the copy can take its place
    chmodSync(temp, st.mode & 0o7777);
    try {
      chownSync(temp, st.uid, st.gid);
    } catch {
      // only root may give a file away; a file we own keeps our ownership, as with any editor
    }
    if (opts.preserveMtime) utimesSync(temp, st.atime, st.mtime);
    fsyncPath(temp, 'r+');
    await step('synced');
    const problems = await opts.verify(temp);
    if (problems.length) {
      throw new SafeReplaceError('verify-failed', `${path} was not changed: the rewritten copy failed verification (${problems.join('; ')})`);
    }
    await step('verified');
    // the last moment to notice someone else changing the file while we worked on the copy
    const now = statSync(path);
    if (!sameFile(now, st)) {
      throw new SafeReplaceError('changed-on-disk', `${path} was changed by another program while Spectag was writing it; it was not written`);
    }
    await step('before-rename');
    await rename(temp, path);
    renamed = true;
    try {
      fsyncPath(dirname(path), 'r'); // make the rename itself durable
    } catch {
      // some file systems (and Windows) cannot fsync a folder; the rename is still atomic
    }
    return statSync(path);
  } catch (err) {
    throw classifyFsError(err, path);
  } finally {
    activeTemps.delete(temp);
    if (!renamed) await unlink(temp).catch(() => undefined);
  }
}
