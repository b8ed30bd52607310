// Reading, replacing and restoring the genre values of every tag in one audio file (node-taglib-sharp).
// Only genre fields are touched; the exact previous values are captured first, so that undo can put them back.
//
// Library choice, by round-trip evidence on ffmpeg-made files (sine 1 s; tags: title, artist, album,
// lyrics, ReplayGain, MusicBrainz id, a custom field, cover art where the container has it), writing
// ["Jazz", "Blues"], reading back with music-metadata 11.16 and with ffmpeg 4.1 (`-f ffmetadata`), hashing audio:
//
//   container            node-taglib-sharp 6.0.3 (Node 20)          taglib-wasm 1.5.1 (only runs on Node ≥ 22.6)
//   MP3 ID3v2.4          ok: list, version kept, no ID3v1 added      genres ok, but ADDS an ID3v1 tag
//   MP3 ID3v2.3 + ID3v1  ok: version kept, ID3v1 kept               CONVERTS to ID3v2.4
//   MP3 without tags     ok (new ID3v2 tag)                          adds ID3v2.4 + ID3v1
//   FLAC (+picture)      ok: one GENRE per value, picture kept       ok, but re-sorts every Vorbis field A→Z
//   Ogg Vorbis / Opus    ok: one GENRE per value                     ok, fields re-sorted
//   MP4 ©gen / gnre      ok: ©gen written, legacy gnre removed       ok, atoms re-sorted
//   WAV (RIFF INFO)      ok (adds a 1 KiB JUNK padding chunk)        adds an ID3 chunk
//   AIFF (ID3 chunk)     ok                                          ok
//   WMA (ASF)            AUDIO DESTROYED: header grown in place      ok (adds empty Copyright/Description)
//   all others: audio stream hash identical, every other tag identical in both readers.
//
// Choice: node-taglib-sharp. It is the only one that runs on Node 20 (taglib-wasm refuses at start-up: it needs
// WASI and Wasm exception handling from Node 22.6; its package.json says engines >= 22.6.0), it is plain JS
// (no native build, works offline), it keeps the ID3 version and never adds tags we did not ask for, and it
// gives raw access to frames/fields/atoms, which byte-exact undo needs. Its one defect, the ASF writer (it
// replaces output.length bytes instead of the old header's length, overwriting the start of the audio), is
// worked around below and caught anyway by the audio-hash verification. ffmpeg remux (the last resort) was not
// needed: it cannot write several GENRE fields and drops what it does not know in files from other taggers.
import { openSync, readSync, writeSync, closeSync, fstatSync } from 'node:fs';
import {
  Mpeg4AppleTag as AppleTag, ApeTag, AsfContentDescriptor, AsfObjectDataType, AsfTag, ByteVector, File, Genres, Id3v2FrameIdentifiers,
  Id3v2Settings, Id3v2Tag, Id3v2TextInformationFrame, InfoTag, Mpeg4AppleDataBoxFlagType, Mpeg4BoxType,
  MpegAudioFileSettings, TagTypes, WaveFileSettings, XiphComment, type Tag,
} from 'node-taglib-sharp';
import type { Container } from '../../shared/library.js';
import { findChunk, readAt } from './riff-chunks.js';
import { frameForTag, Id3v2FormatError, parseId3v2, readRawId3v2, renderId3v2, replaceFrames, writeRawId3v2, type RawId3v2Tag } from './id3v2-raw.js';

// Open files without inventing tags (the defaults create ID3v1 + ID3v2 in every MP3); we create only what we need.
MpegAudioFileSettings.defaultTagTypes = TagTypes.None;
WaveFileSettings.defaultTagTypes = TagTypes.None;
// never turn "Rock" into "(17)"/"17", never reinterpret TCON text on read: genre text is written as given
Id3v2Settings.useNumericGenres = false;
Id3v2Settings.useNonStandardV2V3GenreSeparators = false;
Id3v2Settings.useNonStandardV2V3NumericGenres = false;
Id3v2Settings.forceDefaultVersion = false;
Id3v2Settings.defaultVersion = 4;

const MIME: Record<Container, string> = {
  mp3: 'taglib/mp3', flac: 'taglib/flac', ogg: 'taglib/ogg', opus: 'taglib/opus', mp4: 'taglib/m4a', wav: 'taglib/wav',
  aiff: 'taglib/aiff', asf: 'taglib/wma',
};

