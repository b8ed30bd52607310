// Which ffmpeg binary Spectag runs: SPECTAG_FFMPEG (user-configured) first, then the binary shipped
// inside the @ffmpeg-installer npm package, then `ffmpeg` on the PATH.
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
