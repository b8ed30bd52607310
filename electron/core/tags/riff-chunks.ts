// Finding top-level chunks in RIFF/WAVE (little-endian sizes) and AIFF (big-endian) files: where an ID3v2 tag
// chunk lives, and the CSET chunk that declares the code page of a WAV's RIFF INFO text.
import { fstatSync, readSync } from 'node:fs';

export interface Chunk {
  id: string;
  /** where the chunk's 8-byte header starts */
  header: number;
  /** where its data starts */
  start: number;
  /** its data length (as the header says, cut to the file) */
  length: number;
}

export function readAt(fd: number, pos: number, len: number): Buffer {
  const b = Buffer.alloc(len);
  const n = readSync(fd, b, 0, len, pos);
  return b.subarray(0, n);
}

/** The first top-level chunk for which `match` says yes (given its id and data start), or null. */
export function findChunk(fd: number, container: 'wav' | 'aiff', match: (id: string, start: number) => boolean): Chunk | null {
  const size = fstatSync(fd).size;
  const le = container === 'wav';
  for (let pos = 12; pos + 8 <= size; ) {
    const h = readAt(fd, pos, 8);
    if (h.length < 8) break;
    const id = h.toString('latin1', 0, 4);
    const len = le ? h.readUInt32LE(4) : h.readUInt32BE(4);
    if (match(id, pos + 8)) return { id, header: pos, start: pos + 8, length: Math.min(len, size - pos - 8) };
    pos += 8 + len + (len & 1); // chunks are padded to an even length
  }
  return null;
}