/** The genre values of one tag, exactly as stored: what undo writes back. */
export type RawGenreTag =
  /** ID3v2 TCON frames as complete frames (header + body, base64) and the tag version; existed=false: we created the tag */
  | { kind: 'id3v2'; version: number; frames: string[]; existed: boolean }
  /** the genre byte of an ID3v1 tag (255 = none) */
  | { kind: 'id3v1'; genreByte: number }
  | { kind: 'xiph'; values: string[] }
  | { kind: 'ape'; values: string[] }
  /** MP4: the ©gen text data boxes and legacy gnre data boxes (base64 each) */
  | { kind: 'apple'; gen: string[]; gnre: string[] }
  /** RIFF INFO IGNR chunks (base64 each) */
  | { kind: 'riff-info'; values: string[] }
  /** ASF extended content descriptors named WM/Genre, Genre or WM/GenreID */
  | { kind: 'asf'; descriptors: { name: string; type: 'string' | 'dword'; value: string | number }[] };

export interface GenreSnapshot {
  container: Container;
  tags: RawGenreTag[];
}

export interface GenreWriteOptions {
  /** separator for the single TCON string of ID3v2.2/2.3 */
  id3v23Join: string;
  /** ID3v2 version to write; null keeps the file's (4 for a new tag) */
  id3v2Version: 3 | 4 | null;
}

/** What each tag should hold after a write, used to verify the file by reading it back. */
export interface ExpectedGenreTag {
  kind: RawGenreTag['kind'];
  /** the values as a reader lists them for that tag */
  values: string[];
  /** ID3v2 version the tag ends up with */
  version?: number;
}

export class UnsupportedTagError extends Error {}

// node-taglib-sharp's setters take `undefined` to remove boxes, though its typings say ByteVector[] / string[]
const NONE = undefined as unknown as ByteVector[];
const NO_TEXT = undefined as unknown as string[];
const b64 = (bv: ByteVector) => Buffer.from(bv.toByteArray()).toString('base64');
const fromB64 = (s: string) => ByteVector.fromByteArray(Buffer.from(s, 'base64'));
const ASF_GENRE_NAMES = ['WM/Genre', 'Genre', 'WM/GenreID'];
const TCON = Id3v2FrameIdentifiers.TCON!;
const NO_ID3V2: RawGenreTag = { kind: 'id3v2', version: 0, frames: [], existed: false };
const APPLE_TEXT = Mpeg4AppleDataBoxFlagType.ContainsText;
const APPLE_DATA = Mpeg4AppleDataBoxFlagType.ContainsData;

function openTagFile(path: string, container: Container): File {
  return File.createFromPath(path, MIME[container]);
}

/** ID3v1 lives in the last 128 bytes; its genre is the very last byte. Read and written directly, exactly. */
function id3v1GenreByte(path: string): number | null {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < 128) return null;
    const buf = Buffer.alloc(128);
    readSync(fd, buf, 0, 128, size - 128);
    return buf.toString('latin1', 0, 3) === 'TAG' ? buf[127]! : null;
  } finally {
    closeSync(fd);
  }
}

function setId3v1GenreByte(path: string, value: number): void {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(3);
    readSync(fd, head, 0, 3, size - 128);
    if (head.toString('latin1') !== 'TAG') throw new Error('the ID3v1 tag disappeared while writing');
    writeSync(fd, Buffer.from([value]), 0, 1, size - 1);
  } finally {
    closeSync(fd);
  }
}

/** The code page a WAV's CSET chunk declares for its RIFF INFO text, or null when it has none. */
function riffCodePage(path: string): number | null {
  const fd = openSync(path, 'r');
  try {
    const cset = findChunk(fd, 'wav', (id) => id === 'CSET');
    return cset && cset.length >= 2 ? readAt(fd, cset.start, 2).readUInt16LE(0) : null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Windows-1252's bytes 0x80-0x9F (the rest is Latin-1); five of them are unassigned. A table of our own: Node's
 * TextDecoder('windows-1252') decoded 0x80 to "" here (Node 20.x), and Electron's Node may differ again.
 */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const CP1252_UNASSIGNED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);
let cp1252: Map<string, number> | null = null;
/** Windows-1252 encoding: character → byte. */
function windows1252(): Map<string, number> {
  if (!cp1252) {
    cp1252 = new Map();
    for (let b = 0; b < 256; b++) {
      if (CP1252_UNASSIGNED.has(b)) continue;
      cp1252.set(b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80]! : String.fromCharCode(b), b);
    }
  }
  return cp1252;
}

