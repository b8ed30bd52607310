// Vorbis comments (FLAC, Ogg Vorbis, Opus): fields decoded as music-metadata decodes them, but only the ones
// that feed a stored field; the others (lyrics, long comments, pictures as METADATA_BLOCK_PICTURE) are not
// decoded, and a picture is not even read.
import type { CommonTags } from './common-tags.js';
import { notHandled, utf8 } from './bytes.js';

/** Bytes of one packet or block, which may lie in several pieces of the file (Ogg pages). */
export interface PacketReader {
  readonly length: number;
  read(offset: number, length: number): Uint8Array;
}

const PICTURE_KEY = 'METADATA_BLOCK_PICTURE';
const STORED = new Set([
  'TITLE', 'ARTIST', 'ARTISTS', 'ALBUMARTIST', 'ALBUM ARTIST', 'ALBUM', 'DATE', 'TRACKNUMBER', 'DISCNUMBER', 'GENRE', 'TRACKTOTAL',
  'DISCTOTAL', 'TOTALTRACKS', 'TOTALDISCS', 'DISCOGS_ARTISTS', 'DISCOGS_ARTIST_NAME', 'DISCOGS_ALBUM_ARTISTS', 'DISCOGS_RELEASED', 'STYLE',
]);
/** Key bytes looked at to find the '=' of a field without reading its value. */
const KEY_PEEK = 64;

const u32 = (b: Uint8Array) => (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;

/** Parse a comment list starting at `offset` of `p`; returns whether a picture field was found. */
export function readVorbisComments(p: PacketReader, offset: number, tags: CommonTags): boolean {
  const int = (at: number) => {
    if (at + 4 > p.length) notHandled('Vorbis comment list runs past its packet');
    return u32(p.read(at, 4));
  };
  let pos = offset;
  pos += 4 + int(pos); // vendor string
  let count = int(pos);
  pos += 4;
  let picture = false;
  while (count-- > 0) {
    const len = int(pos);
    pos += 4;
    if (pos + len > p.length) notHandled('Vorbis comment runs past its packet');
    const peek = p.read(pos, Math.min(len, KEY_PEEK));
    const eq = peek.indexOf(0x3d);
    if (eq < 0) {
      if (len > KEY_PEEK) notHandled('long Vorbis comment without a key');
      // music-metadata's key is then '' and its value the whole text: feeds nothing we store
      tags.registerType('vorbis');
    } else {
      const key = utf8(peek.subarray(0, eq)).toUpperCase();
      if (key === PICTURE_KEY) picture = true; // skipped, as music-metadata skips covers
      else if (STORED.has(key)) tags.add('vorbis', key, utf8(p.read(pos + eq + 1, len - eq - 1)));
      else tags.registerType('vorbis');
    }
    pos += len;
  }
  return picture;
}
