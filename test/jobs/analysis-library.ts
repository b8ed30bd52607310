// A small library of realistic-length tracks made with the real ffmpeg for the analysis tests: music-like
// noise and tones in several containers, a short track, a silent and a near-silent one; scanned into a
// real database by the real scanner.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpeg } from '../helpers/ffmpeg.js';
import { openDatabase, type Db } from '../../electron/core/db/open.js';
import { scanLibrary } from '../../electron/core/library/scan.js';

export interface TrackSpec {
  rel: string;
  /** ffmpeg input arguments */
  input: string[];
  /** ffmpeg output arguments (codec) */
  codec: string[];
}

/** Pink noise with a tone over it: something with a spectrum, different for each `seed`. */
export const music = (sec: number, seed: number): string[] => [
  '-f', 'lavfi', '-i', `anoisesrc=d=${sec}:c=pink:r=22050:a=0.2:s=${seed}`,
  '-f', 'lavfi', '-i', `sine=f=${200 + 110 * seed}:d=${sec}:r=22050`,
  '-filter_complex', '[0][1]amix=inputs=2',
];
export const silence = (sec: number): string[] => ['-f', 'lavfi', '-i', `anullsrc=r=22050:cl=stereo`, '-t', String(sec)];
/** A 440 Hz tone at about −75 dBFS: hiss, not music. */
export const nearSilence = (sec: number): string[] => ['-f', 'lavfi', '-i', `sine=f=440:d=${sec}:r=22050,volume=0.00025`];

export const FLAC = ['-c:a', 'flac'];
export const WAV = ['-c:a', 'pcm_s16le'];
export const MP3 = ['-c:a', 'libmp3lame', '-b:a', '96k'];
export const OGG = ['-c:a', 'libvorbis', '-q:a', '2'];

export interface AnalysisLibrary {
  base: string;
  root: string;
  path(rel: string): string;
  /** a fresh database with the library scanned into it */
  scannedDb(name: string): Promise<{ db: Db; dbPath: string }>;
  cleanup(): void;
}

export function makeAnalysisLibrary(tracks: readonly TrackSpec[]): AnalysisLibrary {
  const base = mkdtempSync(join(tmpdir(), 'spectag-analysis-'));
  const root = join(base, 'Music');
  const path = (rel: string) => join(root, rel);
  for (const t of tracks) {
    const p = path(t.rel);
    mkdirSync(join(p, '..'), { recursive: true });
    ffmpeg([...t.input, ...t.codec, p]);
  }
  return {
    base, root, path,
    async scannedDb(name) {
      const dbPath = join(base, name, 'library.sqlite');
      const db = openDatabase(dbPath);
      await scanLibrary(db, [root]);
      return { db, dbPath };
    },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}
