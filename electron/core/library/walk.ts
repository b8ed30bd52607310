// Walking library roots: audio candidates by extension, without following a symlink into a loop,
// skipping hidden and system folders. Synchronous fs calls are used on purpose: they are several times
// faster than the promise API for millions of small stat() calls, and the walk yields regularly.
import { lstatSync, readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { extname, join, sep } from 'node:path';
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

/** A folder below a root that could not be read (its files are neither indexed nor concluded missing). */
export interface WalkIssue {
  path: string;
  message: string;
}

/** A path that was not indexed because it is another name (hard link or link) of a file indexed as `keptPath`. */
export interface FoldedPath {
  path: string;
  keptPath: string;
}

/** What the walk of one or several roots found besides the files themselves. */
export interface WalkState {
  issues: WalkIssue[];
  folded: FoldedPath[];
  /** "dev:ino" → the path indexed for it: the first found (roots in the order given, folders by name) */
  kept: Map<string, string>;
}

export function newWalkState(): WalkState {
  return { issues: [], folded: [], kept: new Map() };
}

/** A file the walk found; `nameError` says why it cannot be indexed under its name (it is still reported). */
export interface WalkedFile extends FileStat {
  nameError?: string;
}

export function fileKeyOf(st: Stats): string | null {
  return st.ino ? `${st.dev}:${st.ino}` : null;
}

/**
 * A printable, unambiguous form of a name that is not valid UTF-8: each byte of an invalid sequence is
 * written as \xNN (what `ls -b` shows), the valid parts as they are.
 */
export function escapeInvalidUtf8(name: Buffer): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    // the longest valid prefix from i, then one invalid byte
    let end = name.length;
    while (end > i && !isUtf8(name.subarray(i, end))) end--;
    if (end > i) {
      out += name.toString('utf8', i, end);
      i = end;
      continue;
    }
    out += `\\x${name[i]!.toString(16).toUpperCase().padStart(2, '0')}`;
    i++;
  }
  return out;
}

/** A directory's entries; names that are not valid UTF-8 come back as raw bytes (Node would replace them with U+FFFD). */
function listDir(dir: string): { entries: Dirent[]; invalid: Dirent<Buffer>[] } {
  const entries = readdirSync(dir, { withFileTypes: true });
  if (!entries.some((e) => e.name.includes('\ufffd'))) return { entries, invalid: [] };
  const raw = readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
  const invalid = raw.filter((e) => !isUtf8(e.name));
  const valid = raw.filter((e) => isUtf8(e.name));
  return { entries: valid.map((e) => Object.assign(e, { name: e.name.toString('utf8') }) as unknown as Dirent), invalid };
}

const NOT_UTF8 = 'its name is not valid UTF-8 (the bytes shown as \\xNN), so Spectag cannot index it: rename it, e.g. with `convmv -f latin1 -t utf8`';

/**
 * Yield every audio candidate below `root`. A link to a folder above it (a loop) is not entered, even when
 * that folder lies above `root` (`spectag scan` and `spectag predict` both walk this way); directories are
 * identified by (dev, ino) so two links to one folder are entered once. A file reached under several names
 * (hard links, links to files, overlapping roots) is indexed under the first and the others are listed in `state.folded`.
 * Folders that cannot be read are listed in `state.issues`. Names that are not valid UTF-8 are yielded with
 * `nameError` (files) or listed in `state.issues` (folders): never skipped without a word.
 */
export function* walkRoot(root: string, state: WalkState = newWalkState()): Generator<WalkedFile> {
  const seenDirs = new Set<string>();
  const stack: string[] = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    let dirStat: Stats;
    try {
      dirStat = statSync(dir);
    } catch (err) {
      state.issues.push({ path: dir, message: describeFsError(err) });
      continue;
    }
    const dirKey = `${dirStat.dev}:${dirStat.ino}`;
    if (dirStat.ino && seenDirs.has(dirKey)) continue;
    seenDirs.add(dirKey);
    let listing;
    try {
      listing = listDir(dir);
    } catch (err) {
      state.issues.push({ path: dir, message: describeFsError(err) });
      continue;
    }
    for (const e of listing.invalid) {
      const shown = escapeInvalidUtf8(e.name);
      if (shown.startsWith('.')) continue;
      const path = join(dir, shown);
      let st: Stats;
      try {
        st = statSync(Buffer.concat([Buffer.from(`${dir}/`), e.name]));
      } catch {
        continue; // dangling link
      }
      if (st.isDirectory()) state.issues.push({ path, message: NOT_UTF8 });
      else if (st.isFile() && isAudioCandidate(shown)) yield { path, size: st.size, mtimeMs: st.mtimeMs, fileKey: fileKeyOf(st), nameError: NOT_UTF8 };
    }
    const subdirs: string[] = [];
    // files in name order too: which of several names of one file is kept must not depend on the disk's order
    const entries = listing.entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
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
        // a link to a folder that contains it is a loop: entering it would walk everything above the folder
        // asked for (the whole library, from a subfolder), not what was asked for
        if (isDir && linksToAncestor(dir, path)) continue;
      }
      if (isDir) subdirs.push(path);
      else if (isFile && isAudioCandidate(e.name)) {
        try {
          st ??= lstatSync(path);
        } catch (err) {
          state.issues.push({ path, message: describeFsError(err) });
          continue;
        }
        const fileKey = fileKeyOf(st);
        if (fileKey) {
          const kept = state.kept.get(fileKey);
          if (kept != null) {
            if (kept !== path) state.folded.push({ path, keptPath: kept });
            continue;
          }
          state.kept.set(fileKey, path);
        }
        yield { path, size: st.size, mtimeMs: st.mtimeMs, fileKey };
      }
    }
    // depth-first, in name order (stack: push reversed)
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
}

/** True when the folder link `link` (inside `dir`) leads to `dir` itself or a folder above it. */
function linksToAncestor(dir: string, link: string): boolean {
  try {
    const here = realpathSync(dir);
    const target = realpathSync(link);
    return here === target || here.startsWith(target.endsWith(sep) ? target : target + sep);
  } catch {
    return false;
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
