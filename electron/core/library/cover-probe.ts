// Whether a file carries embedded cover art, found by walking the container's structure (block,
// frame and atom headers only): the scan must never read the picture bytes themselves.
import { readSync } from 'node:fs';
import type { Container } from '../../shared/library.js';

type Fd = number;

/** Header reads are small; the 64 KiB window of headerMentions is the largest. */
function readAt(fd: Fd, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  const n = readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n);
}

const syncsafe = (b: Buffer, at: number) =>
  ((b[at]! & 0x7f) << 21) | ((b[at + 1]! & 0x7f) << 14) | ((b[at + 2]! & 0x7f) << 7) | (b[at + 3]! & 0x7f);

/** Walk the frame headers of an ID3v2 tag that starts at `at`. */
function id3HasPicture(fd: Fd, at: number): boolean {
  const h = readAt(fd, at, 10);
  if (h.length < 10 || h.toString('latin1', 0, 3) !== 'ID3') return false;
  const major = h[3]!;
  const end = at + 10 + syncsafe(h, 6);
  let pos = at + 10;
  if (h[5]! & 0x40) {
    // extended header: skip it
    const x = readAt(fd, pos, 4);
    pos += major === 4 ? syncsafe(x, 0) : x.readUInt32BE(0) + 4;
  }
  const headerLen = major === 2 ? 6 : 10;
  for (let frames = 0; pos + headerLen <= end && frames < 4096; frames++) {
    const f = readAt(fd, pos, headerLen);
    if (f.length < headerLen || f[0] === 0) return false; // padding
    const id = f.toString('latin1', 0, major === 2 ? 3 : 4);
    if (id === 'APIC' || id === 'PIC') return true;
    const size = major === 2 ? f.readUIntBE(3, 3) : major === 4 ? syncsafe(f, 4) : f.readUInt32BE(4);
    pos += headerLen + size;
  }
  return false;
}

function flacHasPicture(fd: Fd, size: number, head: Buffer): boolean {
  let pos = head.toString('latin1', 0, 3) === 'ID3' ? 10 + syncsafe(head, 6) : 0;
  pos += 4; // "fLaC"
  while (pos + 4 <= size) {
    const b = readAt(fd, pos, 4);
    if (b.length < 4) return false;
    const type = b[0]! & 0x7f;
    if (type === 6) return true;
    if (b[0]! & 0x80) return false; // last metadata block
    pos += 4 + b.readUIntBE(1, 3);
  }
  return false;
}

/** MP4: moov/udta/meta/ilst/covr (meta has 4 bytes of version and flags before its children). */
function mp4HasPicture(fd: Fd, size: number): boolean {
  const path = ['moov', 'udta', 'meta', 'ilst', 'covr'];
  let start = 0;
  let end = size;
  let depth = 0;
  let pos = start;
  while (pos + 8 <= end) {
    const h = readAt(fd, pos, 16);
    if (h.length < 8) return false;
    let len = h.readUInt32BE(0);
    const type = h.toString('latin1', 4, 8);
    let headerLen = 8;
    if (len === 1 && h.length >= 16) {
      len = Number(h.readBigUInt64BE(8));
      headerLen = 16;
    } else if (len === 0) len = end - pos;
    if (len < headerLen) return false;
    if (type === path[depth]) {
      if (depth === path.length - 1) return true;
      depth++;
      start = pos + headerLen + (type === 'meta' ? 4 : 0);
      end = Math.min(end, pos + len);
      pos = start;
      continue;
    }
    pos += len;
  }
  return false;
}

/** RIFF (WAV) and IFF (AIFF) files keep an ID3v2 tag in an "id3 " / "ID3 " chunk. */
function chunkedHasPicture(fd: Fd, size: number, littleEndian: boolean): boolean {
  let pos = 12;
  while (pos + 8 <= size) {
    const h = readAt(fd, pos, 8);
    if (h.length < 8) return false;
    const id = h.toString('latin1', 0, 4);
    const len = littleEndian ? h.readUInt32LE(4) : h.readUInt32BE(4);
    if (id.toLowerCase() === 'id3 ') return id3HasPicture(fd, pos + 8);
    pos += 8 + len + (len & 1);
  }
  return false;
}

/**
 * Ogg (Vorbis, Opus) keeps a cover as a METADATA_BLOCK_PICTURE comment and ASF as a WM/Picture attribute,
 * both in the header at the start of the file: look for the field name in the first 64 KiB.
 */
function headerMentions(fd: Fd, names: Buffer[]): boolean {
  const buf = readAt(fd, 0, 64 * 1024);
  return names.some((n) => buf.includes(n));
}

export function hasCoverArt(fd: Fd, container: Container, size: number, head: Buffer): boolean {
  switch (container) {
    case 'mp3':
      return id3HasPicture(fd, 0);
    case 'flac':
      return flacHasPicture(fd, size, head);
    case 'mp4':
      return mp4HasPicture(fd, size);
    case 'wav':
      return chunkedHasPicture(fd, size, true);
    case 'aiff':
      return chunkedHasPicture(fd, size, false);
    case 'ogg':
    case 'opus':
      return headerMentions(fd, [Buffer.from('METADATA_BLOCK_PICTURE=', 'latin1'), Buffer.from('metadata_block_picture=', 'latin1')]);
    case 'asf':
      return headerMentions(fd, [Buffer.from('WM/Picture', 'utf16le')]);
  }
}
