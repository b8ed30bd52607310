// Watching library roots while the app is open: a burst of new files (an album copied in) becomes ONE
// rescan after a quiet moment, deletions are marked missing, and nothing happens outside the roots.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBulkLibrary } from '../helpers/bulk-library.js';
import { EngineService } from '../../electron/core/service/engine.js';
import { RootWatcher } from '../../electron/core/service/watch.js';
import type { JobInfo } from '../../electron/shared/api.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('root watcher', () => {
  let dir: string;
  let music: string;
  let spare: string[];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-watch-'));
    music = join(dir, 'Music');
    mkdirSync(music);
    // files to "copy in" later, made outside the root
    spare = makeBulkLibrary(join(dir, 'incoming'), 6);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('hands a burst of changes over as one batch, and ignores other folders and files', async () => {
    const batches: string[][] = [];
    const w = new RootWatcher({ debounceMs: 250, onBatch: (roots) => batches.push(roots) });
    w.setRoots([music]);
    await w.ready();
    const album = join(music, 'New Album');
    mkdirSync(album);
    for (const f of spare.slice(0, 4)) {
      copyFileSync(f, join(album, f.split('/').pop()!));
      await sleep(30);
    }
    copyFileSync(spare[4]!, join(dir, 'outside.mp3'));
    await sleep(900);
    assert.deepEqual(batches, [[music]], 'one batch for the whole album');
    await w.close();
  });

  it('rescans the library after files are added or deleted while the app is open', async () => {
    const engine = new EngineService({ dbPath: join(dir, 'library.sqlite'), host: 'electron', watch: true, watchDebounceMs: 250, model: false, scanWorkers: 1 });
    const scans: JobInfo[] = [];
    engine.subscribe((e) => {
      if (e.type === 'job' && e.job.kind === 'scan' && e.job.state === 'done') scans.push(e.job);
    });
    try {
      await engine.addRoot({ path: music });
      const until = async (cond: () => Promise<boolean>) => {
        const end = Date.now() + 15_000;
        while (!(await cond())) {
          if (Date.now() > end) throw new Error('timed out');
          await sleep(50);
        }
      };
      await until(async () => (await engine.queryLibrary({})).total === 4);
      await sleep(600);
      const before = scans.length;
      // another album arrives, and one old track is deleted
      const second = join(music, 'Second');
      mkdirSync(second);
      copyFileSync(spare[5]!, join(second, 'x.mp3'));
      const album = join(music, 'New Album');
      rmSync(join(album, readdirSync(album)[0]!));
      await until(async () => (await engine.queryLibrary({ status: 'error' })).total === 1 && (await engine.queryLibrary({})).total === 5);
      assert.ok(scans.length - before <= 2, `batched rescans, not one per file (${scans.length - before})`);
      const missing = (await engine.libraryStats()).stats.byStatus.missing;
      assert.equal(missing, 1, 'the deleted track is marked missing, not forgotten');
      assert.equal((await engine.status()).watching, true);
    } finally {
      await engine.close();
    }
  });
});
