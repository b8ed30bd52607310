// A small but nasty music library made with the real ffmpeg at test time: every supported container,
// tagged and untagged, multi-genre lists, cover art, unicode and very long names, nested folders, a
// symlink loop, and files broken on purpose. Each entry says what a correct scan must find.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ffmpeg, SOUNDS } from './ffmpeg.js';
import { prependId3v24, setFlacComments } from './id3.js';
import { replaceGenreWithGnre } from './mp4.js';
import type { Container, ScanErrorKind } from '../../electron/shared/library.js';

export interface ExpectedFile {
  rel: string;
  container?: Container;
  codec?: RegExp;
  genres?: string[];
  title?: string | null;
  artist?: string | null;
  albumArtist?: string | null;
  album?: string | null;
  trackNo?: number | null;
  trackOf?: number | null;
  discNo?: number | null;
  year?: number | null;
  hasCover?: boolean;
  channels?: number;
  sampleRate?: number;
  lossless?: boolean;
  /** seconds; checked within 0.15 s */
  durationSec?: number;
  error?: ScanErrorKind;
}

export interface FixtureLibrary {
  root: string;
  files: ExpectedFile[];
  /** paths the scan must not report (hidden, system, non-audio extensions, link duplicates) */
  ignored: string[];
  path(rel: string): string;
  cleanup(): void;
}

const LONG_NAME = `${'Very long title '.repeat(14).trim()} (extended mix).mp3`;

function tags(t: Record<string, string>): string[] {
  return Object.entries(t).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
}

let cover: string | null = null;
function coverImage(dir: string): string {
  if (cover) return cover;
  cover = join(dir, 'cover-source.png');
  ffmpeg(['-f', 'lavfi', '-i', 'color=c=orange:s=96x96', '-frames:v', '1', cover]);
  return cover;
}

const withCover = (img: string) => ['-i', img, '-map', '0', '-map', '1', '-c:v', 'png', '-disposition:v', 'attached_pic'];

