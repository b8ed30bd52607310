// MP4/M4A files with one audio track: ftyp, the track's mdhd/hdlr/stsd/stsz and the iTunes item list, found
// by walking atom headers; music-metadata's rules for codec, duration and bitrate (sum of the sample size
// table over the duration). Cover art (covr) and the other sample tables are never read.
import { CommonTags } from './common-tags.js';
import { ascii7, fourCC, latin1, notHandled, utf8, type FileBytes } from './bytes.js';
import { ID3V1_GENRES } from './id3v2.js';
import type { FastMeta, FormatFields } from './meta.js';

interface Atom {
  pos: number;
  name: string;
  /** where the payload starts and ends */
  start: number;
  end: number;
}

function atoms(bytes: FileBytes, from: number, to: number): Atom[] {
  const out: Atom[] = [];
  for (let pos = from; pos < to; ) {
    if (to - pos < 8) notHandled('MP4 atom header cut short');
    const h = bytes.read(pos, 16);
    let size = h.readUInt32BE(0);
    let header = 8;
    if (size === 1) {
      if (h.length < 16) notHandled('MP4 extended atom header cut short');
      const big = h.readBigUInt64BE(8);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) notHandled('huge MP4 atom');
      size = Number(big);
      header = 16;
    } else if (size === 0) size = to - pos;
    if (size < header || pos + size > to) notHandled('MP4 atom size out of bounds');
    out.push({ pos, name: latin1(h.subarray(4, 8)), start: pos + header, end: pos + size });
    pos += size;
  }
  return out;
}

const ENCODERS: Record<string, { lossy: boolean; format: string }> = {
  raw: { lossy: false, format: 'raw' }, MAC3: { lossy: true, format: 'MACE 3:1' }, MAC6: { lossy: true, format: 'MACE 6:1' },
  ima4: { lossy: true, format: 'IMA 4:1' }, ulaw: { lossy: true, format: 'uLaw 2:1' }, alaw: { lossy: true, format: 'uLaw 2:1' },
  Qclp: { lossy: true, format: 'QUALCOMM PureVoice' }, '.mp3': { lossy: true, format: 'MPEG-1 layer 3' }, alac: { lossy: false, format: 'ALAC' },
  'ac-3': { lossy: true, format: 'AC-3' }, mp4a: { lossy: true, format: 'MPEG-4/AAC' }, mp4s: { lossy: true, format: 'MP4S' },
  c608: { lossy: true, format: 'CEA-608' }, c708: { lossy: true, format: 'CEA-708' },
};

interface Track {
  handler?: string;
  timeScale?: number;
  duration?: number;
  dataFormat?: string;
  sound?: { channels: number; sampleRate: number };
  sampleSizeSum?: number;
  hasTkhd: boolean;
  hasStsz: boolean;
}

const i16 = (b: Buffer, at: number) => b.readInt16BE(at);

