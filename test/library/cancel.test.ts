// Cancelling a scan part-way: the database stays consistent and the next scan resumes cheaply.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBulkLibrary } from '../helpers/bulk-library.js';
import { openDatabase, type Db } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { scanLibrary } from '../../electron/core/library/scan.js';

describe('cancelling a scan', () => {
  let dir: string;
  let root: string;
  let db: Db;
  let paths: string[];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-cancel-'));
    root = join(dir, 'Music');
    paths = makeBulkLibrary(root, 600);
    db = openDatabase(join(dir, 'library.sqlite'));
  });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops early, leaves a consistent database, and the next scan reads only what is left', async () => {
    const controller = new AbortController();
    const first = await scanLibrary(db, [root], {
      workers: 2,
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.done >= 100) controller.abort();
      },
    });
    assert.equal(first.cancelled, true);
    assert.ok(first.added >= 100 && first.added < paths.length, `stopped part-way (${first.added} of ${paths.length})`);
    assert.equal(first.missing, 0, 'a cancelled scan never concludes that files are gone');
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(db.pragma('foreign_key_check'), []);
    const store = new FileStore(db);
    const saved = store.query({ limit: 10_000 }).files;
    assert.equal(saved.length, first.added, 'every file read before the stop was saved');
    assert.ok(saved.every((f) => f.status === 'ok' && f.genres.length === 1 && f.title?.startsWith('Track ')));
    const scannedAt = new Map(saved.map((f) => [f.id, f.scannedAt]));

    const second = await scanLibrary(db, [root], { workers: 2 });
    assert.equal(second.cancelled, false);
    assert.equal(second.unchanged, first.added, 'files done before the stop are not read again');
    assert.equal(second.added, paths.length - first.added);
    const all = store.query({ limit: 10_000 }).files;
    assert.equal(all.length, paths.length);
    for (const f of all) if (scannedAt.has(f.id)) assert.equal(f.scannedAt, scannedAt.get(f.id));
  });
});
