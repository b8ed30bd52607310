// Migration 003 (analysis + queue) from a version-2 database with a library in it: the library survives,
// the new tables work, and deleting a file removes its analysis.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SCHEMA_VERSION, openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { AnalysisStore } from '../../electron/core/db/analysis.js';

import { audioProps, scratchFolder, trackTags } from './migration-fixtures.js';

const dir = scratchFolder('m003');
const TAGS = trackTags({ title: 'Army of Me', artist: 'Björk', album: 'Post', trackOf: 11, year: 1995, genres: ['Electronic'] });
const AUDIO = audioProps({ durationSec: 234.5 });

describe('migration 003 (analysis)', () => {
  it('upgrades a version-2 library without touching it; the queue and results work; a deleted file takes its analysis along', () => {
    const path = dir.at('library.sqlite');
    const v2 = openDatabase(path, { targetVersion: 2 });
    const files = new FileStore(v2);
    const root = files.ensureRoot('/music');
    for (let i = 0; i < 5; i++) {
      files.saveRead(root, { path: `/music/${i}.mp3`, size: 1000 + i, mtimeMs: 5000 + i, fileKey: null },
        i === 4 ? { ok: false, contentId: null, errorKind: 'truncated', errorMessage: 'cut' } : { ok: true, contentId: `c${i}`, tags: { ...TAGS, trackNo: i + 1 }, audio: AUDIO }, null);
    }
    const before = v2.prepare('SELECT * FROM files ORDER BY id').all();
    v2.close();

    const v3 = openDatabase(path, { targetVersion: 3 });
    assert.equal(v3.pragma('user_version', { simple: true }), 3);
    assert.deepEqual(v3.prepare('SELECT * FROM files ORDER BY id').all(), before);
    assert.equal((v3.prepare("SELECT count(*) AS n FROM files_fts WHERE files_fts MATCH 'Army'").get() as { n: number }).n, 4);
    assert.equal((v3.prepare('SELECT count(*) AS n FROM analysis').get() as { n: number }).n, 0);

    const store = new AnalysisStore(v3, dir.at('library-cache'));
    // the unreadable file is not queued
    assert.deepEqual(store.enqueue('p1', null), { new: 4 });
    const [first] = store.claim(0, 1);
    assert.ok(first);
    assert.equal(first.path, '/music/0.mp3');
    assert.equal(first.durationSec, 234.5);
    store.startAttempt(first.fileId);
    store.save({
      fileId: first.fileId, pipeline: 'p1', modelId: null, sourceSize: first.size, sourceMtimeMs: first.mtimeMs, status: 'ok',
      errorKind: null, errorMessage: null, warning: null, analysedSec: 30, excerpts: [{ startSec: 50, durationSec: 10 }],
      rmsDb: -14, peakDb: -1, silentFraction: 0, frames: 1878, patches: 9, imagePath: store.imageTarget(first.fileId),
      decodeMs: 80, spectrogramMs: 10, analysedAt: 123,
    });
    const saved = store.get(first.fileId)!;
    assert.equal(saved.imagePath, store.imageTarget(first.fileId));
    assert.equal((v3.prepare('SELECT image_path AS p FROM analysis').get() as { p: string }).p, `library-cache/spectrograms/01/${first.fileId}.png`, 'stored relative to the database');
    assert.equal(store.queueSize(), 3);
    v3.prepare('DELETE FROM files WHERE id = ?').run(first.fileId);
    v3.prepare('DELETE FROM files WHERE path = ?').run('/music/1.mp3');
    assert.equal((v3.prepare('SELECT count(*) AS n FROM analysis').get() as { n: number }).n, 0);
    assert.equal(store.queueSize(), 2);
    v3.close();

    // and the versions after it keep the analysis tables as they are
    const latest = openDatabase(path);
    assert.equal(latest.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(new AnalysisStore(latest, dir.at('library-cache')).queueSize(), 2);
    latest.close();
  });
});
