// A music library that costs the scanner what a user's library costs: every container, albums tagged by
// different taggers (ID3v2.3 with v2.4 frames, ID3v2.4, ID3v1 and APEv2 trailers, Vorbis comments, iTunes
// atoms with moov first or last, WMA attributes, RIFF INFO and id3 chunks), covers of real sizes
// (300×300 to 1500×1500, JPEG and PNG), lyrics, long comments, MusicBrainz ids, ReplayGain, small and
// large padding, durations from 15 s to 7 min. Deterministic for a given seed and size.
//
// Audio comes from a small pool of ffmpeg encodings per container, each file a copy with its own tags.
// To keep the library a few GB, lossy audio is tonal (low VBR bitrates) and lossless audio mostly
// silence: the scanner reads no audio frame of a lossless file (headers and three 16 KiB blocks only),
// and what it parses per file (tags, sample tables, page headers) has the size real files give it.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpeg } from './ffmpeg.js';
import {
  apeTag, fakeUuid, id3v1Tag, id3v2Tag, tagAiff, tagAsf, tagFlac, tagMp4, tagOgg, tagWav, type Id3Options, type Picture, type TagSet,
} from './tag-layouts.js';
import type { Container } from '../../electron/shared/library.js';
import { rng } from '../../electron/shared/random.js';

/** Bump when the library's content changes, so that cached copies are made again. */
export const REALISTIC_LIBRARY_VERSION = 1;

/** Share of files per container (a library that leans on MP3, FLAC and AAC, with every container present). */
const SHARES: [Container, number][] = [
  ['mp3', 0.24], ['flac', 0.18], ['mp4', 0.18], ['ogg', 0.1], ['opus', 0.1], ['asf', 0.08], ['wav', 0.06], ['aiff', 0.06],
];
export const CONTAINER_FOLDER: Record<Container, string> = {
  mp3: 'MP3', flac: 'FLAC', mp4: 'AAC and ALAC', ogg: 'Ogg Vorbis', opus: 'Opus', asf: 'WMA', wav: 'WAV', aiff: 'AIFF',
};
const EXT: Record<Container, string> = { mp3: 'mp3', flac: 'flac', mp4: 'm4a', ogg: 'ogg', opus: 'opus', asf: 'wma', wav: 'wav', aiff: 'aiff' };

interface Source {
  args: string[];
  seconds: number;
  weight: number;
  /** for mp4: ALAC instead of AAC */
  alac?: boolean;
}

/** A beeping tone in stereo (fast to make; lossy encoders give it a modest bitrate). */
const music = (sec: number) => ['-f', 'lavfi', '-i', `sine=frequency=220:beep_factor=3:sample_rate=44100:duration=${sec}`, '-ac', '2'];
const mostlySilent = (sec: number, rate = 44100) => ['-f', 'lavfi', '-i', `anullsrc=r=${rate}:cl=stereo`, '-t', String(sec)];
/**
 * Song lengths as libraries have them (mostly 2–5 min), for the containers whose parsing grows with length
 * (MP4 sample tables) or where length costs no disk (silent lossless). Elsewhere the scanner's work does not
 * depend on length (duration comes from a header: Xing/LAME, STREAMINFO, the last Ogg page, ASF/RIFF
 * headers), so shorter files keep the library small.
 */
const SONG_LENGTHS: [number, number][] = [[15, 0.1], [45, 0.15], [150, 0.3], [240, 0.3], [420, 0.15]];
const SHORT_LENGTHS: [number, number][] = [[15, 0.3], [30, 0.3], [60, 0.25], [90, 0.15]];
const PCM_LENGTHS: [number, number][] = [[3, 0.3], [5, 0.3], [8, 0.25], [12, 0.15]];

/** Tests: the same layouts, with seconds instead of minutes of audio (sample tables and pages stay varied). */
const QUICK_LENGTHS: [number, number][] = [[2, 0.5], [9, 0.5]];

