// The byte-level ID3v2 editor on layouts the wild-tagger test does not reach: a v2.4 tag with a footer, frames
// flagged unsynchronised, iTunes' plain (not syncsafe) v2.4 frame sizes, and a WAV whose id3 chunk must grow
// while another chunk follows it. Files made with ffmpeg; checked by reading them back with music-metadata and ffmpeg.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameForTag, parseId3v2, renderId3v2, replaceFrames } from '../../electron/core/tags/id3v2-raw.js';
import { readGenreSnapshot, restoreGenreTags, writeGenreTags } from '../../electron/core/tags/genre-tags.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { appendId3Chunk, frameBody as fb, id3Frames, id3v23Frame, id3v23Tag, prependTag } from '../helpers/id3.js';
import { mmView, pcmHash } from '../helpers/tag-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'spectag-id3raw-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const OPTS = { id3v23Join: '; ', id3v2Version: null };
let n = 0;

const syncsafe = (x: number) => Buffer.from([(x >> 21) & 0x7f, (x >> 14) & 0x7f, (x >> 7) & 0x7f, x & 0x7f]);
/** A v2.4 frame; `plain` writes the size as a plain number (iTunes' old bug), `flags` the two flag bytes. */
function v24Frame(id: string, text: string, opts: { plain?: boolean; flags?: number } = {}): Buffer {
  const body = Buffer.concat([Buffer.from([3]), Buffer.from(text, 'utf8')]);
  const h = Buffer.alloc(10);
  h.write(id, 0, 'latin1');
  if (opts.plain) h.writeUInt32BE(body.length, 4);
  else syncsafe(body.length).copy(h, 4);
  h.writeUInt16BE(opts.flags ?? 0, 8);
  return Buffer.concat([h, body]);
}
function v24Tag(frames: Buffer[], flags: number, padding: number): Buffer {
  const body = Buffer.concat([...frames, Buffer.alloc(padding)]);
  const header = Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([4, 0, flags]), syncsafe(body.length)]);
  return Buffer.concat([header, body, flags & 0x10 ? Buffer.concat([Buffer.from('3DI', 'latin1'), header.subarray(3)]) : Buffer.alloc(0)]);
}

function mp3With(tag: Buffer): string {
  const p = join(dir, `t${n++}.mp3`);
  ffmpeg([...SOUNDS.tone(0.4, 400 + n * 10), '-c:a', 'libmp3lame', '-b:a', '64k', '-map_metadata', '-1', p]);
  prependTag(p, tag);
  return p;
}

/** Write Jazz + Blues into a copy, then restore the original genre into that copy; both read back. */
async function writeAndRestore(path: string, container: 'mp3' | 'wav') {
  const before = await mmView(path);
  const snapshot = readGenreSnapshot(path, container);
  const copy = path.replace(/(\.\w+)$/, '.copy$1');
  copyFileSync(path, copy);
  writeGenreTags(copy, container, ['Jazz', 'Blues'], OPTS);
  const written = await mmView(copy);
  restoreGenreTags(copy, snapshot);
  const restored = await mmView(copy);
  return { before, written, restored, copy };
}

