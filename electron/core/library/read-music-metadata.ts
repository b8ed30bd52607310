// Reading a file with music-metadata: the layouts the fast readers leave alone (and the reference they are
// tested against). Loaded on first need.
import { parseFromTokenizer, type IAudioMetadata } from 'music-metadata';
import type { ReadResult } from '../db/files.js';
import type { Container } from '../../shared/library.js';
import { SyncFileTokenizer } from './sync-tokenizer.js';
import { CONTAINER_MIME } from './sniff.js';
import { hasCoverArt } from './cover-probe.js';
import { oggDurationSec } from './ogg-duration.js';
import { classifyParseError, closing, fail, parsedMeta, resultOf } from './read-file.js';

export async function readWithMusicMetadata(fd: number, path: string, size: number, head: Buffer, container: Container, cid: string): Promise<ReadResult> {
  let hasCover: boolean;
  try {
    hasCover = hasCoverArt(fd, container, size, head);
  } catch (err) {
    const c = classifyParseError(err);
    return closing(fd, fail(c.kind, c.message, cid));
  }
  try {
    // the tokenizer owns the descriptor from here and closes it
    const tokenizer = new SyncFileTokenizer(fd, { path, size, mimeType: CONTAINER_MIME[container] });
    let meta: IAudioMetadata;
    let oggDuration: number | null = null;
    try {
      meta = await parseFromTokenizer(tokenizer, { skipCovers: true, duration: false });
      if ((container === 'ogg' || container === 'opus') && !meta.format.duration) {
        // Ogg (also FLAC-in-Ogg): music-metadata would read every page; the last page's granule is enough
        oggDuration = oggDurationSec(fd, size, head, meta.format.sampleRate, container === 'opus');
      }
    } finally {
      await tokenizer.close();
    }
    return resultOf(parsedMeta(meta), container, size, hasCover, oggDuration, cid);
  } catch (err) {
    const c = classifyParseError(err);
    return fail(c.kind, c.message, cid);
  }
}

