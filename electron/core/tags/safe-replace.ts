// Changing a file without ever risking the original: copy to a temp file in the same folder, change and fsync
// the copy, verify it, then rename it over the original. A crash at any point leaves the original intact and
// at most a recognisably named temp file, which `cleanStaleTemps` removes on the next run.
import { NotRegularFileError, notRegularReason, openRegularFileSync } from '../library/regular-file.js';
import { chmodSync, chownSync, closeSync, fsyncSync, openSync, readdirSync, statSync, unlinkSync, utimesSync, type Stats } from 'node:fs';
import { copyFile, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { WriteErrorKind } from '../../shared/tags.js';
import { processAlive } from '../db/write-lease.js';

/** `.<name>.<pid>-<random>.spectag-tmp`: hidden (the scanner skips it), tied to the process that made it; the name may be cut. */
const TEMP_RE = /^\..+\.(\d+)-[0-9a-f]{8}\.spectag-tmp$/;

/** Longest file name (bytes) every file system Spectag writes to accepts, and the floor for a temp name's budget. */
const NAME_MAX = 255;
const MIN_NAME_BUDGET = 64;

/** The first `max` bytes of a name as UTF-8, cut at a character boundary. */
function utf8Prefix(name: string, max: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of name) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/**
 * A temp name no longer than the original's (or 64 bytes, whichever is more), so it fits wherever the original
 * fits: a 254-byte name plus the ~30-byte suffix would exceed the 255-byte limit of ext4, APFS, NTFS... The
 * original's name is cut to make room (the suffix is what identifies a temp file).
 */
export function tempPathFor(path: string): string {
  const name = basename(path);
  const suffix = `.${process.pid}-${randomBytes(4).toString('hex')}.spectag-tmp`;
  const budget = Math.min(NAME_MAX, Math.max(Buffer.byteLength(name), MIN_NAME_BUDGET)) - Buffer.byteLength(suffix) - 1;
  return join(dirname(path), `.${utf8Prefix(name, budget)}${suffix}`);
}

export function isSpectagTemp(name: string): boolean {
  return TEMP_RE.test(name);
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
  /**
   * The last thing before the rename, given the verified copy's stat (what the file will be): a journal entry is
   * committed here. Throwing leaves the original untouched.
   */
  beforeRename?(tempPath: string, temp: Stats): void | Promise<void>;
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
    // even when the folder allows the rename, a file we may not write is not ours to change; opened without
    // blocking and checked by its descriptor, so a FIFO swapped in since the stat cannot hang the write
    closeSync(openRegularFileSync(path, 'write').fd);
  } catch (err) {
    if (err instanceof NotRegularFileError) throw new SafeReplaceError('unsupported', `${err.message}; it was not changed`);
    throw classifyFsError(err, path);
  }
}

/**
 * Give the copy the original's owner and group where permitted. Only root may give a file away; anyone may give
 * a file of theirs to a group they belong to: so when the owner cannot be kept, the group still is (a write by
 * another member of a shared music group keeps the file in that group). Before chmod, which chown may reset.
 */
function keepOwner(temp: string, st: Stats): void {
  try {
    chownSync(temp, st.uid, st.gid);
    return;
  } catch {
    // not root: keep the group at least
  }
  try {
    chownSync(temp, -1, st.gid);
  } catch {
    // not a member of the file's group: the copy keeps ours, as with any editor
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
  if (!st.isFile()) throw new SafeReplaceError('unsupported', `${path}: ${notRegularReason(st)}; it was not changed`);
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
    keepOwner(temp, st);
    chmodSync(temp, st.mode & 0o7777);
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
    await opts.beforeRename?.(temp, statSync(temp));
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
