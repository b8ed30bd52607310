// Reading one audio file for the library: content identity, container by content, tags and audio
// properties (cover art is detected, never loaded), or a classified error. The usual layouts are read by the
// fast readers (fast/), which touch only the structures they need; the rest goes to music-metadata, which
// the fast readers match field for field.
import { closeSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { IAudioMetadata } from 'music-metadata';
import type { ReadResult } from '../db/files.js';
import type { AudioProps, Container, ScanErrorKind, TrackTags } from '../../shared/library.js';
import { splitGenres } from '../../shared/genres.js';
import { findMpegFrames, sniffContainer } from './sniff.js';
import { describeFsError } from './walk.js';
import { NotRegularFileError, openRegularFileSync } from './regular-file.js';
import { FileBytes, NotHandled, readFast, type ParsedMeta } from './fast/index.js';

const BLOCK = 16 * 1024;
/** The first read: enough for the tags and headers of most files, so that they cost no further read. */
const HEAD = 64 * 1024;

/**
 * Buffers reused from file to file: a reader thread reads one file at a time, and fresh large buffers cost a
 * page fault per 4 KiB when the kernel first copies into them. The fast readers finish with them before
 * returning; the music-metadata path copies what it keeps across an await.
 */
const scratch = { head: Buffer.allocUnsafe(HEAD), mid: Buffer.allocUnsafe(BLOCK), tail: Buffer.allocUnsafe(BLOCK) };

function readAt(fd: number, position: number, length: number, into: Buffer = Buffer.allocUnsafe(length)): Buffer {
  const buf = into.subarray(0, length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

/** A slice of `head` when it holds the range, else a read into `into`. */
function block(fd: number, head: Buffer, position: number, length: number, into: Buffer): Buffer {
  return position + length <= head.length ? head.subarray(position, position + length) : readAt(fd, position, length, into);
}

/**
 * Content identity: the size plus a hash of three sampled blocks (start, middle, end). Cheap (48 KiB hashed)
 * and stable across renames and moves, which is what it is for; it changes when the file's bytes change.
 * `head` holds the file's first bytes; the end block is returned for the readers that look at the end.
 */
export function contentId(fd: number, size: number, head: Buffer): { id: string; tail: Buffer } {
  const h = createHash('sha1').update(String(size)).update(head.subarray(0, Math.min(size, BLOCK)));
  if (size > BLOCK) h.update(block(fd, head, Math.floor(size / 2), Math.min(BLOCK, size - Math.floor(size / 2)), scratch.mid));
  let tail = head.subarray(Math.max(0, head.length - BLOCK));
  if (size > 2 * BLOCK) {
    tail = block(fd, head, size - BLOCK, BLOCK, scratch.tail);
    h.update(tail);
  }
  return { id: `${size.toString(36)}-${h.digest('hex').slice(0, 24)}`, tail };
}

export interface ReadOptions {
  /**
   * 'music-metadata': skip the fast readers (the reference they are tested against); 'fast': no fallback, a
   * layout the fast readers leave to music-metadata is reported as an error (to test what they cover)
   */
  engine?: 'auto' | 'music-metadata' | 'fast';
}

export function fail(errorKind: ScanErrorKind, errorMessage: string, contentIdValue: string | null = null): ReadResult {
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
function slashJoinsGenres(meta: ParsedMeta): boolean {
  return meta.tagTypes.some((k) => k === 'ID3v2.3' || k === 'ID3v2.2');
}

/** The parts of music-metadata's result the library uses, in the shape the fast readers give. */
export function parsedMeta(meta: IAudioMetadata): ParsedMeta {
  return { common: meta.common, format: meta.format, tagTypes: Object.keys(meta.native), warnings: meta.quality.warnings.map((w) => w.message) };
}

/** The stored tags of a music-metadata result (also how the tag writer checks what it wrote). */
export function tagsFrom(meta: IAudioMetadata): TrackTags {
  return tagsOf(parsedMeta(meta));
}

function tagsOf(meta: ParsedMeta): TrackTags {
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
    compilation: typeof c.compilation === 'boolean' ? c.compilation : null,
  };
}

/** music-metadata leaves `lossless` unset for some codecs (Vorbis, Opus): derive it from the codec name. */
function losslessOf(meta: ParsedMeta): boolean | null {
  if (typeof meta.format.lossless === 'boolean') return meta.format.lossless;
  const codec = `${meta.format.codec ?? ''}`.toLowerCase();
  if (/flac|alac|pcm|wavpack|lossless/.test(codec)) return true;
  if (/vorbis|opus|mpeg|mp3|aac|windows media|wma/.test(codec)) return false;
  return null;
}

function audioFrom(meta: ParsedMeta, container: Container, hasCover: boolean): AudioProps {
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

export function classifyParseError(err: unknown): { kind: ScanErrorKind; message: string } {
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
export async function readAudioFile(path: string, opts: ReadOptions = {}): Promise<ReadResult> {
  let fd: number;
  let size: number;
  try {
    // a FIFO put where a track was would block this thread for good: only a regular file is opened
    ({ fd, stat: { size } } = openRegularFileSync(path));
  } catch (err) {
    if (err instanceof NotRegularFileError) return fail('unreadable', err.reason);
    const code = (err as NodeJS.ErrnoException).code;
    return fail(code === 'EACCES' || code === 'EPERM' ? 'permission-denied' : 'unreadable', describeFsError(err));
  }
  let cid: string | null = null;
  let container: Container | null;
  let head: Buffer;
  let tail: Buffer;
  let bytes: FileBytes;
  try {
    if (size === 0) return closing(fd, fail('empty', 'the file is empty (0 bytes)'));
    head = readAt(fd, 0, Math.min(size, HEAD), scratch.head);
    ({ id: cid, tail } = contentId(fd, size, head));
    container = sniffContainer(head);
    if (!container) return closing(fd, fail('not-audio', describeNonAudio(head), cid));
    bytes = new FileBytes(fd, size, head, tail);
    if (container === 'mp3' && !hasMpegFrames(bytes)) {
      return closing(fd, fail('not-audio', 'not an audio file: it has an ID3 tag but no MPEG audio frames', cid));
    }
  } catch (err) {
    const c = classifyParseError(err);
    return closing(fd, fail(c.kind, c.message, cid));
  }
  if (opts.engine !== 'music-metadata') {
    try {
      const meta = readFast(container, bytes);
      closeSync(fd);
      return resultOf(meta, container, size, meta.hasCover, meta.oggDuration ?? null, cid);
    } catch (err) {
      if (!(err instanceof NotHandled)) {
        const c = classifyParseError(err);
        return closing(fd, fail(c.kind, c.message, cid));
      }
      if (opts.engine === 'fast') return closing(fd, fail('unreadable', `left to music-metadata: ${err.message}`, cid));
      // an unusual layout: music-metadata reads it
    }
  }
  // loaded on first need: most libraries never need it, and a reader thread starts faster without it
  const { readWithMusicMetadata } = await import('./read-music-metadata.js');
  return readWithMusicMetadata(fd, path, size, Buffer.from(head), container, cid);
}

export function resultOf(meta: ParsedMeta, container: Container, size: number, hasCover: boolean, oggDuration: number | null, cid: string): ReadResult {
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
  return { ok: true, contentId: cid, tags: tagsOf(meta), audio };
}

/**
 * Whether MPEG audio frames follow the ID3v2 tags: random bytes can look like one frame header, and an ID3
 * tag can sit in front of anything, but a run of frames only comes from audio. Taggers put the audio right
 * after the tag; some leave a little junk or zeros between.
 */
function hasMpegFrames(bytes: FileBytes): boolean {
  let pos = 0;
  for (;;) {
    const h = bytes.read(pos, 10);
    if (h.length < 10 || h.toString('latin1', 0, 3) !== 'ID3') break;
    pos += 10 + (((h[6]! & 0x7f) << 21) | ((h[7]! & 0x7f) << 14) | ((h[8]! & 0x7f) << 7) | (h[9]! & 0x7f)) + (h[5]! & 0x10 ? 10 : 0);
  }
  return findMpegFrames(bytes.read(pos, 8192), 0, 4096) >= 0 || findMpegFrames(bytes.read(pos, 72 * 1024, 0), 0, 64 * 1024) >= 0;
}

export function closing(fd: number, result: ReadResult): ReadResult {
  closeSync(fd);
  return result;
}

/** Signs of a cut-off file that the parser noticed without failing. */
function truncationOf(meta: ParsedMeta, container: Container, size: number): string | null {
  const warning = meta.warnings.find((w) => /end[- ]of|truncat|premature/i.test(w));
  if (warning) return `the file ends early: ${warning}`;
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
