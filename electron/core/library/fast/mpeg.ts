// MP3 files: ID3v2 tags, the first MPEG frames (Xing/Info/LAME header, CBR detection) and an ID3v1 tag,
// with music-metadata's rules for codec, duration and bitrate, reading only the frames it would read.
import { CommonTags } from './common-tags.js';
import { ascii7, latin1, notHandled, type FileBytes } from './bytes.js';
import { ID3V1_GENRES, readId3v2 } from './id3v2.js';
import type { FastMeta, FormatFields } from './meta.js';

const VERSION = [2.5, null, 2, 1] as const;
const LAYER = [0, 3, 2, 1] as const;
const BITRATE: Record<number, Record<number, number>> = {
  1: { 11: 32, 12: 32, 13: 32, 21: 32, 22: 8, 23: 8 }, 2: { 11: 64, 12: 48, 13: 40, 21: 48, 22: 16, 23: 16 },
  3: { 11: 96, 12: 56, 13: 48, 21: 56, 22: 24, 23: 24 }, 4: { 11: 128, 12: 64, 13: 56, 21: 64, 22: 32, 23: 32 },
  5: { 11: 160, 12: 80, 13: 64, 21: 80, 22: 40, 23: 40 }, 6: { 11: 192, 12: 96, 13: 80, 21: 96, 22: 48, 23: 48 },
  7: { 11: 224, 12: 112, 13: 96, 21: 112, 22: 56, 23: 56 }, 8: { 11: 256, 12: 128, 13: 112, 21: 128, 22: 64, 23: 64 },
  9: { 11: 288, 12: 160, 13: 128, 21: 144, 22: 80, 23: 80 }, 10: { 11: 320, 12: 192, 13: 160, 21: 160, 22: 96, 23: 96 },
  11: { 11: 352, 12: 224, 13: 192, 21: 176, 22: 112, 23: 112 }, 12: { 11: 384, 12: 256, 13: 224, 21: 192, 22: 128, 23: 128 },
  13: { 11: 416, 12: 320, 13: 256, 21: 224, 22: 144, 23: 144 }, 14: { 11: 448, 12: 384, 13: 320, 21: 256, 22: 160, 23: 160 },
};
const SAMPLE_RATE: Record<number, number[]> = { 1: [44100, 48000, 32000], 2: [22050, 24000, 16000], 2.5: [11025, 12000, 8000] };

interface FrameHeader {
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  bitrate: number;
  sampleRate: number;
  padding: boolean;
  mono: boolean;
  crc: boolean;
  codec: string;
}

class BadHeader extends Error {}

function frameHeader(b1: number, b2: number, b3: number): FrameHeader {
  const versionIndex = (b1 >> 3) & 3;
  const layer = LAYER[(b1 >> 1) & 3]!;
  const version = VERSION[versionIndex]!;
  if (versionIndex > 1 && layer === 0) notHandled('ADTS stream');
  const bitrateIndex = b2 >> 4;
  if (bitrateIndex === 0 || bitrateIndex === 15 || version === null) throw new BadHeader('Cannot determine bit-rate');
  const kbps = BITRATE[bitrateIndex]![10 * Math.floor(version) + layer];
  if (!kbps) throw new BadHeader('Cannot determine bit-rate');
  const rateIndex = (b2 >> 2) & 3;
  if (rateIndex === 3) throw new BadHeader('Cannot determine sampling-rate');
  return {
    version, layer: layer as 1 | 2 | 3, bitrate: kbps * 1000, sampleRate: SAMPLE_RATE[version]![rateIndex]!, padding: ((b2 >> 1) & 1) === 1,
    mono: b3 >> 6 === 3, crc: (b1 & 1) === 0, codec: `MPEG ${version} Layer ${layer}`,
  };
}

const samplesPerFrame = (h: FrameHeader) => (h.version === 1 ? [0, 384, 1152, 1152] : [0, 384, 1152, 576])[h.layer]!;
const sideInfoLength = (h: FrameHeader) => (h.layer !== 3 ? 2 : h.mono ? (h.version === 1 ? 17 : 9) : h.version === 1 ? 32 : 17);
const slotSize = (h: FrameHeader) => [0, 4, 1, 1][h.layer]!;

/** The end of the data music-metadata would read; it stops there. */
class EndOfStream extends Error {}

