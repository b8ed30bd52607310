// The fast readers (electron/core/library/fast): on a library tagged the way real taggers tag (every
// container, ID3v2.3 with v2.4 frames, covers, lyrics, MusicBrainz, ReplayGain, padding), on the fixture
// library (broken files included) and on the tag writer's fixtures they give exactly the fields music-metadata
// gives; they handle every realistic file themselves; a large cover or padding is never read; and the content
// identity is the one earlier versions stored (moved files are recognised across an upgrade).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRealisticLibrary, type RealisticLibrary } from '../helpers/realistic-library.js';
import { makeFixtureLibrary, type FixtureLibrary } from '../helpers/fixture-library.js';
import { CASES, VARIANTS, makeTagFixture } from '../helpers/tag-fixtures.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { id3v2Tag, tagFlac, tagMp4, tagOgg, type Picture, type TagSet } from '../helpers/tag-layouts.js';
import { readAudioFile } from '../../electron/core/library/read-file.js';
import type { ReadResult } from '../../electron/core/db/files.js';

/** Durations are floating point results of different arithmetic orders; a microsecond is equality. */
function comparable(r: ReadResult): unknown {
  if (!r.ok) return r;
  return { ...r, audio: { ...r.audio, durationSec: r.audio.durationSec == null ? null : Math.round(r.audio.durationSec * 1e6) } };
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) out.push(...filesUnder(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

describe('fast readers', () => {
  let base: string;
  let lib: RealisticLibrary;
  let fixtures: FixtureLibrary;

  before(() => {
    base = mkdtempSync(join(tmpdir(), 'spectag-fast-'));
    lib = makeRealisticLibrary(join(base, 'realistic'), 48, { quick: true, seed: 7 });
    fixtures = makeFixtureLibrary();
  });
  after(() => {
    rmSync(base, { recursive: true, force: true });
    fixtures.cleanup();
  });

  it('read every file of a realistically tagged library themselves, field for field as music-metadata does', async () => {
    assert.ok(Object.values(lib.counts).every((n) => n >= 3), `every container is represented: ${JSON.stringify(lib.counts)}`);
    for (const f of lib.files) {
      const fast = await readAudioFile(f.path, { engine: 'fast' });
      const mm = await readAudioFile(f.path, { engine: 'music-metadata' });
      assert.equal(fast.ok, true, `${f.path}: ${fast.ok ? '' : fast.errorMessage}`);
      assert.deepEqual(comparable(fast), comparable(mm), f.path);
      if (fast.ok) assert.equal(fast.audio.container, f.container, f.path);
    }
  });

  it('agree with music-metadata on the fixture library, broken files included', async () => {
    for (const path of filesUnder(fixtures.root)) {
      assert.deepEqual(comparable(await readAudioFile(path)), comparable(await readAudioFile(path, { engine: 'music-metadata' })), path);
    }
  });

  it("agree with music-metadata on the tag writer's fixtures (every container × genres, covers, many tags)", async () => {
    const dir = join(base, 'tag-fixtures');
    mkdirSync(dir);
    for (const v of VARIANTS) {
      for (const c of CASES) {
        const path = makeTagFixture(dir, v.variant, c);
        assert.deepEqual(comparable(await readAudioFile(path)), comparable(await readAudioFile(path, { engine: 'music-metadata' })), path);
      }
    }
  });

  it('never read a large cover or padding block', async (t) => {
    if (!existsSync('/proc/self/io')) return t.skip('needs /proc/self/io (Linux) to count the bytes read');
    const dir = join(base, 'big-covers');
    mkdirSync(dir);
    // the scanner never decodes pictures: random bytes behind a JPEG signature stand for a 4 MB scan of a sleeve
    const cover: Picture = { mime: 'image/jpeg', width: 3000, height: 3000, data: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(4 << 20)]) };
    const tags: TagSet = { title: 'Heavy', artist: 'Sleeve', album: 'Scans', genres: ['Jazz'], trackNo: 1, cover };
    const encoded = (args: string[], name: string) => {
      const p = join(dir, name);
      ffmpeg([...SOUNDS.tone(20, 330), ...args, '-map_metadata', '-1', p]);
      return readFileSync(p);
    };
    const files: [string, Buffer][] = [
      ['heavy.mp3', Buffer.concat([id3v2Tag(tags, { version: 3, padding: 1 << 20, v24FramesInV23: true }),
        encoded(['-c:a', 'libmp3lame', '-write_id3v2', '0'], 'src.mp3')])],
      ['heavy.flac', tagFlac(encoded(['-c:a', 'flac'], 'src.flac'), tags, 1 << 20)],
      ['heavy.m4a', tagMp4(encoded(['-c:a', 'aac'], 'src.m4a'), tags, true, 1 << 20)],
      // base64 in the Opus comment header: 5.6 MB over 86 pages
      ['heavy.opus', tagOgg(encoded(['-c:a', 'libopus'], 'src.opus'), tags, 'opus')],
    ];
    for (const [name, bytes] of files) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const io = () => Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
      const before = io();
      const r = await readAudioFile(path);
      const read = io() - before;
      assert.ok(r.ok && r.audio.hasCover && r.tags.title === 'Heavy' && r.tags.genres[0] === 'Jazz', `${name}: ${JSON.stringify(r)}`);
      assert.ok(read < 256 * 1024, `${name}: ${read} bytes read of ${bytes.length}`);
    }
  });

  it('keep the content identity earlier versions stored: size and a hash of the first, middle and last 16 KiB', async () => {
    for (const f of lib.files.slice(0, 12)) {
      const bytes = readFileSync(f.path);
      const size = bytes.length;
      const h = createHash('sha1').update(String(size)).update(bytes.subarray(0, 16384));
      if (size > 16384) h.update(bytes.subarray(Math.floor(size / 2), Math.floor(size / 2) + 16384));
      if (size > 32768) h.update(bytes.subarray(size - 16384));
      const r = await readAudioFile(f.path);
      assert.equal(r.contentId, `${size.toString(36)}-${h.digest('hex').slice(0, 24)}`, f.path);
    }
  });
});