/**
 * RIFF INFO text as the RIFF specification (and music-metadata) reads it: Latin-1 unless a CSET chunk names the
 * code page (1252: Windows-1252, 65001: UTF-8), NUL-terminated. Null when the text cannot be written in it.
 * Written as UTF-8 without a CSET chunk, "Électronique" read back as "Ãlectronique".
 */
export function infoText(text: string, codePage: number | null): Buffer | null {
  let body: Buffer | null;
  switch (codePage) {
    case null:
    case 0:
    case 28591:
      body = [...text].every((c) => c.codePointAt(0)! <= 0xff) ? Buffer.from(text, 'latin1') : null;
      break;
    case 1252: {
      const map = windows1252();
      const bytes = [...text].map((c) => map.get(c));
      body = bytes.every((b) => b != null) ? Buffer.from(bytes as number[]) : null;
      break;
    }
    case 65001:
      body = Buffer.from(text, 'utf8');
      break;
    default:
      throw new UnsupportedTagError(`its RIFF INFO text is in code page ${codePage}, which Spectag cannot write`);
  }
  return body && Buffer.concat([body, Buffer.from([0])]);
}

/** ID3v1 can hold one genre from its fixed list: the first decided genre that is on it, else none (255). */
export function id3v1GenreFor(genres: readonly string[]): number {
  for (const g of genres) {
    const i = Genres.audioToIndex(g.trim());
    if (i !== 255) return i;
  }
  return 255;
}

function tconFrames(tag: Id3v2Tag) {
  return tag.frames.filter((f) => f.frameId === TCON);
}

/**
 * A TCON frame body built byte by byte, so the library does not reinterpret it (it would escape "(" as "((" in
 * v2.3 and map names to ID3v1 numbers). v2.4: UTF-8, values NUL-separated (a native list). v2.3: one string,
 * Latin-1 when possible, else UTF-16 with BOM (v2.3 has no UTF-8).
 */