function readTrack(bytes: FileBytes, trak: Atom): Track {
  const track: Track = { hasTkhd: false, hasStsz: false };
  const walk = (a: Atom) => {
    for (const c of atoms(bytes, a.start, a.end)) {
      const len = c.end - c.start;
      switch (c.name) {
        case 'mdia': case 'minf': case 'stbl':
          walk(c);
          break;
        case 'tkhd': {
          const b = bytes.read(c.start, Math.min(len, 64));
          if (b.length < 4 || (b[0] === 0 && b.length < 38) || (b[0] === 1 && b.length < 50)) notHandled('short tkhd');
          track.hasTkhd = true;
          break;
        }
        case 'hdlr': {
          if (len < 28) notHandled('short hdlr');
          track.handler = utf8(bytes.read(c.start + 8, 4));
          break;
        }
        case 'mdhd': {
          const b = bytes.read(c.start, Math.min(len, 36));
          if (len < 24) notHandled('short mdhd');
          if (b[0] === 0) {
            track.timeScale = b.readUInt32BE(12);
            track.duration = b.readUInt32BE(16);
          } else if (b[0] === 1 && len >= 36) {
            track.timeScale = b.readUInt32BE(20);
            track.duration = Number(b.readBigUInt64BE(24));
          } else notHandled('odd mdhd');
          break;
        }
        case 'stsd': {
          const b = bytes.read(c.start, Math.min(len, 256));
          if (b.length < 8 || b.readUInt32BE(4) !== 1) notHandled('not one sample description');
          const size = b.length >= 12 ? b.readUInt32BE(8) : 0;
          if (size < 16 || size > len - 8 || b.length < 8 + size) notHandled('odd sample description');
          track.dataFormat = fourCC(b.subarray(12, 16));
          const d = b.subarray(24, 8 + size);
          const version = d.length >= 8 ? i16(d, 0) : -1;
          if ((version === 0 || version === 1) && d.length >= 20) {
            track.sound = { channels: i16(d, 8), sampleRate: d.readUInt16BE(16) + d.readUInt16BE(18) / 10000 };
          } else notHandled('no sound sample description');
          break;
        }
        case 'stsz': {
          if (len < 12) notHandled('short stsz');
          const b = bytes.read(c.start, 12);
          const count = b.readInt32BE(8);
          const rest = len - 12;
          if (rest !== 0 && rest !== count * 4) notHandled('stsz table size');
          let sum = 0;
          if (rest > 0) {
            const table = bytes.read(c.start + 12, rest, 0);
            const view = new DataView(table.buffer, table.byteOffset, table.length);
            for (let i = 0; i + 4 <= table.length; i += 4) sum += view.getInt32(i);
          }
          track.sampleSizeSum = rest > 0 ? sum : undefined;
          track.hasStsz = true;
          break;
        }
        case 'stts': case 'stsc': case 'stco': {
          // music-metadata reads these tables and fails on one whose size disagrees with its count
          if (len < 8) notHandled(`short ${c.name}`);
          const count = bytes.read(c.start, 8).readInt32BE(4);
          const rest = len - 8;
          if (rest !== 0 && rest !== count * { stts: 8, stsc: 12, stco: 4 }[c.name]) notHandled(`${c.name} table size`);
          break;
        }
        case 'udta': case 'meta': case 'ilst': case 'moof': case 'tref':
          notHandled(`${c.name} inside a track`);
          break;
        default:
          break;
      }
    }
  };
  walk(trak);
  return track;
}

/** One iTunes item (an ilst child): its data atoms become tags, as music-metadata reads them. */
function readItem(bytes: FileBytes, item: Atom, tags: CommonTags): boolean {
  let key = item.name;
  for (const c of atoms(bytes, item.start, item.end)) {
    const len = c.end - c.start;
    if (c.name === 'name' || c.name === 'mean' || c.name === 'rate') {
      if (len < 4) notHandled('short name atom');
      key += `:${utf8(bytes.read(c.start + 4, len - 4))}`;
      continue;
    }
    if (c.name !== 'data') notHandled(`unexpected ${c.name} in an iTunes item`);
    if (len < 8) notHandled('short data atom');
    const head = bytes.read(c.start, 8);
    if (head[0] !== 0) notHandled('data atom type set');
    const type = head.readUIntBE(1, 3);
    const valueLen = len - 8;
    switch (type) {
      case 0: {
        if (key === 'trkn' || key === 'disk') {
          if (valueLen < 6) notHandled('short trkn/disk');
          const v = bytes.read(c.start + 8, 6);
          tags.add('iTunes', key, `${v[3]}/${v[5]}`);
        } else if (key === 'gnre') {
          if (valueLen < 2) notHandled('short gnre');
          const g = ID3V1_GENRES[bytes.read(c.start + 8, 2)[1]! - 1];
          if (g === undefined) notHandled('unknown gnre');
          tags.add('iTunes', key, g);
        } else if (key === 'rate') tags.registerType('iTunes');
        break;
      }
      case 1: case 18:
        if (tags.wants('iTunes', key)) tags.add('iTunes', key, utf8(bytes.read(c.start + 8, valueLen)));
        else tags.registerType('iTunes');
        break;
      case 13: case 14:
        break;
      case 21: case 22:
        if (![1, 2, 3, 4, 8].includes(valueLen)) notHandled('odd integer item');
        if (key === 'cpil' && valueLen === 1) {
          tags.add('iTunes', key, bytes.read(c.start + 8, 1)[0]!);
          break;
        }
        if (tags.wants('iTunes', key)) notHandled('numeric value for a stored field');
        tags.registerType('iTunes');
        break;
      case 65: case 66: case 67:
        if (valueLen < [1, 2, 4][type - 65]!) notHandled('short integer item');
        if (tags.wants('iTunes', key)) notHandled('numeric value for a stored field');
        tags.registerType('iTunes');
        break;
      default:
        break;
    }
  }
  return item.name === 'covr';
}

