// Which ffmpeg binary Spectag runs: SPECTAG_FFMPEG (user-configured) first, then the binary shipped
// inside the @ffmpeg-installer npm package, then `ffmpeg` on the PATH.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface FfmpegBinary {
  path: string;
  source: 'configured' | 'bundled' | 'system';
}

export function findFfmpeg(env: NodeJS.ProcessEnv = process.env): FfmpegBinary {
  if (env.SPECTAG_FFMPEG) return { path: env.SPECTAG_FFMPEG, source: 'configured' };
  try {
    const require = createRequire(import.meta.url);
    const installer = require('@ffmpeg-installer/ffmpeg') as { path: string };
    // inside a packaged app the binary is unpacked next to the asar archive
    const path = installer.path.replace('app.asar', 'app.asar.unpacked');
    if (existsSync(path)) return { path, source: 'bundled' };
  } catch {
    // no binary for this platform in the npm package: fall back to the system's
  }
  return { path: 'ffmpeg', source: 'system' };
}

export interface FfmpegInfo {
  /** first line of `ffmpeg -version`, e.g. "ffmpeg version 4.1 ..." */
  version: string;
  /** the decoders Spectag's containers need, and whether this binary has each */
  decoders: Record<string, boolean>;
  /** the filters the decoder's down-mix uses */
  filters: Record<string, boolean>;
}

/** Decoders for the containers the scanner accepts (mp3, flac, ogg, opus, mp4, wav, aiff, asf). */
export const NEEDED_DECODERS = ['mp3', 'flac', 'vorbis', 'opus', 'aac', 'alac', 'wmav2', 'pcm_s16le', 'pcm_s16be', 'pcm_f32le'];
export const NEEDED_FILTERS = ['aresample', 'aformat'];

/** Ask a binary what it is and what it can do (for `spectag doctor`); throws when it cannot be run. */
export function probeFfmpeg(path: string): FfmpegInfo {
  const run = (args: string[]) =>
    execFileSync(path, ['-hide_banner', ...args], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 8 << 20 });
  const version = execFileSync(path, ['-version'], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!.trim();
  // lines look like " A....D mp3   MP3 (MPEG audio layer 3)" and " ... aresample  A->A  Resample audio data."
  const names = (text: string) => new Set(text.split('\n').map((l) => l.trim().split(/\s+/)[1]).filter((n): n is string => !!n));
  const decoders = names(run(['-decoders']));
  const filters = names(run(['-filters']));
  return {
    version,
    decoders: Object.fromEntries(NEEDED_DECODERS.map((d) => [d, decoders.has(d)])),
    filters: Object.fromEntries(NEEDED_FILTERS.map((f) => [f, filters.has(f)])),
  };
}