function tconBody(version: number, values: readonly string[], join: string): Buffer {
  if (version >= 4) return Buffer.concat([Buffer.from([3]), Buffer.from(values.join('\0'), 'utf8')]);
  const text = values.join(join);
  const latin1 = [...text].every((c) => c.codePointAt(0)! <= 0xff);
  return latin1
    ? Buffer.concat([Buffer.from([0]), Buffer.from(text, 'latin1')])
    : Buffer.concat([Buffer.from([1, 0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

/** A complete TCON frame (header + body) for a tag of this version that taglib renders (a new tag, or a converted one). */
export function tconFrameBytes(version: number, values: readonly string[], join: string): Buffer {
  const body = tconBody(version, values, join);
  const header = Buffer.alloc(10);
  header.write('TCON', 0, 'latin1');
  const n = body.length;
  if (version >= 4) header.set([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f], 4);
  else header.writeUInt32BE(n, 4);
  return Buffer.concat([header, body]);
}

function frameFrom(bytes: Buffer, version: number) {
  return Id3v2TextInformationFrame.fromRawData(ByteVector.fromByteArray(bytes), version);
}

/** The tags of a file that can hold a genre, by kind (in a file they appear at most once each). */
function genreTags(file: File, container: Container, createId3v2: boolean): { kind: RawGenreTag['kind']; tag: Tag; existed: boolean }[] {
  const onDisk = file.tagTypesOnDisk;
  const out: { kind: RawGenreTag['kind']; tag: Tag; existed: boolean }[] = [];
  const add = (kind: RawGenreTag['kind'], type: TagTypes, create = false) => {
    const existed = (onDisk & type) !== 0;
    const tag = file.getTag(type, create && !existed ? true : false);
    if (tag) out.push({ kind, tag, existed });
  };
  switch (container) {
    case 'mp3': {
      // an MP3 gets an ID3v2 tag if it has none; APE (rare) is updated when present
      const hasApe = (onDisk & TagTypes.Ape) !== 0;
      add('id3v2', TagTypes.Id3v2, createId3v2);
      if (hasApe) add('ape', TagTypes.Ape);
      break;
    }
    case 'wav':
      add('id3v2', TagTypes.Id3v2, createId3v2);
      add('riff-info', TagTypes.RiffInfo);
      break;
    case 'aiff':
      add('id3v2', TagTypes.Id3v2, createId3v2);
      break;
    case 'flac':
      add('xiph', TagTypes.Xiph, true);
      // some taggers put ID3v2 in front of FLAC; keep it consistent when it is there
      add('id3v2', TagTypes.Id3v2);
      break;
    case 'ogg':
    case 'opus':
      add('xiph', TagTypes.Xiph, true);
      break;
    case 'mp4':
      add('apple', TagTypes.Apple, true);
      break;
    case 'asf':
      add('asf', TagTypes.Asf, true);
      break;
  }
  return out;
}

function snapshotTag(kind: RawGenreTag['kind'], tag: Tag, existed: boolean): RawGenreTag {
  switch (kind) {
    case 'id3v2': {
      const t = tag as Id3v2Tag;
      // render() of a frame nobody parsed returns its bytes as read: the exact previous value and encoding
      return { kind, version: t.version, frames: tconFrames(t).map((f) => b64(f.render(t.version))), existed };
    }
    case 'xiph':
      return { kind, values: (tag as XiphComment).getField('GENRE') };
    case 'ape':
      return { kind, values: (tag as ApeTag).getItem('Genre')?.text ?? [] };
    case 'apple': {
      const t = tag as AppleTag;
      return { kind, gen: t.getQuickTimeData(Mpeg4BoxType.GEN, APPLE_TEXT).map(b64), gnre: t.getQuickTimeData(Mpeg4BoxType.GNRE, APPLE_DATA).map(b64) };
    }
    case 'riff-info':
      return { kind, values: (tag as InfoTag).getValues('IGNR').map(b64) };
    case 'asf':
      return {
        kind,
        descriptors: (tag as AsfTag).getDescriptors(...ASF_GENRE_NAMES).map((d) => {
          if (d.type === AsfObjectDataType.Unicode) return { name: d.name, type: 'string' as const, value: d.stringValue };
          if (d.type === AsfObjectDataType.DWord) return { name: d.name, type: 'dword' as const, value: d.uintValue };
          throw new UnsupportedTagError(`its ASF genre field ${d.name} has a binary type that Spectag cannot restore`);
        }),
      };
    case 'id3v1':
      throw new Error('ID3v1 is read directly');
  }
}

/** The file's ID3v2 tag, when Spectag edits it byte by byte: a v2.3/2.4 tag whose frames parse exactly. */
function rawId3v2Of(path: string, container: Container): { tag: RawId3v2Tag; room: number } | null {
  if (container !== 'mp3' && container !== 'wav' && container !== 'aiff' && container !== 'flac') return null;
  const raw = readRawId3v2(path, container);
  if (!raw) return null;
  try {
    const tag = parseId3v2(raw.bytes);
    return tag ? { tag, room: raw.roomInFile } : null;
  } catch (err) {
    // frames that cannot be told apart exactly: node-taglib-sharp's reading, and the verification, decide
    if (err instanceof Id3v2FormatError) return null;
    throw err;
  }
}

const rawTconSnapshot = (t: RawId3v2Tag): RawGenreTag => ({
  kind: 'id3v2', version: t.version, frames: t.frames.filter((f) => f.id === 'TCON').map((f) => f.bytes.toString('base64')), existed: true,
});

/** The exact genre values of every tag in a file, without changing anything. */
export function readGenreSnapshot(path: string, container: Container): GenreSnapshot {
  const raw = rawId3v2Of(path, container);
  const file = openTagFile(path, container);
  try {
    // a tag the file does not have yet is recorded as empty; an ID3v2 tag that a write would create is
    // recorded as absent, so that undo removes it again
    const tags = genreTags(file, container, false).map((t) => {
      if (t.kind !== 'id3v2') return snapshotTag(t.kind, t.tag, t.existed);
      return raw ? rawTconSnapshot(raw.tag) : t.existed ? snapshotTag(t.kind, t.tag, t.existed) : NO_ID3V2;
    });
    if ((container === 'mp3' || container === 'wav' || container === 'aiff') && !tags.some((t) => t.kind === 'id3v2')) {
      tags.unshift(raw ? rawTconSnapshot(raw.tag) : NO_ID3V2);
    }
    if (container === 'mp3') {
      const byte = id3v1GenreByte(path);
      if (byte != null) tags.push({ kind: 'id3v1', genreByte: byte });
    }
    return { container, tags };
  } finally {
    file.dispose();
  }
}

/** Save, working around node-taglib-sharp 6.0.3's ASF writer (see the top of this file). */
function save(file: File, path: string, container: Container): void {
  if (container !== 'asf') {
    file.save();
    return;
  }
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(24);
  try {
    readSync(fd, head, 0, 24, 0);
  } finally {
    closeSync(fd);
  }
  const oldHeaderSize = Number(head.readBigUInt64LE(16));
  const proto = File.prototype as unknown as { insert(data: ByteVector, start: number, replace?: number): void };
  const insert = proto.insert;
  // AsfFile.save() calls insert(header, 0, header.length): the bytes to replace are the OLD header's
  proto.insert = function (this: File, data: ByteVector, start: number, replace?: number) {
    const fixed = start === 0 && replace === data.length ? oldHeaderSize : replace;
    return insert.call(this, data, start, fixed);
  };
  try {
    file.save();
  } finally {
    proto.insert = insert;
  }
}

/**
 * Change the genre fields of a file: `id3` gives the new TCON frames for the file's byte-edited ID3v2 tag (when it
 * has one: see rawId3v2Of), `edit` changes the tags node-taglib-sharp handles and says whether anything is to be
 * saved. The ID3v2 tag is put in last, so that node-taglib-sharp's re-rendering of it (on saving another tag of
 * the file) is replaced by the original tag with only its genre frames changed.
 */
function changeGenreTags(path: string, container: Container, raw: { tag: RawId3v2Tag; room: number } | null,
  id3: ((tag: RawId3v2Tag) => Buffer[]) | null, edit: (file: File) => boolean): void {
  const file = openTagFile(path, container);
  try {
    if (edit(file)) {
      // FLAC: node-taglib-sharp would copy an ID3v2 picture into a FLAC picture block; the tag goes back in below
      if (raw && id3 && container === 'flac') file.removeTags(TagTypes.Id3v2);
      save(file, path, container);
    }
  } finally {
    file.dispose();
  }
  if (raw && id3) writeRawId3v2(path, container, renderId3v2(replaceFrames(raw.tag, 'TCON', id3(raw.tag)), raw.room));
}

/**
 * Put these genres into every genre-capable tag of the file at `path` (the temp copy), creating the
 * file's usual tag if it has none. Returns what each tag must now hold.
 */
export function writeGenreTags(path: string, container: Container, genres: readonly string[], opts: GenreWriteOptions): {
  expected: ExpectedGenreTag[];
} {
  const expected: ExpectedGenreTag[] = [];
  const joined = genres.join('; ');
  const found = rawId3v2Of(path, container);
  // a requested version change converts frames (TYER → TDRC...): node-taglib-sharp's job
  const raw = found && (opts.id3v2Version ?? found.tag.version) === found.tag.version ? found : null;
  const v1 = container === 'mp3' ? id3v1GenreByte(path) : null;
  changeGenreTags(path, container, raw, (tag) => {
    expected.push({ kind: 'id3v2', version: tag.version, values: id3v2Values(tag.version, genres, opts.id3v23Join) });
    return genres.length ? [frameForTag(tag, 'TCON', tconBody(tag.version, genres, opts.id3v23Join))] : [];
  }, (file) => {
    let changed = false;
    for (const { kind, tag, existed } of genreTags(file, container, !raw)) {
      if (kind === 'id3v2' && raw) continue;
      changed = true;
      switch (kind) {
        case 'id3v2': {
          const t = tag as Id3v2Tag;
          const version = opts.id3v2Version ?? (existed ? t.version : 4);
          // taglib-sharp writes 2.3 or 2.4 (a 2.2 tag is saved as 2.3)
          if (t.version !== version) t.version = version < 3 ? 3 : version;
          t.removeFrames(TCON);
          if (genres.length) t.addFrame(frameFrom(tconFrameBytes(t.version, genres, opts.id3v23Join), t.version));
          expected.push({ kind, version: t.version, values: id3v2Values(t.version, genres, opts.id3v23Join) });
          break;
        }
        case 'xiph':
          (tag as XiphComment).setFieldAsStrings('GENRE', ...genres);
          expected.push({ kind, values: [...genres] });
          break;
        case 'ape':
          (tag as ApeTag).setStringValues('Genre', [...genres]);
          expected.push({ kind, values: [...genres] });
          break;
        case 'apple': {
          // iTunes and most players show only the first ©gen value: one joined string, like the ID3v2.3 join
          const t = tag as AppleTag;
          t.setQuickTimeData(Mpeg4BoxType.GNRE, NONE, APPLE_DATA);
          t.setQuickTimeStrings(Mpeg4BoxType.GEN, genres.length ? [joined] : NO_TEXT);
          expected.push({ kind, values: genres.length ? [joined] : [] });
          break;
        }
        case 'riff-info': {
          // one IGNR chunk: readers take a single value. In the file's code page; a genre it cannot hold is left
          // out (the ID3v2 chunk Spectag always writes into a WAV holds any text), never stored mangled
          const bytes = genres.length ? infoText(joined, riffCodePage(path)) : null;
          (tag as InfoTag).setValues('IGNR', bytes ? [ByteVector.fromByteArray(bytes)] : []);
          expected.push({ kind, values: bytes ? [joined] : [] });
          break;
        }
        case 'asf':
          (tag as AsfTag).setDescriptorStrings(genres.length ? [joined] : [], ...ASF_GENRE_NAMES);
          expected.push({ kind, values: genres.length ? [joined] : [] });
          break;
        case 'id3v1':
          break;
      }
    }
    return changed;
  });
  if (v1 != null) {
    const byte = id3v1GenreFor(genres);
    setId3v1GenreByte(path, byte);
    expected.push({ kind: 'id3v1', values: byte === 255 ? [] : [Genres.indexToAudio(byte, false) ?? ''] });
  }
  return { expected };
}

/** The TCON values a reader lists for these genres: a native list in v2.4, one joined string before. */
const id3v2Values = (version: number, genres: readonly string[], join: string): string[] =>
  version >= 4 ? [...genres] : genres.length ? [genres.join(join)] : [];

/**
 * Put a snapshot's exact genre values back into the file at `path` (the temp copy): raw TCON frames, fields,
 * atoms, chunks and the ID3v1 byte as they were; a tag that Spectag created is removed again.
 */
export function restoreGenreTags(path: string, snapshot: GenreSnapshot): void {
  const container = snapshot.container;
  const found = rawId3v2Of(path, container);
  const id3 = snapshot.tags.find((t): t is Extract<RawGenreTag, { kind: 'id3v2' }> => t.kind === 'id3v2');
  // the journaled frames go back into the tag as it is, byte for byte, unless the write changed its version
  const raw = found && id3?.existed && id3.version === found.tag.version ? found : null;
  let v1: number | null = null;
  changeGenreTags(path, container, raw, () => id3!.frames.map((f) => Buffer.from(f, 'base64')), (file) => {
    const present = new Map(genreTags(file, container, false).map((t) => [t.kind, t.tag]));
    let changed = false;
    for (const r of snapshot.tags) {
      if (r.kind === 'id3v1') {
        v1 = r.genreByte;
        continue;
      }
      if (r.kind === 'id3v2' && raw) continue;
      changed = true;
      if (r.kind === 'id3v2' && !r.existed) {
        file.removeTags(TagTypes.Id3v2);
        continue;
      }
      const tag = present.get(r.kind) ?? (r.kind === 'id3v2' ? file.getTag(TagTypes.Id3v2, true) : undefined);
      if (!tag) throw new Error(`the ${r.kind} tag to restore is no longer in the file`);
      switch (r.kind) {
        case 'id3v2': {
          const t = tag as Id3v2Tag;
          if (t.version !== r.version) t.version = r.version;
          t.removeFrames(TCON);
          for (const f of r.frames) t.addFrame(frameFrom(Buffer.from(f, 'base64'), r.version));
          break;
        }
        case 'xiph':
          (tag as XiphComment).setFieldAsStrings('GENRE', ...r.values);
          break;
        case 'ape':
          if (r.values.length) (tag as ApeTag).setStringValues('Genre', r.values);
          else (tag as ApeTag).removeItem('Genre');
          break;
        case 'apple': {
          const t = tag as AppleTag;
          t.setQuickTimeData(Mpeg4BoxType.GEN, r.gen.length ? r.gen.map(fromB64) : NONE, APPLE_TEXT);
          t.setQuickTimeData(Mpeg4BoxType.GNRE, r.gnre.length ? r.gnre.map(fromB64) : NONE, APPLE_DATA);
          break;
        }
        case 'riff-info':
          (tag as InfoTag).setValues('IGNR', r.values.map(fromB64));
          break;
        case 'asf': {
          const t = tag as AsfTag;
          for (const name of ASF_GENRE_NAMES) t.removeDescriptors(name);
          for (const d of r.descriptors) {
            t.addDescriptor(d.type === 'string'
              ? new AsfContentDescriptor(d.name, AsfObjectDataType.Unicode, String(d.value))
              : new AsfContentDescriptor(d.name, AsfObjectDataType.DWord, Number(d.value)));
          }
          break;
        }
      }
    }
    return changed;
  });
  if (v1 != null) setId3v1GenreByte(path, v1);
}
