// Reading one audio file for the library: content identity, container by content, tags and audio
// properties via music-metadata (cover art is detected, never loaded), or a classified error.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parseFromTokenizer, type IAudioMetadata } from 'music-metadata';
import { SyncFileTokenizer } from './sync-tokenizer.js';
import type { ReadResult } from '../db/files.js';
import type { AudioProps, Container, ScanErrorKind, TrackTags } from '../../shared/library.js';
import { splitGenres } from '../../shared/genres.js';
import { CONTAINER_MIME, sniffContainer } from './sniff.js';
import { hasCoverArt } from './cover-probe.js';
import { oggDurationSec } from './ogg-duration.js';
import { describeFsError } from './walk.js';

const BLOCK = 16 * 1024;
// reused between files: a worker reads one file at a time
const scratch = Buffer.allocUnsafe(BLOCK);

function readAt(fd: number, position: number, length: number, into: Buffer = Buffer.allocUnsafe(length)): Buffer {
  const n = readSync(fd, into, 0, length, position);
  return into.subarray(0, n);
}

/**
 * Content identity: the size plus a hash of three sampled blocks (start, middle, end). Cheap (48 KiB read)
 * and stable across renames and moves, which is what it is for; it changes when the file's bytes change.
 */
export function contentId(fd: number, size: number): { id: string; head: Buffer } {
  const head = readAt(fd, 0, Math.min(size, BLOCK));
  const h = createHash('sha1').update(String(size)).update(head);
  if (size > BLOCK) h.update(readAt(fd, Math.floor(size / 2), Math.min(BLOCK, size - Math.floor(size / 2)), scratch));
  if (size > 2 * BLOCK) h.update(readAt(fd, size - BLOCK, BLOCK, scratch));
  return { id: `${size.toString(36)}-${h.digest('hex').slice(0, 24)}`, head };
}

function fail(errorKind: ScanErrorKind, errorMessage: string, contentIdValue: string | null = null): ReadResult {
  return { ok: false, contentId: contentIdValue, errorKind, errorMessage };
}

function positive(n: number | null | undefined): number | null {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null;
}

function text(s: string | undefined | null): string | null {
  const t = s?.replace(/\0+$/, '').trim();
  return t ? t : null;
}

/** ID3v2.2/2.3 use "/" to join several values in one text frame; other formats do not. */
function slashJoinsGenres(meta: IAudioMetadata): boolean {
  return Object.keys(meta.native).some((k) => k === 'ID3v2.3' || k === 'ID3v2.2');
}

export function tagsFrom(meta: IAudioMetadata): TrackTags {
  const c = meta.common;
  return {
    title: text(c.title),
    artist: text(c.artist) ?? text(c.artists?.join(', ')),
    albumArtist: text(c.albumartist),
    album: text(c.album),
    trackNo: positive(c.track.no),
    trackOf: positive(c.track.of),
    discNo: positive(c.disk.no),
    discOf: positive(c.disk.of),
    year: positive(c.year),
    genres: splitGenres(c.genre ?? [], { slashJoins: slashJoinsGenres(meta) }),
  };
}

/** music-metadata leaves `lossless` unset for some codecs (Vorbis, Opus): derive it from the codec name. */
function losslessOf(meta: IAudioMetadata): boolean | null {
  if (typeof meta.format.lossless === 'boolean') return meta.format.lossless;
  const codec = `${meta.format.codec ?? ''}`.toLowerCase();
  if (/flac|alac|pcm|wavpack|lossless/.test(codec)) return true;
  if (/vorbis|opus|mpeg|mp3|aac|windows media|wma/.test(codec)) return false;
  return null;
}

function audioFrom(meta: IAudioMetadata, container: Container, hasCover: boolean): AudioProps {
  const f = meta.format;
  return {
    container,
    codec: text(f.codec) ?? text(f.container),
    durationSec: positive(f.duration),
    sampleRate: positive(f.sampleRate),
    channels: positive(f.numberOfChannels),
    bitrate: positive(f.bitrate) == null ? null : Math.round(f.bitrate!),
    lossless: losslessOf(meta),
    hasCover,
  };
}

