// Tag structures laid out byte for byte the way real taggers leave them (Mp3tag, Picard, foobar2000, iTunes,
// Windows Media Player), put around untagged audio that ffmpeg encoded: for a benchmark library that costs
// the scanner what a user's library costs. Plain builders, no tagging library: the layouts are the point.
import { createHash } from 'node:crypto';
import { children } from './mp4.js';

export interface Picture {
  mime: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
  data: Buffer;
}

/** The tags a file carries; every field optional. Free-form fields are named as Picard names them. */
export interface TagSet {
  title?: string;
  artist?: string;
  albumArtist?: string;
  album?: string;
  trackNo?: number;
  trackOf?: number;
  discNo?: number;
  discOf?: number;
  /** "2004" or "2004-05-17" */
  date?: string;
  genres?: string[];
  composer?: string;
  comment?: string;
  lyrics?: string;
  /** MUSICBRAINZ_TRACKID, REPLAYGAIN_TRACK_GAIN, … (upper case Vorbis names) */
  extra?: [string, string][];
  cover?: Picture;
}

const latin1Only = (s: string) => [...s].every((c) => c.charCodeAt(0) <= 0xff);
const u32be = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u32le = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u16le = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const syncsafe = (n: number) => Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);

// ---------------------------------------------------------------------------------------------- ID3v2

/** ID3v2 names of Picard's free-form fields (TXXX descriptions), and which go to UFID instead. */
const ID3_TXXX: Record<string, string> = {
  MUSICBRAINZ_ALBUMID: 'MusicBrainz Album Id', MUSICBRAINZ_ARTISTID: 'MusicBrainz Artist Id',
  MUSICBRAINZ_ALBUMARTISTID: 'MusicBrainz Album Artist Id', MUSICBRAINZ_RELEASEGROUPID: 'MusicBrainz Release Group Id',
  MUSICBRAINZ_RELEASETRACKID: 'MusicBrainz Release Track Id', RELEASESTATUS: 'MusicBrainz Album Status',
  RELEASETYPE: 'MusicBrainz Album Type', RELEASECOUNTRY: 'MusicBrainz Album Release Country',
  REPLAYGAIN_TRACK_GAIN: 'REPLAYGAIN_TRACK_GAIN', REPLAYGAIN_TRACK_PEAK: 'REPLAYGAIN_TRACK_PEAK',
  REPLAYGAIN_ALBUM_GAIN: 'REPLAYGAIN_ALBUM_GAIN', REPLAYGAIN_ALBUM_PEAK: 'REPLAYGAIN_ALBUM_PEAK',
  BARCODE: 'BARCODE', CATALOGNUMBER: 'CATALOGNUMBER', SCRIPT: 'SCRIPT', ASIN: 'ASIN',
};

export interface Id3Options {
  version: 3 | 4;
  /** bytes of zero padding after the frames (taggers reserve room for edits) */
  padding: number;
  /**
   * ID3v2.3 tags that carry v2.4-only frames (TDRC instead of TYER, TSOP, TIPL), as several popular taggers
   * write them
   */
  v24FramesInV23?: boolean;
}

