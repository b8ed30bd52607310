// ID3v2.3 and ID3v2.4 tags: the text frames that feed the stored fields, decoded as music-metadata decodes
// them, walking frame headers only. Pictures, lyrics, comments and padding are stepped over without being
// read (music-metadata reads the whole tag and walks its padding 10 bytes at a time).
import { type CommonTags } from './common-tags.js';
import { decodeId3String, notHandled, type FileBytes, type Id3Encoding } from './bytes.js';

const syncsafe = (b: Uint8Array, at: number) => ((b[at]! & 0x7f) << 21) | ((b[at + 1]! & 0x7f) << 14) | ((b[at + 2]! & 0x7f) << 7) | (b[at + 3]! & 0x7f);

function encodingOf(byte: number): Id3Encoding {
  switch (byte) {
    case 0: return 'latin1';
    case 1: return 'utf-16le';
    case 2: return 'utf-16be';
    default: return 'utf8';
  }
}

const trimNulls = (s: string) => s.replace(/\0+$/, '');

/** ID3v2.3 lets these frames join several values with "/" (Picard flattens lists so); genres are not among them. */
const V23_SLASH = new Set(['TPE1', 'TPE2', 'TPE3', 'TPE4', 'TCOM', 'TEXT', 'TOLY', 'TOPE', 'TXXX', 'TSRC', 'IPLS']);

function splitValue(major: number, frame: string, text: string): string[] {
  let values = text.split('\0');
  if (major < 4 && values.length === 1 && V23_SLASH.has(frame)) values = text.split('/');
  return values.map((v) => trimNulls(v).trim());
}

/** ID3v1 genre names, as music-metadata lists them (ID3v2 "(17)" references and ID3v1 genre bytes). */
export const ID3V1_GENRES = [
  'Blues', 'Classic Rock', 'Country', 'Dance', 'Disco', 'Funk', 'Grunge', 'Hip-Hop', 'Jazz', 'Metal', 'New Age', 'Oldies', 'Other', 'Pop',
  'R&B', 'Rap', 'Reggae', 'Rock', 'Techno', 'Industrial', 'Alternative', 'Ska', 'Death Metal', 'Pranks', 'Soundtrack', 'Euro-Techno',
  'Ambient', 'Trip-Hop', 'Vocal', 'Jazz+Funk', 'Fusion', 'Trance', 'Classical', 'Instrumental', 'Acid', 'House', 'Game', 'Sound Clip',
  'Gospel', 'Noise', 'Alt. Rock', 'Bass', 'Soul', 'Punk', 'Space', 'Meditative', 'Instrumental Pop', 'Instrumental Rock', 'Ethnic',
  'Gothic', 'Darkwave', 'Techno-Industrial', 'Electronic', 'Pop-Folk', 'Eurodance', 'Dream', 'Southern Rock', 'Comedy', 'Cult',
  'Gangsta Rap', 'Top 40', 'Christian Rap', 'Pop/Funk', 'Jungle', 'Native American', 'Cabaret', 'New Wave', 'Psychedelic', 'Rave',
  'Showtunes', 'Trailer', 'Lo-Fi', 'Tribal', 'Acid Punk', 'Acid Jazz', 'Polka', 'Retro', 'Musical', 'Rock & Roll', 'Hard Rock',
  'Folk', 'Folk/Rock', 'National Folk', 'Swing', 'Fast-Fusion', 'Bebob', 'Latin', 'Revival', 'Celtic', 'Bluegrass', 'Avantgarde',
  'Gothic Rock', 'Progressive Rock', 'Psychedelic Rock', 'Symphonic Rock', 'Slow Rock', 'Big Band', 'Chorus', 'Easy Listening',
  'Acoustic', 'Humour', 'Speech', 'Chanson', 'Opera', 'Chamber Music', 'Sonata', 'Symphony', 'Booty Bass', 'Primus', 'Porn Groove',
  'Satire', 'Slow Jam', 'Club', 'Tango', 'Samba', 'Folklore', 'Ballad', 'Power Ballad', 'Rhythmic Soul', 'Freestyle', 'Duet',
  'Punk Rock', 'Drum Solo', 'A Cappella', 'Euro-House', 'Dance Hall', 'Goa', 'Drum & Bass', 'Club-House', 'Hardcore', 'Terror',
  'Indie', 'BritPop', 'Negerpunk', 'Polsk Punk', 'Beat', 'Christian Gangsta Rap', 'Heavy Metal', 'Black Metal', 'Crossover',
  'Contemporary Christian', 'Christian Rock', 'Merengue', 'Salsa', 'Thrash Metal', 'Anime', 'JPop', 'Synthpop', 'Abstract',
  'Art Rock', 'Baroque', 'Bhangra', 'Big Beat', 'Breakbeat', 'Chillout', 'Downtempo', 'Dub', 'EBM', 'Eclectic', 'Electro',
  'Electroclash', 'Emo', 'Experimental', 'Garage', 'Global', 'IDM', 'Illbient', 'Industro-Goth', 'Jam Band', 'Krautrock',
  'Leftfield', 'Lounge', 'Math Rock', 'New Romantic', 'Nu-Breakz', 'Post-Punk', 'Post-Rock', 'Psytrance', 'Shoegaze', 'Space Rock',
  'Trop Rock', 'World Music', 'Neoclassical', 'Audiobook', 'Audio Theatre', 'Neue Deutsche Welle', 'Podcast', 'Indie Rock',
  'G-Funk', 'Dubstep', 'Garage Rock', 'Psybient',
];

function genreCode(code: string): string | undefined {
  if (code === 'RX') return 'Remix';
  if (code === 'CR') return 'Cover';
  if (/^\d*$/.test(code)) return ID3V1_GENRES[Number.parseInt(code, 10)];
  return undefined;
}

