// Track duration for planning the excerpts of a file that is not in the library, found exactly as the library
// finds it (the scanner's header read, then ffmpeg when the header does not say), so that `spectag predict`
// plans the same excerpts as `spectag analyze` does for the same file.
import { readAudioFile } from '../library/read-file.js';
import { probeDurationSec } from '../audio/probe-duration.js';

/** Duration in seconds, or null when the file does not say and ffmpeg cannot tell. */
export async function measureDuration(path: string, opts: { ffmpegPath?: string; signal?: AbortSignal } = {}): Promise<number | null> {
  try {
    const r = await readAudioFile(path);
    if (r.ok && r.audio.durationSec != null) return r.audio.durationSec;
  } catch {
    // unreadable here: ffmpeg (or the decoder's own error) decides
  }
  return probeDurationSec(path, opts);
}
