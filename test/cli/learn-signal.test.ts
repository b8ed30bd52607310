// `spectag learn` stopped by SIGINT while it validates: it ends with its message and 130 (no stack trace, not
// killed by the signal), keeps the library as it was (no half-trained model recorded, the database intact), and
// the next `spectag learn` trains the model. Real SQLite, the real CLI in a child process; synthetic embeddings
// stand for analysed tracks (test/personal/synthetic-library.ts, stored as the analysis stores them).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { buildSyntheticLibrary, type SyntheticGenre } from '../personal/synthetic-library.js';
import { startSpectag } from '../helpers/cli.js';

// enough tracks that training takes a while: each of the 5 validation folds trains a model
const GENRES: SyntheticGenre[] = ['Shoegaze', 'Dub', 'Hip Hop', 'Krautrock', 'Bossa Nova', 'Grime'].map((name, i) => ({
  spellings: [name], albums: 12, tracksPerAlbum: 10, defaultSays: i % 2 ? 'rock' : null,
}));

describe('spectag learn stopped by SIGINT', () => {
  let dir: string;
  let db: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-learn-signal-'));
    db = join(dir, 'lib.sqlite');
    buildSyntheticLibrary(db, GENRES).db.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const models = (): number => {
    const d = new Database(db, { readonly: true });
    try {
      return (d.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'personal_models'").get() as { n: number }).n
        ? (d.prepare('SELECT count(*) AS n FROM personal_models').get() as { n: number }).n
        : 0;
    } finally {
      d.close();
    }
  };

  it('ends with 130 and its message, records no model, and the next learn trains one', async () => {
    const run = startSpectag(['learn', '--db', db]);
    await run.ready(/validating fold 1/);
    run.child.kill('SIGINT');
    const r = await run.finished(60_000);
    assert.equal(r.signal, null, `ended by its own handler, not killed by ${r.signal}`);
    assert.equal(r.code, 130, r.err);
    assert.match(r.err, /spectag learn: stopped by SIGINT; what was finished is saved/);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    assert.equal(models(), 0, 'no half-trained model recorded');
    const d = new Database(db, { readonly: true });
    assert.equal(d.pragma('integrity_check', { simple: true }), 'ok');
    d.close();
    const again = await startSpectag(['learn', '--db', db]).finished(300_000);
    assert.equal(again.code, 0, again.err);
    assert.equal(models(), 1, 'the next learn records its model');
  });
});