function id3Text(version: 3 | 4, s: string): Buffer {
  if (version === 4) return Buffer.concat([Buffer.from([3]), Buffer.from(s, 'utf8')]);
  if (latin1Only(s)) return Buffer.concat([Buffer.from([0]), Buffer.from(s, 'latin1')]);
  return Buffer.concat([Buffer.from([1, 0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
}

function id3Terminator(version: 3 | 4, s: string): Buffer {
  return version === 3 && !latin1Only(s) ? Buffer.alloc(2) : Buffer.alloc(1);
}

function id3Frame(version: 3 | 4, id: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(id, 'latin1'), version === 4 ? syncsafe(body.length) : u32be(body.length), Buffer.alloc(2), body]);
}

function id3TextFrame(version: 3 | 4, id: string, values: string[]): Buffer {
  // v2.4 lists are NUL-separated; v2.3 has no list, taggers join with "/" or "; "
  return id3Frame(version, id, id3Text(version, values.join(version === 4 ? '\0' : '; ')));
}

/** A complete ID3v2.3 or v2.4 tag with the frames a tagger writes for `t`. */
export function id3v2Tag(t: TagSet, o: Id3Options): Buffer {
  const v = o.version;
  const frames: Buffer[] = [];
  const text = (id: string, value: string | undefined) => value && frames.push(id3TextFrame(v, id, [value]));
  text('TIT2', t.title);
  text('TPE1', t.artist);
  text('TPE2', t.albumArtist);
  text('TALB', t.album);
  if (t.trackNo) text('TRCK', t.trackOf ? `${t.trackNo}/${t.trackOf}` : `${t.trackNo}`);
  if (t.discNo) text('TPOS', t.discOf ? `${t.discNo}/${t.discOf}` : `${t.discNo}`);
  if (t.date) {
    if (v === 4 || o.v24FramesInV23) text('TDRC', t.date);
    else text('TYER', t.date.slice(0, 4));
  }
  if (t.genres?.length) frames.push(id3TextFrame(v, 'TCON', t.genres));
  text('TCOM', t.composer);
  if (o.v24FramesInV23 || v === 4) text('TSOP', t.artist);
  text('TSSE', 'LAME 3.100');
  for (const [key, value] of t.extra ?? []) {
    if (key === 'MUSICBRAINZ_TRACKID') {
      frames.push(id3Frame(v, 'UFID', Buffer.concat([Buffer.from('http://musicbrainz.org\0', 'latin1'), Buffer.from(value, 'latin1')])));
      continue;
    }
    if (key === 'ISRC') {
      text('TSRC', value);
      continue;
    }
    const desc = ID3_TXXX[key] ?? key;
    frames.push(id3Frame(v, 'TXXX', Buffer.concat([id3Text(v, desc), id3Terminator(v, desc), Buffer.from(id3Text(v, value).subarray(1))])));
  }
  const langText = (id: string, body: string | undefined) => {
    if (!body) return;
    const enc = id3Text(v, body);
    frames.push(id3Frame(v, id, Buffer.concat([enc.subarray(0, 1), Buffer.from('eng', 'latin1'), v === 3 && !latin1Only(body) ? Buffer.from([0xff, 0xfe, 0, 0]) : Buffer.alloc(1), enc.subarray(1)])));
  };
  langText('COMM', t.comment);
  langText('USLT', t.lyrics);
  if (t.cover) {
    frames.push(id3Frame(v, 'APIC', Buffer.concat([Buffer.from([0]), Buffer.from(`${t.cover.mime}\0`, 'latin1'), Buffer.from([3, 0]), t.cover.data])));
  }
  const body = Buffer.concat([...frames, Buffer.alloc(o.padding)]);
  return Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([v, 0, 0]), syncsafe(body.length), body]);
}

/** The 128-byte ID3v1.1 trailer many MP3s still carry. */
export function id3v1Tag(t: TagSet): Buffer {
  const b = Buffer.alloc(128);
  b.write('TAG', 0, 'latin1');
  const put = (s: string | undefined, at: number, len: number) => s && b.write(s.replace(/[^\x20-\x7e]/g, '?').slice(0, len), at, 'latin1');
  put(t.title, 3, 30);
  put(t.artist, 33, 30);
  put(t.album, 63, 30);
  put(t.date?.slice(0, 4), 93, 4);
  put(t.comment, 97, 28);
  b[126] = t.trackNo ?? 0;
  b[127] = 255;
  return b;
}

/** An APEv2 tag (header and footer), as foobar2000 appends ReplayGain to MP3s. */
export function apeTag(items: [string, string][]): Buffer {
  const body = Buffer.concat(
    items.map(([k, v]) => {
      const value = Buffer.from(v, 'utf8');
      return Buffer.concat([u32le(value.length), u32le(0), Buffer.from(`${k}\0`, 'latin1'), value]);
    }),
  );
  const frame = (isHeader: boolean) => {
    const f = Buffer.alloc(32);
    f.write('APETAGEX', 0, 'latin1');
    f.writeUInt32LE(2000, 8);
    f.writeUInt32LE(body.length + 32, 12);
    f.writeUInt32LE(items.length, 16);
    f.writeUInt32LE((0x80000000 | (isHeader ? 0x20000000 : 0)) >>> 0, 20);
    return f;
  };
  return Buffer.concat([frame(true), body, frame(false)]);
}

