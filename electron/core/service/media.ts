// Media served to the window (audio, ffmpeg's WAV of what the browser cannot play, spectrogram pictures,
// covers), for both transports (web mode's HTTP server and the desktop app's spectag-media: protocol): a path
// is served only when it lies inside one of the allowed folders (library roots, the analysis cache) and is a
// regular file, and one answer (status, headers, body for a byte range) is made for either transport.
import { closeSync, createReadStream, realpathSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { findFfmpeg } from '../audio/ffmpeg-binary.js';
import { NotRegularFileError, openRegularFileSync } from '../library/regular-file.js';
import { wavPreviewSize, wavPreviewStream, type WavPreviewFormat } from '../media/preview.js';

export type { WavPreviewFormat };

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
 * The file to serve (its real path) if it may be served; throws MediaRefusedError otherwise. The path must lie
 * inside an allowed folder twice over: as written (".." tricks are normalised away first), and once every
 * link is resolved, against the allowed folders' own real paths. A link in the library pointing anywhere
 * else (`evil.flac → /etc/shadow`) is refused, whatever the scanner made of it.
 */
export function confineMediaPath(path: string, allowedDirs: readonly string[]): string {
  if (typeof path !== 'string' || !path || path.includes('\0') || !isAbsolute(path)) {
    throw new MediaRefusedError(403, 'not an absolute path');
  }
  const normal = resolve(path);
  if (!allowedDirs.some((dir) => isInside(normal, dir))) {
    throw new MediaRefusedError(403, 'outside the library folders and the cache');
  }
  let real: string;
  try {
    real = realpathSync(normal);
  } catch {
    throw new MediaRefusedError(404, 'no such file');
  }
  if (!allowedDirs.some((dir) => isInside(real, realDir(dir)))) {
    throw new MediaRefusedError(403, 'a link to a file outside the library folders and the cache');
  }
  if (!statSync(real).isFile()) throw new MediaRefusedError(403, 'not a regular file');
  return real;
}

function realDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    // a folder that is gone holds nothing to serve; its written path still names no real file
    return resolve(dir);
  }
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

/** What to send: a file as it is, or a file turned into WAV as it is played. */
export type MediaSource =
  | { kind: 'file'; path: string; cache: string; /** default: by the file's extension */ type?: string }
  | { kind: 'wav-preview'; path: string; format: WavPreviewFormat; cache: string };

export interface MediaAnswer {
  status: number;
  headers: Record<string, string>;
  /** null for HEAD, an empty file, or a refused range */
  body: Readable | null;
}

/**
 * Throws MediaRefusedError when the file cannot be opened or is not a regular file.
 * ffmpeg: the binary for a WAV preview (default: the one Spectag uses everywhere, see audio/ffmpeg-binary.ts). */
export function mediaAnswer(source: MediaSource, method: string, rangeHeader: string | null | undefined, ffmpeg?: string): MediaAnswer {
  // the file is opened once, without blocking, and served from that descriptor: a FIFO swapped in after
  // confineMediaPath checked the path is refused (NotRegularFileError) instead of hanging the server
  let opened: { fd: number; stat: Stats } | null = null;
  if (source.kind === 'file') {
    try {
      opened = openRegularFileSync(source.path);
    } catch (err) {
      if (err instanceof NotRegularFileError) throw new MediaRefusedError(403, 'not a regular file');
      const code = (err as NodeJS.ErrnoException).code;
      throw new MediaRefusedError(code === 'EACCES' || code === 'EPERM' ? 403 : 404, code === 'EACCES' || code === 'EPERM' ? 'permission denied' : 'no such file');
    }
  }
  try {
    return answer(source, opened, method, rangeHeader, ffmpeg);
  } catch (err) {
    if (opened) closeSync(opened.fd);
    throw err;
  }
}

function answer(source: MediaSource, opened: { fd: number; stat: Stats } | null, method: string, rangeHeader: string | null | undefined, ffmpeg?: string): MediaAnswer {
  const size = opened ? opened.stat.size : wavPreviewSize((source as { format: WavPreviewFormat }).format);
  const type = source.kind === 'file' ? (source.type ?? mediaMimeType(source.path)) : 'audio/wav';
  const headers: Record<string, string> = { 'content-type': type, 'accept-ranges': 'bytes', 'cache-control': source.cache, 'x-content-type-options': 'nosniff' };
  const range = parseRange(rangeHeader, size);
  if (range === 'invalid') {
    if (opened) closeSync(opened.fd);
    return { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` }, body: null };
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  headers['content-length'] = String(size === 0 ? 0 : end - start + 1);
  if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  let body: Readable | null = null;
  if (method !== 'HEAD' && size > 0) {
    if (source.kind === 'file') body = createReadStream('', { fd: opened!.fd, start, end, autoClose: true });
    else body = wavPreviewStream(ffmpeg ?? findFfmpeg().path, source.path, source.format, start, end);
  } else if (opened) {
    closeSync(opened.fd);
  }
  return { status: range ? 206 : 200, headers, body };
}
