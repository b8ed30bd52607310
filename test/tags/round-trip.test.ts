// Writing genres into every container × {no genre, one, several, cover art, many other tags}, ID3v2.3 and 2.4:
// read back with music-metadata AND ffmpeg; genres as decided, every other tag and the decoded audio unchanged;
// then undo: every genre value exactly as before. Prints the container × case matrix.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore } from '../../electron/core/db/decisions.js';
import { scanLibrary } from '../../electron/core/library/scan.js';
import { applyWrite, planWrite, undoWrite } from '../../electron/core/tags/write.js';
import { readGenreSnapshot } from '../../electron/core/tags/genre-tags.js';
import { splitGenres } from '../../electron/shared/genres.js';
import type { WriteReport } from '../../electron/shared/tags.js';
import { CASES, VARIANTS, ffmpegTags, makeTagFixture, mmView, pcmHash, type Case, type Variant } from '../helpers/tag-fixtures.js';

type View = Awaited<ReturnType<typeof mmView>>;
interface State { mm: View; ff: Map<string, string>; pcm: string; raw: string; dbGenres: string[] }
interface Fixture { variant: Variant; c: Case; container: (typeof VARIANTS)[number]['container']; path: string; decided: string[]; states: Partial<Record<'before' | 'written' | 'undone', State>> }

const dir = mkdtempSync(join(tmpdir(), 'spectag-roundtrip-'));
const fixtures: Fixture[] = [];
let db: Db;
let written: WriteReport;
let undone: WriteReport;
const matrix = new Map<string, string>();

async function state(f: Fixture, store: FileStore): Promise<State> {
  return {
    mm: await mmView(f.path),
    ff: ffmpegTags(f.path, f.container),
    pcm: pcmHash(f.path),
    raw: JSON.stringify(readGenreSnapshot(f.path, f.container)),
    dbGenres: store.getByPath(f.path)?.genres ?? [],
  };
}

const withoutGenre = (m: Map<string, string>) => [...m].filter(([k]) => k !== 'genre').sort();

