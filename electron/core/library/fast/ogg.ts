// Ogg Vorbis and Opus: identification header, comment packet and duration, replaying music-metadata's
// page walk (it reads pages until the comment is complete and the 13th page is passed) over page headers
// only; a cover in the comment (METADATA_BLOCK_PICTURE, often a megabyte of base64 over many pages) is
// never read. Duration from the granule position of the last page, as read-file did before.
import { CommonTags } from './common-tags.js';
import { latin1, notHandled, type FileBytes } from './bytes.js';
import { readVorbisComments, type PacketReader } from './vorbis.js';
import type { FastMeta, FormatFields } from './meta.js';

interface Page {
  pos: number;
  flags: number;
  granule: bigint;
  serial: number;
  seq: number;
  bodyPos: number;
  bodyLen: number;
}

/** `prefetch`: bytes to read ahead for the next pages (worth it when they are small: audio pages of a few KiB). */
function readPage(bytes: FileBytes, pos: number, prefetch: number): Page | null {
  const h = bytes.read(pos, 27 + 255, prefetch);
  if (h.length < 27) return null;
  if (h.toString('latin1', 0, 4) !== 'OggS') notHandled('no Ogg page where one should be');
  const n = h[26]!;
  const segs = h.subarray(27, 27 + n);
  if (segs.length < n) return null;
  let bodyLen = 0;
  for (let i = 0; i < n; i++) bodyLen += segs[i]!;
  if (pos + 27 + n + bodyLen > bytes.size) return null;
  return {
    pos, flags: h[5]!, granule: h.readBigUInt64LE(6), serial: h.readUInt32LE(14), seq: h.readUInt32LE(18), bodyPos: pos + 27 + n, bodyLen,
  };
}

/** Pages' bodies joined into one packet-like run of bytes, read piece by piece. */
function joined(bytes: FileBytes, pages: Page[]): PacketReader {
  const starts: number[] = [];
  let length = 0;
  for (const p of pages) {
    starts.push(length);
    length += p.bodyLen;
  }
  return {
    length,
    read(offset, len) {
      const parts: Buffer[] = [];
      let i = starts.length - 1;
      while (i > 0 && starts[i]! > offset) i--;
      let at = offset;
      let left = Math.min(len, length - offset);
      while (left > 0 && i < pages.length) {
        const within = at - starts[i]!;
        const n = Math.min(left, pages[i]!.bodyLen - within);
        if (n > 0) {
          parts.push(bytes.read(pages[i]!.bodyPos + within, n));
          at += n;
          left -= n;
        }
        i++;
      }
      return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    },
  };
}

/** The granule position of the last page of the file (the same search as ogg-duration.ts). */
function lastGranule(bytes: FileBytes): bigint | null {
  for (const span of [bytes.tail.length, 64 * 1024]) {
    const len = Math.min(bytes.size, span);
    const tail = bytes.read(bytes.size - len, len);
    for (let i = tail.lastIndexOf('OggS'); i >= 0; i = i > 0 ? tail.lastIndexOf('OggS', i - 1) : -1) {
      if (i + 14 > tail.length || tail[i + 4] !== 0) continue;
      const granule = tail.readBigInt64LE(i + 6);
      if (granule >= 0n) return granule;
    }
    if (len === bytes.size) break;
  }
  return null;
}

export function readOgg(bytes: FileBytes, codec: 'vorbis' | 'opus'): FastMeta {
  const tags = new CommonTags();
  const format: FormatFields = {};
  let hasCover = false;
  let preSkip = 0;
  let serial: number | null = null;
  let pending: Page[] = [];
  let metadataComplete = false;
  let closed = false;
  let last: Page | null = null;
  let opusLastPos = -1;
  let pos = 0;
  let prefetch = 0;
  for (;;) {
    const page = readPage(bytes, pos, prefetch);
    if (!page) notHandled('Ogg stream ends inside a page or before its last page');
    pos = page.bodyPos + page.bodyLen;
    // comment pages holding a cover are 64 KiB each: skip them one header at a time; read small pages in bulk
    prefetch = page.bodyLen < 16 * 1024 ? 48 * 1024 : 0;
    if (serial === null) serial = page.serial;
    else if (page.serial !== serial) notHandled('several Ogg streams');
    last = page;
    if (page.flags & 2) {
      const body = bytes.read(page.bodyPos, page.bodyLen);
      format.container = 'Ogg';
      if (codec === 'vorbis') {
        if (body.length < 30 || body[0] !== 1 || body.toString('latin1', 1, 7) !== 'vorbis') notHandled('odd Vorbis identification header');
        format.codec = 'Vorbis I';
        format.hasAudio = true;
        format.sampleRate = body.readUInt32LE(12);
        format.bitrate = body.readUInt32LE(20);
        format.numberOfChannels = body[11]!;
      } else {
        if (body.length < 19 || body.toString('latin1', 0, 8) !== 'OpusHead') notHandled('odd Opus identification header');
        format.codec = 'Opus';
        format.sampleRate = body.readUInt32LE(12);
        format.numberOfChannels = body[9]!;
        format.hasAudio = true;
        preSkip = body.readUInt16LE(10);
      }
    } else {
      const continued = (page.flags & 1) !== 0;
      if (continued) {
        if (!pending.length) notHandled('Ogg page continues nothing');
        pending.push(page);
      }
      if (page.flags & 4 || !continued) {
        if (pending.length) {
          const packet = joined(bytes, pending);
          const magic = packet.read(0, 8);
          if (codec === 'vorbis' && magic[0] === 3) {
            hasCover = readVorbisComments(packet, 7, tags) || hasCover;
            metadataComplete = true;
          } else if (codec === 'opus' && latin1(magic.subarray(0, 8)) === 'OpusTags') {
            hasCover = readVorbisComments(packet, 8, tags) || hasCover;
            metadataComplete = true;
            opusLastPos = pos - packet.length;
          }
        }
        pending = page.flags & 4 ? [] : [page];
      }
    }
    if (page.flags & 4) {
      closed = true;
      break;
    }
    if (page.seq > 12 && metadataComplete) break;
  }
  if (closed && format.sampleRate) {
    // the whole stream was read: music-metadata takes the duration from its last page
    const granule = Number(last.granule);
    if (codec === 'vorbis') format.duration = granule / format.sampleRate;
    else {
      format.duration = (granule - preSkip) / 48000;
      if (opusLastPos !== -1 && format.duration) format.bitrate = (8 * (bytes.size - opusLastPos)) / format.duration;
    }
  }
  let oggDuration: number | null = null;
  if (!format.duration) {
    const granule = lastGranule(bytes);
    if (granule != null) {
      if (codec === 'opus') {
        const samples = Number(granule) - preSkip;
        oggDuration = samples > 0 ? samples / 48000 : null;
      } else oggDuration = format.sampleRate && granule > 0n ? Number(granule) / format.sampleRate : null;
    }
  }
  return { common: tags.common, format, tagTypes: tags.tagTypes, warnings: [], hasCover, oggDuration };
}
