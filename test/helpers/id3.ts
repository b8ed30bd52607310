// Hand-built tag structures that ffmpeg cannot write (ID3v2.4 NUL-separated lists, repeated Vorbis
// fields in FLAC), so the scanner's multi-value handling is tested on real byte layouts.
import { readFileSync, writeFileSync } from 'node:fs';
import { rewriteFlacBlocks, vorbisCommentBody } from './tag-layouts.js';

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
  const comment = vorbisCommentBody('spectag-test', fields);
  writeFileSync(flacPath, rewriteFlacBlocks(readFileSync(flacPath), (blocks) => {
    const rest = blocks.filter((b) => b.type !== 4);
    rest.splice(1, 0, { type: 4, data: comment });
    return rest;
  }));
}

// ---- ID3v2.3 tags as taggers in the wild write them (Mp3tag, iTunes, Windows Media Player, MusicBee, ffmpeg
// remuxes of v2.4 sources): v2.4-only frames (TDRC, TDRL, TDOR, TIPL, TMCL, TSOP/TSOA/TSOT) next to TYER/TDAT/TIME,
// iTunes' own frames (TSO2, TSOC, TCMP, GRP1), binary frames (APIC, PRIV, UFID, POPM), Latin-1 or UTF-16 text.

export type Id3TextEncoding = 'latin1' | 'utf16';

