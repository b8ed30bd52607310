// Fast readers: tags and audio properties of the usual file layouts, read from the container's structure
// with a few small reads, giving what music-metadata gives for those fields. Anything unusual is left to
// music-metadata (they throw NotHandled).
import type { Container } from '../../../shared/library.js';
import type { FileBytes } from './bytes.js';
import type { FastMeta } from './meta.js';
import { readMp3 } from './mpeg.js';
import { readFlac } from './flac.js';
import { readOgg } from './ogg.js';
import { readMp4 } from './mp4.js';
import { readAiff, readWav } from './riff.js';
import { readAsf } from './asf.js';

export { FileBytes, NotHandled } from './bytes.js';
export type { FastMeta, ParsedMeta } from './meta.js';

export function readFast(container: Container, bytes: FileBytes): FastMeta {
  switch (container) {
    case 'mp3': return readMp3(bytes);
    case 'flac': return readFlac(bytes);
    case 'ogg': return readOgg(bytes, 'vorbis');
    case 'opus': return readOgg(bytes, 'opus');
    case 'mp4': return readMp4(bytes);
    case 'wav': return readWav(bytes);
    case 'aiff': return readAiff(bytes);
    case 'asf': return readAsf(bytes);
  }
}
