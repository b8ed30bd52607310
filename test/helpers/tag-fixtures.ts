// Files for the tag-writing tests, made with the real ffmpeg at test time (every container the writer
// supports × with/without genres, cover art, many other tags), and two independent readers to check them:
// ffmpeg's own tag reader (`-f ffmetadata`) and a hash of the decoded PCM.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from 'music-metadata';
import { File, Mpeg4AppleTag, TagTypes } from 'node-taglib-sharp';
import { FFMPEG, ffmpeg, SOUNDS } from './ffmpeg.js';
import { id3v24Tag, prependId3v24, setFlacComments } from './id3.js';
import { replaceGenreWithGnre } from './mp4.js';
import type { Container } from '../../electron/shared/library.js';

export type Variant = 'mp3-v2.4' | 'mp3-v2.3' | 'flac' | 'ogg-vorbis' | 'opus' | 'm4a' | 'm4a-gnre' | 'wav' | 'wav-id3' | 'aiff' | 'wma';
export type Case = 'no-genre' | 'one-genre' | 'several-genres' | 'cover-art' | 'many-tags';

export const VARIANTS: { variant: Variant; container: Container; ext: string; cover: boolean }[] = [
  { variant: 'mp3-v2.4', container: 'mp3', ext: 'mp3', cover: true },
  { variant: 'mp3-v2.3', container: 'mp3', ext: 'mp3', cover: true },
  { variant: 'flac', container: 'flac', ext: 'flac', cover: true },
  { variant: 'ogg-vorbis', container: 'ogg', ext: 'ogg', cover: false },
  { variant: 'opus', container: 'opus', ext: 'opus', cover: false },
  { variant: 'm4a', container: 'mp4', ext: 'm4a', cover: true },
  { variant: 'm4a-gnre', container: 'mp4', ext: 'm4a', cover: false },
  { variant: 'wav', container: 'wav', ext: 'wav', cover: false },
  { variant: 'wav-id3', container: 'wav', ext: 'wav', cover: false },
  { variant: 'aiff', container: 'aiff', ext: 'aiff', cover: false },
  { variant: 'wma', container: 'asf', ext: 'wma', cover: false },
];
export const CASES: Case[] = ['no-genre', 'one-genre', 'several-genres', 'cover-art', 'many-tags'];

/** Tags a tagger such as Picard or beets leaves: lyrics, ReplayGain, MusicBrainz ids, a custom field. */
const MANY = {
  title: 'Many Tags', artist: 'Tag Artist', album: 'Tag Album', album_artist: 'Tag Album Artist', date: '2004', track: '3/12',
  composer: 'Some Composer', comment: 'a comment', lyrics: 'la la la\nsecond line',
  REPLAYGAIN_TRACK_GAIN: '-6.20 dB', REPLAYGAIN_TRACK_PEAK: '0.988', REPLAYGAIN_ALBUM_GAIN: '-5.10 dB',
  MUSICBRAINZ_TRACKID: '0b9c2c4e-7a3e-4a8f-9c3b-1d2e3f4a5b6c', MUSICBRAINZ_ALBUMID: 'c7d8e9f0-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
  'MusicBrainz Album Id': 'c7d8e9f0-1a2b-4c3d-8e4f-5a6b7c8d9e0f', SPECTAG_CUSTOM: 'custom value ✓',
};

const meta = (t: Record<string, string>) => Object.entries(t).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);

function cover(dir: string): string {
  const png = join(dir, 'cover.png');
  if (!existsSync(png)) ffmpeg(['-f', 'lavfi', '-i', 'color=c=teal:s=64x64', '-frames:v', '1', png]);
  return png;
}

