// Confinement of media served to the window (audio previews, spectrogram pictures): a path is served only
// when it lies inside one of the allowed folders (library roots, the analysis cache) and is a regular file.
import { statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

/** True when `child` is strictly inside `parent` after normalisation ("..", ".", duplicate separators). */
export function isInside(child: string, parent: string): boolean {
  if (!isAbsolute(child) || !isAbsolute(parent)) return false;
  const rel = relative(resolve(parent), resolve(child));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

export class MediaRefusedError extends Error {
  constructor(readonly status: 403 | 404, message: string) {
    super(message);
    this.name = 'MediaRefusedError';
  }
}

/**
 * The normalised path if it may be served; throws MediaRefusedError otherwise. The check is lexical on the
 * normalised path: the scanner found library files by walking a root (following links the person put there),
 * so a file is inside a root by the path it was found under, and ".." tricks are normalised away first.
 */
export function confineMediaPath(path: string, allowedDirs: readonly string[]): string {
  if (typeof path !== 'string' || !path || path.includes('\0') || !isAbsolute(path)) {
    throw new MediaRefusedError(403, 'not an absolute path');
  }
  const normal = resolve(path);
  if (!allowedDirs.some((dir) => isInside(normal, dir))) {
    throw new MediaRefusedError(403, 'outside the library folders and the cache');
  }
  let st;
  try {
    st = statSync(normal);
  } catch {
    throw new MediaRefusedError(404, 'no such file');
  }
  if (!st.isFile()) throw new MediaRefusedError(403, 'not a regular file');
  return normal;
}

/** MIME type of a served media file, by extension (the audio element sniffs the rest). */
export function mediaMimeType(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  const types: Record<string, string> = {
    png: 'image/png', mp3: 'audio/mpeg', flac: 'audio/flac', ogg: 'audio/ogg', oga: 'audio/ogg', opus: 'audio/ogg',
    m4a: 'audio/mp4', mp4: 'audio/mp4', aac: 'audio/aac', wav: 'audio/wav', aif: 'audio/aiff', aiff: 'audio/aiff',
    wma: 'audio/x-ms-wma',
  };
  return types[ext] ?? 'application/octet-stream';
}

/** Parse a single-range "bytes=a-b" header against a file size; null = serve the whole file; 'invalid' = 416. */
export function parseRange(header: string | undefined | null, size: number): { start: number; end: number } | null | 'invalid' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid';
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'invalid';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}
