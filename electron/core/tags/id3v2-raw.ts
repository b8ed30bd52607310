// Byte-level editing of ID3v2.3/2.4 tags: the genre (TCON) frames are replaced and every other frame is kept
// exactly as stored. node-taglib-sharp re-renders the whole tag on save, and in doing so drops or rewrites what
// it cannot render in the tag's version: v2.4 frames that taggers put into v2.3 tags (TDRC, TDRL, TDEN, TDTG,
// TMCL; TIPL becomes IPLS, TDOR becomes TORY), frames flagged "discard when the tag is altered", the extended
// header. Those files then failed verification and could not be tagged at all; this module leaves them alone.
import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import type { Container } from '../../shared/library.js';
import { findChunk, readAt } from './riff-chunks.js';

export class Id3v2FormatError extends Error {}

export interface Id3v2Frame {
  id: string;
  /** the complete frame (header and body) as stored; resynchronised when the whole v2.3 tag was unsynchronised */
  bytes: Buffer;
}

export interface RawId3v2Tag {
  version: 3 | 4;
  revision: number;
  /** tag header flags (the extended-header flag is dropped on render: see renderId3v2) */
  flags: number;
  frames: Id3v2Frame[];
  /** the tag's size in the file: header, body (frames + padding), footer */
  size: number;
  /** a v2.4 tag whose frame sizes are plain 32-bit numbers instead of syncsafe ones (an old iTunes bug) */
  plainSizes: boolean;
}

const UNSYNC = 0x80;
const EXTENDED = 0x40;
const FOOTER = 0x10;
/** a v2.4 frame's format flag: this frame is unsynchronised */
const FRAME_UNSYNC = 0x02;
const FRAME_ID = /^[A-Z0-9]{4}$/;
/** padding added when a tag must grow: room for later edits without moving the audio again */
const GROW_PADDING = 1024;

const syncsafe = (b: Buffer, at: number) => ((b[at]! & 0x7f) << 21) | ((b[at + 1]! & 0x7f) << 14) | ((b[at + 2]! & 0x7f) << 7) | (b[at + 3]! & 0x7f);
const isSyncsafe = (b: Buffer, at: number) => ((b[at]! | b[at + 1]! | b[at + 2]! | b[at + 3]!) & 0x80) === 0;

function syncsafeBytes(n: number): Buffer {
  if (n >= 1 << 28) throw new Id3v2FormatError('the tag would exceed the 256 MB an ID3v2 size can express');
  return Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);
}

/** ID3 unsynchronisation: a 0x00 after every 0xFF that is followed by 0x00 or a byte ≥ 0xE0, and after a final 0xFF. */
export function unsynchronise(b: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    out.push(b[i]!);
    if (b[i] === 0xff && (i + 1 === b.length || b[i + 1] === 0 || b[i + 1]! >= 0xe0)) out.push(0);
  }
  return Buffer.from(out);
}

function resynchronise(b: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0 && i > 0 && b[i - 1] === 0xff) continue;
    out.push(b[i]!);
  }
  return Buffer.from(out);
}

/** The size of the ID3v2 tag that starts `head` (its first 10 bytes), or null when there is none there. */
export function id3v2TagSize(head: Buffer): number | null {
  if (head.length < 10 || head.toString('latin1', 0, 3) !== 'ID3' || head[3]! < 2 || head[3]! > 4 || !isSyncsafe(head, 6)) return null;
  return 10 + syncsafe(head, 6) + (head[3] === 4 && head[5]! & FOOTER ? 10 : 0);
}

function parseFrames(body: Buffer, from: number, version: 3 | 4, plainSizes: boolean): Id3v2Frame[] {
  const frames: Id3v2Frame[] = [];
  let pos = from;
  while (pos + 10 <= body.length && body[pos] !== 0) {
    const id = body.toString('latin1', pos, pos + 4);
    if (!FRAME_ID.test(id)) throw new Id3v2FormatError(`unreadable data where an ID3v2 frame should start (at byte ${pos + 10})`);
    if (version === 4 && !plainSizes && !isSyncsafe(body, pos + 4)) throw new Id3v2FormatError(`frame ${id} has a size that is not syncsafe`);
    const size = version === 4 && !plainSizes ? syncsafe(body, pos + 4) : body.readUInt32BE(pos + 4);
    if (pos + 10 + size > body.length) throw new Id3v2FormatError(`frame ${id} runs past the end of the tag`);
    frames.push({ id, bytes: Buffer.from(body.subarray(pos, pos + 10 + size)) });
    pos += 10 + size;
  }
  return frames;
}

