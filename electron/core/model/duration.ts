// Track duration for planning excerpts of a file that is not in the library (the scanner skips the
// costly duration scan of some containers, e.g. Ogg/Opus, so its value can be missing).
import { parseFile } from 'music-metadata';

/** Duration in seconds, or null when the file does not say and cannot be measured. */
export async function measureDuration(path: string): Promise<number | null> {
  try {
    const meta = await parseFile(path, { duration: true, skipCovers: true });
    const d = meta.format.duration;
    return d != null && Number.isFinite(d) && d > 0 ? d : null;
  } catch {
    return null;
  }
}