function codecArgs(v: Variant): string[] {
  switch (v) {
    case 'mp3-v2.4': return ['-c:a', 'libmp3lame', '-b:a', '64k', '-id3v2_version', '4'];
    case 'mp3-v2.3': return ['-c:a', 'libmp3lame', '-b:a', '64k', '-id3v2_version', '3', '-write_id3v1', '1'];
    case 'flac': return ['-c:a', 'flac'];
    case 'ogg-vorbis': return ['-c:a', 'libvorbis'];
    case 'opus': return ['-c:a', 'libopus', '-b:a', '32k'];
    case 'm4a': case 'm4a-gnre': return ['-c:a', 'aac', '-b:a', '64k'];
    case 'wav': case 'wav-id3': return ['-c:a', 'pcm_s16le'];
    case 'aiff': return ['-c:a', 'pcm_s16be', '-write_id3v2', '1'];
    case 'wma': return ['-c:a', 'wmav2', '-b:a', '64k'];
  }
}

/**
 * ffmpeg 4.1 writes no iTunes freeform (----) atoms, which is where Picard and beets put MusicBrainz ids and
 * ReplayGain: added here with node-taglib-sharp (music-metadata, an independent reader, checks them).
 */
function addItunesFreeform(path: string, t: Record<string, string>): void {
  const file = File.createFromPath(path, 'taglib/m4a');
  try {
    const tag = file.getTag(TagTypes.Apple, true) as Mpeg4AppleTag;
    tag.setItunesStrings('com.apple.iTunes', 'MusicBrainz Track Id', t.MUSICBRAINZ_TRACKID!);
    tag.setItunesStrings('com.apple.iTunes', 'replaygain_track_gain', t.REPLAYGAIN_TRACK_GAIN!);
    tag.setItunesStrings('com.apple.iTunes', 'SPECTAG_CUSTOM', t.SPECTAG_CUSTOM!);
    file.save();
  } finally {
    file.dispose();
  }
}

/** Append an `id3 ` chunk (an ID3v2.4 tag) to a RIFF/WAVE file, fixing the RIFF size. */
function addWavId3Chunk(path: string, frames: Record<string, string[]>): void {
  const wav = readFileSync(path);
  const tag = id3v24Tag(frames);
  const header = Buffer.alloc(8);
  header.write('id3 ', 0, 'latin1');
  header.writeUInt32LE(tag.length, 4);
  const out = Buffer.concat([wav, header, tag, tag.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
  out.writeUInt32LE(out.length - 8, 4);
  writeFileSync(path, out);
}

/**
 * One test file of a container variant and case; returns its path. Genres in the file: none, ["Rock"],
 * ["Rock", "Pop"] (a native list where the format has one, else "Rock; Pop"), or ["Rock"] with cover/many tags.
 */
export function makeTagFixture(dir: string, variant: Variant, c: Case, hz = 440): string {
  const v = VARIANTS.find((x) => x.variant === variant)!;
  const path = join(dir, `${variant}-${c}.${v.ext}`);
  const base: Record<string, string> = c === 'many-tags' ? { ...MANY } : { title: `${variant} ${c}`, artist: 'Fixture Artist' };
  const genreTag: Record<string, string> = c === 'no-genre' ? {} : c === 'several-genres' ? { genre: 'Rock; Pop' } : { genre: 'Rock' };
  const args = [...SOUNDS.tone(0.5, hz)];
  if (c === 'cover-art' && v.cover) args.push('-i', cover(dir), '-map', '0', '-map', '1', '-c:v', 'png', '-disposition:v', 'attached_pic');
  const genreForGnre = variant === 'm4a-gnre' && c !== 'no-genre' ? { genre: 'placeholder' } : genreTag;
  ffmpeg([...args, ...codecArgs(variant), ...meta({ ...base, ...genreForGnre }), path]);
  if (variant === 'm4a-gnre' && c !== 'no-genre') replaceGenreWithGnre(path, 17); // legacy numeric genre: Rock
  if (variant === 'm4a' && c === 'many-tags') addItunesFreeform(path, MANY);
  if (c === 'several-genres') {
    // native lists, written by hand where ffmpeg cannot
    if (variant === 'flac') setFlacComments(path, [['TITLE', base.title!], ['ARTIST', base.artist!], ['GENRE', 'Rock'], ['GENRE', 'Pop']]);
    if (variant === 'mp3-v2.4') {
      ffmpeg([...SOUNDS.tone(0.5, hz), '-c:a', 'libmp3lame', '-b:a', '64k', '-map_metadata', '-1', '-write_id3v2', '0', path]);
      prependId3v24(path, { TIT2: [base.title!], TPE1: [base.artist!], TCON: ['Rock', 'Pop'] });
    }
  }
  if (variant === 'wav-id3') {
    const frames: Record<string, string[]> = { TIT2: [base.title!], TPE1: [base.artist ?? 'x'] };
    if (c === 'one-genre' || c === 'cover-art' || c === 'many-tags') frames.TCON = ['Rock'];
    if (c === 'several-genres') frames.TCON = ['Rock', 'Pop'];
    if (c === 'many-tags') {
      frames.TXXX = ['REPLAYGAIN_TRACK_GAIN', '-6.20 dB'];
      frames.TCOM = ['Some Composer'];
    }
    addWavId3Chunk(path, frames);
  }
  return path;
}

/** ffmpeg's reading of the file's tags (container-level, or the audio stream's for Ogg), keys lower-cased. */
export function ffmpegTags(path: string, container: Container): Map<string, string> {
  const streamTags = container === 'ogg' || container === 'opus';
  const out = execFileSync(FFMPEG, ['-hide_banner', '-nostdin', '-v', 'error', '-i', path, '-map_metadata', streamTags ? '0:s:a:0' : '0', '-f', 'ffmetadata', '-'],
    { encoding: 'utf8' });
  const tags = new Map<string, string>();
  // values may span lines (escaped newline); keys/values escape = ; # \ and newline with a backslash
  const text = out.replace(/^;FFMETADATA1\n/, '');
  let key = '';
  let val = '';
  let inVal = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      const escaped = text[++i]!;
      if (inVal) val += escaped;
      else key += escaped;
      continue;
    }
    if (ch === '=' && !inVal) {
      inVal = true;
      continue;
    }
    if (ch === '\n') {
      if (inVal && !key.startsWith('[')) tags.set(key.toLowerCase(), val);
      key = '';
      val = '';
      inVal = false;
      continue;
    }
    if (inVal) val += ch;
    else key += ch;
  }
  return tags;
}