export function readMp4(bytes: FileBytes): FastMeta {
  const tags = new CommonTags();
  const format: FormatFields = {};
  const tracks: Track[] = [];
  let hasCover = false;
  for (const top of atoms(bytes, 0, bytes.size)) {
    switch (top.name) {
      case 'ftyp': {
        const len = top.end - top.start;
        if (len < 8 || len % 4 !== 0) notHandled('odd ftyp');
        const b = bytes.read(top.start, len);
        const types: string[] = [];
        for (let i = 0; i < len; i += 4) {
          const t = ascii7(b.subarray(i, i + 4)).replace(/\W/g, '');
          if (t.length > 0 && !types.includes(t)) types.push(t);
        }
        format.container = types.join('/');
        break;
      }
      case 'moov':
        for (const m of atoms(bytes, top.start, top.end)) {
          if (m.name === 'trak') tracks.push(readTrack(bytes, m));
          else if (m.name === 'mvhd' && m.end - m.start < 100) notHandled('short mvhd');
          else if (m.name === 'udta') hasCover = readUdta(bytes, m, tags) || hasCover;
          else if (['meta', 'ilst', 'moof', 'tref', '<id>', 'mdia', 'minf', 'stbl', 'stsd', 'stsz', 'chap'].includes(m.name)) notHandled(`${m.name} in moov`);
        }
        break;
      case 'moof': case 'meta': case 'udta': case 'ilst': case 'stsd': case 'stsz': case 'mvhd': case 'chap': case 'trak':
        notHandled(`top-level ${top.name}`);
        break;
      default:
        break;
    }
  }
  if (tracks.length !== 1) notHandled(`${tracks.length} tracks`);
  const t = tracks[0]!;
  if (!t.hasTkhd || !t.hasStsz || !t.dataFormat || !t.sound || !t.timeScale) notHandled('incomplete track');
  const audio = t.handler !== undefined ? t.handler === 'audi' || t.handler === 'soun' : t.sound.channels > 0;
  const encoder = ENCODERS[t.dataFormat];
  if (encoder) format.codec = encoder.format;
  if (audio) {
    let duration: number | undefined;
    if (t.duration! > 0) duration = t.duration! / t.timeScale;
    format.sampleRate = t.sound.sampleRate;
    format.numberOfChannels = t.sound.channels;
    if (encoder) format.lossless = !encoder.lossy;
    if (duration) {
      format.duration = duration;
      if (t.sampleSizeSum) format.bitrate = (8 * t.sampleSizeSum) / duration;
    }
  }
  format.hasAudio = true;
  return { common: tags.common, format, tagTypes: tags.tagTypes, warnings: [], hasCover };
}

/** moov/udta: the iTunes metadata (meta, then ilst). */
function readUdta(bytes: FileBytes, udta: Atom, tags: CommonTags): boolean {
  let cover = false;
  for (const meta of atoms(bytes, udta.start, udta.end)) {
    if (meta.name === 'ilst' || meta.name === '<id>') notHandled('ilst directly in udta');
    if (meta.name !== 'meta') continue;
    if (meta.end - meta.start < 8) notHandled('short meta');
    // QuickTime's meta has no version and flags; ISO's has four bytes of them before its children
    const first = bytes.read(meta.start + 4, 4).toString('latin1');
    const childStart = meta.start + (first === 'hdlr' ? 0 : 4);
    for (const c of atoms(bytes, childStart, meta.end)) {
      if (c.name === 'ilst') for (const item of atoms(bytes, c.start, c.end)) cover = readItem(bytes, item, tags) || cover;
      else if (['udta', 'meta', '<id>', 'moov', 'trak', 'mdia', 'minf', 'stbl', 'moof', 'tref'].includes(c.name)) notHandled(`${c.name} in meta`);
    }
  }
  return cover;
}
