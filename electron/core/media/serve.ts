// One answer to a media request, for both transports (web mode's HTTP server and the desktop app's
// spectag-media: protocol): status, headers and body for a byte range of a file, or of the WAV preview
// ffmpeg makes of a file the browser engine cannot decode. The audio element seeks with these ranges.
import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { mediaMimeType, parseRange } from '../service/media.js';
import { wavPreviewSize, wavPreviewStream, type WavPreviewFormat } from './preview.js';

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

export function mediaAnswer(source: MediaSource, method: string, rangeHeader: string | null | undefined, ffmpeg: string): MediaAnswer {
  const size = source.kind === 'file' ? statSync(source.path).size : wavPreviewSize(source.format);
  const type = source.kind === 'file' ? (source.type ?? mediaMimeType(source.path)) : 'audio/wav';
  const headers: Record<string, string> = { 'content-type': type, 'accept-ranges': 'bytes', 'cache-control': source.cache, 'x-content-type-options': 'nosniff' };
  const range = parseRange(rangeHeader, size);
  if (range === 'invalid') return { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` }, body: null };
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  headers['content-length'] = String(size === 0 ? 0 : end - start + 1);
  if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  let body: Readable | null = null;
  if (method !== 'HEAD' && size > 0) {
    body = source.kind === 'file' ? createReadStream(source.path, { start, end }) : wavPreviewStream(ffmpeg, source.path, source.format, start, end);
  }
  return { status: range ? 206 : 200, headers, body };
}