/** The text part of a frame body: encoding byte + text (UTF-16 with a little-endian BOM, as Windows taggers write it). */
export function id3Text(values: string | string[], enc: Id3TextEncoding = 'latin1'): Buffer {
  const text = Array.isArray(values) ? values.join('\0') : values;
  return enc === 'latin1'
    ? Buffer.concat([Buffer.from([0]), Buffer.from(text, 'latin1')])
    : Buffer.concat([Buffer.from([1]), ...text.split('\0').flatMap((t, i) => [i ? Buffer.from([0, 0]) : Buffer.alloc(0), Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')])]);
}

/** One complete ID3v2.3 frame (10-byte header with a plain 32-bit size, then the body). */
export function id3v23Frame(id: string, body: Buffer, flags = 0): Buffer {
  const h = Buffer.alloc(10);
  h.write(id, 0, 'latin1');
  h.writeUInt32BE(body.length, 4);
  h.writeUInt16BE(flags, 8);
  return Buffer.concat([h, body]);
}

const nul = (enc: Id3TextEncoding) => Buffer.alloc(enc === 'latin1' ? 1 : 2);
/** Frame bodies of the common kinds. */
export const frameBody = {
  text: (v: string | string[], enc: Id3TextEncoding = 'latin1') => id3Text(v, enc),
  txxx: (desc: string, value: string, enc: Id3TextEncoding = 'latin1') =>
    Buffer.concat([id3Text(desc, enc), nul(enc), id3Text(value, enc).subarray(1)]),
  comm: (lang: string, desc: string, text: string, enc: Id3TextEncoding = 'latin1') =>
    Buffer.concat([Buffer.from([enc === 'latin1' ? 0 : 1]), Buffer.from(lang, 'latin1'), id3Text(desc, enc).subarray(1), nul(enc), id3Text(text, enc).subarray(1)]),
  apic: (mime: string, type: number, desc: string, data: Buffer) =>
    Buffer.concat([Buffer.from([0]), Buffer.from(mime + '\0', 'latin1'), Buffer.from([type]), Buffer.from(desc + '\0', 'latin1'), data]),
  owner: (owner: string, data: Buffer) => Buffer.concat([Buffer.from(owner + '\0', 'latin1'), data]),
  popm: (email: string, rating: number, count: number) => {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(count);
    return Buffer.concat([Buffer.from(email + '\0', 'latin1'), Buffer.from([rating]), c]);
  },
  wxxx: (desc: string, url: string) => Buffer.concat([Buffer.from([0]), Buffer.from(desc + '\0', 'latin1'), Buffer.from(url, 'latin1')]),
};

/**
 * A complete ID3v2.3 tag from frames, with padding (taggers leave 1–4 KiB), optionally with an extended header
 * (a few encoders write one, with the padding size in it). (No unsynchronised tags: music-metadata 11.16 cannot
 * read an unsynchronised v2.3 tag, so a write to one could not be verified.)
 */
export function id3v23Tag(frames: Buffer[], opts: { padding?: number; extendedHeader?: boolean } = {}): Buffer {
  const padding = opts.padding ?? 1024;
  let body: Buffer = Buffer.concat(frames);
  if (opts.extendedHeader) {
    const ext = Buffer.alloc(10);
    ext.writeUInt32BE(6, 0); // size without itself; flags 0 (no CRC); then the padding size
    ext.writeUInt32BE(padding, 6);
    body = Buffer.concat([ext, body]);
  }
  body = Buffer.concat([body, Buffer.alloc(padding)]);
  const flags = opts.extendedHeader ? 0x40 : 0;
  return Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([3, 0, flags]), syncsafe(body.length), body]);
}

/** Put a complete ID3v2 tag in front of a file, instead of the one there (ffmpeg 4.1 always writes an encoder frame). */
export function prependTag(path: string, tag: Buffer): void {
  let file = readFileSync(path);
  if (file.toString('latin1', 0, 3) === 'ID3') {
    const size = ((file[6]! & 0x7f) << 21) | ((file[7]! & 0x7f) << 14) | ((file[8]! & 0x7f) << 7) | (file[9]! & 0x7f);
    file = file.subarray(10 + size);
  }
  writeFileSync(path, Buffer.concat([tag, file]));
}

/** Append an ID3v2 tag as a chunk: `id3 ` in a RIFF/WAVE file (little-endian sizes), `ID3 ` in AIFF (big-endian). */
export function appendId3Chunk(path: string, tag: Buffer): void {
  const file = readFileSync(path);
  const riff = file.toString('latin1', 0, 4) === 'RIFF';
  const header = Buffer.alloc(8);
  header.write(riff ? 'id3 ' : 'ID3 ', 0, 'latin1');
  if (riff) header.writeUInt32LE(tag.length, 4);
  else header.writeUInt32BE(tag.length, 4);
  const out = Buffer.concat([file, header, tag, tag.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
  if (riff) out.writeUInt32LE(out.length - 8, 4);
  else out.writeUInt32BE(out.length - 8, 4);
  writeFileSync(path, out);
}

/**
 * The frames of the first ID3v2.3/2.4 tag in a buffer (at `at`), complete: a minimal, independent reader for
 * tests, so that a frame's bytes can be compared before and after a write.
 */
export function id3Frames(buf: Buffer, at = 0): { version: number; frames: { id: string; bytes: string }[] } {
  if (buf.toString('latin1', at, at + 3) !== 'ID3') return { version: 0, frames: [] };
  const version = buf[at + 3]!;
  const ss = (o: number) => ((buf[o]! & 0x7f) << 21) | ((buf[o + 1]! & 0x7f) << 14) | ((buf[o + 2]! & 0x7f) << 7) | (buf[o + 3]! & 0x7f);
  const body = buf.subarray(at + 10, at + 10 + ss(at + 6));
  const flags = buf[at + 5]!;
  let pos = 0;
  if (flags & 0x40) pos = version === 3 ? 4 + body.readUInt32BE(0) : ss(at + 10);
  const frames: { id: string; bytes: string }[] = [];
  while (pos + 10 <= body.length && body[pos] !== 0) {
    const size = version === 4 ? ((body[pos + 4]! & 0x7f) << 21) | ((body[pos + 5]! & 0x7f) << 14) | ((body[pos + 6]! & 0x7f) << 7) | (body[pos + 7]! & 0x7f)
      : body.readUInt32BE(pos + 4);
    frames.push({ id: body.toString('latin1', pos, pos + 4), bytes: body.subarray(pos, pos + 10 + size).toString('hex') });
    pos += 10 + size;
  }
  return { version, frames };
}