/** The MPEG frame scan of music-metadata's MpegParser (without `duration`), replayed over the file's bytes. */
class FrameScan {
  pos: number;
  frameCount = 0;
  mpegOffset: number | null = null;
  frameSize = 0;
  samplesPerFrame: number | null = null;
  codecProfile: string | null = null;
  private header: FrameHeader | null = null;
  private readonly bitrates: number[] = [];
  private offset = 0;

  constructor(private readonly bytes: FileBytes, start: number, private readonly format: FormatFields, private readonly warnings: string[]) {
    this.pos = start;
  }

  private need(n: number): Buffer {
    const b = this.bytes.read(this.pos, n);
    if (b.length < n) throw new EndOfStream();
    return b;
  }

  private take(n: number): Buffer {
    const b = this.need(n);
    this.pos += n;
    return b;
  }

  private ignore(n: number): void {
    this.pos = Math.min(this.bytes.size, this.pos + n);
  }

  run(): void {
    this.format.lossless = false;
    this.format.hasAudio = true;
    try {
      for (;;) {
        const b1 = this.sync();
        if (this.parseFrame(b1)) return;
      }
    } catch (err) {
      if (!(err instanceof EndOfStream)) throw err;
    }
  }

  /** Find the next 0xFF followed by a byte with its three high bits set; returns that byte, pos just after 0xFF. */
  private sync(): number {
    let gotFirstSync = false;
    for (;;) {
      const peek = this.bytes.read(this.pos, 1024);
      if (peek.length <= 163) throw new EndOfStream();
      // music-metadata searches its whole 1024-byte buffer, stale bytes included, when fewer were read
      if (peek.length < 1024) notHandled('MPEG sync near the end of the file');
      let bo = 0;
      for (;;) {
        if (gotFirstSync && (peek[bo]! & 0xe0) === 0xe0) {
          this.pos += bo;
          return peek[bo]!;
        }
        gotFirstSync = false;
        bo = peek.indexOf(0xff, bo);
        if (bo === -1) {
          this.pos += peek.length;
          break;
        }
        bo++;
        gotFirstSync = true;
      }
    }
  }

  /** One frame header (pos is just after its 0xFF byte); true when music-metadata would stop here. */
  private parseFrame(b1: number): boolean {
    if (this.frameCount === 0) this.mpegOffset = this.pos - 1;
    const rest = this.need(3);
    let h: FrameHeader;
    try {
      h = frameHeader(b1, rest[1]!, rest[2]!);
    } catch (err) {
      if (!(err instanceof BadHeader)) throw err;
      this.ignore(1);
      this.warnings.push(`Parse error: ${err.message}`);
      return false;
    }
    this.ignore(3);
    this.format.container = 'MPEG';
    this.format.codec = h.codec;
    this.format.lossless = false;
    this.format.sampleRate = h.sampleRate;
    this.frameCount++;
    this.format.numberOfChannels = h.mono ? 1 : 2;
    this.format.bitrate = h.bitrate;
    const spf = samplesPerFrame(h);
    this.frameSize = Math.floor(((spf / 8) * h.bitrate) / h.sampleRate + (h.padding ? slotSize(h) : 0));
    this.header = h;
    this.bitrates.push(h.bitrate);
    if (this.frameCount === 1) {
      this.offset = 4;
      this.skipSideInformation();
      return false;
    }
    if (this.frameCount === 4) {
      if (this.bitrates.every((b) => b === this.bitrates[0])) {
        this.samplesPerFrame = spf;
        this.codecProfile = 'CBR';
      }
      return true;
    }
    this.offset = 4;
    if (h.crc) {
      this.ignore(2);
      this.offset += 2;
    }
    this.skipSideInformation();
    return false;
  }

  private skipSideInformation(): void {
    const side = sideInfoLength(this.header!);
    this.take(side);
    this.offset += side;
    this.readXtraInfoHeader();
  }

  private readXtraInfoHeader(): void {
    const tag = ascii7(this.take(4));
    this.offset += 4;
    switch (tag) {
      case 'Info':
        this.codecProfile = 'CBR';
        if (this.readXing()) return;
        return;
      case 'Xing': {
        const vbrScale = this.readXing();
        if (vbrScale != null) this.codecProfile = `V${Math.floor((100 - vbrScale) / 10)}`;
        return;
      }
      case 'LAME':
        notHandled('bare LAME header');
        break;
      default:
        break;
    }
    const left = this.frameSize - this.offset;
    if (left < 0) this.warnings.push(`Frame ${this.frameCount}corrupt: negative frameDataLeft`);
    else this.ignore(left);
  }

