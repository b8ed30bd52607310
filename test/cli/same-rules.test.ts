// The command line goes by the window's rules because it runs the same feature services: `spectag decide`
// records genres normalised the same way and, once enough new decisions were made, retrains the personal
// model, as the window does a moment after a review burst. On a library with synthetic embeddings.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { decideCommand } from '../../electron/core/cli/commands/decide.js';
import type { Command } from '../../electron/core/cli/command.js';
import { DecisionStore } from '../../electron/core/db/decisions.js';
import { openDatabase } from '../../electron/core/db/open.js';
import { PersonalStore } from '../../electron/core/db/personal.js';
import { EngineService } from '../../electron/core/service/engine.js';
import { buildSyntheticLibrary, type SyntheticTrack } from '../personal/synthetic-library.js';
import { waitForJob } from '../app/wait-for-job.js';

const GENRES = [
  { spellings: ['Shoegaze'], albums: 3, tracksPerAlbum: 4, defaultSays: 'rock', untagged: 2 },
  { spellings: ['Dub'], albums: 3, tracksPerAlbum: 4, defaultSays: 'reggae', untagged: 2 },
  { spellings: ['Hip Hop'], albums: 3, tracksPerAlbum: 4, defaultSays: null, untagged: 6 },
];

async function run(cmd: Command, values: Record<string, unknown>, positionals: string[] = []): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c: Buffer) => (o += c.toString()));
  err.on('data', (c: Buffer) => (e += c.toString()));
  const code = await cmd.run({ values, positionals }, { stdout: out, stderr: err, env: {}, signal: new AbortController().signal });
  return { code, out: o, err: e };
}

describe('the command line and the window go by the same rules', () => {
  let dir: string;
  let dbPath: string;
  let tracks: SyntheticTrack[];
  const versions = () => {
    const db = openDatabase(dbPath);
    try {
      return new PersonalStore(db).versions().map((v) => `${v.version} ${v.trigger}`);
    } finally {
      db.close();
    }
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-same-rules-'));
    dbPath = join(dir, 'lib.sqlite');
    const built = buildSyntheticLibrary(dbPath, GENRES);
    tracks = built.tracks;
    // retrain after three new decisions (no model yet: the first three train the first one)
    new PersonalStore(built.db).updateSettings({ retrainAfterDecisions: 3 });
    built.db.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('spectag decide normalises genres as the window does and retrains once enough decisions were made', async () => {
    const untagged = tracks.filter((t) => !t.tagged && t.genre === 2);

    const two = await run(decideCommand, { db: dbPath, genre: ['  Boom  Bap ', 'boom bap', 'Jazz Rap'] }, untagged.slice(0, 2).map((t) => t.path));
    assert.equal(two.code, 0, two.err);
    assert.doesNotMatch(two.err, /Relearning/);
    assert.deepEqual(versions(), [], 'two decisions: not due yet');
    const db = openDatabase(dbPath);
    assert.deepEqual(new DecisionStore(db).latest(untagged[0]!.fileId)?.genres, ['Boom Bap', 'Jazz Rap'], 'trimmed, spaces collapsed, repeats dropped');
    db.close();

    const third = await run(decideCommand, { db: dbPath, genre: ['Boom Bap'] }, [untagged[2]!.path]);
    assert.equal(third.code, 0, third.err);
    assert.match(third.err, /Relearning your genres \(3 new decisions\)/);
    assert.match(third.err, /personal model v1/);
    assert.deepEqual(versions(), ['1 auto'], 'the third decision made it due: trained, as the window would');
  });

  it('the window retrains after the same number of decisions, a moment after the last one', async () => {
    const engine = new EngineService({ dbPath, host: 'web', retrainDebounceMs: 20 });
    try {
      const learning = new Promise<void>((resolve) => {
        const off = engine.subscribe((e) => {
          if (e.type === 'job' && e.job.kind === 'learn') {
            off();
            void waitForJob(engine, e.job).then(() => resolve());
          }
        });
      });
      const untagged = tracks.filter((t) => !t.tagged && t.genre === 2).slice(3, 6);
      for (const t of untagged) await engine.decide({ fileId: t.fileId, action: 'correct', genres: ['Boom Bap'] });
      await learning;
      assert.deepEqual(versions(), ['2 auto', '1 auto']);
    } finally {
      await engine.close();
    }
  });
});
