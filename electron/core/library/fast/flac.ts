// FLAC files: STREAMINFO, the Vorbis comment block and whether a PICTURE block exists, walking metadata
// block headers only; plus ID3 tags before or after, as music-metadata reads them.
import { CommonTags } from './common-tags.js';
import { bitAligned, notHandled, type FileBytes } from './bytes.js';
import { readId3v2 } from './id3v2.js';
import { readId3v1 } from './mpeg.js';
import { readVorbisComments } from './vorbis.js';
import type { FastMeta, FormatFields } from './meta.js';

export function readFlac(bytes: FileBytes): FastMeta {
  const tags = new CommonTags();
  let pos = 0;
  while (bytes.read(pos, 3).toString('latin1') === 'ID3') pos = readId3v2(bytes, pos, tags).end;
  if (bytes.read(pos, 4).toString('latin1') !== 'fLaC') notHandled('no fLaC marker');
  pos += 4;
  const format: FormatFields = {};
  const warnings: string[] = [];
  let hasCover = false;
  for (let last = false; !last; ) {
    const h = bytes.read(pos, 4);
    if (h.length < 4) notHandled('FLAC metadata cut short');
    last = (h[0]! & 0x80) !== 0;
    const type = h[0]! & 0x7f;
    const len = (h[1]! << 16) | (h[2]! << 8) | h[3]!;
    const body = pos + 4;
    if (body + len > bytes.size) notHandled('FLAC block runs past the file');
    switch (type) {
      case 0: {
        if (len !== 34) notHandled('odd STREAMINFO length');
        const b = bytes.read(body, 34);
        format.container = 'FLAC';
        format.codec = 'FLAC';
        format.hasAudio = true;
        format.lossless = true;
        format.numberOfChannels = bitAligned(b, 12, 4, 3) + 1;
        format.sampleRate = ((b[10]! << 16) | (b[11]! << 8) | b[12]!) >> 4;
        const totalSamples = bitAligned(b, 13, 4, 36);
        if (totalSamples > 0) format.duration = totalSamples / format.sampleRate;
        break;
      }
      case 4:
        readVorbisComments({ length: len, read: (o, n) => bytes.read(body + o, n) }, 0, tags);
        break;
      case 6:
        hasCover = true;
        break;
      case 1: case 2: case 3: case 5:
        break;
      default:
        warnings.push(`Unknown block type: ${type}`);
    }
    pos = body + len;
  }
  if (format.duration) format.bitrate = (8 * (bytes.size - pos)) / format.duration;
  if (pos <= bytes.size - 128) readId3v1(bytes, tags);
  return { common: tags.common, format, tagTypes: tags.tagTypes, warnings, hasCover };
}