/**
 * Parse a complete ID3v2 tag. Returns null for versions this module does not edit (2.2: taglib converts it);
 * throws Id3v2FormatError when the frames cannot be told apart exactly.
 */
export function parseId3v2(tag: Buffer): RawId3v2Tag | null {
  const size = id3v2TagSize(tag);
  if (size == null || size > tag.length) throw new Id3v2FormatError('not a complete ID3v2 tag');
  const version = tag[3]!;
  if (version !== 3 && version !== 4) return null;
  const flags = tag[5]!;
  let body: Buffer = tag.subarray(10, 10 + syncsafe(tag, 6));
  if (version === 3 && flags & UNSYNC) body = resynchronise(body);
  let from = 0;
  if (flags & EXTENDED) {
    from = version === 3 ? 4 + body.readUInt32BE(0) : syncsafe(body, 0);
    if (from > body.length) throw new Id3v2FormatError('the extended header runs past the end of the tag');
  }
  let frames: Id3v2Frame[];
  let plainSizes = false;
  try {
    frames = parseFrames(body, from, version, false);
  } catch (err) {
    // iTunes once wrote v2.4 frame sizes as plain numbers: accept that reading only when it parses cleanly
    if (version !== 4) throw err;
    frames = parseFrames(body, from, version, true);
    plainSizes = true;
  }
  return { version, revision: tag[4]!, flags, frames, size, plainSizes };
}

/**
 * The tag as bytes, `size` long when the frames fit (the rest is padding, so the audio need not move), else
 * grown with fresh padding. The extended header is left out: it holds only a CRC of, and the padding size of,
 * the tag as it was, both wrong after any change (node-taglib-sharp drops it too).
 */
export function renderId3v2(tag: RawId3v2Tag, size: number): Buffer {
  let frames: Buffer = Buffer.concat(tag.frames.map((f) => f.bytes));
  if (tag.version === 3 && tag.flags & UNSYNC) frames = unsynchronise(frames);
  const flags = tag.flags & ~EXTENDED;
  const footer = tag.version === 4 && (flags & FOOTER) !== 0;
  // a tag with a footer may not have padding
  const padding = footer ? 0 : 10 + frames.length <= size ? size - 10 - frames.length : GROW_PADDING;
  const body = Buffer.concat([frames, Buffer.alloc(padding)]);
  const header = Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([tag.version, tag.revision, flags]), syncsafeBytes(body.length)]);
  const foot = footer ? Buffer.concat([Buffer.from('3DI', 'latin1'), header.subarray(3)]) : Buffer.alloc(0);
  return Buffer.concat([header, body, foot]);
}

/** A text frame for this tag (header included), as the tag's conventions want it (frame unsynchronisation, size form). */
export function frameForTag(tag: RawId3v2Tag, id: string, body: Buffer): Buffer {
  const h = Buffer.alloc(10);
  h.write(id, 0, 'latin1');
  if (tag.version === 4 && !tag.plainSizes) syncsafeBytes(body.length).copy(h, 4);
  else h.writeUInt32BE(body.length, 4);
  // a v2.4 tag flagged unsynchronised has every frame unsynchronised
  if (tag.version === 4 && tag.flags & UNSYNC) {
    h[9] = FRAME_UNSYNC;
    body = unsynchronise(body);
    if (!tag.plainSizes) syncsafeBytes(body.length).copy(h, 4);
    else h.writeUInt32BE(body.length, 4);
  }
  return Buffer.concat([h, body]);
}

/** The tag with every frame `id` replaced by these complete frames, at the place of the first one (else at the end). */
export function replaceFrames(tag: RawId3v2Tag, id: string, frames: readonly Buffer[]): RawId3v2Tag {
  const first = tag.frames.findIndex((f) => f.id === id);
  const kept = tag.frames.filter((f) => f.id !== id);
  const at = first < 0 ? kept.length : tag.frames.slice(0, first).filter((f) => f.id !== id).length;
  const fresh = frames.map((bytes) => ({ id, bytes: Buffer.from(bytes) }));
  return { ...tag, frames: [...kept.slice(0, at), ...fresh, ...kept.slice(at)] };
}

// ---- where the tag is in a file

interface Location {
  /** where the tag's bytes start */
  start: number;
  /** the bytes the tag occupies: the tag itself, or its whole chunk's data */
  length: number;
  /** a WAV/AIFF chunk holding the tag: its header's position and the byte order of sizes */
  chunk?: { header: number; littleEndian: boolean };
}