function classifyParseError(err: unknown): { kind: ScanErrorKind; message: string } {
  const e = err as Error & { code?: string };
  const msg = e?.message ?? String(err);
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return { kind: 'permission-denied', message: 'permission denied' };
  if (e?.code) return { kind: 'unreadable', message: describeFsError(err) };
  if (e?.name === 'EndOfStreamError' || /end[- ]of[- ]stream|unexpected end|truncat/i.test(msg)) {
    return { kind: 'truncated', message: `the file ends early (${msg})` };
  }
  if (e?.name === 'CouldNotDetermineFileTypeError' || e?.name === 'UnsupportedFileTypeError') {
    return { kind: 'not-audio', message: msg };
  }
  return { kind: 'truncated', message: `damaged or incomplete audio data (${msg})` };
}

/**
 * Read one file. Never throws: every failure becomes a classified error result. Uses blocking reads: meant
 * to run in a reader worker thread (see read-pool.ts), one file at a time.
 */
export async function readAudioFile(path: string): Promise<ReadResult> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(code === 'EACCES' || code === 'EPERM' ? 'permission-denied' : 'unreadable', describeFsError(err));
  }
  let cid: string | null = null;
  let container: Container | null;
  let hasCover: boolean;
  let size: number;
  let head: Buffer;
  try {
    size = fstatSync(fd).size;
    if (size === 0) return closing(fd, fail('empty', 'the file is empty (0 bytes)'));
    const sampled = contentId(fd, size);
    cid = sampled.id;
    head = sampled.head;
    container = sniffContainer(head);
    if (!container) return closing(fd, fail('not-audio', describeNonAudio(head), cid));
    hasCover = hasCoverArt(fd, container, size, head);
  } catch (err) {
    const c = classifyParseError(err);
    return closing(fd, fail(c.kind, c.message, cid));
  }
  try {
    // the tokenizer owns the descriptor from here and closes it
    const tokenizer = new SyncFileTokenizer(fd, { path, size, mimeType: CONTAINER_MIME[container] });
    let meta: IAudioMetadata;
    let oggDuration: number | null = null;
    try {
      meta = await parseFromTokenizer(tokenizer, { skipCovers: true, duration: false });
      if ((container === 'ogg' || container === 'opus') && !meta.format.duration) {
        // Ogg (also FLAC-in-Ogg): music-metadata would read every page; the last page's granule is enough
        oggDuration = oggDurationSec(fd, size, head, meta.format.sampleRate, container === 'opus');
      }
    } finally {
      await tokenizer.close();
    }
    const truncation = truncationOf(meta, container, size);
    if (truncation) return fail('truncated', truncation, cid);
    if (meta.format.hasAudio === false || (!meta.format.sampleRate && !meta.format.duration)) {
      return fail('not-audio', `no audio stream found in this ${container} file`, cid);
    }
    const audio = audioFrom(meta, container, hasCover);
    if (oggDuration) {
      audio.durationSec = oggDuration;
      audio.bitrate ??= Math.round((size * 8) / oggDuration);
    }
    return { ok: true, contentId: cid, tags: tagsFrom(meta), audio };
  } catch (err) {
    const c = classifyParseError(err);
    return fail(c.kind, c.message, cid);
  }
}

function closing(fd: number, result: ReadResult): ReadResult {
  closeSync(fd);
  return result;
}

/** Signs of a cut-off file that the parser noticed without failing. */
function truncationOf(meta: IAudioMetadata, container: Container, size: number): string | null {
  const warning = meta.quality.warnings.find((w) => /end[- ]of|truncat|premature/i.test(w.message));
  if (warning) return `the file ends early: ${warning.message}`;
  // lossy streams with a known bitrate and duration: the audio cannot fit in what is left of the file
  const f = meta.format;
  if ((container === 'mp3' || container === 'wav' || container === 'aiff') && f.duration && f.bitrate) {
    const expected = (f.duration * f.bitrate) / 8;
    if (expected > 4096 && size < expected * 0.9) {
      return `the file ends early: ${size} bytes, but its headers describe ${Math.round(expected)} bytes of audio`;
    }
  }
  return null;
}

function describeNonAudio(head: Buffer): string {
  const sample = head.subarray(0, 512);
  const printable = sample.filter((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127)).length;
  if (sample.length && printable / sample.length > 0.95) return 'not an audio file: it contains text';
  return 'not an audio file: its content matches none of the supported audio formats';
}