describe('genre writing round trip (every container × case)', () => {
  before(async () => {
    let hz = 300;
    for (const v of VARIANTS) {
      for (const c of CASES) {
        if (c === 'cover-art' && !v.cover) continue;
        fixtures.push({
          variant: v.variant, c, container: v.container, path: makeTagFixture(dir, v.variant, c, (hz += 7)),
          decided: c === 'no-genre' ? ['Ambient'] : ['Jazz', 'Blues'], states: {},
        });
      }
    }
    db = openDatabase(join(dir, 'lib.sqlite'));
    await scanLibrary(db, [dir], { workers: 1 });
    const store = new FileStore(db);
    const decisions = new DecisionStore(db);
    for (const f of fixtures) {
      f.states.before = await state(f, store);
      decisions.record(store.getByPath(f.path)!.id, f.decided, 'cli');
    }
    written = await applyWrite(db, planWrite(db, {}, 'replace'));
    for (const f of fixtures) f.states.written = await state(f, store);
    undone = await undoWrite(db, written.batchId!);
    for (const f of fixtures) f.states.undone = await state(f, store);
  });
  after(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
    // the container × case matrix, for the record
    const rows = VARIANTS.map((v) => `${v.variant.padEnd(11)} ${CASES.map((c) => (matrix.get(`${v.variant}/${c}`) ?? (c === 'cover-art' && !v.cover ? 'n/a' : '?')).padEnd(26)).join('')}`);
    console.log(`\n${''.padEnd(12)}${CASES.map((c) => c.padEnd(26)).join('')}\n${rows.join('\n')}\n`);
  });

  it('wrote every file in one batch and undid every one', () => {
    assert.deepEqual(written.files.filter((f) => f.status !== 'written').map((f) => `${f.path}: ${f.message}`), []);
    assert.equal(written.written, fixtures.length);
    assert.deepEqual(undone.files.filter((f) => f.status !== 'written').map((f) => `${f.path}: ${f.message}`), []);
    assert.equal(undone.written, fixtures.length);
  });

  for (const v of VARIANTS) {
    for (const c of CASES) {
      if (c === 'cover-art' && !v.cover) continue;
      const key = `${v.variant}/${c}`;
      it(`${key}: genres written, everything else unchanged (music-metadata + ffmpeg + PCM)`, () => {
        const f = fixtures.find((x) => x.variant === v.variant && x.c === c)!;
        const b = f.states.before!;
        const w = f.states.written!;
        const v23 = w.mm.tagTypes.includes('ID3v2.3');
        // music-metadata: the genres, as the scanner lists them, and in the database row
        assert.deepEqual(splitGenres(w.mm.genres, { slashJoins: v23 }), f.decided);
        assert.deepEqual(w.dbGenres, f.decided);
        // ffmpeg: its genre tag; ffmpeg 4.1 reads only the first value of an ID3v2.4 list
        const ff = splitGenres([w.ff.get('genre') ?? '']);
        const ffNote = ff.length === f.decided.length ? 'ffmpeg all' : 'ffmpeg 1st';
        if (ff.length !== f.decided.length) {
          assert.ok(w.mm.tagTypes.some((t) => t === 'ID3v2.4'), `${key}: ffmpeg read ${JSON.stringify(ff)}`);
          assert.deepEqual(ff, f.decided.slice(0, 1));
        } else {
          assert.deepEqual(ff, f.decided);
        }
        // everything else, in both readers
        assert.deepEqual(withoutGenre(w.ff), withoutGenre(b.ff), 'ffmpeg: other tags unchanged');
        for (const [type, entries] of Object.entries(b.mm.natives)) assert.deepEqual(w.mm.natives[type], entries, `${type} tags unchanged`);
        for (const [type, entries] of Object.entries(w.mm.natives)) {
          if (!(type in b.mm.natives)) assert.deepEqual(entries, [], `new ${type} tag holds only the genre`);
        }
        assert.deepEqual(w.mm.pictures, b.mm.pictures, 'cover art unchanged');
        if (c === 'cover-art') assert.equal(w.mm.pictures.length, 1);
        assert.equal(w.pcm, b.pcm, 'decoded audio unchanged');
        // tag versions kept; ID3v1 only where it was
        const id3 = (t: string[]) => t.filter((x) => x.startsWith('ID3v2'));
        if (id3(b.mm.tagTypes).length) assert.deepEqual(id3(w.mm.tagTypes), id3(b.mm.tagTypes), 'ID3v2 version kept');
        assert.equal(w.mm.tagTypes.includes('ID3v1'), b.mm.tagTypes.includes('ID3v1'), 'ID3v1 neither added nor removed');
        // (both decided lists start with a genre on ID3v1's fixed list: Ambient, Jazz)
        if (b.mm.tagTypes.includes('ID3v1')) assert.deepEqual(w.mm.genreValues.ID3v1, f.decided.slice(0, 1), 'ID3v1 genre: first decided genre');
        if (v.variant === 'm4a-gnre') assert.ok(!JSON.stringify(w.mm.genreValues).includes('gnre'), 'legacy gnre atom gone');
        matrix.set(key, `ok (${ffNote})`);
      });
      it(`${key}: undo restores every genre value exactly`, () => {
        const f = fixtures.find((x) => x.variant === v.variant && x.c === c)!;
        const b = f.states.before!;
        const u = f.states.undone!;
        assert.equal(u.raw, b.raw, 'raw genre frames/fields/atoms/ID3v1 byte as before');
        assert.deepEqual(u.mm.genreValues, Object.fromEntries(Object.keys(u.mm.genreValues).map((t) => [t, b.mm.genreValues[t] ?? []])));
        assert.deepEqual([...u.ff].sort(), [...b.ff].sort(), 'ffmpeg reads exactly the tags of the original');
        assert.deepEqual(u.mm.natives, Object.fromEntries(Object.keys(u.mm.natives).map((t) => [t, b.mm.natives[t] ?? []])));
        assert.deepEqual(u.mm.pictures, b.mm.pictures);
        assert.equal(u.pcm, b.pcm);
        assert.deepEqual(u.dbGenres, b.dbGenres);
        matrix.set(key, `${matrix.get(key) ?? 'WRITE FAILED'}+undo`);
      });
    }
  }
});
