// Reading back the 8-bit indexed PNGs Spectag writes, for tests: chunks, CRCs, palette and pixels.
import { inflateSync } from 'node:zlib';
import { crc32 } from '../../electron/core/spectrogram/png.js';

export interface IndexedPng {
  width: number;
  height: number;
  palette: Uint8Array;
  /** palette indices, row by row from the top */
  pixels: Uint8Array;
  chunks: string[];
}

export function readIndexedPng(buf: Buffer): IndexedPng {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!sig.every((b, i) => buf[i] === b)) throw new Error('not a PNG signature');
  let off = 8;
  let width = 0;
  let height = 0;
  let palette = new Uint8Array(0);
  const idat: Buffer[] = [];
  const chunks: string[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    const crc = buf.readUInt32BE(off + 8 + len);
    if (crc !== crc32(buf.subarray(off + 4, off + 8 + len))) throw new Error(`bad CRC in ${type}`);
    chunks.push(type);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 3) throw new Error('not an 8-bit indexed PNG');
    } else if (type === 'PLTE') palette = Uint8Array.from(data);
    else if (type === 'IDAT') idat.push(Buffer.from(data));
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length !== (width + 1) * height) throw new Error('IDAT size does not match the image size');
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    if (raw[y * (width + 1)] !== 0) throw new Error('unexpected row filter');
    pixels.set(raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)), y * width);
  }
  return { width, height, palette, pixels, chunks };
}
