// Messages between the main process and the engine's utility process (electron/main/engine-host.ts).
// Plain data: they cross a process boundary as structured clones.
import type { ApiEvent, CallOutcome, MediaRef } from '../shared/api.js';

export type ToEngine =
  | { type: 'call'; id: number; method: string; input: unknown }
  | { type: 'media'; id: number; ref: MediaRef }
  | { type: 'shutdown' };

export type FromEngine =
  | { type: 'ready'; roots: string[]; cacheDir: string }
  | { type: 'reply'; id: number; outcome: CallOutcome }
  | { type: 'media'; id: number; path: string | null; status: 200 | 403 | 404; allowedDirs: string[] }
  | { type: 'event'; event: ApiEvent }
  | { type: 'fatal'; message: string };