// ------------------------------------------------------------------------------------- Vorbis comments

function vorbisFields(t: TagSet, coverAsField: boolean): [string, string][] {
  const f: [string, string][] = [];
  const add = (k: string, v: string | number | undefined) => v != null && v !== '' && f.push([k, String(v)]);
  add('TITLE', t.title);
  add('ARTIST', t.artist);
  add('ALBUMARTIST', t.albumArtist);
  add('ALBUM', t.album);
  add('TRACKNUMBER', t.trackNo);
  add('TRACKTOTAL', t.trackOf);
  add('DISCNUMBER', t.discNo);
  add('DISCTOTAL', t.discOf);
  add('DATE', t.date);
  for (const g of t.genres ?? []) add('GENRE', g);
  add('COMPOSER', t.composer);
  add('COMMENT', t.comment);
  add('LYRICS', t.lyrics);
  for (const [k, v] of t.extra ?? []) add(k, v);
  if (coverAsField && t.cover) add('METADATA_BLOCK_PICTURE', flacPicture(t.cover).toString('base64'));
  return f;
}

/** A Vorbis comment body (vendor, fields), without any packet type prefix or framing bit. */
export function vorbisComment(t: TagSet, vendor: string, coverAsField: boolean): Buffer {
  return vorbisCommentBody(vendor, vorbisFields(t, coverAsField));
}

/** The comment body of these fields (keys may repeat). */
export function vorbisCommentBody(vendor: string, fields: [string, string][]): Buffer {
  const v = Buffer.from(vendor, 'utf8');
  const parts: Buffer[] = [u32le(v.length), v, u32le(fields.length)];
  for (const [k, val] of fields) {
    const b = Buffer.from(`${k}=${val}`, 'utf8');
    parts.push(u32le(b.length), b);
  }
  return Buffer.concat(parts);
}

/** The FLAC PICTURE structure (also what METADATA_BLOCK_PICTURE holds, base64). */
export function flacPicture(p: Picture): Buffer {
  const mime = Buffer.from(p.mime, 'latin1');
  return Buffer.concat([u32be(3), u32be(mime.length), mime, u32be(0), u32be(p.width), u32be(p.height), u32be(24), u32be(0), u32be(p.data.length), p.data]);
}

// ---------------------------------------------------------------------------------------------- FLAC

export interface FlacBlock {
  type: number;
  data: Buffer;
}

/** A FLAC file with its metadata blocks replaced by `edit(blocks)` (last-block flags set anew), frames kept. */
export function rewriteFlacBlocks(src: Buffer, edit: (blocks: FlacBlock[]) => FlacBlock[]): Buffer {
  if (src.toString('latin1', 0, 4) !== 'fLaC') throw new Error('not a FLAC stream');
  const blocks: FlacBlock[] = [];
  let pos = 4;
  for (;;) {
    const header = src[pos]!;
    const len = src.readUIntBE(pos + 1, 3);
    blocks.push({ type: header & 0x7f, data: src.subarray(pos + 4, pos + 4 + len) });
    pos += 4 + len;
    if (header & 0x80) break;
  }
  const edited = edit(blocks);
  const out: Buffer[] = [Buffer.from('fLaC', 'latin1')];
  edited.forEach((b, i) => {
    const h = Buffer.alloc(4);
    h[0] = b.type | (i === edited.length - 1 ? 0x80 : 0);
    h.writeUIntBE(b.data.length, 1, 3);
    out.push(h, b.data);
  });
  out.push(src.subarray(pos));
  return Buffer.concat(out);
}

/**
 * Rebuild a FLAC file's metadata: STREAMINFO and SEEKTABLE kept, then VORBIS_COMMENT, PICTURE and a
 * PADDING block of `padding` bytes (flac and Picard reserve 8 KiB by default), then the frames.
 */
