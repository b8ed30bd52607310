// Hand-built tag structures that ffmpeg cannot write (ID3v2.4 NUL-separated lists, repeated Vorbis
// fields in FLAC), so the scanner's multi-value handling is tested on real byte layouts.
import { readFileSync, writeFileSync } from 'node:fs';

function syncsafe(n: number): Buffer {
  return Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);
}

/** An ID3v2.4 tag with UTF-8 text frames; a value list is written NUL-separated, as v2.4 specifies. */
export function id3v24Tag(frames: Record<string, string[]>): Buffer {
  const body = Buffer.concat(
    Object.entries(frames).map(([id, values]) => {
      const data = Buffer.concat([Buffer.from([3]), Buffer.from(values.join('\0'), 'utf8')]);
      return Buffer.concat([Buffer.from(id, 'latin1'), syncsafe(data.length), Buffer.from([0, 0]), data]);
    }),
  );
  return Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([4, 0, 0]), syncsafe(body.length), body]);
}

/** Put an ID3v2.4 tag in front of an untagged MP3 file. */
export function prependId3v24(mp3Path: string, frames: Record<string, string[]>): void {
  writeFileSync(mp3Path, Buffer.concat([id3v24Tag(frames), readFileSync(mp3Path)]));
}

/** Replace the VORBIS_COMMENT block of a FLAC file with these fields (keys may repeat). */
export function setFlacComments(flacPath: string, fields: [string, string][]): void {
  const file = readFileSync(flacPath);
  if (file.toString('latin1', 0, 4) !== 'fLaC') throw new Error(`${flacPath}: not a FLAC file`);
  const vendor = Buffer.from('spectag-test', 'utf8');
  const parts: Buffer[] = [u32le(vendor.length), vendor, u32le(fields.length)];
  for (const [k, v] of fields) {
    const f = Buffer.from(`${k}=${v}`, 'utf8');
    parts.push(u32le(f.length), f);
  }
  const comment = Buffer.concat(parts);
  const blocks: { type: number; data: Buffer }[] = [];
  let pos = 4;
  for (;;) {
    const header = file[pos]!;
    const len = file.readUIntBE(pos + 1, 3);
    const type = header & 0x7f;
    if (type !== 4) blocks.push({ type, data: file.subarray(pos + 4, pos + 4 + len) });
    pos += 4 + len;
    if (header & 0x80) break;
  }
  blocks.splice(1, 0, { type: 4, data: comment });
  const out: Buffer[] = [file.subarray(0, 4)];
  blocks.forEach((b, i) => {
    const h = Buffer.alloc(4);
    h[0] = b.type | (i === blocks.length - 1 ? 0x80 : 0);
    h.writeUIntBE(b.data.length, 1, 3);
    out.push(h, b.data);
  });
  out.push(file.subarray(pos));
  writeFileSync(flacPath, Buffer.concat(out));
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
