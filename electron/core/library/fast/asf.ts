// WMA (ASF) files: the header objects music-metadata reads (file and stream properties, codec list, content
// descriptions, metadata and metadata library), walked object by object; attribute values are decoded only
// for the fields Spectag stores, so a cover in WM/Picture is never read.
import { CommonTags } from './common-tags.js';
import { decodeId3String, notHandled, type FileBytes } from './bytes.js';
import type { FastMeta, FormatFields } from './meta.js';

function guid(s: string): Buffer {
  const b = Buffer.from(s.replace(/-/g, ''), 'hex');
  return Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
}

const G = {
  header: guid('75B22630-668E-11CF-A6D9-00AA0062CE6C'),
  fileProperties: guid('8CABDCA1-A947-11CF-8EE4-00C00C205365'),
  streamProperties: guid('B7DC0791-A9B7-11CF-8EE6-00C00C205365'),
  headerExtension: guid('5FBF03B5-A92E-11CF-8EE3-00C00C205365'),
  codecList: guid('86D15240-311D-11D0-A3A4-00A0C90348F6'),
  contentDescription: guid('75B22633-668E-11CF-A6D9-00AA0062CE6C'),
  extendedContentDescription: guid('D2D0A440-E307-11D2-97F0-00A0C95EA850'),
  streamBitrateProperties: guid('7BF875CE-468D-11D1-8D82-006097C9A2B2'),
  padding: guid('1806D474-CADF-4509-A4BA-9AABCB96AAE8'),
  extendedStreamProperties: guid('14E6A5CB-C672-4332-8399-A96952065B5A'),
  metadata: guid('C5F8CBEA-5BAF-4877-8467-AA8C44FA4CCA'),
  metadataLibrary: guid('44231C94-9498-49D1-A141-1D134E457054'),
};
const MEDIA: [Buffer, string][] = [
  [guid('F8699E40-5B4D-11CF-A8FD-00805F5C442B'), 'audio'], [guid('BC19EFC0-5B4D-11CF-A8FD-00805F5C442B'), 'video'],
  [guid('59DACFC0-59E6-11D0-A3AC-00A0C90348F6'), 'command'], [guid('35907DE0-E415-11CF-A917-00805F5C442B'), 'degradable-jpeg'],
  [guid('91BD222C-F21C-497A-8B6D-5AA86BFC0185'), 'file-transfer'], [guid('3AFB65E2-47EF-40F2-AC2C-70A90D71D343'), 'binary'],
];
const MAX_OBJECT = 16 * 1024 * 1024;

/** music-metadata's Unicode attribute: UTF-16LE, NULs stripped at both ends. */
const unicode = (b: Uint8Array) => decodeId3String(b, 'utf-16le').replace(/^\0+/, '').replace(/\0+$/, '');

class AsfReader {
  readonly tags = new CommonTags();
  readonly format: FormatFields = {};
  hasCover = false;

  constructor(private readonly bytes: FileBytes) {}

  /** An attribute (name, type, value at `valuePos`): a tag, decoded only when it feeds a stored field. */
  private attribute(name: string, type: number, valuePos: number, valueLen: number): void {
    if (name === 'WM/Picture') {
      this.hasCover = true;
      this.tags.registerType('asf');
      return;
    }
    if (type > 6) notHandled('unknown ASF attribute type');
    if (!this.tags.wants('asf', name)) {
      this.tags.registerType('asf');
      return;
    }
    const v = this.bytes.read(valuePos, valueLen);
    if (v.length < valueLen) notHandled('ASF attribute cut short');
    const numeric = name === 'WM/TrackNumber' || name === 'WM/PartOfSet';
    switch (type) {
      case 0: this.tags.add('asf', name, unicode(v)); return;
      case 3: if (numeric && valueLen >= 4) return this.tags.add('asf', name, v.readUInt32LE(0)); break;
      case 5: if (numeric && valueLen >= 2) return this.tags.add('asf', name, v.readUInt16LE(0)); break;
      case 4: if (numeric && valueLen >= 8) return this.tags.add('asf', name, v.readBigUInt64LE(0).toString()); break;
      default: break;
    }
    notHandled(`ASF ${name} of type ${type}`);
  }

  private contentDescription(pos: number, len: number): void {
    if (len < 10) notHandled('short content description');
    const lens = this.bytes.read(pos, 10);
    let at = 10;
    ['Title', 'Author', 'Copyright', 'Description', 'Rating'].forEach((name, i) => {
      const n = lens.readUInt16LE(i * 2);
      if (n === 0) return;
      if (at + n > len) notHandled('content description cut short');
      if (this.tags.wants('asf', name)) this.tags.add('asf', name, unicode(this.bytes.read(pos + at, n)));
      else this.tags.registerType('asf');
      at += n;
    });
  }

  private extendedContentDescription(pos: number, len: number): void {
    const end = pos + len;
    let p = pos;
    const u16 = () => {
      if (p + 2 > end) notHandled('extended content description cut short');
      const v = this.bytes.read(p, 2).readUInt16LE(0);
      p += 2;
      return v;
    };
    for (let count = u16(); count > 0; count--) {
      const nameLen = u16();
      if (p + nameLen > end) notHandled('extended content description cut short');
      const name = unicode(this.bytes.read(p, nameLen));
      p += nameLen;
      const type = u16();
      const valueLen = u16();
      if (p + valueLen > end) notHandled('extended content description cut short');
      this.attribute(name, type, p, valueLen);
      p += valueLen;
    }
  }