export function tagFlac(src: Buffer, t: TagSet, padding: number): Buffer {
  return rewriteFlacBlocks(src, (blocks) => [
    ...blocks.filter((b) => b.type === 0 || b.type === 3),
    { type: 4, data: vorbisComment(t, 'reference libFLAC 1.4.3 20230623', false) },
    ...(t.cover ? [{ type: 6, data: flacPicture(t.cover) }] : []),
    ...(padding > 0 ? [{ type: 1, data: Buffer.alloc(padding) }] : []),
  ]);
}

// ---------------------------------------------------------------------------------------------- Ogg

const OGG_CRC = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function oggCrc(page: Buffer): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) crc = ((crc << 8) ^ OGG_CRC[((crc >>> 24) ^ page[i]!) & 0xff]!) >>> 0;
  return crc;
}

interface OggPage {
  flags: number;
  granule: bigint;
  serial: number;
  seq: number;
  segments: number[];
  body: Buffer;
}

function readOggPages(src: Buffer): OggPage[] {
  const pages: OggPage[] = [];
  for (let pos = 0; pos + 27 <= src.length; ) {
    if (src.toString('latin1', pos, pos + 4) !== 'OggS') throw new Error(`no Ogg page at ${pos}`);
    const n = src[pos + 26]!;
    const segments = [...src.subarray(pos + 27, pos + 27 + n)];
    const bodyLen = segments.reduce((a, b) => a + b, 0);
    const start = pos + 27 + n;
    pages.push({
      flags: src[pos + 5]!, granule: src.readBigInt64LE(pos + 6), serial: src.readUInt32LE(pos + 14), seq: src.readUInt32LE(pos + 18),
      segments, body: src.subarray(start, start + bodyLen),
    });
    pos = start + bodyLen;
  }
  return pages;
}

