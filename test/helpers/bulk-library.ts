// Many distinct small audio files, fast: a few sources are encoded once by ffmpeg, then each copy gets
// its own tags (so every file has its own content and identity). For cancellation tests and benchmarks.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpeg, SOUNDS } from './ffmpeg.js';
import { id3v24Tag, setFlacComments } from './id3.js';

const GENRES = ['Rock', 'Jazz', 'Hip-Hop', 'Classical', 'Electronic', 'Metal', 'Pop', 'Blues'];

/** Write `count` files under `root` in album folders of 12 tracks; mixed MP3 (ID3v2.4) and FLAC. */
export function makeBulkLibrary(root: string, count: number, secondsEach = 1): string[] {
  const srcDir = join(root, '.sources');
  mkdirSync(srcDir, { recursive: true });
  const mp3 = join(srcDir, 'src.mp3');
  const flac = join(srcDir, 'src.flac');
  ffmpeg([...SOUNDS.tone(secondsEach, 440), '-c:a', 'libmp3lame', '-b:a', '96k', '-map_metadata', '-1', '-write_id3v2', '0', mp3]);
  ffmpeg([...SOUNDS.tone(secondsEach, 440), '-c:a', 'flac', '-map_metadata', '-1', flac]);
  const mp3Bytes = readFileSync(mp3);
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const album = join(root, `Artist ${Math.floor(i / 120)}`, `Album ${Math.floor(i / 12)}`);
    if (i % 12 === 0) mkdirSync(album, { recursive: true });
    const genre = GENRES[i % GENRES.length]!;
    const title = `Track ${i}`;
    if (i % 4 === 3) {
      const p = join(album, `${String(i % 12 + 1).padStart(2, '0')} ${title}.flac`);
      copyFileSync(flac, p);
      setFlacComments(p, [['TITLE', title], ['ARTIST', `Artist ${Math.floor(i / 120)}`], ['ALBUM', `Album ${Math.floor(i / 12)}`], ['GENRE', genre]]);
      paths.push(p);
    } else {
      const p = join(album, `${String(i % 12 + 1).padStart(2, '0')} ${title}.mp3`);
      const tag = id3v24Tag({ TIT2: [title], TPE1: [`Artist ${Math.floor(i / 120)}`], TALB: [`Album ${Math.floor(i / 12)}`], TCON: [genre], TRCK: [String(i % 12 + 1)] });
      writeFileSync(p, Buffer.concat([tag, mp3Bytes]));
      paths.push(p);
    }
  }
  return paths;
}
