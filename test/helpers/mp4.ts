// Rewriting the iTunes metadata list of an MP4 file in tests, for layouts ffmpeg cannot write
// (the legacy numeric `gnre` genre atom). Every ancestor atom's size is fixed up.
import { readFileSync, writeFileSync } from 'node:fs';

export interface Atom {
  start: number;
  size: number;
  type: string;
  headerLen: number;
}

/** The atoms from `from` to `to` (an atom of size 0 runs to `to`). */
export function children(buf: Buffer, from: number, to: number): Atom[] {
  const out: Atom[] = [];
  for (let pos = from; pos + 8 <= to; ) {
    let size = buf.readUInt32BE(pos);
    if (size === 0) size = to - pos;
    if (size < 8) throw new Error(`bad MP4 atom at ${pos}`);
    out.push({ start: pos, size, type: buf.toString('latin1', pos + 4, pos + 8), headerLen: 8 });
    pos += size;
  }
  return out;
}

/**
 * Replace the ©gen item of moov/udta/meta/ilst with a `gnre` item holding an ID3v1 genre number
 * (stored as index + 1, as iTunes does). moov must follow mdat (ffmpeg's default), so that chunk offsets stay valid.
 */
export function replaceGenreWithGnre(path: string, id3v1Index: number): void {
  const buf = readFileSync(path);
  const chain: Atom[] = [];
  let range: [number, number] = [0, buf.length];
  for (const type of ['moov', 'udta', 'meta', 'ilst']) {
    const a = children(buf, range[0], range[1]).find((c) => c.type === type);
    if (!a) throw new Error(`${path}: no ${type} atom`);
    chain.push(a);
    range = [a.start + 8 + (type === 'meta' ? 4 : 0), a.start + a.size];
  }
  const mdat = children(buf, 0, buf.length).find((c) => c.type === 'mdat');
  if (!mdat || mdat.start > chain[0]!.start) throw new Error(`${path}: moov must come after mdat`);
  const gen = children(buf, range[0], range[1]).find((c) => c.type === '\xa9gen');
  if (!gen) throw new Error(`${path}: no ©gen item`);
  const data = Buffer.alloc(18);
  data.writeUInt32BE(18, 0);
  data.write('data', 4, 'latin1');
  data.writeUInt32BE(0, 8); // type 0: implicit (binary)
  data.writeUInt32BE(0, 12); // locale
  data.writeUInt16BE(id3v1Index + 1, 16);
  const gnre = Buffer.concat([Buffer.alloc(8), data]);
  gnre.writeUInt32BE(gnre.length, 0);
  gnre.write('gnre', 4, 'latin1');
  const delta = gnre.length - gen.size;
  const out = Buffer.concat([buf.subarray(0, gen.start), gnre, buf.subarray(gen.start + gen.size)]);
  for (const a of chain) out.writeUInt32BE(a.size + delta, a.start);
  writeFileSync(path, out);
}