function writeOggPage(p: OggPage): Buffer {
  const h = Buffer.alloc(27 + p.segments.length);
  h.write('OggS', 0, 'latin1');
  h[5] = p.flags;
  h.writeBigInt64LE(p.granule, 6);
  h.writeUInt32LE(p.serial, 14);
  h.writeUInt32LE(p.seq, 18);
  h[26] = p.segments.length;
  Buffer.from(p.segments).copy(h, 27);
  const page = Buffer.concat([h, p.body]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** Lay packets out on pages as an encoder does: 255 lacing values at most per page, continued flags set. */
function paginate(packets: Buffer[], serial: number, firstSeq: number): OggPage[] {
  const pages: OggPage[] = [];
  let segs: number[] = [];
  let bodies: Buffer[] = [];
  let continued = false;
  let packetEndsHere = false;
  const flush = (nextContinued: boolean) => {
    pages.push({ flags: continued ? 1 : 0, granule: packetEndsHere ? 0n : -1n, serial, seq: firstSeq + pages.length, segments: segs, body: Buffer.concat(bodies) });
    segs = [];
    bodies = [];
    continued = nextContinued;
    packetEndsHere = false;
  };
  for (const packet of packets) {
    let off = 0;
    for (;;) {
      const chunk = Math.min(255, packet.length - off);
      if (segs.length === 255) flush(true);
      segs.push(chunk);
      bodies.push(packet.subarray(off, off + chunk));
      off += chunk;
      if (chunk < 255) break;
    }
    packetEndsHere = true;
  }
  if (segs.length) flush(false);
  return pages;
}

/**
 * Replace the comment packet of an Ogg Vorbis or Opus stream: the header packets are laid out on fresh
 * pages, later pages renumbered and their checksums recomputed. A cover goes in as METADATA_BLOCK_PICTURE.
 */
export function tagOgg(src: Buffer, t: TagSet, codec: 'vorbis' | 'opus'): Buffer {
  const pages = readOggPages(src);
  const headerCount = codec === 'vorbis' ? 3 : 2;
  const packets: Buffer[] = [];
  let partial: Buffer[] = [];
  let i = 0;
  for (; i < pages.length && packets.length < headerCount; i++) {
    let off = 0;
    for (const s of pages[i]!.segments) {
      partial.push(pages[i]!.body.subarray(off, off + s));
      off += s;
      if (s < 255) {
        packets.push(Buffer.concat(partial));
        partial = [];
      }
    }
  }
  if (packets.length < headerCount) throw new Error('Ogg header packets not found');
  const vendor = codec === 'vorbis' ? 'Xiph.Org libVorbis I 20200704 (Reducing Environment)' : 'libopus 1.4';
  const body = vorbisComment(t, vendor, true);
  packets[1] = codec === 'vorbis'
    ? Buffer.concat([Buffer.from([3]), Buffer.from('vorbis', 'latin1'), body, Buffer.from([1])])
    : Buffer.concat([Buffer.from('OpusTags', 'latin1'), body]);
  const serial = pages[0]!.serial;
  const head = paginate(packets.slice(1), serial, 1);
  const rest = pages.slice(i).map((p, k) => ({ ...p, seq: 1 + head.length + k }));
  return Buffer.concat([writeOggPage(pages[0]!), ...head.map(writeOggPage), ...rest.map(writeOggPage)]);
}

// ---------------------------------------------------------------------------------------------- MP4

const atom = (type: string, ...children: Buffer[]) => {
  const body = Buffer.concat(children);
  return Buffer.concat([u32be(body.length + 8), Buffer.from(type, 'latin1'), body]);
};
const dataAtom = (type: number, payload: Buffer) => atom('data', u32be(type), u32be(0), payload);
const textItem = (name: string, s: string) => atom(name, dataAtom(1, Buffer.from(s, 'utf8')));
const pairItem = (name: string, n: number, of: number) => {
  const b = Buffer.alloc(name === 'trkn' ? 8 : 6);
  b.writeUInt16BE(n, 2);
  b.writeUInt16BE(of, 4);
  return atom(name, dataAtom(0, b));
};
const freeform = (name: string, value: string) =>
  atom('----', atom('mean', u32be(0), Buffer.from('com.apple.iTunes', 'latin1')), atom('name', u32be(0), Buffer.from(name, 'latin1')), dataAtom(1, Buffer.from(value, 'utf8')));

/** iTunes names of Picard's free-form fields. */
const ITUNES_NAMES: Record<string, string> = {
  MUSICBRAINZ_TRACKID: 'MusicBrainz Track Id', MUSICBRAINZ_ALBUMID: 'MusicBrainz Album Id', MUSICBRAINZ_ARTISTID: 'MusicBrainz Artist Id',
  MUSICBRAINZ_ALBUMARTISTID: 'MusicBrainz Album Artist Id', MUSICBRAINZ_RELEASEGROUPID: 'MusicBrainz Release Group Id',
  MUSICBRAINZ_RELEASETRACKID: 'MusicBrainz Release Track Id', RELEASESTATUS: 'MusicBrainz Album Status', RELEASETYPE: 'MusicBrainz Album Type',
  REPLAYGAIN_TRACK_GAIN: 'replaygain_track_gain', REPLAYGAIN_TRACK_PEAK: 'replaygain_track_peak', REPLAYGAIN_ALBUM_GAIN: 'replaygain_album_gain',
  REPLAYGAIN_ALBUM_PEAK: 'replaygain_album_peak', BARCODE: 'BARCODE', CATALOGNUMBER: 'CATALOGNUMBER', ISRC: 'ISRC', SCRIPT: 'SCRIPT', ASIN: 'ASIN',
};

function ilst(t: TagSet): Buffer {
  const items: Buffer[] = [];
  const text = (name: string, v: string | undefined) => v && items.push(textItem(name, v));
  text('\xa9nam', t.title);
  text('\xa9ART', t.artist);
  text('aART', t.albumArtist);
  text('\xa9alb', t.album);
  text('\xa9day', t.date);
  if (t.trackNo) items.push(pairItem('trkn', t.trackNo, t.trackOf ?? 0));
  if (t.discNo) items.push(pairItem('disk', t.discNo, t.discOf ?? 0));
  if (t.genres?.length) text('\xa9gen', t.genres.join('; '));
  text('\xa9wrt', t.composer);
  text('\xa9cmt', t.comment);
  text('\xa9lyr', t.lyrics);
  text('\xa9too', 'iTunes 12.13.2.3');
  // the loudness and gapless notes iTunes writes into every file it encodes
  items.push(freeform('iTunNORM', ' 000003E8 00000396 0000248C 00002118 00007A42 00006A18 00007D1D 00007E38 0001F4E9 0002005A'));
  items.push(freeform('iTunSMPB', ' 00000000 00000840 000001D8 00000000008F5A18 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000'));
  for (const [k, v] of t.extra ?? []) items.push(freeform(ITUNES_NAMES[k] ?? k, v));
  if (t.cover) items.push(atom('covr', dataAtom(t.cover.mime === 'image/png' ? 14 : 13, t.cover.data)));
  return atom('ilst', ...items);
}

/** Add `delta` to every chunk offset of every track (stco / co64) inside a moov box. */
function shiftChunkOffsets(moov: Buffer, delta: number): void {
  const walk = (from: number, to: number) => {
    for (const b of children(moov, from, to)) {
      if (['trak', 'mdia', 'minf', 'stbl'].includes(b.type)) walk(b.start + 8, b.start + b.size);
      else if (b.type === 'stco') {
        const n = moov.readUInt32BE(b.start + 12);
        for (let i = 0; i < n; i++) moov.writeUInt32BE(moov.readUInt32BE(b.start + 16 + 4 * i) + delta, b.start + 16 + 4 * i);
      } else if (b.type === 'co64') {
        const n = moov.readUInt32BE(b.start + 12);
        for (let i = 0; i < n; i++) moov.writeBigUInt64BE(moov.readBigUInt64BE(b.start + 16 + 8 * i) + BigInt(delta), b.start + 16 + 8 * i);
      }
    }
  };
  walk(8, moov.length);
}

/**
 * Rewrite an MP4 file with an iTunes metadata list. `moovFirst`: the layout of iTunes and of files made for
 * streaming (moov, then a `free` box of `padding` bytes, then mdat; chunk offsets shifted); otherwise moov
 * stays after mdat, where ffmpeg and most encoders put it, with the padding inside udta/meta.
 */
export function tagMp4(src: Buffer, t: TagSet, moovFirst: boolean, padding: number): Buffer {
  const top = children(src, 0, src.length);
  const moovBox = top.find((b) => b.type === 'moov');
  const mdatBox = top.find((b) => b.type === 'mdat');
  if (!moovBox || !mdatBox) throw new Error('no moov/mdat');
  const kids = children(src, moovBox.start + 8, moovBox.start + moovBox.size).filter((b) => b.type !== 'udta');
  const hdlr = atom('hdlr', Buffer.alloc(8), Buffer.from('mdirappl', 'latin1'), Buffer.alloc(9));
  const meta = atom('meta', Buffer.alloc(4), hdlr, ilst(t), ...(moovFirst ? [] : [atom('free', Buffer.alloc(padding))]));
  const moov = atom('moov', ...kids.map((k) => src.subarray(k.start, k.start + k.size)), atom('udta', meta));
  const ftyp = top.find((b) => b.type === 'ftyp')!;
  const ftypBytes = src.subarray(ftyp.start, ftyp.start + ftyp.size);
  const mdat = src.subarray(mdatBox.start, mdatBox.start + mdatBox.size);
  if (moovFirst) {
    const free = atom('free', Buffer.alloc(padding));
    const newMdatStart = ftypBytes.length + moov.length + free.length;
    shiftChunkOffsets(moov, newMdatStart - mdatBox.start);
    return Buffer.concat([ftypBytes, moov, free, mdat]);
  }
  const newMdatStart = ftypBytes.length;
  shiftChunkOffsets(moov, newMdatStart - mdatBox.start);
  return Buffer.concat([ftypBytes, mdat, moov]);
}

// ---------------------------------------------------------------------------------------------- ASF

function guid(s: string): Buffer {
  const h = s.replace(/-/g, '');
  const b = Buffer.from(h, 'hex');
  return Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
}
const ASF_CONTENT_DESCRIPTION = guid('75B22633-668E-11CF-A6D9-00AA0062CE6C');
const ASF_EXT_CONTENT_DESCRIPTION = guid('D2D0A440-E307-11D2-97F0-00A0C95EA850');
const ASF_FILE_PROPERTIES = guid('8CABDCA1-A947-11CF-8EE4-00C00C205365');
const utf16z = (s: string) => Buffer.concat([Buffer.from(s, 'utf16le'), Buffer.alloc(2)]);
const asfObject = (id: Buffer, body: Buffer) => {
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(body.length + 24));
  return Buffer.concat([id, size, body]);
};

/** WMA attribute names Windows Media Player and Picard use. */
const WM_NAMES: Record<string, string> = {
  MUSICBRAINZ_TRACKID: 'MusicBrainz/Track Id', MUSICBRAINZ_ALBUMID: 'MusicBrainz/Album Id', MUSICBRAINZ_ARTISTID: 'MusicBrainz/Artist Id',
  MUSICBRAINZ_ALBUMARTISTID: 'MusicBrainz/Album Artist Id', MUSICBRAINZ_RELEASEGROUPID: 'MusicBrainz/Release Group Id',
  MUSICBRAINZ_RELEASETRACKID: 'MusicBrainz/Release Track Id', REPLAYGAIN_TRACK_GAIN: 'replaygain_track_gain',
  REPLAYGAIN_TRACK_PEAK: 'replaygain_track_peak', REPLAYGAIN_ALBUM_GAIN: 'replaygain_album_gain', REPLAYGAIN_ALBUM_PEAK: 'replaygain_album_peak',
  BARCODE: 'WM/Barcode', CATALOGNUMBER: 'WM/CatalogNo', ISRC: 'WM/ISRC',
};

/**
 * Replace the Content Description and Extended Content Description objects of an ASF header. The picture
 * goes in WM/Picture, whose size field limits it to 64 KiB there (larger ones need the Metadata Library
 * object): callers pass small covers.
 */
export function tagAsf(src: Buffer, t: TagSet): Buffer {
  const headerSize = Number(src.readBigUInt64LE(16));
  const kept: Buffer[] = [];
  for (let pos = 30; pos < headerSize; ) {
    const id = src.subarray(pos, pos + 16);
    const size = Number(src.readBigUInt64LE(pos + 16));
    if (!id.equals(ASF_CONTENT_DESCRIPTION) && !id.equals(ASF_EXT_CONTENT_DESCRIPTION)) kept.push(Buffer.from(src.subarray(pos, pos + size)));
    pos += size;
  }
  const strings = [t.title ?? '', t.artist ?? '', '', t.comment ?? '', ''].map(utf16z);
  const cd = asfObject(ASF_CONTENT_DESCRIPTION, Buffer.concat([...strings.map((s) => u16le(s.length)), ...strings]));
  const attrs: Buffer[] = [];
  const attr = (name: string, type: number, value: Buffer) => {
    const n = utf16z(name);
    attrs.push(Buffer.concat([u16le(n.length), n, u16le(type), u16le(value.length), value]));
  };
  const str = (name: string, v: string | undefined) => v && attr(name, 0, utf16z(v));
  str('WM/AlbumTitle', t.album);
  str('WM/AlbumArtist', t.albumArtist);
  str('WM/Year', t.date?.slice(0, 4));
  if (t.trackNo) attr('WM/TrackNumber', 3, u32le(t.trackNo));
  if (t.discNo) str('WM/PartOfSet', t.discOf ? `${t.discNo}/${t.discOf}` : `${t.discNo}`);
  for (const g of t.genres ?? []) str('WM/Genre', g);
  str('WM/Composer', t.composer);
  str('WM/Lyrics', t.lyrics);
  str('WM/EncodingSettings', 'Lavf58.24.100');
  for (const [k, v] of t.extra ?? []) str(WM_NAMES[k] ?? k, v);
  if (t.cover && t.cover.data.length < 60_000) {
    attr('WM/Picture', 1, Buffer.concat([Buffer.from([3]), u32le(t.cover.data.length), utf16z(t.cover.mime), utf16z(''), t.cover.data]));
  }
  const ecd = asfObject(ASF_EXT_CONTENT_DESCRIPTION, Buffer.concat([u16le(attrs.length), ...attrs]));
  const children = [...kept, cd, ecd];
  const body = Buffer.concat(children);
  const header = Buffer.alloc(30);
  src.copy(header, 0, 0, 16);
  header.writeBigUInt64LE(BigInt(body.length + 30), 16);
  header.writeUInt32LE(children.length, 24);
  header[28] = 1;
  header[29] = 2;
  const out = Buffer.concat([header, body, src.subarray(headerSize)]);
  // the File Properties object records the file's size
  const fp = out.indexOf(ASF_FILE_PROPERTIES, 30);
  if (fp > 0) out.writeBigUInt64LE(BigInt(out.length), fp + 24 + 16);
  return out;
}

// ----------------------------------------------------------------------------------------- WAV / AIFF

function chunk(id: string, body: Buffer, littleEndian: boolean): Buffer {
  const h = Buffer.alloc(8);
  h.write(id, 0, 'latin1');
  if (littleEndian) h.writeUInt32LE(body.length, 4);
  else h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body, body.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function riffInfo(t: TagSet): Buffer {
  const items: Buffer[] = [];
  const add = (id: string, v: string | number | undefined) => v != null && v !== '' && items.push(chunk(id, Buffer.from(`${v}\0`, 'latin1'), true));
  add('INAM', t.title);
  add('IART', t.artist);
  add('IPRD', t.album);
  add('ICRD', t.date);
  add('IGNR', t.genres?.join('; '));
  add('ITRK', t.trackNo);
  add('ICMT', t.comment?.slice(0, 250));
  add('ISFT', 'Lavf58.24.100');
  return chunk('LIST', Buffer.concat([Buffer.from('INFO', 'latin1'), ...items]), true);
}

/** A WAV file with RIFF INFO tags and, when `id3`, an `id3 ` chunk (Mp3tag's way) with everything else. */
export function tagWav(src: Buffer, t: TagSet, id3: Id3Options | null): Buffer {
  const kept: Buffer[] = [];
  for (let pos = 12; pos + 8 <= src.length; ) {
    const id = src.toString('latin1', pos, pos + 4);
    const len = src.readUInt32LE(pos + 4);
    if (id !== 'LIST' && id.toLowerCase() !== 'id3 ') kept.push(src.subarray(pos, pos + 8 + len + (len & 1)));
    pos += 8 + len + (len & 1);
  }
  const parts = [...kept, riffInfo(t), ...(id3 ? [chunk('id3 ', id3v2Tag(t, id3), true)] : [])];
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), ...parts]);
  const h = Buffer.alloc(8);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(body.length, 4);
  return Buffer.concat([h, body]);
}

/** An AIFF file with its tags in an `ID3 ` chunk after the sound data. */
export function tagAiff(src: Buffer, t: TagSet, id3: Id3Options): Buffer {
  const kept: Buffer[] = [];
  for (let pos = 12; pos + 8 <= src.length; ) {
    const id = src.toString('latin1', pos, pos + 4);
    const len = src.readUInt32BE(pos + 4);
    if (id.toLowerCase() !== 'id3 ') kept.push(src.subarray(pos, pos + 8 + len + (len & 1)));
    pos += 8 + len + (len & 1);
  }
  const body = Buffer.concat([src.subarray(8, 12), ...kept, chunk('ID3 ', id3v2Tag(t, id3), false)]);
  const h = Buffer.alloc(8);
  h.write('FORM', 0, 'latin1');
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
}

/** A stable id-like string (a UUID's shape) derived from a seed: MusicBrainz ids that differ per track. */
export function fakeUuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
