// Walking library roots: audio candidates by extension, without following a symlink into a loop,
// skipping hidden and system folders. Synchronous fs calls are used on purpose: they are several times
// faster than the promise API for millions of small stat() calls, and the walk yields regularly.
import { lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { extname, join } from 'node:path';
import type { FileStat } from '../db/files.js';
import { AUDIO_EXTENSIONS } from './sniff.js';

/** Folders that hold no music of the person's own: OS and NAS bookkeeping, trash, thumbnails. */
const SYSTEM_FOLDERS = new Set([
  '$recycle.bin', 'system volume information', 'lost+found', '@eadir', '#recycle', '#snapshot', '__macosx',
  'node_modules',
]);

export function isSkippedName(name: string): boolean {
  return name.startsWith('.') || SYSTEM_FOLDERS.has(name.toLowerCase());
}

export function isAudioCandidate(name: string): boolean {
  return AUDIO_EXTENSIONS.has(extname(name).toLowerCase());
}

export interface WalkIssue {
  path: string;
  message: string;
}

export function fileKeyOf(st: Stats): string | null {
  return st.ino ? `${st.dev}:${st.ino}` : null;
}

/**
 * Yield every audio candidate below `root`. Directories are identified by (dev, ino) so a symlink to an
 * ancestor (or two links to one folder) is entered once; files reached twice through links count once.
 */
export function* walkRoot(root: string, issues: WalkIssue[], seenFiles = new Set<string>()): Generator<FileStat> {
  const seenDirs = new Set<string>();
  const stack: string[] = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    let dirStat: Stats;
    try {
      dirStat = statSync(dir);
    } catch (err) {
      issues.push({ path: dir, message: describeFsError(err) });
      continue;
    }
    const dirKey = `${dirStat.dev}:${dirStat.ino}`;
    if (dirStat.ino && seenDirs.has(dirKey)) continue;
    seenDirs.add(dirKey);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      issues.push({ path: dir, message: describeFsError(err) });
      continue;
    }
    const subdirs: string[] = [];
    for (const e of entries) {
      if (isSkippedName(e.name)) continue;
      const path = join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      let st: Stats | null = null;
      if (e.isSymbolicLink()) {
        try {
          st = statSync(path);
        } catch {
          continue; // dangling link: nothing to scan
        }
        isDir = st.isDirectory();
        isFile = st.isFile();
      }
      if (isDir) subdirs.push(path);
      else if (isFile && isAudioCandidate(e.name)) {
        try {
          st ??= lstatSync(path);
        } catch (err) {
          issues.push({ path, message: describeFsError(err) });
          continue;
        }
        const fileKey = fileKeyOf(st);
        if (fileKey) {
          if (seenFiles.has(fileKey)) continue;
          seenFiles.add(fileKey);
        }
        yield { path, size: st.size, mtimeMs: st.mtimeMs, fileKey };
      }
    }
    // depth-first, in name order (stack: push reversed)
    subdirs.sort();
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
}

export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT': return 'not found';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'not a folder';
    case 'ELOOP': return 'too many levels of symbolic links';
    case 'EIO': return 'input/output error (damaged disk or disconnected drive?)';
    default: return e?.message ?? String(err);
  }
}
