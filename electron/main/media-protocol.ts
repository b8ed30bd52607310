// spectag-media://audio/<file id> and spectag-media://spectrogram/<file id>: audio previews and spectrogram
// pictures for the window. The engine names the file; main checks again that it lies inside the library
// roots or the cache, and serves it with byte ranges (the audio element seeks with them).
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { MediaRefSchema, type MediaRef } from '../shared/api.js';
import { confineMediaPath, mediaMimeType, MediaRefusedError, parseRange } from '../core/service/media.js';

export const MEDIA_SCHEME = 'spectag-media';

export interface MediaResolver {
  mediaPath(ref: MediaRef): Promise<{ path: string | null; status: number; allowedDirs: string[] }>;
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** Parse spectag-media://<kind>/<id>; null when the URL is anything else. */
export function parseMediaUrl(url: string): MediaRef | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${MEDIA_SCHEME}:`) return null;
  const id = u.pathname.replace(/^\/+/, '');
  if (!/^\d{1,15}$/.test(id)) return null;
  const r = MediaRefSchema.safeParse({ kind: u.hostname, id: Number(id) });
  return r.success ? r.data : null;
}

export function createMediaHandler(resolver: MediaResolver): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'method not allowed');
    const ref = parseMediaUrl(request.url);
    if (!ref) return text(400, 'bad media URL');
    const answer = await resolver.mediaPath(ref);
    if (!answer.path) return text(answer.status === 403 ? 403 : 404, 'not available');
    let path: string;
    try {
      // the engine confined it already; main does not take its word for it
      path = confineMediaPath(answer.path, answer.allowedDirs);
    } catch (err) {
      return text(err instanceof MediaRefusedError ? err.status : 403, 'refused');
    }
    const size = statSync(path).size;
    const range = parseRange(request.headers.get('range'), size);
    const headers: Record<string, string> = { 'content-type': mediaMimeType(path), 'accept-ranges': 'bytes', 'cache-control': 'no-cache' };
    if (range === 'invalid') return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` } });
    const start = range?.start ?? 0;
    const end = range?.end ?? size - 1;
    headers['content-length'] = String(end - start + 1);
    if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    const body = request.method === 'HEAD' || size === 0 ? null : (Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream<Uint8Array>);
    return new Response(body, { status: range ? 206 : 200, headers });
  };
}