  private metadataRecords(pos: number, len: number): void {
    const end = pos + len;
    if (len < 2) notHandled('short metadata object');
    let count = this.bytes.read(pos, 2).readUInt16LE(0);
    let p = pos + 2;
    for (; count > 0; count--) {
      if (p + 12 > end) notHandled('metadata object cut short');
      const h = this.bytes.read(p, 12);
      const nameLen = h.readUInt16LE(4);
      const type = h.readUInt16LE(6);
      const dataLen = h.readUInt32LE(8);
      p += 12;
      if (p + nameLen + dataLen > end) notHandled('metadata object cut short');
      const name = unicode(this.bytes.read(p, nameLen));
      p += nameLen;
      this.attribute(name, type, p, dataLen);
      p += dataLen;
    }
  }

  private codecList(pos: number, len: number): void {
    const end = pos + len;
    if (len < 20) notHandled('short codec list');
    let count = this.bytes.read(pos + 16, 2).readUInt16LE(0);
    let p = pos + 20;
    const audio: string[] = [];
    const str = () => {
      if (p + 2 > end) notHandled('codec list cut short');
      const n = this.bytes.read(p, 2).readUInt16LE(0) * 2;
      if (p + 2 + n > end) notHandled('codec list cut short');
      const s = decodeId3String(this.bytes.read(p + 2, n), 'utf-16le').replace('\0', '');
      p += 2 + n;
      return s;
    };
    for (; count > 0; count--) {
      if (p + 2 > end) notHandled('codec list cut short');
      const type = this.bytes.read(p, 2).readUInt16LE(0);
      p += 2;
      const name = str();
      str();
      if (p + 2 > end) notHandled('codec list cut short');
      p += 2 + this.bytes.read(p, 2).readUInt16LE(0);
      if (p > end) notHandled('codec list cut short');
      if (type & 2) audio.push(name);
    }
    this.format.codec = audio.join('/');
  }

  private objectHeader(pos: number, remaining: number): { id: Buffer; size: number; payload: number } {
    if (remaining < 24) notHandled('ASF object header cut short');
    const h = this.bytes.read(pos, 24);
    const big = h.readBigUInt64LE(16);
    if (big < 24n || big > BigInt(Number.MAX_SAFE_INTEGER)) notHandled('odd ASF object size');
    const size = Number(big);
    if (size > remaining || pos + size > this.bytes.size) notHandled('ASF object runs past its container');
    return { id: h.subarray(0, 16), size, payload: size - 24 };
  }

  read(): FastMeta {
    const top = this.bytes.read(0, 30);
    if (top.length < 30 || !top.subarray(0, 16).equals(G.header)) notHandled('no ASF header');
    const headerSize = Number(top.readBigUInt64LE(16));
    const count = top.readUInt32LE(24);
    if (headerSize < 30 || count < 1 || count > 10000) notHandled('odd ASF header');
    let remaining = headerSize - 30;
    let pos = 30;
    for (let i = 0; i < count; i++) {
      const o = this.objectHeader(pos, remaining);
      const body = pos + 24;
      if (o.payload > MAX_OBJECT && !o.id.equals(G.padding) && !o.id.equals(G.streamBitrateProperties)) notHandled('huge ASF object');
      if (o.id.equals(G.fileProperties)) {
        if (o.payload < 80) notHandled('short file properties');
        const f = this.bytes.read(body, 80);
        this.format.duration = Number(f.readBigUInt64LE(40) / 1000n) / 10000 - Number(f.readBigUInt64LE(56)) / 1000;
        this.format.bitrate = f.readUInt32LE(76);
      } else if (o.id.equals(G.streamProperties)) {
        if (o.payload < 16) notHandled('short stream properties');
        const type = this.bytes.read(body, 16);
        this.format.container = `ASF/${MEDIA.find(([g]) => g.equals(type))?.[1]}`;
      } else if (o.id.equals(G.headerExtension)) this.headerExtension(body, o.payload);
      else if (o.id.equals(G.contentDescription)) this.contentDescription(body, o.payload);
      else if (o.id.equals(G.extendedContentDescription)) this.extendedContentDescription(body, o.payload);
      else if (o.id.equals(G.codecList)) this.codecList(body, o.payload);
      // other objects are stepped over, as music-metadata does
      remaining -= o.size;
      pos += o.size;
    }
    if (remaining !== 0) notHandled('ASF header size disagrees with its objects');
    return { common: this.tags.common, format: this.format, tagTypes: this.tags.tagTypes, warnings: [], hasCover: this.hasCover };
  }

  private headerExtension(body: number, payload: number): void {
    if (payload < 22) notHandled('short header extension');
    const size = this.bytes.read(body + 18, 4).readUInt32LE(0);
    if (size !== payload - 22) notHandled('header extension size');
    let left = size;
    let p = body + 22;
    while (left > 0) {
      const o = this.objectHeader(p, left);
      if (o.payload > MAX_OBJECT && !o.id.equals(G.padding)) notHandled('huge ASF object');
      if (o.id.equals(G.metadata) || o.id.equals(G.metadataLibrary)) this.metadataRecords(p + 24, o.payload);
      else if (o.id.equals(G.extendedStreamProperties) && o.payload < 60) notHandled('short extended stream properties');
      left -= o.size;
      p += o.size;
    }
  }
}

export function readAsf(bytes: FileBytes): FastMeta {
  return new AsfReader(bytes).read();
}