describe('byte-level ID3v2 editing', () => {
  it('a v2.4 tag with a footer: rewritten with its footer, no padding, every other frame intact', async () => {
    const tag = v24Tag([v24Frame('TIT2', 'Footer'), v24Frame('TDRC', '2019-05-03'), v24Frame('TCON', 'Rock')], 0x10, 0);
    const path = mp3With(tag);
    const { before, written, restored, copy } = await writeAndRestore(path, 'mp3');
    assert.deepEqual(written.genres, ['Jazz', 'Blues']);
    assert.deepEqual(written.natives, before.natives);
    const b = readFileSync(copy);
    const parsed = parseId3v2(b.subarray(0, 10 + ((b[6]! << 21) | (b[7]! << 14) | (b[8]! << 7) | b[9]!) + 10))!;
    assert.equal(parsed.flags & 0x10, 0x10, 'footer flag kept');
    assert.equal(b.toString('latin1', parsed.size - 10, parsed.size - 7), '3DI', 'footer in place');
    assert.deepEqual(restored.genres, ['Rock']);
    assert.equal(pcmHash(copy), pcmHash(path));
  });

  it('frames flagged unsynchronised and a tag with the unsynchronisation flag (v2.4): new frame flagged alike', async () => {
    const tag = v24Tag([v24Frame('TIT2', 'Unsync', { flags: 0x0002 }), v24Frame('TCON', 'Rock', { flags: 0x0002 })], 0x80, 256);
    const path = mp3With(tag);
    const { written, restored, copy } = await writeAndRestore(path, 'mp3');
    assert.deepEqual(written.genres, ['Jazz', 'Blues']);
    const frames = id3Frames(readFileSync(copy)).frames;
    assert.equal(frames[0]!.bytes, v24Frame('TIT2', 'Unsync', { flags: 0x0002 }).toString('hex'), 'the other frame byte for byte');
    assert.equal(Buffer.from(frames.find((f) => f.id === 'TCON')!.bytes, 'hex')[9], 0x02, 'the genre frame flagged unsynchronised');
    assert.deepEqual(restored.genres, ['Rock']);
  });

  it("iTunes' plain v2.4 frame sizes (a frame over 127 bytes makes them differ from syncsafe) are kept as they are", () => {
    // (music-metadata cannot read such a tag, so this is checked on the bytes alone)
    const long = 'x'.repeat(300);
    const comm = v24Frame('COMM', `eng\0${long}`, { plain: true });
    const tag = v24Tag([comm, v24Frame('TIT2', 'Plain', { plain: true }), v24Frame('TCON', 'Rock', { plain: true })], 0, 512);
    const parsed = parseId3v2(tag)!;
    assert.equal(parsed.plainSizes, true);
    assert.deepEqual(parsed.frames.map((f) => f.id), ['COMM', 'TIT2', 'TCON']);
    const jazz = frameForTag(parsed, 'TCON', Buffer.from('\x03Jazz', 'latin1'));
    const again = parseId3v2(renderId3v2(replaceFrames(parsed, 'TCON', [jazz]), parsed.size))!;
    assert.equal(again.plainSizes, true);
    assert.deepEqual(again.frames.map((f) => f.bytes.toString('hex')),
      [comm, v24Frame('TIT2', 'Plain', { plain: true }), v24Frame('TCON', 'Jazz', { plain: true })].map((b) => b.toString('hex')));
  });

  it('rendering keeps the size while the frames fit, and grows with fresh padding when they do not', () => {
    const tag = parseId3v2(id3v23Tag([id3v23Frame('TIT2', fb.text('Sized'))], { padding: 100 }))!;
    assert.equal(renderId3v2(tag, tag.size).length, tag.size);
    const full = parseId3v2(id3v23Tag([id3v23Frame('TIT2', fb.text('Sized'))], { padding: 0 }))!;
    const grown = renderId3v2({ ...full, frames: [...full.frames, { id: 'TCON', bytes: id3v23Frame('TCON', fb.text('Jazz')) }] }, full.size);
    assert.ok(grown.length > full.size + 1000, `${grown.length}`);
    assert.deepEqual(id3Frames(grown).frames.map((f) => f.id), ['TIT2', 'TCON']);
  });

  it('a WAV whose id3 chunk (odd size, no padding) must grow, with a LIST chunk after it: every chunk and the audio intact', async () => {
    const path = join(dir, 'grow.wav');
    ffmpeg([...SOUNDS.stereo(0.5), '-c:a', 'pcm_s16le', '-map_metadata', '-1', '-fflags', '+bitexact', path]);
    appendId3Chunk(path, id3v23Tag([id3v23Frame('TIT2', fb.text('Odd!')), id3v23Frame('TDRC', fb.text('2019')), id3v23Frame('TCON', fb.text('Rock'))], { padding: 0 }));
    // a LIST/INFO chunk after it, as some editors append one
    const info = Buffer.concat([Buffer.from('INFOIART', 'latin1'), Buffer.from([6, 0, 0, 0]), Buffer.from('Artst\0', 'latin1')]);
    const list = Buffer.concat([Buffer.from('LIST', 'latin1'), Buffer.from([info.length, 0, 0, 0]), info]);
    const file = Buffer.concat([readFileSync(path), list]);
    file.writeUInt32LE(file.length - 8, 4);
    writeFileSync(path, file);
    const { before, written, restored, copy } = await writeAndRestore(path, 'wav');
    assert.deepEqual(written.genreValues['ID3v2.3'], ['Jazz; Blues']);
    assert.deepEqual(written.natives, before.natives, 'the INFO chunk after the tag and every frame read as before');
    assert.equal(pcmHash(copy), pcmHash(path), 'the audio is intact');
    const b = readFileSync(copy);
    assert.equal(b.readUInt32LE(4), b.length - 8, 'the RIFF size matches the file');
    assert.deepEqual(restored.genreValues['ID3v2.3'], ['Rock']);
  });
});
