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

const MPEG_KBPS: Record<string, number[]> = {
  // [version 1 | 2] × layer: bitrates by index 1..14
  '1-1': [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MPEG_RATES = [[11025, 12000, 8000], null, [22050, 24000, 16000], [44100, 48000, 32000]] as const;

/** The MPEG audio frame header at `i`: its kind (version, layer, rate) and length, or null when it is none. */
function mpegFrameAt(b: Buffer, i: number): { kind: number; length: number } | null {
  if (i + 4 > b.length) return null;
  const b1 = b[i + 1]!, b2 = b[i + 2]!;
  if (b[i] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const version = (b1 >> 3) & 3, layerBits = (b1 >> 1) & 3, bitrateIndex = b2 >> 4, rateIndex = (b2 >> 2) & 3;
  if (version === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const layer = 4 - layerBits;
  const kbps = MPEG_KBPS[`${version === 3 ? 1 : 2}-${layer}`]![bitrateIndex - 1]!;
  const rate = MPEG_RATES[version]![rateIndex]!;
  const padding = (b2 >> 1) & 1;
  const length = layer === 1
    ? (Math.floor((12 * kbps * 1000) / rate) + padding) * 4
    : Math.floor(((layer === 3 && version !== 3 ? 72 : 144) * kbps * 1000) / rate) + padding;
  return { kind: b1 & 0xfe | (rateIndex << 8), length };
}

/**
 * Where MPEG audio starts in `b`: the first of three consecutive frames of the same kind, at or after `from`
 * and before `from + within`; -1 when there is none. Random bytes give a lone plausible frame header about
 * once per 2,000 positions; three in a row, each where the previous one's length says, practically never.
 */
export function findMpegFrames(b: Buffer, from = 0, within = 4096): number {
  const limit = Math.min(b.length - 4, from + within);
  for (let i = b.indexOf(0xff, from); i >= 0 && i < limit; i = b.indexOf(0xff, i + 1)) {
    const first = mpegFrameAt(b, i);
    if (!first) continue;
    const second = mpegFrameAt(b, i + first.length);
    if (!second || second.kind !== first.kind) continue;
    const third = i + first.length + second.length;
    // a stream shorter than three frames ends where the second one does
    if (third >= b.length || mpegFrameAt(b, third)?.kind === first.kind) return i;
  }
  return -1;
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
  // MPEG audio without ID3: a run of frames near the start (after some junk, at most)
  return findMpegFrames(head) >= 0 ? 'mp3' : null;
}