/** The chunk holding an ID3v2 tag in RIFF/WAVE (`id3 ` or `ID3 `) or AIFF (`ID3 `). */
function findId3Chunk(fd: number, container: 'wav' | 'aiff'): Location | null {
  const c = findChunk(fd, container, (id, start) => (id === 'id3 ' || id === 'ID3 ') && readAt(fd, start, 3).toString('latin1') === 'ID3');
  return c && { start: c.start, length: c.length, chunk: { header: c.header, littleEndian: container === 'wav' } };
}

function locate(fd: number, container: Container): Location | null {
  if (container === 'wav' || container === 'aiff') return findId3Chunk(fd, container);
  if (container !== 'mp3' && container !== 'flac') return null;
  const size = id3v2TagSize(readAt(fd, 0, 10));
  return size == null ? null : { start: 0, length: size };
}

/** The ID3v2 tag of a file as stored (MP3/FLAC: in front; WAV/AIFF: in its chunk), or null when it has none. */
export function readRawId3v2(path: string, container: Container): { bytes: Buffer; roomInFile: number } | null {
  const fd = openSync(path, 'r');
  try {
    const loc = locate(fd, container);
    if (!loc) return null;
    const head = readAt(fd, loc.start, 10);
    const size = id3v2TagSize(head);
    if (size == null) return null;
    return { bytes: readAt(fd, loc.start, size), roomInFile: loc.length };
  } finally {
    closeSync(fd);
  }
}

/** Replace `oldLen` bytes at `at` by `data`, moving everything after them (the file grows or shrinks). */
function spliceFile(fd: number, at: number, oldLen: number, data: Buffer): void {
  const size = fstatSync(fd).size;
  const delta = data.length - oldLen;
  const tailStart = at + oldLen;
  const chunk = 1 << 20;
  if (delta > 0) {
    // growing: move the tail from its end backwards, so nothing is overwritten before it is read
    for (let end = size; end > tailStart; ) {
      const from = Math.max(tailStart, end - chunk);
      const b = readAt(fd, from, end - from);
      writeSync(fd, b, 0, b.length, from + delta);
      end = from;
    }
  } else if (delta < 0) {
    for (let from = tailStart; from < size; from += chunk) {
      const b = readAt(fd, from, Math.min(chunk, size - from));
      writeSync(fd, b, 0, b.length, from + delta);
    }
    ftruncateSync(fd, size + delta);
  }
  writeSync(fd, data, 0, data.length, at);
}

/**
 * Put this rendered tag into the file in place of its ID3v2 tag (or add it: in front of an MP3/FLAC, as a last
 * chunk of a WAV/AIFF), fixing the chunk and RIFF/FORM sizes where the tag lives in a chunk.
 */
export function writeRawId3v2(path: string, container: Container, tag: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    const loc = locate(fd, container);
    if (container === 'mp3' || container === 'flac') {
      spliceFile(fd, 0, loc?.length ?? 0, tag);
      return;
    }
    if (container !== 'wav' && container !== 'aiff') throw new Error(`a ${container} file has no ID3v2 tag`);
    const le = container === 'wav';
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      if (le) b.writeUInt32LE(n);
      else b.writeUInt32BE(n);
      return b;
    };
    const pad = tag.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0);
    let delta: number;
    if (loc?.chunk) {
      const oldPadded = loc.length + (loc.length & 1);
      delta = tag.length + pad.length - oldPadded;
      spliceFile(fd, loc.start, oldPadded, Buffer.concat([tag, pad]));
      writeSync(fd, u32(tag.length), 0, 4, loc.chunk.header + 4);
    } else {
      const size = fstatSync(fd).size;
      const chunk = Buffer.concat([Buffer.from(le ? 'id3 ' : 'ID3 ', 'latin1'), u32(tag.length), tag, pad]);
      const lead = size & 1 ? Buffer.alloc(1) : Buffer.alloc(0); // chunks start at even offsets
      writeSync(fd, Buffer.concat([lead, chunk]), 0, lead.length + chunk.length, size);
      delta = lead.length + chunk.length;
    }
    const form = readAt(fd, 4, 4);
    writeSync(fd, u32((le ? form.readUInt32LE(0) : form.readUInt32BE(0)) + delta), 0, 4, 4);
  } finally {
    closeSync(fd);
  }
}