function sources(c: Container, quick: boolean): Source[] {
  const each = (lengths: [number, number][], args: (sec: number, i: number) => string[]) =>
    (quick ? QUICK_LENGTHS : lengths).map(([seconds, weight], i) => ({ seconds, weight, args: args(seconds, i) }));
  switch (c) {
    case 'mp3': {
      const enc = [['-b:a', '320k'], ['-q:a', '0'], ['-q:a', '2'], ['-b:a', '128k']];
      return each(SHORT_LENGTHS, (s, i) => [...music(s), '-c:a', 'libmp3lame', ...enc[i]!, '-write_id3v2', '0', '-write_xing', '1']);
    }
    case 'flac':
      return each(SONG_LENGTHS, (s, i) => [...mostlySilent(s, i === 3 ? 96000 : 44100), '-c:a', 'flac', ...(i % 2 ? ['-sample_fmt', 's32'] : [])]);
    case 'mp4':
      return [
        ...each(SONG_LENGTHS, (s) => [...music(s), '-c:a', 'aac', '-b:a', '40k']).map((x) => ({ ...x, weight: x.weight * 0.85 })),
        { seconds: 200, weight: 0.1, alac: true, args: [...mostlySilent(quick ? 3 : 200), '-c:a', 'alac'] },
        { seconds: 380, weight: 0.05, alac: true, args: [...mostlySilent(quick ? 5 : 380), '-c:a', 'alac'] },
      ];
    case 'ogg':
      return each(SHORT_LENGTHS, (s) => [...music(s), '-c:a', 'libvorbis', '-q:a', '5']);
    case 'opus':
      return each(SHORT_LENGTHS, (s) => [...music(s), '-c:a', 'libopus', '-b:a', '64k']);
    case 'asf':
      return each(SHORT_LENGTHS, (s) => [...music(s), '-c:a', 'wmav2', '-b:a', '64k']);
    case 'wav':
      return each(PCM_LENGTHS, (s, i) => [...music(s), '-c:a', i === 2 ? 'pcm_s24le' : 'pcm_s16le']);
    case 'aiff':
      return each(PCM_LENGTHS, (s) => [...music(s), '-c:a', 'pcm_s16be', '-write_id3v2', '0']);
  }
}

// ----------------------------------------------------------------------------------- deterministic draws

const WORDS = ('night river glass morning echo paper summer violet static harbour silver engine fever garden ' +
  'distance velvet thunder ocean winter signal hollow golden midnight electric canyon lantern mirror shadow ' +
  'wild quiet broken northern tiger cathedral orbit honey satellite desert ember').split(' ');
const UNICODE_WORDS = ['Björk', 'Sigur Rós', 'Mötley', 'Café', 'Straße', 'Ælfric', 'Zoë', 'Señor', 'Łódź', '東京', '音楽', 'Москва', 'Ελλάδα', 'naïve'];
const GENRES = ['Rock', 'Jazz', 'Electronic', 'Hip-Hop', 'Classical', 'Pop', 'Metal', 'Folk', 'Blues', 'Soul', 'Ambient', 'Reggae', 'Punk', 'Country'];
const LOREM = 'This remaster was made from the original analogue tapes, transferred at 24-bit/96 kHz and restored with care. ' +
  'Liner notes by the producer recall the sessions, the borrowed amplifiers, the snowed-in studio and the song that almost did not make it. ' +
  'Visit the label website for the complete discography, tour dates and the limited vinyl edition. ';
const LYRIC_LINES = ['I walked along the river in the rain', 'and every light was calling out your name', 'we were young and the night was long',
  'hold on, hold on, the morning comes', 'silver lines on a paper sky', 'nobody knows where the echoes go'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}
function weighted<T extends { weight: number }>(r: () => number, xs: readonly T[]): T {
  const total = xs.reduce((a, x) => a + x.weight, 0);
  let u = r() * total;
  for (const x of xs) if ((u -= x.weight) < 0) return x;
  return xs[xs.length - 1]!;
}
function words(r: () => number, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(r() < 0.07 ? pick(r, UNICODE_WORDS) : pick(r, WORDS));
  const s = out.join(' ');
  return s[0]!.toUpperCase() + s.slice(1);
}
function text(r: () => number, source: string, minLen: number, maxLen: number): string {
  const len = Math.floor(minLen + r() * (maxLen - minLen));
  return source.repeat(Math.ceil(len / source.length) + 1).slice(0, len);
}

// ------------------------------------------------------------------------------------------------ covers

interface CoverSpec {
  size: number;
  mime: Picture['mime'];
  weight: number;
}
/** What a library's embedded art looks like: mostly JPEG of 500–1400 px, some PNG, a few huge ones. */
const COVERS: CoverSpec[] = [
  { size: 300, mime: 'image/jpeg', weight: 0.12 }, { size: 500, mime: 'image/jpeg', weight: 0.18 }, { size: 600, mime: 'image/jpeg', weight: 0.15 },
  { size: 800, mime: 'image/jpeg', weight: 0.1 }, { size: 1000, mime: 'image/jpeg', weight: 0.14 }, { size: 1200, mime: 'image/jpeg', weight: 0.08 },
  { size: 1400, mime: 'image/jpeg', weight: 0.06 }, { size: 1500, mime: 'image/jpeg', weight: 0.05 }, { size: 300, mime: 'image/png', weight: 0.05 },
  { size: 600, mime: 'image/png', weight: 0.04 }, { size: 1000, mime: 'image/png', weight: 0.02 }, { size: 1500, mime: 'image/png', weight: 0.01 },
];

/** Tests: a small, a large and a PNG cover. */
const QUICK_COVERS = [COVERS[0]!, COVERS[7]!, COVERS[9]!];

