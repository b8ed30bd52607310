// Deterministic log-mel fixture patches for the musicnn parity test, stored quantised (int16 / 4096)
// so the committed file and the values fed to both implementations are bit-identical.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { rng } from '../../../electron/shared/random.js';

export const GOLDEN_DIR = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..', 'test', 'golden', 'model');
const FRAMES = 187;
const BANDS = 96;
const SCALE = 4096;

export interface FixturePatches {
  names: string[];
  count: number;
  data: Float32Array; // count * 187 * 96, frame-major
}

/** Patterns that look like log-mel music: a harmonic melody, drum hits, broadband noise, near-silence. */
export function makeFixturePatches(): FixturePatches {
  const rnd = rng(20190801);
  const names = ['harmonic-melody', 'drum-pattern', 'noise', 'quiet'];
  const data = new Float32Array(names.length * FRAMES * BANDS);
  const set = (p: number, t: number, m: number, v: number): void => {
    data[(p * FRAMES + t) * BANDS + m] = Math.round(Math.max(0, Math.min(7.9, v)) * SCALE) / SCALE;
  };
  for (let t = 0; t < FRAMES; t++) {
    const f0 = 8 + 4 * Math.floor(t / 23) % 12; // a note every ~0.37 s
    for (let m = 0; m < BANDS; m++) {
      const harmonic = [1, 2, 3, 4, 5].reduce((s, h) => s + Math.exp(-((m - f0 * Math.log2(h + 1)) ** 2) / 2) / h, 0);
      set(0, t, m, 0.4 + 2.6 * harmonic * Math.exp(-(t % 23) / 30) + 0.2 * rnd());
      const sinceHit = t % 20;
      const kick = m < 10 ? 3.5 * Math.exp(-sinceHit / 4) : 0;
      const snare = t % 40 >= 20 ? 2.2 * Math.exp(-sinceHit / 3) * (m > 20 ? 1 : 0.3) : 0;
      set(1, t, m, 0.3 + kick + snare + 0.3 * rnd());
      set(2, t, m, 1.5 + 1.2 * (rnd() - 0.5) - m / 96);
      set(3, t, m, 0.02 * rnd());
    }
  }
  return { names, count: names.length, data };
}

export function writePatches(p: FixturePatches): void {
  const q = new Int16Array(p.data.length);
  for (let i = 0; i < q.length; i++) q[i] = Math.round(p.data[i]! * SCALE);
  writeFileSync(join(GOLDEN_DIR, 'musicnn-patches.i16'), Buffer.from(q.buffer));
}

export function readPatches(): Float32Array {
  const buf = readFileSync(join(GOLDEN_DIR, 'musicnn-patches.i16'));
  const q = new Int16Array(buf.buffer, buf.byteOffset, buf.byteLength / 2);
  return Float32Array.from(q, (v) => v / SCALE);
}
