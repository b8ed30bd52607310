// Covers for the window: read from the file on first request (never by the scan), cached under a name that
// follows the file, shrunk to a thumbnail by ffmpeg. Files with pictures made by ffmpeg in every container
// that carries one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FFMPEG, ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { CoverCache, NoCoverError, THUMB_PX } from '../../electron/core/media/cover.js';

/** Width and height of a JPEG, from its SOF marker. */
function jpegSize(b: Buffer): { w: number; h: number } {
  assert.equal(b.readUInt16BE(0), 0xffd8, 'a JPEG');
  let i = 2;
  while (i < b.length) {
    const marker = b.readUInt16BE(i);
    const len = b.readUInt16BE(i + 2);
    if (marker >= 0xffc0 && marker <= 0xffc2) return { h: b.readUInt16BE(i + 5), w: b.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  throw new Error('no SOF');
}

describe('embedded covers for the window', () => {
  let dir: string;
  let png: string;
  const files: Record<string, string> = {};
  const stat = (name: string) => ({ path: files[name]!, size: statSync(files[name]!).size, mtimeMs: statSync(files[name]!).mtimeMs });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-cover-'));
    png = join(dir, 'cover.png');
    // not square: the thumbnail keeps the picture's shape
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=orange:s=300x200', '-frames:v', '1', png]);
    const pic = ['-i', png, '-map', '0', '-map', '1', '-c:v', 'png', '-disposition:v', 'attached_pic'];
    const make = (name: string, args: string[]) => {
      files[name] = join(dir, name);
      ffmpeg(args.concat(files[name]!));
    };
    make('apic.mp3', [...SOUNDS.tone(1), ...pic, '-c:a', 'libmp3lame', '-id3v2_version', '3']);
    make('id3.aiff', [...SOUNDS.tone(1), ...pic, '-c:a', 'pcm_s16be', '-write_id3v2', '1']);
    make('picture.flac', [...SOUNDS.tone(1), ...pic, '-c:a', 'flac']);
    make('covr.m4a', [...SOUNDS.tone(1), ...pic, '-c:a', 'aac']);
    make('none.mp3', [...SOUNDS.tone(1), '-c:a', 'libmp3lame']);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the picture exactly as embedded, and a thumbnail of at most 64 px keeping its shape, in MP3, AIFF, FLAC and MP4', async () => {
    const covers = new CoverCache(join(dir, 'cache'), FFMPEG);
    const original = readFileSync(png);
    let id = 1;
    for (const name of ['apic.mp3', 'id3.aiff', 'picture.flac', 'covr.m4a']) {
      const full = await covers.path(id, stat(name), 'cover');
      assert.ok(full.endsWith('.png'), `${name}: ${full}`);
      assert.ok(readFileSync(full).equals(original), `${name}: the embedded bytes`);
      const thumb = await covers.path(id, stat(name), 'cover-thumb');
      assert.deepEqual(jpegSize(readFileSync(thumb)), { w: THUMB_PX, h: Math.round((THUMB_PX * 200) / 300) }, name);
      id++;
    }
  });

  it('says so for a file without a picture', async () => {
    const covers = new CoverCache(join(dir, 'cache2'), FFMPEG);
    await assert.rejects(covers.path(9, stat('none.mp3'), 'cover'), NoCoverError);
    await assert.rejects(covers.path(9, stat('none.mp3'), 'cover-thumb'), NoCoverError);
  });

  it('reads the file once, and again only when the file changed (the old pictures go)', async () => {
    const covers = new CoverCache(join(dir, 'cache3'), FFMPEG);
    const [a, b] = await Promise.all([covers.path(5, stat('apic.mp3'), 'cover-thumb'), covers.path(5, stat('apic.mp3'), 'cover-thumb')]);
    assert.equal(a, b);
    const made = statSync(a).mtimeMs;
    assert.equal(await covers.path(5, stat('apic.mp3'), 'cover-thumb'), a);
    assert.equal(statSync(a).mtimeMs, made, 'not made again');
    utimesSync(files['apic.mp3']!, new Date(), new Date(Date.now() + 5000));
    const c = await covers.path(5, stat('apic.mp3'), 'cover-thumb');
    assert.notEqual(c, a);
    assert.ok(!existsSync(a), 'the stale thumbnail is removed');
  });
});