export function makeFixtureLibrary(): FixtureLibrary {
  const base = mkdtempSync(join(tmpdir(), 'spectag-lib-'));
  const root = join(base, 'Music');
  const p = (rel: string) => join(root, rel);
  const at = (rel: string) => {
    mkdirSync(dirname(p(rel)), { recursive: true });
    return p(rel);
  };
  cover = null;
  const img = coverImage(base);
  const files: ExpectedFile[] = [];
  const add = (e: ExpectedFile) => files.push(e);
  const albumTags = { artist: 'Artist A', album_artist: 'Artist A', album: 'Album One', date: '2001' };

  // MP3, ID3v2.4 (ffmpeg's default), full tags and cover art
  ffmpeg([...SOUNDS.tone(2), ...withCover(img), '-c:a', 'libmp3lame', '-b:a', '128k',
    ...tags({ ...albumTags, title: 'First Tone', track: '1/10', disc: '1/2', genre: 'Rock' }), at('Artist A/Album One/01 First Tone.mp3')]);
  add({ rel: 'Artist A/Album One/01 First Tone.mp3', container: 'mp3', codec: /MPEG 1 Layer 3/, genres: ['Rock'], title: 'First Tone',
    artist: 'Artist A', albumArtist: 'Artist A', album: 'Album One', trackNo: 1, trackOf: 10, discNo: 1, year: 2001, hasCover: true,
    channels: 1, sampleRate: 44100, lossless: false, durationSec: 2 });

  // MP3 with an ID3v2.4 NUL-separated genre list (written by hand: ffmpeg cannot)
  ffmpeg([...SOUNDS.tone(2, 550), '-c:a', 'libmp3lame', '-map_metadata', '-1', '-write_id3v2', '0', at('Artist A/Album One/02 List.mp3')]);
  prependId3v24(p('Artist A/Album One/02 List.mp3'), { TIT2: ['List'], TPE1: ['Artist A'], TCON: ['Rock', 'Pop', 'rock'] });
  add({ rel: 'Artist A/Album One/02 List.mp3', container: 'mp3', genres: ['Rock', 'Pop'], title: 'List', artist: 'Artist A', hasCover: false });

  // MP3, ID3v2.3 with a "/"-joined genre and a ";"-joined one
  ffmpeg([...SOUNDS.tone(2, 660), '-c:a', 'libmp3lame', '-id3v2_version', '3', ...tags({ title: 'Old Style', genre: 'Rock/Blues; Soul' }),
    at('Artist A/Album One/03 Old Style.mp3')]);
  add({ rel: 'Artist A/Album One/03 Old Style.mp3', container: 'mp3', genres: ['Rock', 'Blues', 'Soul'], title: 'Old Style' });

  // MP3 without any tag
  ffmpeg([...SOUNDS.noise(2), '-c:a', 'libmp3lame', '-map_metadata', '-1', '-write_id3v2', '0', '-write_xing', '0', at('untagged/noise.mp3')]);
  add({ rel: 'untagged/noise.mp3', container: 'mp3', genres: [], title: null, artist: null, album: null, year: null, hasCover: false });

  // FLAC with repeated GENRE fields (written by hand) and cover art
  ffmpeg([...SOUNDS.stereo(2), ...withCover(img), '-c:a', 'flac', at('flac/Repeated Fields.flac')]);
  setFlacComments(p('flac/Repeated Fields.flac'), [['TITLE', 'Repeated Fields'], ['ARTIST', 'Flac Artist'], ['GENRE', 'Jazz'],
    ['GENRE', 'Blues'], ['TRACKNUMBER', '4'], ['DATE', '1999-05-01']]);
  add({ rel: 'flac/Repeated Fields.flac', container: 'flac', codec: /FLAC/, genres: ['Jazz', 'Blues'], title: 'Repeated Fields',
    artist: 'Flac Artist', trackNo: 4, year: 1999, hasCover: true, channels: 2, sampleRate: 44100, lossless: true, durationSec: 2 });

  // Ogg Vorbis and Opus
  // long enough (> a few pages) that the duration must come from the last page's granule position
  ffmpeg([...SOUNDS.tone(12, 880), '-c:a', 'libvorbis', ...tags({ title: 'Vorbis', genre: 'Ambient;Drone' }), at('ogg/vorbis.ogg')]);
  add({ rel: 'ogg/vorbis.ogg', container: 'ogg', codec: /Vorbis/i, genres: ['Ambient', 'Drone'], title: 'Vorbis', durationSec: 12, lossless: false });
  ffmpeg([...SOUNDS.stereo(10), '-c:a', 'libopus', '-b:a', '64k', ...tags({ title: 'Opus', genre: 'Electronic' }), at('ogg/opus.opus')]);
  add({ rel: 'ogg/opus.opus', container: 'opus', codec: /Opus/i, genres: ['Electronic'], title: 'Opus', channels: 2, sampleRate: 48000, durationSec: 10 });

  // MP4: AAC with cover and ©gen, ALAC untagged
  ffmpeg([...SOUNDS.tone(2, 220), ...withCover(img), '-c:a', 'aac', '-b:a', '96k', ...tags({ title: 'AAC', genre: 'Hip-Hop', track: '7' }),
    at('m4a/aac.m4a')]);
  add({ rel: 'm4a/aac.m4a', container: 'mp4', codec: /AAC/i, genres: ['Hip-Hop'], title: 'AAC', trackNo: 7, hasCover: true, lossless: false, durationSec: 2 });
  // a legacy numeric `gnre` atom (ID3v1 genre 8 = Jazz) instead of ©gen
  ffmpeg([...SOUNDS.tone(1, 250), '-c:a', 'aac', ...tags({ title: 'Legacy', genre: 'placeholder' }), at('m4a/legacy-gnre.m4a')]);
  replaceGenreWithGnre(p('m4a/legacy-gnre.m4a'), 8);
  add({ rel: 'm4a/legacy-gnre.m4a', container: 'mp4', genres: ['Jazz'], title: 'Legacy' });
  ffmpeg([...SOUNDS.tone(2, 330), '-c:a', 'alac', '-map_metadata', '-1', at('m4a/alac.m4a')]);
  add({ rel: 'm4a/alac.m4a', container: 'mp4', codec: /ALAC/i, genres: [], title: null, hasCover: false, lossless: true, durationSec: 2 });

  // WAV (RIFF INFO tags), AIFF (ID3 chunk), WMA
  ffmpeg([...SOUNDS.tone(1, 440), '-c:a', 'pcm_s16le', ...tags({ title: 'Wave', genre: 'Classical' }), at('wav/tone.wav')]);
  add({ rel: 'wav/tone.wav', container: 'wav', genres: ['Classical'], title: 'Wave', lossless: true, durationSec: 1, sampleRate: 44100 });
  ffmpeg([...SOUNDS.tone(1, 440), '-c:a', 'pcm_s16be', '-write_id3v2', '1', ...tags({ title: 'Aiff', genre: 'Folk' }), at('aiff/tone.aiff')]);
  add({ rel: 'aiff/tone.aiff', container: 'aiff', genres: ['Folk'], title: 'Aiff', durationSec: 1 });
  ffmpeg([...SOUNDS.tone(2, 440), '-c:a', 'wmav2', '-b:a', '64k', ...tags({ title: 'Windows', genre: 'Country' }), at('wma/tone.wma')]);
  add({ rel: 'wma/tone.wma', container: 'asf', codec: /Windows Media/i, genres: ['Country'], title: 'Windows', durationSec: 2 });

  // names: unicode, very long, deep nesting; and an extension that lies (FLAC content in .mp3)
  ffmpeg([...SOUNDS.tone(1, 500), '-c:a', 'flac', ...tags({ title: 'Jóga 日本', artist: 'Björk', genre: 'Électronique' }),
    at('Ünïcødé 音楽/Björk – Jóga 日本.flac')]);
  add({ rel: 'Ünïcødé 音楽/Björk – Jóga 日本.flac', container: 'flac', genres: ['Électronique'], title: 'Jóga 日本', artist: 'Björk' });
  ffmpeg([...SOUNDS.tone(1, 600), '-c:a', 'libmp3lame', ...tags({ title: 'Long' }), at(`long/${LONG_NAME}`)]);
  add({ rel: `long/${LONG_NAME}`, container: 'mp3', title: 'Long' });
  ffmpeg([...SOUNDS.tone(1, 700), '-c:a', 'libvorbis', at('a/b/c/d/e/f/g/deep.ogg')]);
  add({ rel: 'a/b/c/d/e/f/g/deep.ogg', container: 'ogg' });
  ffmpeg([...SOUNDS.tone(1, 800), '-c:a', 'flac', ...tags({ title: 'Liar', genre: 'Metal' }), '-f', 'flac', at('misnamed/actually-flac.mp3')]);
  add({ rel: 'misnamed/actually-flac.mp3', container: 'flac', codec: /FLAC/, genres: ['Metal'], title: 'Liar', lossless: true });

  // broken on purpose
  writeFileSync(at('broken/empty.mp3'), '');
  add({ rel: 'broken/empty.mp3', error: 'empty' });
  writeFileSync(at('broken/notes.mp3'), 'These are my notes about the album, not audio.\n'.repeat(20));
  add({ rel: 'broken/notes.mp3', error: 'not-audio' });
  ffmpeg([...SOUNDS.tone(20, 300), '-c:a', 'libmp3lame', '-b:a', '128k', at('broken/truncated.mp3')]);
  truncateSync(p('broken/truncated.mp3'), Math.floor(statSync(p('broken/truncated.mp3')).size * 0.3));
  add({ rel: 'broken/truncated.mp3', error: 'truncated' });
  ffmpeg([...SOUNDS.tone(1, 300), '-c:a', 'aac', at('broken/cut.m4a')]);
  truncateSync(p('broken/cut.m4a'), 200);
  add({ rel: 'broken/cut.m4a', error: 'truncated' });
  if (process.getuid?.() !== 0) {
    ffmpeg([...SOUNDS.tone(1, 300), '-c:a', 'libmp3lame', at('broken/locked.mp3')]);
    chmodSync(p('broken/locked.mp3'), 0o000);
    add({ rel: 'broken/locked.mp3', error: 'permission-denied' });
  }

  // things a scan must not pick up
  const ignored: string[] = [];
  ffmpeg([...SOUNDS.tone(1, 900), '-c:a', 'libmp3lame', at('.hidden/secret.mp3')]);
  ignored.push('.hidden/secret.mp3');
  ffmpeg([...SOUNDS.tone(1, 900), '-c:a', 'libmp3lame', at('@eaDir/thumbnail.mp3')]);
  ignored.push('@eaDir/thumbnail.mp3');
  writeFileSync(at('Artist A/Album One/cover.jpg'), 'not scanned');
  ignored.push('Artist A/Album One/cover.jpg');
  // a symlink to an ancestor (a loop) and a second link to an album: neither may multiply the library
  symlinkSync('..', p('a/b/loop-to-parent'));
  symlinkSync(p('Artist A'), p('link-to-artist'));
  ignored.push('a/b/loop-to-parent/b/c/d/e/f/g/deep.ogg', 'link-to-artist/Album One/01 First Tone.mp3');

  return {
    root, files, ignored, path: p,
    cleanup() {
      try {
        chmodSync(p('broken/locked.mp3'), 0o644);
      } catch {
        // not created when running as root
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
}
