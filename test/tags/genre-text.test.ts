// Genre text that tags store in their own ways. RIFF INFO (WAV) text is Latin-1 unless a CSET chunk says
// otherwise: "Électronique" must read back as written, not as "Ãlectronique". And "17" or "(17)" are how ID3
// tags (MP3, WAV, AIFF) name genre number 17 of the ID3v1 list: every reader shows "Rock" for them, so they are
// refused when decided, with the reason, at every entry point.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore, InvalidGenreError, decidedGenreProblem } from '../../electron/core/db/decisions.js';
import { scanLibrary } from '../../electron/core/library/scan.js';
import { readAudioFile } from '../../electron/core/library/read-file.js';
import { applyWrite, planWrite, undoWrite } from '../../electron/core/tags/write.js';
import { readGenreSnapshot } from '../../electron/core/tags/genre-tags.js';
import { genreNameProblem } from '../../electron/shared/genres.js';
import { DecideSchema } from '../../electron/shared/api.js';
import { spectag } from '../helpers/cli.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { mmView } from '../helpers/tag-fixtures.js';
import { appendId3Chunk, id3Text, id3v23Frame as fr, id3v23Tag } from '../helpers/id3.js';

const base = mkdtempSync(join(tmpdir(), 'spectag-genre-text-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

/** The raw bytes of the IGNR value in a WAV's LIST/INFO chunk, or null. */
function ignrBytes(path: string): Buffer | null {
  const b = readFileSync(path);
  const at = b.indexOf(Buffer.from('IGNR', 'latin1'));
  return at < 0 ? null : b.subarray(at + 8, at + 8 + b.readUInt32LE(at + 4));
}

/** A WAV with RIFF INFO tags as ffmpeg writes them (genre Rock), optionally with a CSET chunk (code page). */
function wav(codePage?: number): string {
  const dir = join(base, `w${n++}`);
  mkdirSync(dir);
  const p = join(dir, 'song.wav');
  ffmpeg([...SOUNDS.tone(0.4, 440), '-c:a', 'pcm_s16le', '-metadata', 'title=Song', '-metadata', 'genre=Rock', p]);
  if (codePage != null) {
    const cset = Buffer.alloc(16);
    cset.write('CSET', 0, 'latin1');
    cset.writeUInt32LE(8, 4);
    cset.writeUInt16LE(codePage, 8);
    const file = Buffer.concat([readFileSync(p), cset]);
    file.writeUInt32LE(file.length - 8, 4);
    writeFileSync(p, file);
  }
  return p;
}

async function writeOne(path: string, genres: string[]): Promise<{ db: Db; report: Awaited<ReturnType<typeof applyWrite>> }> {
  const db = openDatabase(join(path, '..', 'lib.sqlite'));
  await scanLibrary(db, [join(path, '..')], { workers: 1 });
  new DecisionStore(db).record(new FileStore(db).getByPath(path)!.id, genres, 'cli');
  return { db, report: await applyWrite(db, planWrite(db, {}, 'replace')) };
}

describe('WAV RIFF INFO text', () => {
  it('a non-ASCII genre is written in Latin-1 (no CSET chunk): it reads back as written, and undo restores it', async () => {
    const p = wav();
    const before = JSON.stringify(readGenreSnapshot(p, 'wav'));
    const { db, report } = await writeOne(p, ['Électronique', 'Musique concrète']);
    assert.deepEqual(report.files.map((f) => [f.status, f.message]), [['written', null]]);
    assert.deepEqual(ignrBytes(p)!.toString('latin1').replace(/\0+$/, ''), 'Électronique; Musique concrète');
    const view = await mmView(p);
    assert.deepEqual(view.genreValues.exif, ['Électronique; Musique concrète']);
    assert.deepEqual(view.genreValues['ID3v2.4'], ['Électronique', 'Musique concrète'], 'the id3 chunk: UTF-8, a native list');
    assert.deepEqual(view.genres, ['Électronique', 'Musique concrète']);
    // our own reader (the library row is re-read from the file after the write) and a fresh read agree
    assert.deepEqual(new FileStore(db).getByPath(p)!.genres, ['Électronique', 'Musique concrète']);
    const read = await readAudioFile(p);
    assert.ok(read.ok);
    assert.deepEqual(read.tags.genres, ['Électronique', 'Musique concrète']);
    assert.equal((await undoWrite(db, report.batchId!)).written, 1);
    assert.equal(JSON.stringify(readGenreSnapshot(p, 'wav')), before);
    db.close();
  });

  it('a CSET chunk declaring UTF-8 (65001) gets UTF-8', async () => {
    const p = wav(65001);
    const { db, report } = await writeOne(p, ['Électronique']);
    assert.equal(report.written, 1, JSON.stringify(report.files));
    assert.equal(ignrBytes(p)!.toString('utf8').replace(/\0+$/, ''), 'Électronique');
    assert.deepEqual((await mmView(p)).genreValues.exif, ['Électronique']);
    db.close();
  });

  it('a CSET chunk declaring Windows-1252 (1252) gets Windows-1252: "€" is byte 0x80', async () => {
    const p = wav(1252);
    const { db, report } = await writeOne(p, ['Euro € Dance']);
    assert.equal(report.written, 1, JSON.stringify(report.files));
    assert.deepEqual([...ignrBytes(p)!.subarray(5, 6)], [0x80]);
    assert.deepEqual(new FileStore(db).getByPath(p)!.genres, ['Euro € Dance']);
    db.close();
  });

  it('a WAV whose id3 chunk is an ID3v2.3 tag as taggers write it (UTF-16 text, TDRC): both tags hold the genre, read back as written', async () => {
    const p = wav();
    appendId3Chunk(p, id3v23Tag([fr('TIT2', id3Text('Söng', 'utf16')), fr('TCON', id3Text('Rock', 'utf16')), fr('TDRC', id3Text('2019', 'utf16'))]));
    const { db, report } = await writeOne(p, ['Électronique', 'Musique concrète']);
    assert.equal(report.written, 1, JSON.stringify(report.files));
    const view = await mmView(p);
    // v2.3 has no list: one joined value, in UTF-16 or Latin-1; the other frames as they were
    assert.deepEqual(view.genreValues['ID3v2.3'], ['Électronique; Musique concrète']);
    assert.deepEqual(view.genreValues.exif, ['Électronique; Musique concrète']);
    assert.ok(view.natives['ID3v2.3']!.includes('TDRC=2019') && view.natives['ID3v2.3']!.includes('TIT2=Söng'));
    assert.deepEqual(new FileStore(db).getByPath(p)!.genres, ['Électronique', 'Musique concrète']);
    db.close();
  });

  it('a genre Latin-1 cannot hold: written in the ID3v2 chunk, which holds any text; no wrong text in INFO', async () => {
    const p = wav();
    const { db, report } = await writeOne(p, ['Электроника']);
    assert.equal(report.written, 1, JSON.stringify(report.files));
    assert.equal(ignrBytes(p), null, 'no IGNR: a stale "Rock" or mangled text would contradict the genre');
    const view = await mmView(p);
    assert.deepEqual(view.genres, ['Электроника']);
    assert.deepEqual(view.genreValues['ID3v2.4'], ['Электроника']);
    assert.deepEqual(new FileStore(db).getByPath(p)!.genres, ['Электроника']);
    db.close();
  });
});

describe('numbers as genres (ID3v1 references)', () => {
  const refused = ['17', '(17)', '(17)Rock', ' 0 ', '(RX)', '(cr)'];
  const fine = ['Rock', '2 Tone', '8-bit', 'Rock (Live)', 'Post-Punk 1977', '(Untitled)'];

  it('the rule: a bare number or a leading "(number)" is refused with the reason; names with digits are fine', () => {
    for (const g of refused) assert.match(genreNameProblem(g) ?? '', /is how ID3 tags .* write (genre number \d+ of the ID3v1 list|the ID3 code (RX|CR))/, g);
    for (const g of fine) assert.equal(genreNameProblem(g), null, g);
    assert.match(decidedGenreProblem('17')!, /"Rock"/, 'names the genre every reader would show');
  });

  it('refused by `spectag decide`, the API and the store; a decision recorded earlier is skipped by the write plan with the reason', async () => {
    const dir = join(base, `num-${n++}`);
    mkdirSync(dir);
    const p = join(dir, 'song.mp3');
    ffmpeg([...SOUNDS.tone(0.4, 500), '-metadata', 'genre=Jazz', p]);
    const dbPath = join(dir, 'lib.sqlite');
    assert.equal(spectag(['scan', dir, '--db', dbPath]).code, 0);
    const r = spectag(['decide', p, '--genre', '17', '--db', dbPath]);
    assert.equal(r.code, 2);
    assert.match(r.err, /"17".*genre number 17.*"Rock"/);
    assert.equal(DecideSchema.safeParse({ fileId: 1, action: 'correct', genres: ['(17)'] }).success, false);
    assert.equal(DecideSchema.safeParse({ fileId: 1, action: 'correct', genres: ['Rock (Live)'] }).success, true);
    const db = openDatabase(dbPath);
    const id = new FileStore(db).getByPath(p)!.id;
    assert.throws(() => new DecisionStore(db).record(id, ['Jazz', '(17)'], 'cli'), InvalidGenreError);
    // a decision from before this rule
    db.prepare("INSERT INTO decisions(file_id, genres, source, decided_at) VALUES (?, '[\"17\"]', 'cli', 1)").run(id);
    const plan = planWrite(db, {}, 'replace');
    assert.equal(plan.files[0]!.action, 'skip');
    assert.match(plan.files[0]!.reason!, /genre number 17/);
    db.close();
  });
});
