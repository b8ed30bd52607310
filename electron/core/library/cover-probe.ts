// Whether a file carries embedded cover art, found by walking the container's structure (block,
// frame and atom headers only): the scan must never read the picture bytes themselves.
import type { FileHandle } from 'node:fs/promises';
import type { Container } from '../../shared/library.js';

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

const syncsafe = (b: Buffer, at: number) =>
  ((b[at]! & 0x7f) << 21) | ((b[at + 1]! & 0x7f) << 14) | ((b[at + 2]! & 0x7f) << 7) | (b[at + 3]! & 0x7f);

/** Walk the frame headers of an ID3v2 tag that starts at `at`. */
async function id3HasPicture(fh: FileHandle, at: number): Promise<boolean> {
  const h = await readAt(fh, at, 10);
  if (h.length < 10 || h.toString('latin1', 0, 3) !== 'ID3') return false;
  const major = h[3]!;
  const end = at + 10 + syncsafe(h, 6);
  let pos = at + 10;
  if (h[5]! & 0x40) {
    // extended header: skip it
    const x = await readAt(fh, pos, 4);
    pos += major === 4 ? syncsafe(x, 0) : x.readUInt32BE(0) + 4;
  }
  const headerLen = major === 2 ? 6 : 10;
  for (let frames = 0; pos + headerLen <= end && frames < 4096; frames++) {
    const f = await readAt(fh, pos, headerLen);
    if (f.length < headerLen || f[0] === 0) return false; // padding
    const id = f.toString('latin1', 0, major === 2 ? 3 : 4);
    if (id === 'APIC' || id === 'PIC') return true;
    const size = major === 2 ? f.readUIntBE(3, 3) : major === 4 ? syncsafe(f, 4) : f.readUInt32BE(4);
    pos += headerLen + size;
  }
  return false;
}

async function flacHasPicture(fh: FileHandle, size: number, head: Buffer): Promise<boolean> {
  let pos = head.toString('latin1', 0, 3) === 'ID3' ? 10 + syncsafe(head, 6) : 0;
  pos += 4; // "fLaC"
  while (pos + 4 <= size) {
    const b = await readAt(fh, pos, 4);
    if (b.length < 4) return false;
    const type = b[0]! & 0x7f;
    if (type === 6) return true;
    if (b[0]! & 0x80) return false; // last metadata block
    pos += 4 + b.readUIntBE(1, 3);
  }
  return false;
}

/** MP4: moov/udta/meta/ilst/covr (meta has 4 bytes of version and flags before its children). */
async function mp4HasPicture(fh: FileHandle, size: number): Promise<boolean> {
  const path = ['moov', 'udta', 'meta', 'ilst', 'covr'];
  let start = 0;
  let end = size;
  let depth = 0;
  let pos = start;
  while (pos + 8 <= end) {
    const h = await readAt(fh, pos, 16);
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
async function chunkedHasPicture(fh: FileHandle, size: number, littleEndian: boolean): Promise<boolean> {
  let pos = 12;
  while (pos + 8 <= size) {
    const h = await readAt(fh, pos, 8);
    if (h.length < 8) return false;
    const id = h.toString('latin1', 0, 4);
    const len = littleEndian ? h.readUInt32LE(4) : h.readUInt32BE(4);
    if (id.toLowerCase() === 'id3 ') return id3HasPicture(fh, pos + 8);
    pos += 8 + len + (len & 1);
  }
  return false;
}

/**
 * Ogg (Vorbis, Opus) keeps a cover as a METADATA_BLOCK_PICTURE comment and ASF as a WM/Picture attribute,
 * both in the header at the start of the file: look for the field name in the first 64 KiB.
 */
async function headerMentions(fh: FileHandle, names: Buffer[]): Promise<boolean> {
  const buf = await readAt(fh, 0, 64 * 1024);
  return names.some((n) => buf.includes(n));
}

export async function hasCoverArt(fh: FileHandle, container: Container, size: number, head: Buffer): Promise<boolean> {
  switch (container) {
    case 'mp3':
      return id3HasPicture(fh, 0);
    case 'flac':
      return flacHasPicture(fh, size, head);
    case 'mp4':
      return mp4HasPicture(fh, size);
    case 'wav':
      return chunkedHasPicture(fh, size, true);
    case 'aiff':
      return chunkedHasPicture(fh, size, false);
    case 'ogg':
    case 'opus':
      return headerMentions(fh, [Buffer.from('METADATA_BLOCK_PICTURE=', 'latin1'), Buffer.from('metadata_block_picture=', 'latin1')]);
    case 'asf':
      return headerMentions(fh, [Buffer.from('WM/Picture', 'utf16le')]);
  }
}