function makeCovers(dir: string, quick: boolean): Map<CoverSpec, Picture[]> {
  const out = new Map<CoverSpec, Picture[]>();
  (quick ? QUICK_COVERS : COVERS).forEach((spec, k) => {
    const pics: Picture[] = [];
    // a few different pictures per size: albums do not share their art
    for (let v = 0; v < (quick ? 1 : 3); v++) {
      const file = join(dir, `cover-${spec.size}-${k}-${v}.${spec.mime === 'image/png' ? 'png' : 'jpg'}`);
      const scene = `testsrc2=s=${spec.size}x${spec.size},noise=alls=${spec.mime === 'image/png' ? 3 : 6}:allf=t,hue=h=${40 * v + 10 * k}`;
      ffmpeg(['-f', 'lavfi', '-i', scene, '-frames:v', '1', ...(spec.mime === 'image/jpeg' ? ['-q:v', '4'] : []), file]);
      pics.push({ mime: spec.mime, width: spec.size, height: spec.size, data: readFileSync(file) });
    }
    out.set(spec, pics);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------- the plan

type TaggerProfile = 'picard-v24' | 'mp3tag-v23' | 'foobar-ape' | 'wmp-v23';

interface Album {
  artist: string;
  albumArtist: string;
  album: string;
  year: number;
  genres: string[];
  tracks: number;
  discs: number;
  cover: Picture | null;
  /** tagged with MusicBrainz ids and ReplayGain (Picard or beets) */
  picard: boolean;
  profile: TaggerProfile;
  /** bytes of padding the album's tagger left (a few KiB; some leave 64 KiB–1 MiB) */
  padding: number;
  moovFirst: boolean;
  lyrics: boolean;
}

export interface RealisticFile {
  path: string;
  container: Container;
}

export interface RealisticLibrary {
  root: string;
  files: RealisticFile[];
  /** files per container */
  counts: Record<Container, number>;
  bytes: number;
}

/** Cache key of a library: the generator's version and parameters. */
export function realisticLibraryKey(files: number, seed: number): string {
  return createHash('sha1').update(JSON.stringify({ v: REALISTIC_LIBRARY_VERSION, files, seed, SHARES, SONG_LENGTHS, SHORT_LENGTHS, PCM_LENGTHS, COVERS })).digest('hex').slice(0, 12);
}

export interface RealisticOptions {
  seed?: number;
  /** seconds of audio instead of minutes and three covers: for tests */
  quick?: boolean;
  log?: (s: string) => void;
}

/** Write about `files` files under `root` (folders per container, then artist and album). */
export function makeRealisticLibrary(root: string, files: number, opts: RealisticOptions = {}): RealisticLibrary {
  const { seed = 1, quick = false, log = () => {} } = opts;
  const r = rng(seed);
  const work = join(root, '.sources');
  mkdirSync(work, { recursive: true });
  const covers = makeCovers(work, quick);
  const coverSpecs = [...covers.keys()];
  const lib: RealisticLibrary = { root, files: [], counts: { mp3: 0, flac: 0, mp4: 0, ogg: 0, opus: 0, asf: 0, wav: 0, aiff: 0 }, bytes: 0 };
  for (const [container, share] of SHARES) {
    const want = Math.max(quick ? 3 : 1, Math.round(files * share));
    const pool = sources(container, quick).map((s, i) => {
      const path = join(work, `${container}-${i}.${EXT[container]}`);
      ffmpeg([...s.args, '-map_metadata', '-1', path]);
      return { ...s, bytes: readFileSync(path) };
    });
    log(`${container}: ${want} files (${pool.length} encodings made)`);
    let made = 0;
    for (let a = 0; made < want; a++) {
      const artist = words(r, 1 + Math.floor(r() * 2));
      const various = r() < 0.1;
      const coverSpec = r() < 0.78 ? weighted(r, coverSpecs) : null;
      const profiles: TaggerProfile[] = ['picard-v24', 'mp3tag-v23', 'foobar-ape', 'wmp-v23'];
      const largePadding = r() < (quick ? 0.3 : 0.1);
      const album: Album = {
        artist, albumArtist: various ? 'Various Artists' : artist, album: words(r, 1 + Math.floor(r() * 3)), year: 1965 + Math.floor(r() * 60),
        genres: r() < 0.12 ? [] : r() < 0.2 ? [pick(r, GENRES), pick(r, GENRES)].filter((g, i, xs) => xs.indexOf(g) === i) : [pick(r, GENRES)],
        tracks: quick ? 2 + Math.floor(r() * 2) : 6 + Math.floor(r() * 13), discs: r() < 0.1 ? 2 : 1,
        cover: coverSpec ? pick(r, covers.get(coverSpec)!) : null, picard: r() < 0.6, profile: pick(r, profiles),
        padding: largePadding ? 65536 * (1 + Math.floor(r() * 16)) : pick(r, [0, 1024, 2048, 4096, 8192]),
        moovFirst: r() < 0.5, lyrics: r() < 0.4,
      };
      const dir = join(root, CONTAINER_FOLDER[container], album.albumArtist, `${album.year} - ${album.album}`);
      mkdirSync(dir, { recursive: true });
      const perDisc = Math.ceil(album.tracks / album.discs);
      for (let t = 0; t < album.tracks && made < want; t++, made++) {
        const trackNo = (t % perDisc) + 1;
        const discNo = Math.floor(t / perDisc) + 1;
        const title = words(r, 1 + Math.floor(r() * 4));
        const tags: TagSet = {
          title, artist: various ? words(r, 2) : album.artist, albumArtist: album.albumArtist, album: album.album,
          trackNo, trackOf: perDisc, discNo, discOf: album.discs, date: r() < 0.5 ? `${album.year}` : `${album.year}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`,
          genres: album.genres, composer: r() < 0.3 ? words(r, 2) : undefined,
          comment: r() < 0.5 ? text(r, LOREM, 80, 2400) : undefined,
          lyrics: album.lyrics && r() < 0.8 ? text(r, `${LYRIC_LINES.join('\n')}\n\n`, 600, 4000) : undefined,
          extra: album.picard ? [
            ['MUSICBRAINZ_TRACKID', fakeUuid(`${a}-${t}-track`)], ['MUSICBRAINZ_RELEASETRACKID', fakeUuid(`${a}-${t}-rt`)],
            ['MUSICBRAINZ_ALBUMID', fakeUuid(`${a}-album`)], ['MUSICBRAINZ_ARTISTID', fakeUuid(`${a}-artist`)],
            ['MUSICBRAINZ_ALBUMARTISTID', fakeUuid(`${a}-albumartist`)], ['MUSICBRAINZ_RELEASEGROUPID', fakeUuid(`${a}-rg`)],
            ['RELEASESTATUS', 'official'], ['RELEASETYPE', 'album'], ['BARCODE', `0${Math.floor(r() * 1e11)}`], ['SCRIPT', 'Latn'],
            ['REPLAYGAIN_TRACK_GAIN', `${(-12 + r() * 10).toFixed(2)} dB`], ['REPLAYGAIN_TRACK_PEAK', (0.7 + r() * 0.3).toFixed(6)],
            ['REPLAYGAIN_ALBUM_GAIN', '-8.31 dB'], ['REPLAYGAIN_ALBUM_PEAK', '0.998871'],
          ] : [],
          cover: album.cover ?? undefined,
        };
        const src = weighted(r, pool);
        const data = build(container, src.bytes, tags, album, src.alac ?? false);
        const name = `${album.discs > 1 ? `${discNo}-` : ''}${String(trackNo).padStart(2, '0')} ${title.replace(/[/\\:]/g, '_')}.${EXT[container]}`;
        const path = join(dir, name);
        writeFileSync(path, data);
        lib.files.push({ path, container });
        lib.counts[container]++;
        lib.bytes += data.length;
      }
    }
  }
  return lib;
}

function id3Options(album: Album): Id3Options {
  switch (album.profile) {
    case 'picard-v24': return { version: 4, padding: album.padding };
    case 'foobar-ape': return { version: 4, padding: album.padding };
    case 'mp3tag-v23': return { version: 3, padding: album.padding, v24FramesInV23: true };
    case 'wmp-v23': return { version: 3, padding: album.padding };
  }
}

function build(container: Container, src: Buffer, t: TagSet, album: Album, alac: boolean): Buffer {
  switch (container) {
    case 'mp3': {
      const parts = [id3v2Tag(t, id3Options(album)), src];
      if (album.profile === 'foobar-ape') {
        parts.push(apeTag((t.extra ?? []).filter(([k]) => k.startsWith('REPLAYGAIN')).map(([k, v]) => [k.toLowerCase(), v])));
      }
      if (album.profile !== 'picard-v24') parts.push(id3v1Tag(t));
      return Buffer.concat(parts);
    }
    case 'flac':
      return tagFlac(src, t, album.padding || 8192);
    case 'ogg':
      return tagOgg(src, t, 'vorbis');
    case 'opus':
      return tagOgg(src, t, 'opus');
    case 'mp4':
      // iTunes-encoded files keep moov first; ALAC rips from other tools usually last
      return tagMp4(src, t, alac ? false : album.moovFirst, album.padding || 2048);
    case 'asf':
      return tagAsf(src, t);
    case 'wav':
      return tagWav(src, t, album.profile === 'wmp-v23' ? null : { version: 3, padding: 0 });
    case 'aiff':
      return tagAiff(src, t, { version: album.profile === 'picard-v24' ? 4 : 3, padding: Math.min(album.padding, 4096) });
  }
}