  /** A Xing/Info header; returns its VBR scale (null when absent). Only headers with frame and byte counts. */
  private readXing(): number | null {
    const start = this.pos;
    const flags = this.take(4).readUInt32BE(0);
    const frames = flags & 1 ? this.take(4).readUInt32BE(0) : null;
    const streamSize = flags & 2 ? this.take(4).readUInt32BE(0) : null;
    if (flags & 4) this.take(100);
    const vbrScale = flags & 8 ? this.take(4).readUInt32BE(0) : null;
    if (!streamSize || frames === null) notHandled('Xing header without frame and byte counts');
    if (ascii7(this.need(4)) === 'LAME') {
      this.ignore(4);
      const version = ascii7(this.take(5));
      const m = version.match(/\d+.\d+/g);
      if (m) {
        const [major, minor] = m[0]!.split('.').map((n) => Number.parseInt(n, 10));
        if (major! >= 3 && minor! >= 90) this.take(27);
      }
    }
    this.offset += this.pos - start;
    this.format.duration = (frames * samplesPerFrame(this.header!)) / this.header!.sampleRate;
    return vbrScale;
  }
}

/** The 128-byte ID3v1 tag at the end, if any; returns whether it gave a tag (music-metadata's `native.ID3v1`). */
export function readId3v1(bytes: FileBytes, tags: CommonTags): boolean {
  if (bytes.size < 128) return false;
  const b = bytes.read(bytes.size - 128, 128);
  const str = (at: number, len: number) => {
    let s = latin1(b.subarray(at, at + len));
    const z = s.indexOf('\0');
    if (z >= 0) s = s.slice(0, z);
    s = s.trim();
    return s.length > 0 ? s : undefined;
  };
  if (str(0, 3) !== 'TAG') return false;
  const hasTrack = b[125] === 0 && b[126] !== 0;
  const fields: [string, string | number | undefined][] = [
    ['title', str(3, 30)], ['artist', str(33, 30)], ['album', str(63, 30)], ['comment', str(97, hasTrack ? 28 : 30)],
    ['track', hasTrack ? b[126] : undefined], ['year', str(93, 4)],
  ];
  let any = false;
  for (const [id, v] of fields) {
    if (v !== undefined && v !== '') {
      tags.add('ID3v1', id, v);
      any = true;
    }
  }
  const genre = ID3V1_GENRES[b[127]!];
  if (genre) {
    tags.add('ID3v1', 'genre', genre);
    any = true;
  }
  return any;
}

export function readMp3(bytes: FileBytes): FastMeta {
  const tags = new CommonTags();
  let pos = 0;
  let hasCover = false;
  // several ID3v2 tags may follow each other; the cover is looked for in the first (as before)
  while (bytes.read(pos, 3).toString('latin1') === 'ID3') {
    const r = readId3v2(bytes, pos, tags);
    if (pos === 0) hasCover = r.hasPicture;
    pos = r.end;
  }
  const format: FormatFields = {};
  const warnings: string[] = [];
  const scan = new FrameScan(bytes, pos, format, warnings);
  scan.run();
  const hasId3v1 = scan.pos <= bytes.size - 128 ? readId3v1(bytes, tags) : false;
  // music-metadata's finalize(): bitrate of VBR streams and duration of CBR streams from the stream's size
  if (scan.mpegOffset !== null) {
    const mpegSize = bytes.size - scan.mpegOffset - (hasId3v1 ? 128 : 0);
    if (format.duration && scan.codecProfile?.[0] === 'V') format.bitrate = (mpegSize * 8) / format.duration;
    if (scan.codecProfile === 'CBR' && scan.samplesPerFrame !== null) {
      const numberOfSamples = Math.round(mpegSize / scan.frameSize) * scan.samplesPerFrame;
      if (format.sampleRate && !format.duration) format.duration = numberOfSamples / format.sampleRate;
    }
  }
  return { common: tags.common, format, tagTypes: tags.tagTypes, warnings, hasCover };
}
