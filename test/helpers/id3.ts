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
