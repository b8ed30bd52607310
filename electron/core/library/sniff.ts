// Which audio container a file really is, from its first bytes (the extension can lie).
import type { Container } from '../../shared/library.js';

/** Extensions the walk treats as audio candidates; the content then decides the container. */
export const AUDIO_EXTENSIONS = new Set([
  '.mp3', '.mp2', '.flac', '.ogg', '.oga', '.opus', '.m4a', '.m4b', '.mp4', '.alac', '.aac',
  '.wav', '.wave', '.aif', '.aiff', '.aifc', '.wma', '.asf',
]);

/** MIME type handed to music-metadata so that it parses by content, not by extension. */
export const CONTAINER_MIME: Record<Container, string> = {
  mp3: 'audio/mpeg', flac: 'audio/flac', ogg: 'audio/ogg', opus: 'audio/ogg', mp4: 'audio/mp4',
  wav: 'audio/wav', aiff: 'audio/aiff', asf: 'audio/x-ms-wma',
};

const ASF_GUID = Buffer.from('3026b2758e66cf11a6d900aa0062ce6c', 'hex');

function ascii(b: Buffer, at: number, text: string): boolean {
  return b.length >= at + text.length && b.toString('latin1', at, at + text.length) === text;
}

/** An MPEG audio frame header at `i`: 11 sync bits, a valid layer, bitrate and sample-rate index. */
function mpegFrameAt(b: Buffer, i: number): boolean {
  if (i + 4 > b.length) return false;
  const b0 = b[i]!, b1 = b[i + 1]!, b2 = b[i + 2]!;
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return false;
  const version = (b1 >> 3) & 3, layer = (b1 >> 1) & 3, bitrate = b2 >> 4, rate = (b2 >> 2) & 3;
  return version !== 1 && layer !== 0 && bitrate !== 15 && bitrate !== 0 && rate !== 3;
}

/**
 * Identify the container from the head of a file (at least 64 bytes; 4 KiB recommended so that an MP3
 * without an ID3 tag but with leading junk is still found). Returns null when it is not audio we know.
 */
export function sniffContainer(head: Buffer): Container | null {
  if (ascii(head, 0, 'fLaC')) return 'flac';
  if (ascii(head, 0, 'OggS')) {
    // the first page carries the codec's identification header
    const firstPage = head.subarray(0, Math.min(head.length, 512));
    if (firstPage.includes('OpusHead')) return 'opus';
    if (firstPage.includes('FLAC')) return 'flac';
    return 'ogg';
  }
  if (ascii(head, 4, 'ftyp')) return 'mp4';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return 'wav';
  if (ascii(head, 0, 'RF64') && ascii(head, 8, 'WAVE')) return 'wav';
  if (ascii(head, 0, 'FORM') && (ascii(head, 8, 'AIFF') || ascii(head, 8, 'AIFC'))) return 'aiff';
  if (head.length >= 16 && head.subarray(0, 16).equals(ASF_GUID)) return 'asf';
  if (ascii(head, 0, 'ID3')) {
    // an ID3v2 tag in front of FLAC happens in the wild; look past the tag when we have the bytes
    const size = ((head[6]! & 0x7f) << 21) | ((head[7]! & 0x7f) << 14) | ((head[8]! & 0x7f) << 7) | (head[9]! & 0x7f);
    const after = 10 + size + ((head[5]! & 0x10) ? 10 : 0);
    if (after + 4 <= head.length && ascii(head, after, 'fLaC')) return 'flac';
    return 'mp3';
  }
  // MPEG audio without ID3: two consecutive plausible frame headers near the start
  const limit = Math.min(head.length - 4, 4096);
  for (let i = 0; i < limit; i++) {
    if (mpegFrameAt(head, i) && (mpegFrameAt(head, i + 1) === false)) {
      // a second sync within the buffer makes it much less likely to be random bytes
      for (let j = i + 4; j < Math.min(head.length - 4, i + 2000); j++) if (mpegFrameAt(head, j)) return 'mp3';
      if (head.length < i + 2000) return 'mp3';
    }
  }
  return null;
}
