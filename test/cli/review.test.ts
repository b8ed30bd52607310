// Reviewing from the command line, as a script does it: `list` shows each file's suggestion, confidence,
// decision and review status (text and JSON); `decide` takes folders, accepts suggestions above a confidence
// (the default model's or the personal one's), and refuses files the scan could not read, naming them and why.
// A library made with ffmpeg, scanned by the CLI, the genre model's predictions stored as an analysis stores them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../electron/core/db/open.js';
import type { ReviewedFile } from '../../electron/shared/api.js';
import type { FileDecisions } from '../../electron/core/service/review.js';
import { makeAlbumLibrary, storeAlbumPredictions, type AlbumLibrary } from '../helpers/album-library.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { spectag } from '../helpers/cli.js';

describe('spectag list / decide: reviewing on the command line', () => {
  let lib: AlbumLibrary;
  let dir: string;
  let db: string;
  let odd: string;
  let good: string;
  let notes: string;

  before(() => {
    lib = makeAlbumLibrary();
    // a folder with one playable track and a text file named .mp3 (the scan records it as not audio)
    odd = join(lib.root, 'Odd');
    mkdirSync(odd);
    good = join(odd, 'good.mp3');
    ffmpeg([...SOUNDS.tone(0.5, 660), '-c:a', 'libmp3lame', '-b:a', '64k', good]);
    notes = join(odd, 'notes.mp3');
    writeFileSync(notes, 'shopping list: milk, eggs\n'.repeat(20));
    dir = mkdtempSync(join(tmpdir(), 'spectag-cli-review-'));
    db = join(dir, 'library.sqlite');
    const scan = spectag(['scan', lib.root, '--db', db]);
    assert.equal(scan.code, 1, scan.err); // notes.mp3 could not be read
    const conn = openDatabase(db);
    storeAlbumPredictions(conn, lib);
    conn.close();
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    lib.cleanup();
  });

  const list = (...args: string[]): Map<string, ReviewedFile> => {
    const r = spectag(['list', '--json', '--db', db, ...args]);
    assert.equal(r.code, 0, r.err);
    return new Map((JSON.parse(r.out) as { files: ReviewedFile[] }).files.map((f) => [f.path, f]));
  };
  const decide = (...args: string[]) => {
    const r = spectag(['decide', '--db', db, ...args]);
    return { ...r, json: args.includes('--json') && r.out ? (JSON.parse(r.out) as FileDecisions) : null };
  };

  it('list shows suggestion, confidence, decision and review status, in text and JSON', () => {
    const files = list();
    const folk = files.get(lib.folk[0]!)!;
    assert.equal(folk.suggested?.toLowerCase(), 'folk');
    assert.equal(folk.confidence, 0.8);
    assert.equal(folk.decided, null);
    assert.equal(folk.reviewStatus, 'suggested');
    // unsure: analysed, but no suggestion, and so no confidence for a genre it does not name
    const mix = files.get(lib.untagged[0]!)!;
    assert.equal(mix.reviewStatus, 'unsure');
    assert.equal(mix.suggested, null);
    assert.equal(mix.confidence, null);
    assert.equal(files.get(lib.hitsA[0]!)!.reviewStatus, 'unanalysed');
    assert.equal(files.get(notes)!.reviewStatus, 'error');

    const text = spectag(['list', '--db', db]);
    assert.equal(text.code, 0, text.err);
    const line = (p: string) => text.out.split('\n').find((l) => l.startsWith(p + '\t'));
    assert.match(line(lib.folk[0]!)!, /\tFolk\t→ folk 80%\t–\tsuggested$/i);
    assert.match(line(lib.untagged[0]!)!, /\t→ \(unsure\)\t–\tunsure$/);
    assert.match(line(lib.hitsA[0]!)!, /\t→ –\t–\tunanalysed$/);
    assert.match(line(notes)!, /\tERROR not-audio: .*\t→ –\t–\terror$/);
  });

  it('decide takes a folder: every file scanned under it, subfolders included', () => {
    const r = decide(lib.folders.double, '--genre', 'Art Rock', '--json');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.json!.recorded.map((d) => d.path).sort(), [...lib.double].sort());
    assert.deepEqual(r.json!.refused, []);
    const files = list('--search', 'Double Album');
    for (const p of lib.double) {
      assert.deepEqual(files.get(p)!.decided, ['Art Rock']);
      assert.equal(files.get(p)!.reviewStatus, 'corrected');
    }
    const text = spectag(['list', '--db', db, '--search', 'Part 1.1']);
    assert.match(text.out, /\t→ rock 90%\tdecided Art Rock\tcorrected\n/i);
  });

  it('decide refuses a file that could not be read, naming it and the reason; the rest of its folder is recorded', () => {
    const one = decide(notes, '--genre', 'Ambient');
    assert.equal(one.code, 1);
    assert.ok(one.err.includes(`cannot be decided: ${notes}: could not be read (not-audio: `), one.err);
    assert.match(one.out, /Recorded 0 decisions; 1 refused/);
    const folder = decide(odd, '--genre', 'Ambient');
    assert.equal(folder.code, 1, folder.err);
    assert.ok(folder.out.includes(`${good}\tAmbient\n`), folder.out);
    assert.ok(folder.err.includes(`cannot be decided: ${notes}: could not be read`), folder.err);
    const files = list('--search', 'Odd');
    assert.deepEqual(files.get(good)!.decided, ['Ambient']);
    assert.equal(files.get(notes)!.decided, null, 'no genre was recorded for the text file');
  });

  it('decide --accept-suggestions --min-confidence on a folder: accepts what reaches it, says why the rest is left', () => {
    const high = decide(lib.folders.folk, '--accept-suggestions', '--min-confidence', '0.85', '--json');
    assert.equal(high.code, 1, 'some files were left undecided');
    // the stray metal track is the only one at 90 %; the folk tracks are at 80 %. Metal is a style of Rock in the
    // genre vocabulary: at the default depth (genre + style) both are recorded
    assert.deepEqual(high.json!.recorded.map((d) => [d.path, d.genres.map((g) => g.toLowerCase()), d.confidence]), [[lib.folk[4], ['rock', 'metal'], 0.9]]);
    assert.equal(high.json!.notAccepted.length, 4);
    for (const n of high.json!.notAccepted) assert.match(n.reason, /its suggestion folk \(80%\) is below --min-confidence 85%/i);

    const all = decide(lib.folders.folk, '--accept-suggestions', '--min-confidence', '80%');
    assert.equal(all.code, 1, all.err);
    for (const p of lib.folk.slice(0, 4)) assert.match(all.out, new RegExp(`${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\tfolk\\t80%\\n`, 'i'));
    assert.ok(all.err.includes(`left undecided: ${lib.folk[4]}: already decided (accepted)`), all.err);
    const files = list('--search', 'Quiet');
    // the first two were tagged "Folk" already: the suggestion, in the library's spelling, is what they say
    assert.deepEqual(lib.folk.map((p) => files.get(p)!.reviewStatus), ['confirmed', 'confirmed', 'accepted', 'accepted', 'accepted']);
  });

  it('decide --accept-suggestions with no files: the whole library, by the window\'s bulk-accept rule', () => {
    const r = decide('--accept-suggestions', '--min-confidence', '0.6', '--json');
    assert.equal(r.code, 0, r.err);
    // left: the Summer Hits (pop 0.7, 0.9, 0.65; electronic 0.65); decided ones, unsure and unanalysed are not touched
    assert.deepEqual(r.json!.recorded.map((d) => d.path).sort(), [...lib.compilation].sort());
    const files = list();
    assert.equal(files.get(lib.untagged[0]!)!.reviewStatus, 'unsure');
    assert.equal(files.get(lib.hitsA[0]!)!.reviewStatus, 'unanalysed');
    assert.deepEqual(files.get(lib.double[0]!)!.decided, ['Art Rock'], 'a decided file keeps its decision');
  });

  it('decide --accept-suggestions --model personal: your model\'s suggestions (none offered here: each file says so)', () => {
    const r = decide(lib.loose, lib.untagged[0]!, '--accept-suggestions', '--model', 'personal');
    assert.equal(r.code, 1);
    assert.match(r.out, /Recorded 0 decisions \(suggestions accepted\); 2 left undecided/);
    assert.ok(r.err.includes(`left undecided: ${lib.loose}: your model offers no suggestion for it`), r.err);
  });

  it('bad command lines are usage errors (exit 2); a folder with nothing scanned is not in the library (exit 1)', () => {
    for (const args of [
      ['--accept-suggestions', '--min-confidence', '1.5'],
      ['--accept-suggestions', '--min-confidence', 'high'],
      [lib.loose, '--genre', 'Rock', '--min-confidence', '0.5'],
      ['--accept-suggestions', '--model', 'mine'],
      ['--album', lib.folders.folk, '--accept-suggestions', '--min-confidence', '0.5'],
      ['--genre', 'Rock'],
    ]) {
      const r = decide(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    }
    const nowhere = decide(join(lib.root, 'Nowhere'), '--genre', 'Rock');
    assert.equal(nowhere.code, 1);
    assert.ok(nowhere.err.includes(`not in the library (scan its folder first): ${join(lib.root, 'Nowhere')}`), nowhere.err);
  });
});
