// Verifying a rewritten file before it replaces the original: the genres read back are the ones asked for,
// every other tag is unchanged, and the audio stream is bit-identical (hash of the compressed packets).
import { createHash } from 'node:crypto';
import { parseFromTokenizer, type IAudioMetadata } from 'music-metadata';
import { fromFile } from 'strtok3';
import { CONTAINER_MIME } from '../library/sniff.js';
import { tagsFrom } from '../library/read-file.js';
import type { Container } from '../../shared/library.js';
import type { ExpectedGenreTag, RawGenreTag } from './genre-tags.js';

export async function readMetadata(path: string, container: Container): Promise<IAudioMetadata> {
  const tokenizer = await fromFile(path, { fileInfo: { mimeType: CONTAINER_MIME[container] } });
  try {
    return await parseFromTokenizer(tokenizer, { duration: false });
  } finally {
    await tokenizer.close();
  }
}

/** Native tag ids that hold a genre, in music-metadata's naming, for every tag format. */
const GENRE_IDS = new Set(['tcon', 'tco', 'genre', '©gen', 'gnre', 'ignr', 'wm/genre', 'wm/genreid']);
export const isGenreId = (id: string) => GENRE_IDS.has(id.toLowerCase());

/** Which music-metadata tag types hold the tag kinds the writer knows. */
function nativeTypesOf(kind: RawGenreTag['kind']): (type: string) => boolean {
  switch (kind) {
    case 'id3v2': return (t) => t.startsWith('ID3v2');
    case 'id3v1': return (t) => t === 'ID3v1';
    case 'xiph': return (t) => t === 'vorbis';
    case 'ape': return (t) => t === 'APEv2';
    case 'apple': return (t) => t === 'iTunes';
    case 'riff-info': return (t) => t === 'exif';
    case 'asf': return (t) => t === 'asf';
  }
}

/** A stable text form of a tag value; binary data (pictures) is reduced to its hash. */
function stable(v: unknown): unknown {
  if (v instanceof Uint8Array) return `bytes:${v.length}:${createHash('sha1').update(v).digest('hex')}`;
  if (Array.isArray(v)) return v.map(stable);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, stable((v as Record<string, unknown>)[k])]));
  }
  return v;
}
const text = (v: unknown) => JSON.stringify(stable(v));

/** The value without its empty parts (an empty comment next to a real one is no information). */
function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => !isEmpty(x)).map(prune);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => !isEmpty(x)).map(([k, x]) => [k, prune(x)]));
  }
  return v;
}

/** '', [], [''], [{ text: '' }]...: a field that holds nothing, the same as no field. */
function isEmpty(v: unknown): boolean {
  if (v === '' || v == null) return true;
  if (Array.isArray(v)) return v.every(isEmpty);
  if (v instanceof Uint8Array) return v.length === 0;
  if (typeof v === 'object') return Object.values(v).every(isEmpty);
  return false;
}

/** Everything in the file's tags except genres: per tag type, the sorted list of `id=value` entries. */
export function nonGenreTags(meta: IAudioMetadata): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [type, tags] of Object.entries(meta.native)) {
    // an empty text field holds nothing (taglib-sharp's ASF writer always writes Copyright/Description/Rating)
    out.set(type, tags.filter((t) => !isGenreId(t.id) && !isEmpty(t.value)).map((t) => `${t.id}=${text(t.value)}`).sort());
  }
  return out;
}

/** The common (format-independent) tags except genres, as text. */
function commonWithoutGenre(meta: IAudioMetadata): string {
  const { genre: _genre, ...rest } = meta.common;
  return text(prune(rest));
}

export interface VerifyInput {
  before: IAudioMetadata;
  after: IAudioMetadata;
  expected: ExpectedGenreTag[];
  /** the genres the file should now have, as the library scanner will list them */
  genres: readonly string[];
  audioBefore: string;
  audioAfter: string;
}

/** Every way the rewritten file differs from what was intended; empty when it is right. */
export function verifyRewrite(v: VerifyInput): string[] {
  const problems: string[] = [];
  if (v.audioBefore !== v.audioAfter) problems.push('the audio stream changed');
  const read = tagsFrom(v.after).genres;
  if (text(read) !== text(v.genres)) problems.push(`genres read back ${text(read)}, expected ${text(v.genres)}`);
  for (const e of v.expected) {
    const types = Object.keys(v.after.native).filter(nativeTypesOf(e.kind));
    const values = types.flatMap((t) => v.after.native[t]!.filter((x) => isGenreId(x.id)).map((x) => String(x.value)));
    if (text(values) !== text(e.values)) problems.push(`${e.kind} genre reads ${text(values)}, expected ${text(e.values)}`);
  }
  const id3Changed = (() => {
    const b = Object.keys(v.before.native).find((t) => t.startsWith('ID3v2'));
    const a = Object.keys(v.after.native).find((t) => t.startsWith('ID3v2'));
    return b != null && a != null && a !== b;
  })();
  const before = nonGenreTags(v.before);
  const after = nonGenreTags(v.after);
  for (const [type, entries] of before) {
    // an ID3v2 version change renames frames (TYER → TDRC): compared through the common tags below
    if (id3Changed && type.startsWith('ID3v2')) continue;
    const now = after.get(type);
    if (!now) {
      if (entries.length) problems.push(`the ${type} tag disappeared`);
      continue;
    }
    const lost = entries.filter((x) => !now.includes(x));
    const added = now.filter((x) => !entries.includes(x));
    if (lost.length || added.length) {
      problems.push(`${type} tags changed: ${lost.length ? `lost ${lost.slice(0, 3).join(', ')}` : ''}${added.length ? ` added ${added.slice(0, 3).join(', ')}` : ''}`.trim());
    }
  }
  for (const [type, entries] of after) {
    if (before.has(type) || (id3Changed && type.startsWith('ID3v2'))) continue;
    if (entries.length) problems.push(`a new ${type} tag appeared with ${entries.slice(0, 3).join(', ')}`);
  }
  if (commonWithoutGenre(v.before) !== commonWithoutGenre(v.after)) problems.push('the common tags (title, artist, pictures...) changed');
  return problems;
}

/** The genres of one file as the library reads them (what the files table stores). */
export function genresOf(meta: IAudioMetadata): string[] {
  return tagsFrom(meta).genres;
}
