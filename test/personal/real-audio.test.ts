// The personal model on real audio through the production path: a library of tones, noise and rhythm
// "genres" made with ffmpeg (tagged albums under several spellings, plus untagged tracks), scanned, analysed
// with the real musicnn backbones and default head, then learned by `spectag learn` and applied to the
// untagged tracks and by `spectag predict --model personal`. Short tracks (one 3 s patch each) keep the
// backbone's share of the suite small.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ffmpeg } from '../helpers/ffmpeg.js';
import { openDatabase, type Db } from '../../electron/core/db/open.js';
import { scanLibrary } from '../../electron/core/library/scan.js';
import { Analyzer } from '../../electron/core/jobs/analyzer.js';
import { GenrePredictor } from '../../electron/core/model/predictor.js';
import { genreModelStep } from '../../electron/core/model/genre-step.js';
import { PersonalStore } from '../../electron/core/db/personal.js';
import { learnCommand } from '../../electron/core/cli/commands/learn.js';
import { predictCommand, type PredictJsonFile } from '../../electron/core/cli/commands/predict.js';
import type { LearnReport } from '../../electron/shared/personal.js';
import type { Command } from '../../electron/core/cli/command.js';

const SEC = 3.5;
/** three sounds, each with a way to vary it per track */
const SOUNDS: Record<string, (i: number) => string[]> = {
  tones: (i) => ['-f', 'lavfi', '-i', `aevalsrc=0.4*sin(2*PI*${220 + 70 * i}*t)+0.2*sin(2*PI*${440 + 140 * i}*t):s=22050:d=${SEC}`],
  noise: (i) => ['-f', 'lavfi', '-i', `anoisesrc=d=${SEC}:c=${['white', 'pink', 'brown'][i % 3]}:r=22050:a=0.4:s=${i + 1}`],
  // decaying 60 Hz kicks with a noise tick, at a different tempo per track
  rhythm: (i) => ['-f', 'lavfi', '-i', `aevalsrc=0.9*sin(2*PI*60*t)*exp(-18*mod(t\\,${(0.3 + 0.05 * i).toFixed(2)}))+0.3*(random(0)-0.5)*exp(-60*mod(t\\,${(0.15 + 0.025 * i).toFixed(3)})):s=22050:d=${SEC}`],
};
/** the spellings the albums' tags use: one genre each, written differently */
const SPELLINGS: Record<string, string[]> = { tones: ['Tones', 'tones'], noise: ['Noise', 'NOISE'], rhythm: ['Drum & Bass', 'drum_bass'] };

interface Made { path: string; sound: string; tagged: boolean }

async function run(cmd: Command, values: Record<string, unknown>, positionals: string[] = []): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let text = '';
  let errText = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  err.on('data', (c: Buffer) => (errText += c.toString()));
  const code = await cmd.run({ values, positionals }, { stdout: out, stderr: err, env: {}, signal: new AbortController().signal });
  return { code, out: text, err: errText };
}

describe('personal model on generated audio (real backbone)', () => {
  let base: string;
  let dbPath: string;
  let db: Db;
  const made: Made[] = [];

  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'spectag-personal-audio-'));
    const root = join(base, 'Music');
    let i = 0;
    for (const sound of Object.keys(SOUNDS)) {
      for (let album = 0; album < 2; album++) {
        const folder = join(root, `${sound} artist`, `${sound} album ${album}`);
        mkdirSync(folder, { recursive: true });
        for (let t = 0; t < 3; t++, i++) {
          const path = join(folder, `${t + 1}.flac`);
          ffmpeg([...SOUNDS[sound]!(i), '-c:a', 'flac', '-metadata', `artist=${sound} artist`, '-metadata', `album=${sound} album ${album}`,
            '-metadata', `genre=${SPELLINGS[sound]![album]}`, path]);
          made.push({ path, sound, tagged: true });
        }
      }
      const loose = join(root, 'unsorted');
      mkdirSync(loose, { recursive: true });
      for (let t = 0; t < 2; t++, i++) {
        const path = join(loose, `${sound}-${t}.flac`);
        ffmpeg([...SOUNDS[sound]!(i), '-c:a', 'flac', path]);
        made.push({ path, sound, tagged: false });
      }
    }
    dbPath = join(base, 'lib.sqlite');
    db = openDatabase(dbPath);
    await scanLibrary(db, [root]);
    const predictor = await GenrePredictor.create({ workers: 1 });
    try {
      const report = await new Analyzer(db, { workers: 1, images: false, modelStep: genreModelStep(predictor) }).run();
      assert.equal(report.ok, made.length, 'every generated track analysed');
    } finally {
      await predictor.close();
    }
  });
  after(() => {
    db?.close();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('spectag learn learns tones, noise and rhythm from the tags and suggests them for the untagged tracks', async () => {
    const { code, out } = await run(learnCommand, { db: dbPath, json: true });
    assert.equal(code, 0, out);
    const r = JSON.parse(out) as LearnReport & { db: string };
    assert.equal(r.trained, true);
    assert.deepEqual(r.genres.map((g) => g.genre).sort(), ['Drum & Bass', 'Noise', 'Tones'].sort());
    assert.equal(r.tracks.labelled, 18);
    assert.equal(r.tracks.unlabelled, 6);
    assert.equal(r.validation!.groups.album, 6, 'albums are held out whole');
    assert.ok(r.validation!.personalAccuracy >= 0.8, `held-out accuracy ${r.validation!.personalAccuracy}`);
    const names: Record<string, string> = { tones: 'Tones', noise: 'Noise', rhythm: 'Drum & Bass' };
    const ids = new Map((db.prepare('SELECT id, path FROM files').all() as { id: number; path: string }[]).map((f) => [f.path, f.id]));
    for (const m of made.filter((x) => !x.tagged)) {
      const p = new PersonalStore(db).prediction(ids.get(m.path)!);
      assert.equal(p?.top[0]?.genre, names[m.sound], `${m.path}: ${JSON.stringify(p?.probabilities)}`);
      assert.equal(p?.modelVersion, r.version);
    }
    const text = await run(learnCommand, { db: dbPath });
    assert.equal(text.code, 0);
    assert.match(text.out, /Personal genre model v2: 3 genres learned from 18 tracks/);
    assert.match(text.out, /Drum & Bass\s+6\s+6/);
  });

  it('spectag predict --model personal applies the library\'s personal model to a file', async () => {
    const file = made.find((m) => !m.tagged && m.sound === 'rhythm')!;
    const { code, out } = await run(predictCommand, { json: true, workers: '1', model: 'personal', db: dbPath }, [file.path]);
    assert.equal(code, 0, out);
    const json = JSON.parse(out) as { modelId: string; modelVersion: string; genres: string[]; files: PredictJsonFile[] };
    assert.equal(json.modelId, 'spectag-personal');
    assert.equal(json.modelVersion, '2');
    assert.deepEqual([...json.genres].sort(), ['Drum & Bass', 'Noise', 'Tones'].sort());
    assert.equal(json.files[0]?.top?.[0]?.genre, 'Drum & Bass');
    // the model it names is the one that answered: the personal one (on the default model's sound)
    const text = await run(predictCommand, { workers: '1', model: 'personal', db: dbPath }, [file.path]);
    assert.match(text.err, /^model spectag-personal version 2 \(your genres\)/m);
    assert.match(text.out, /Drum & Bass \d+%/);
    await assert.rejects(run(predictCommand, { json: true, model: 'mine' }, [file.path]), /--model must be default or personal/);
  });
});