/** MD5 of the decoded PCM (s16, as decoded by ffmpeg): independent of how the writer hashes audio. */
export function pcmHash(path: string): string {
  const pcm = execFileSync(FFMPEG, ['-hide_banner', '-nostdin', '-v', 'error', '-i', path, '-map', '0:a', '-f', 's16le', '-'], { maxBuffer: 64 << 20 });
  return createHash('md5').update(pcm).digest('hex');
}

const GENRE_KEYS = /^(tcon|tco|genre|©gen|gnre|ignr|wm\/genre|wm\/genreid)$/i;

/** music-metadata's view: genres (as listed), native genre values per tag type, every other native tag, pictures. */
export async function mmView(path: string) {
  const m = await parseFile(path);
  const natives: Record<string, string[]> = {};
  const genreValues: Record<string, string[]> = {};
  const val = (v: unknown): string => {
    if (v instanceof Uint8Array) return `bytes:${createHash('sha1').update(v).digest('hex')}`;
    if (v && typeof v === 'object') return JSON.stringify(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, val(x)])));
    return String(v);
  };
  const empty = (v: unknown): boolean => v === '' || (Array.isArray(v) && v.every(empty)) ||
    (!!v && typeof v === 'object' && !(v instanceof Uint8Array) && Object.values(v).every(empty));
  for (const [type, tags] of Object.entries(m.native)) {
    natives[type] = tags.filter((t) => !GENRE_KEYS.test(t.id) && !empty(t.value)).map((t) => `${t.id}=${val(t.value)}`).sort();
    genreValues[type] = tags.filter((t) => GENRE_KEYS.test(t.id)).map((t) => String(t.value));
  }
  return {
    genres: m.common.genre ?? [],
    natives,
    genreValues,
    pictures: (m.common.picture ?? []).map((p) => createHash('sha1').update(p.data).digest('hex')),
    tagTypes: Object.keys(m.native).sort(),
  };
}
