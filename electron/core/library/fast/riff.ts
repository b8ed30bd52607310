// WAV (RIFF INFO list and `id3 ` chunk) and AIFF (COMM, SSND and `ID3 ` chunks): walking chunk headers, with
// music-metadata's rules for duration, bitrate and which tags win.
import { CommonTags } from './common-tags.js';
import { ascii7, fourCC, latin1, notHandled, type FileBytes } from './bytes.js';
import { readId3v2 } from './id3v2.js';
import type { FastMeta, FormatFields } from './meta.js';

const WAVE_FORMATS: Record<number, string> = {
  0x1: 'PCM', 0x2: 'ADPCM', 0x3: 'IEEE_FLOAT', 0x6: 'ALAW', 0x7: 'MULAW', 0x11: 'DVI_ADPCM', 0x31: 'GSM610', 0x1600: 'MPEG_ADTS_AAC',
  0x1602: 'MPEG_LOAS', 0xff: 'RAW_AAC1', 0x92: 'DOLBY_AC3_SPDIF', 0x2000: 'DVM', 0x240: 'RAW_SPORT', 0x241: 'ESST_AC3', 0x9: 'DRM',
  0x2001: 'DTS2', 0x50: 'MPEG', 0x55: 'MPEGLAYER3',
};

export function readWav(bytes: FileBytes): FastMeta {
  const h = bytes.read(0, 12);
  if (h.length < 12 || h.toString('latin1', 0, 4) !== 'RIFF' || h.toString('latin1', 8, 12) !== 'WAVE') notHandled('not RIFF/WAVE');
  const tags = new CommonTags();
  const format: FormatFields = { hasAudio: true, container: 'WAVE' };
  const warnings: string[] = [];
  // INFO values wait until the end of the walk (music-metadata holds them until it knows their code page)
  const info: [string, string][] = [];
  let hasCover = false;
  let blockAlign = 0;
  let avgBytesPerSec = 0;
  let fact: number | null = null;
  let remaining = h.readUInt32LE(4) - 4;
  let pos = 12;
  while (remaining >= 8) {
    const c = bytes.read(pos, 8);
    if (c.length < 8) break;
    const id = latin1(c.subarray(0, 4));
    const size = c.readUInt32LE(4);
    remaining -= 8 + size;
    if (size > remaining) warnings.push('Data chunk size exceeds file size');
    const body = pos + 8;
    if (id !== 'data' && body + size > bytes.size) notHandled('RIFF chunk runs past the file');
    switch (id) {
      case 'fmt ': {
        if (size < 16) notHandled('short fmt chunk');
        const f = bytes.read(body, 16);
        const tag = f.readUInt16LE(0);
        format.codec = WAVE_FORMATS[tag] ?? `non-PCM (${tag})`;
        format.sampleRate = f.readUInt32LE(4);
        format.numberOfChannels = f.readUInt16LE(2);
        avgBytesPerSec = f.readUInt32LE(8);
        blockAlign = f.readUInt16LE(12);
        break;
      }
      case 'fact':
        if (size < 4) notHandled('short fact chunk');
        format.lossless = false;
        fact = bytes.read(body, 4).readUInt32LE(0);
        break;
      case 'LIST': {
        if (size < 4) notHandled('short LIST chunk');
        if (latin1(bytes.read(body, 4)) !== 'INFO') {
          warnings.push(`Ignore chunk: RIFF/WAVE/LIST/${latin1(bytes.read(body, 4))}`);
          break;
        }
        let left = size - 4;
        let p = body + 4;
        while (left >= 8) {
          const t = bytes.read(p, 8);
          const tsize = t.readUInt32LE(4);
          const len = tsize + (tsize & 1);
          const v = latin1(bytes.read(p + 8, tsize));
          tags.registerType('exif');
          info.push([latin1(t.subarray(0, 4)), v.split('\0', 1)[0]!]);
          left -= 8 + len;
          p += 8 + len;
        }
        if (left !== 0) notHandled('odd INFO list size');
        break;
      }
      case 'id3 ': case 'ID3 ':
        hasCover = readId3v2(bytes, body, tags, body + size).hasPicture || hasCover;
        break;
      case 'data': {
        if (format.lossless !== false) format.lossless = true;
        let dataSize = size;
        const left = bytes.size - body;
        if (left < dataSize) {
          warnings.push('data chunk length exceeding file length');
          dataSize = left;
        }
        const samples = fact !== null ? fact : dataSize === 0xffffffff ? undefined : dataSize / blockAlign;
        if (samples && format.sampleRate) format.duration = samples / format.sampleRate;
        if (avgBytesPerSec > 0) format.bitrate = avgBytesPerSec * 8;
        else if (format.duration) format.bitrate = (dataSize * 8) / format.duration;
        break;
      }
      case 'CSET': case 'bext':
        notHandled(`${id} chunk`);
        break;
      default:
        warnings.push(`Ignore chunk: RIFF/${id}`);
    }
    pos = body + size + (size & 1);
  }
  for (const [id, v] of info) tags.add('exif', id, v);
  return { common: tags.common, format, tagTypes: tags.tagTypes, warnings, hasCover };
}

export function readAiff(bytes: FileBytes): FastMeta {
  const h = bytes.read(0, 12);
  if (h.length < 12 || h.toString('latin1', 0, 4) !== 'FORM' || h.toString('latin1', 8, 12) !== 'AIFF') notHandled('not uncompressed AIFF');
  const tags = new CommonTags();
  const format: FormatFields = { container: 'AIFF', lossless: true, hasAudio: true };
  let hasCover = false;
  let pos = 12;
  while (bytes.size - pos >= 8) {
    const c = bytes.read(pos, 8);
    const id = fourCC(c);
    const size = c.readUInt32BE(4);
    const body = pos + 8;
    switch (id) {
      case 'COMM': {
        if (size < 18) notHandled('short COMM chunk');
        const b = bytes.read(body, 18);
        if (b.length < 18) notHandled('COMM chunk cut short');
        const shift = b.readUInt16BE(8) - 16398;
        const base = b.readUInt16BE(10);
        format.sampleRate = shift < 0 ? base >> Math.abs(shift) : base << shift;
        format.numberOfChannels = b.readUInt16BE(0);
        format.duration = b.readUInt32BE(2) / format.sampleRate;
        format.codec = 'PCM';
        break;
      }
      case 'SSND':
        if (format.duration) format.bitrate = (8 * size) / format.duration;
        break;
      case 'ID3 ':
        if (body + size > bytes.size) notHandled('ID3 chunk runs past the file');
        hasCover = readId3v2(bytes, body, tags, body + size).hasPicture || hasCover;
        break;
      case 'id3 ':
        notHandled('lower-case id3 chunk in AIFF');
        break;
      case 'NAME': case 'AUTH': case '(c) ': case 'ANNO': {
        if (body + size > bytes.size) notHandled('text chunk runs past the file');
        const text = ascii7(bytes.read(body, size));
        for (const v of text.split('\0').map((x) => x.trim()).filter((x) => x.length)) tags.add('AIFF', id, v);
        break;
      }
      default:
        break;
    }
    pos = body + 2 * Math.round(size / 2);
  }
  return { common: tags.common, format, tagTypes: tags.tagTypes, warnings: [], hasCover };
}