/** "(17)Rock", "(17)", "17": ID3 genre references resolved, as music-metadata's parseGenre does. */
export function parseGenre(orig: string): string[] {
  const genres: string[] = [];
  let code: string | undefined;
  let word = '';
  for (const c of orig) {
    if (typeof code === 'string') {
      if (c === '(' && code === '') {
        word += '(';
        code = undefined;
      } else if (c === ')') {
        if (word !== '') {
          genres.push(word);
          word = '';
        }
        const g = genreCode(code);
        if (g) genres.push(g);
        code = undefined;
      } else code += c;
    } else if (c === '(') code = '';
    else word += c;
  }
  if (word) {
    let w: string | undefined = word;
    if (genres.length === 0 && /^\d*$/.test(word)) w = genreCode(word);
    if (w) genres.push(w);
  }
  return genres;
}

function findZero(b: Uint8Array, encoding: Id3Encoding): number {
  if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    for (let i = 0; i + 1 < b.length; i += 2) if (b[i] === 0 && b[i + 1] === 0) return i;
    return b.length;
  }
  const i = b.indexOf(0);
  return i < 0 ? b.length : i;
}

/** Frames music-metadata turns into native tags (so the tag type counts as present even when none is stored). */
const REGISTERS = /^(T...|W...|COMM|USLT|UFID|PRIV|POPM|PCNT|SYLT|GEOB|MCDI|CHAP|CTOC|GRP1|IPLS|MVIN|MVNM|PCST)$/;

/** Frames whose content feeds a stored field. Others are stepped over (they only register the tag type). */
function wanted(id: string): boolean {
  return id === 'TXXX' || (id[0] === 'T' && ['TIT2', 'TPE1', 'TPE2', 'TALB', 'TRCK', 'TPOS', 'TYER', 'TDRC', 'TDRV', 'TCON'].includes(id));
}

function textFrame(tags: CommonTags, type: 'ID3v2.3' | 'ID3v2.4', major: number, id: string, data: Uint8Array): void {
  const encoding = encodingOf(data[0]!);
  if (id === 'TXXX') {
    const body = data.subarray(1);
    const z = findZero(body, encoding);
    const description = decodeId3String(body.subarray(0, z), encoding);
    const name = description ? `TXXX:${description}` : 'TXXX';
    // MusicBrainz ids, ReplayGain and the like: present (the tag type counts) but nothing we store
    if (!tags.wants(type, name)) return tags.registerType(type);
    const rest = body.subarray(Math.min(body.length, z + (encoding.startsWith('utf-16') ? 2 : 1)));
    for (const v of splitValue(major, id, trimNulls(decodeId3String(rest, encoding)))) tags.add(type, name, v);
    return;
  }
  const text = trimNulls(decodeId3String(data.subarray(1), encoding));
  switch (id) {
    case 'TRCK': case 'TPOS': case 'TIT2':
      tags.add(type, id, text);
      return;
    case 'TPE1':
      for (const v of splitValue(major, id, text)) tags.add(type, id, v);
      return;
    case 'TCON':
      for (const v of splitValue(major, id, text)) for (const g of parseGenre(v)) tags.add(type, id, g);
      return;
    default:
      for (const v of major >= 4 ? splitValue(major, id, text) : [text]) tags.add(type, id, v);
  }
}

export interface Id3v2Result {
  /** where the tag ends (the audio, or another tag, starts) */
  end: number;
  hasPicture: boolean;
}

/**
 * Read the ID3v2 tag at `at` into `tags`. Handles what taggers write (v2.3 and v2.4, text frames in any of
 * the four encodings); anything music-metadata would read differently (v2.2, unsynchronisation, extended
 * header, compressed or encrypted frames, frames running past the tag) is left to music-metadata.
 */
export function readId3v2(bytes: FileBytes, at: number, tags: CommonTags, limit = bytes.size): Id3v2Result {
  const h = bytes.read(at, 10);
  if (h.length < 10 || h.toString('latin1', 0, 3) !== 'ID3') notHandled('no ID3v2 header');
  const major = h[3]!;
  const flags = h[5]!;
  if (major !== 3 && major !== 4) notHandled(`ID3v2.${major}`);
  if (flags & 0xf0) notHandled('ID3v2 unsynchronisation, extended header or footer');
  const size = syncsafe(h, 6);
  const end = at + 10 + size;
  if (end > limit) notHandled('ID3v2 tag larger than the file or chunk holding it');
  const type = major === 4 ? 'ID3v2.4' : 'ID3v2.3';
  let hasPicture = false;
  let pos = at + 10;
  // frame headers come in small reads from the head block; a frame body is read only when it is wanted
  while (pos + 10 <= end) {
    const f = bytes.read(pos, 10);
    if (f[0] === 0) break; // padding (taggers write zeros)
    const id = f.toString('latin1', 0, 4);
    if (!/^[A-Z0-9]{4}$/.test(id)) notHandled(`odd ID3v2 frame id ${JSON.stringify(id)}`);
    const len = major === 4 ? syncsafe(f, 4) : f.readUInt32BE(4);
    if (f[9]! !== 0) notHandled('ID3v2 frame flags');
    if (pos + 10 + len > end) notHandled('ID3v2 frame runs past the tag');
    if (id === 'APIC') hasPicture = true;
    else if (len > 0) {
      if (wanted(id)) textFrame(tags, type, major, id, bytes.read(pos + 10, len));
      else if (REGISTERS.test(id)) tags.registerType(type);
    }
    pos += 10 + len;
  }
  return { end, hasPicture };
}
