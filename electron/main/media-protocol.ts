// spectag-media://<kind>/<file id> (audio, audio-wav, spectrogram, cover, cover-thumb): audio previews,
// spectrogram pictures and covers for the window. The engine names the file; main checks again that it lies
// inside the library roots or the cache, and serves it with byte ranges (the audio element seeks with them),
// making ffmpeg's WAV of it as it goes where the engine says the window cannot play the file itself.
import { Readable } from 'node:stream';
import { MediaRefSchema, type MediaRef } from '../shared/api.js';
import { confineMediaPath, mediaAnswer, MediaRefusedError } from '../core/service/media.js';
import type { MediaReply } from './engine-protocol.js';

export const MEDIA_SCHEME = 'spectag-media';

export interface MediaResolver {
  mediaPath(ref: MediaRef): Promise<MediaReply>;
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
    if (!answer.path) return text(answer.status === 403 ? 403 : answer.status === 409 ? 409 : 404, 'not available');
    let path: string;
    try {
      // the engine confined it already; main does not take its word for it
      path = confineMediaPath(answer.path, answer.allowedDirs);
    } catch (err) {
      return text(err instanceof MediaRefusedError ? err.status : 403, 'refused');
    }
    const cache = answer.cache ?? 'no-cache';
    let reply;
    try {
      reply = mediaAnswer(answer.preview ? { kind: 'wav-preview', path, format: answer.preview, cache } : { kind: 'file', path, cache },
        request.method, request.headers.get('range'));
    } catch (err) {
      return text(err instanceof MediaRefusedError ? err.status : 403, 'refused');
    }
    const body = reply.body ? (Readable.toWeb(reply.body) as ReadableStream<Uint8Array>) : null;
    return new Response(body, { status: reply.status, headers: reply.headers });
  };
}
