// Messages between the main process and the engine's utility process (electron/main/engine-host.ts).
// Plain data: they cross a process boundary as structured clones.
import { SpectagApiError, type ApiEvent, type CallOutcome, type MediaRef } from '../shared/api.js';
import { MediaRefusedError, type MediaSource, type WavPreviewFormat } from '../core/service/media.js';

/**
 * The engine's answer to a media request: the file to serve (main checks again that it lies in allowedDirs)
 * with its cache header, and, for a format the window cannot play, the WAV preview to make of it.
 */
export interface MediaReply {
  path: string | null;
  status: number;
  allowedDirs: string[];
  cache?: string;
  preview?: WavPreviewFormat;
}

export type ToEngine =
  | { type: 'call'; id: number; method: string; input: unknown }
  | { type: 'media'; id: number; ref: MediaRef }
  | { type: 'shutdown' };

export type FromEngine =
  | { type: 'ready'; roots: string[]; cacheDir: string }
  | { type: 'reply'; id: number; outcome: CallOutcome }
  | ({ type: 'media'; id: number } & MediaReply)
  | { type: 'event'; event: ApiEvent }
  | { type: 'fatal'; message: string };

/** The engine side of a media request (engine-host.ts): where the file is, or why not (403, 404, 409 while scanning). */
export async function answerMedia(engine: { mediaSource(ref: MediaRef): Promise<MediaSource>; mediaRoots(): string[] }, ref: MediaRef): Promise<MediaReply> {
  const allowedDirs = engine.mediaRoots();
  try {
    const src = await engine.mediaSource(ref);
    return { path: src.path, status: 200, allowedDirs, cache: src.cache, ...(src.kind === 'wav-preview' ? { preview: src.format } : {}) };
  } catch (err) {
    const status = err instanceof MediaRefusedError ? err.status : err instanceof SpectagApiError && err.code === 'conflict' ? 409 : 404;
    return { path: null, status, allowedDirs };
  }
}
