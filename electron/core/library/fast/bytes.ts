// The bytes of one file as the fast readers see them: the head and tail blocks already read for the content
// identity, anything else read on demand with one blocking read. Plus the text decodings tags use, decoded
// exactly as music-metadata decodes them (the fast readers must give the same strings).
import { readSync } from 'node:fs';

/** Reads outside the head and tail fetch at least this much, so that neighbouring small reads (frame headers) share one. */
const WINDOW = 4096;

export class FileBytes {
  /** read() calls that went to the disk (for tests and the benchmark) */
  reads = 0;
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    readonly fd: number,
    readonly size: number,
    /** bytes from offset 0 */
    readonly head: Buffer,
    /** bytes ending at the end of the file */
    readonly tail: Buffer,
  ) {}

  get tailStart(): number {
    return this.size - this.tail.length;
  }

  /**
   * `length` bytes at `pos` (fewer at the end of the file); a view when the head or tail holds them. A read
   * from the disk fetches at least `prefetch` bytes for the reads nearby; 0 for sparse reads (Ogg pages).
   */
  read(pos: number, length: number, prefetch = WINDOW): Buffer {
    const end = Math.min(this.size, pos + length);
    if (pos < 0 || pos >= end) return Buffer.alloc(0);
    if (end <= this.head.length) return this.head.subarray(pos, end);
    const ts = this.tailStart;
    if (pos >= ts) return this.tail.subarray(pos - ts, end - ts);
    const ws = this.windowStart;
    if (pos >= ws && end <= ws + this.window.length) return this.window.subarray(pos - ws, end - ws);
    const want = Math.min(this.size, pos + Math.max(end - pos, prefetch)) - pos;
    const buf = Buffer.allocUnsafe(want);
    let done = 0;
    while (done < want) {
      const n = readSync(this.fd, buf, done, want - done, pos + done);
      this.reads++;
      if (n === 0) break;
      done += n;
    }
    this.window = buf.subarray(0, done);
    this.windowStart = pos;
    return this.window.subarray(0, Math.min(done, end - pos));
  }
}

/** The fast reader met something it does not handle exactly like music-metadata: use music-metadata. */
export class NotHandled extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'NotHandled';
  }
}

export function notHandled(why: string): never {
  throw new NotHandled(why);
}

const utf8Decoder = new TextDecoder('utf-8');

/** UTF-8 as TextDecoder decodes it (a leading BOM dropped, invalid bytes replaced). */
export function utf8(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

export function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

/** A four-character code as music-metadata reads it (it refuses codes with other characters). */
export function fourCC(b: Uint8Array): string {
  const id = latin1(b.subarray(0, 4));
  const first = b[0]!;
  const rest = [b[1]!, b[2]!, b[3]!];
  if (b.length < 4 || !((first >= 0x21 && first <= 0x7e) || first === 0xa9) || !rest.every((c) => c === 0 || (c >= 0x20 && c <= 0x7e))) {
    notHandled('invalid four-character code');
  }
  return id;
}

/** ASCII the way music-metadata reads 4-character codes: the high bit of each byte is dropped. */
export function ascii7(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]! & 0x7f);
  return s;
}

/** UTF-16LE: a leading BOM dropped, unpaired surrogates and an odd last byte become U+FFFD. */
export function utf16le(b: Uint8Array): string {
  let start = 0;
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) start = 2;
  const even = start + ((b.length - start) & ~1);
  let s = Buffer.from(b.buffer, b.byteOffset + start, even - start).toString('utf16le');
  if (/[\ud800-\udfff]/.test(s)) s = s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  if (even < b.length) s += '\ufffd';
  return s;
}

export function swapBytes(b: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(b.length);
  for (let i = 0; i + 1 < b.length; i += 2) {
    out[i] = b[i + 1]!;
    out[i + 1] = b[i]!;
  }
  return out;
}

export type Id3Encoding = 'latin1' | 'utf-16le' | 'utf-16be' | 'utf8';

/** music-metadata's decodeString: a leading FF FE is dropped whatever the encoding; FE FF means big-endian. */
export function decodeId3String(b: Uint8Array, encoding: Id3Encoding): string {
  if (b[0] === 0xff && b[1] === 0xfe) return decodeId3String(b.subarray(2), encoding);
  if (encoding === 'utf-16le' && b[0] === 0xfe && b[1] === 0xff) {
    if (b.length & 1) notHandled('odd-length UTF-16 text');
    return decodeId3String(swapBytes(b), encoding);
  }
  if (encoding === 'utf-16be') {
    if (b.length & 1) notHandled('odd-length UTF-16 text');
    return utf16le(swapBytes(b));
  }
  if (encoding === 'utf-16le') return utf16le(b);
  if (encoding === 'latin1') return latin1(b);
  return utf8(b);
}

/** music-metadata's bit reader, 32-bit arithmetic included (its results are what the library has stored). */
export function bitAligned(source: Uint8Array, byteOffset: number, bitOffset: number, len: number): number {
  const byteOff = byteOffset + ~~(bitOffset / 8);
  const bitOff = bitOffset % 8;
  let value = source[byteOff]!;
  value &= 0xff >> bitOff;
  const bitsRead = 8 - bitOff;
  const bitsLeft = len - bitsRead;
  if (bitsLeft < 0) value >>= 8 - bitOff - len;
  else if (bitsLeft > 0) {
    value <<= bitsLeft;
    value |= bitAligned(source, byteOffset, bitOffset + bitsRead, bitsLeft);
  }
  return value;
}
