// One check of a genre name for every way in: `spectag decide`, web mode's API (decide, rename, merge, the
// personal model's exclusions) give the same refusal with the same reason, and nothing is recorded. Names that
// would break every later write (half a surrogate pair) or that the API would refuse (over 200 characters) are
// refused at decide time, not discovered by a failing write.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeBulkLibrary } from '../helpers/bulk-library.js';
import { spectag } from '../helpers/cli.js';
import { EngineService } from '../../electron/core/service/engine.js';
import { startServer, type RunningServer } from '../../electron/core/server/http-server.js';

const REFUSED: [name: string, reason: RegExp][] = [
  ['a\ud800b', /half of a character \(a lone UTF-16 surrogate\)/],
  ['x\udc00', /half of a character/],
  ['G'.repeat(10_000), /at most 200 characters long \(this one has 10000\)/],
  ['é'.repeat(201), /at most 200 characters long \(this one has 201\)/],
  ['Bell\u0007', /control characters/],
  ['\u001b[31mRed', /control characters/],
  ['NUL\u0000', /control characters/],
  ['   ', /empty/],
  ['17', /genre number 17 of the ID3v1 list/],
];
const ACCEPTED = ['é'.repeat(200), 'Drum & Bass', 'Musique concrète', 'K-Pop 🎤', 'R&B/Soul', 'Rock\nPop'];

describe('genre names: one check, the same reason from the command line and the API', () => {
  let dir: string;
  let db: string;
  let tracks: string[];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-genre-names-'));
    db = join(dir, 'lib.sqlite');
    tracks = makeBulkLibrary(join(dir, 'Music'), 2);
    assert.equal(spectag(['scan', join(dir, 'Music'), '--db', db]).code, 0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const decisions = () => {
    const d = new Database(db, { readonly: true });
    try {
      return (d.prepare('SELECT count(*) AS n FROM decisions').get() as { n: number }).n;
    } finally {
      d.close();
    }
  };

  it('spectag decide refuses each bad name with the reason (exit 2) and records nothing', () => {
    for (const [name, reason] of REFUSED) {
      // a command line cannot carry a lone surrogate (arguments are bytes: it arrives as U+FFFD) nor a NUL
      if (/[\ud800-\udfff\0]/.test(name)) continue;
      const r = spectag(['decide', tracks[0]!, '--genre', name, '--db', db]);
      assert.equal(r.code, 2, `${JSON.stringify(name.slice(0, 20))}: ${r.err}`);
      assert.match(r.err, reason);
    }
    assert.equal(decisions(), 0);
  });

  it('spectag decide accepts 200 characters and the usual punctuation and scripts', () => {
    for (const name of ACCEPTED) {
      const r = spectag(['decide', tracks[1]!, '--genre', name, '--db', db]);
      assert.equal(r.code, 0, `${name}: ${r.err}`);
    }
    const d = new Database(db, { readonly: true });
    const last = d.prepare('SELECT genres FROM decisions ORDER BY id DESC LIMIT 1').get() as { genres: string };
    d.close();
    assert.deepEqual(JSON.parse(last.genres), ['Rock Pop'], 'white space inside a name is one space');
  });

  describe('web mode API', () => {
    let engine: EngineService;
    let server: RunningServer;
    before(async () => {
      engine = new EngineService({ dbPath: db, host: 'web', model: false });
      server = await startServer({ engine, port: 0, rendererDir: null });
    });
    after(async () => {
      await server.close();
      await engine.close();
    });
    const call = async (method: string, input: unknown) => {
      const res = await fetch(`${server.url}api/call/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        // JSON.stringify writes a lone surrogate as the escape "\ud800", which JSON.parse turns back into one
        body: JSON.stringify({ input }),
      });
      return { status: res.status, body: (await res.json()) as { ok: boolean; error?: { code: string; message: string } } };
    };

    it('decide, rename, merge and excluding a genre refuse each bad name with the same reason', async () => {
      const fileId = (new Database(db, { readonly: true }).prepare('SELECT id FROM files WHERE path = ?').get(tracks[0]) as { id: number }).id;
      const before = decisions();
      for (const [name, reason] of REFUSED) {
        for (const [method, input] of [
          ['decide', { fileId, action: 'correct', genres: [name] }],
          ['renameGenre', { from: 'Rock', to: name }],
          ['mergeGenres', { from: ['Rock'], into: name }],
          ['setGenreExcluded', { genre: name, excluded: true }],
        ] as const) {
          const r = await call(method, input);
          assert.equal(r.status, 400, `${method} ${JSON.stringify(name.slice(0, 20))}: ${JSON.stringify(r.body)}`);
          assert.equal(r.body.error?.code, 'invalid-input');
          assert.match(r.body.error?.message ?? '', reason, method);
        }
      }
      assert.equal(decisions(), before, 'nothing recorded');
    });

    it('the engine itself refuses them too, whatever way the call comes in', () => {
      for (const [name, reason] of REFUSED) {
        assert.throws(() => engine.services.vocabulary.rename('Rock', name), reason);
        assert.throws(() => engine.services.personal.setGenreExcluded(name, true), reason);
      }
    });
  });
});
