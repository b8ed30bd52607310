// Loudness facts about the decoded excerpts: RMS and peak level (dBFS), and how much of them is silence,
// so that a silent or near-silent track is reported as such instead of being classified.

/** Below this RMS level (dBFS) a track counts as near-silent: room noise, a hidden-track gap, digital hiss. */
export const SILENT_RMS_DBFS = -60;
/** A block quieter than this (dBFS) counts as silent for `silentFraction`. */
export const SILENT_BLOCK_DBFS = -60;
/** A track whose excerpts are at least this much silent blocks is reported as silent too. */
export const SILENT_FRACTION = 0.9;
/** Levels are floored here instead of −∞ for digital silence. */
export const FLOOR_DBFS = -120;

export interface AudioLevels {
  /** RMS over all excerpts, dBFS */
  rmsDb: number;
  /** largest absolute sample, dBFS */
  peakDb: number;
  /** share of 50 ms blocks quieter than SILENT_BLOCK_DBFS */
  silentFraction: number;
  /** near-silent overall, or almost entirely silent blocks: not worth classifying */
  silent: boolean;
}

const db = (amplitude: number) => (amplitude > 0 ? Math.max(FLOOR_DBFS, 20 * Math.log10(amplitude)) : FLOOR_DBFS);

export function measureLevels(excerpts: readonly Float32Array[], sampleRate = 16000): AudioLevels {
  const block = Math.max(1, Math.round(sampleRate * 0.05));
  const blockThreshold = 10 ** (SILENT_BLOCK_DBFS / 10); // mean square
  let sumSq = 0;
  let n = 0;
  let peak = 0;
  let blocks = 0;
  let silentBlocks = 0;
  for (const pcm of excerpts) {
    for (let b = 0; b < pcm.length; b += block) {
      const end = Math.min(pcm.length, b + block);
      let s = 0;
      for (let i = b; i < end; i++) {
        const v = pcm[i]!;
        s += v * v;
        const a = v < 0 ? -v : v;
        if (a > peak) peak = a;
      }
      sumSq += s;
      n += end - b;
      blocks++;
      if (s / (end - b) < blockThreshold) silentBlocks++;
    }
  }
  const rmsDb = db(n > 0 ? Math.sqrt(sumSq / n) : 0);
  const silentFraction = blocks > 0 ? silentBlocks / blocks : 1;
  return {
    rmsDb,
    peakDb: db(peak),
    silentFraction,
    silent: rmsDb < SILENT_RMS_DBFS || silentFraction >= SILENT_FRACTION,
  };
}
