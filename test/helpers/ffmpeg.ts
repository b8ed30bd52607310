// Running the real ffmpeg binary from tests to make real encoded audio files.
import { execFileSync } from 'node:child_process';
import { findFfmpeg } from '../../electron/core/audio/ffmpeg-binary.js';

export const FFMPEG = findFfmpeg().path;

/** Run ffmpeg with the given arguments (-y and quiet logging added); throws with ffmpeg's stderr. */
export function ffmpeg(args: string[]): void {
  try {
    execFileSync(FFMPEG, ['-hide_banner', '-nostdin', '-y', '-v', 'error', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: Buffer };
    throw new Error(`ffmpeg ${args.join(' ')} failed: ${e.stderr?.toString() ?? String(err)}`);
  }
}

/** lavfi sources that give each fixture a different sound. */
export const SOUNDS = {
  tone: (sec: number, hz = 440) => ['-f', 'lavfi', '-i', `sine=frequency=${hz}:duration=${sec}:sample_rate=44100`],
  noise: (sec: number) => ['-f', 'lavfi', '-i', `anoisesrc=color=pink:duration=${sec}:sample_rate=44100:amplitude=0.3`],
  /** two different tones, left and right */
  stereo: (sec: number) => ['-f', 'lavfi', '-i', `aevalsrc=0.5*sin(2*PI*330*t)|0.5*sin(2*PI*440*t):s=44100:d=${sec}`],
};
