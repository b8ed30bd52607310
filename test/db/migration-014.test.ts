// Migration 014 (audio identity): starts from a database before it (version 13) with files, analyses,
// predictions and decisions made of real ffmpeg files; everything survives, the analyses know no audio identity
// yet (NULL), a write Spectag makes fills it in and keeps the analysis, and a later tag edit by another tool
// then keeps it too. An analysis made before the migration of a file another tool changed is heard once more
// (its audio was never identified).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../electron/core/db/open.js';
import { Analyzer } from '../../electron/core/jobs/analyzer.js';
import { scanLibrary } from '../../electron/core/library/scan.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore } from '../../electron/core/db/decisions.js';
import { PredictionStore } from '../../electron/core/db/predictions.js';
import { EngineService } from '../../electron/core/service/engine.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { scratchFolder } from './migration-fixtures.js';

const dir = scratchFolder('m014');

test('014 keeps version-13 analyses, and from then on a tag change keeps them', async () => {
  const music = dir.at('music');
  mkdirSync(music);
  const a = join(music, 'a.mp3');
  const b = join(music, 'b.flac');
  ffmpeg([...SOUNDS.tone(1, 330), '-c:a', 'libmp3lame', '-b:a', '64k', '-id3v2_version', '3', '-metadata', 'title=A', a]);
  ffmpeg([...SOUNDS.tone(1, 550), '-c:a', 'flac', '-metadata', 'title=B', b]);
  const path = dir.at('lib.sqlite');

  // the library as the version before left it: scanned, listened to, a prediction, a decision
  let db = openDatabase(path, { targetVersion: 13 });
  await scanLibrary(db, [music], { workers: 1 });
  const before = await new Analyzer(db, { workers: 1 }).run();
  assert.equal(before.analysed, 2);
  const files = new FileStore(db);
  const idA = files.getByPath(a)!.id;
  const idB = files.getByPath(b)!.id;
  new PredictionStore(db).save(idA, {
    modelId: 'spectag-genre', modelVersion: '1', genres: ['jazz', 'rock'], probabilities: { jazz: 0.9, rock: 0.1 },
    top: [{ genre: 'jazz', probability: 0.9 }], unsure: false, excerpts: [],
  }, {});
  new DecisionStore(db).record(idA, ['Jazz'], 'accepted');
  const analysedAt = () => new Map((db.prepare('SELECT file_id AS id, analysed_at AS at FROM analysis').all() as { id: number; at: number }[]).map((r) => [r.id, r.at]));
  const at13 = analysedAt();
  db.close();

  db = openDatabase(path, { targetVersion: 14 });
  assert.equal(db.pragma('user_version', { simple: true }), 14);
  assert.deepEqual(analysedAt(), at13, 'the analyses survive');
  assert.deepEqual(db.prepare('SELECT DISTINCT audio_hash FROM analysis').pluck().all(), [null], 'their audio was never identified');
  assert.equal(new PredictionStore(db).forFile(idA)[0]?.top[0]?.genre, 'jazz', 'predictions survive');
  assert.deepEqual(new DecisionStore(db).latest(idA)?.genres, ['Jazz'], 'decisions survive');
  db.close();

  const engine = new EngineService({ dbPath: path, host: 'cli', model: false, retrain: 'explicit' });
  try {
    // Spectag's own write compares the audio before and after: the old analysis is kept, and identified
    const plan = await engine.services.writes.plan({ paths: [a] }, 'replace');
    const written = await engine.services.writes.apply(plan);
    assert.equal(written.written, 1, JSON.stringify(written.files));
    const hashA = engine.db.prepare('SELECT audio_hash FROM analysis WHERE file_id = ?').pluck().get(idA) as string | null;
    assert.match(hashA ?? '', /^[0-9a-f]{32}$/);
    let report = await engine.services.analysis.analyse({ workers: 1 });
    assert.equal(report.analysed, 0, JSON.stringify(report.queuedByReason));

    // another tool changes both files' tags: a's analysis (identified now) is kept, b's (never identified) is redone
    for (const [p, ext] of [[a, '.mp3'], [b, '.flac']] as const) {
      const tmp = `${p}.tmp${ext}`;
      ffmpeg(['-i', p, '-map', '0', '-c', 'copy', '-metadata', 'title=Edited', tmp]);
      renameSync(tmp, p);
    }
    await engine.services.library.scan([music]);
    report = await engine.services.analysis.analyse({ workers: 1 });
    assert.deepEqual([report.analysed, report.audioUnchanged], [1, 1]);
    const now = new Map((engine.db.prepare('SELECT file_id AS id, analysed_at AS at FROM analysis').all() as { id: number; at: number }[]).map((r) => [r.id, r.at]));
    assert.equal(now.get(idA), at13.get(idA), "a's analysis from before the migration is still the one");
    assert.notEqual(now.get(idB), at13.get(idB));
    assert.ok(engine.db.prepare('SELECT audio_hash FROM analysis WHERE file_id = ?').pluck().get(idB), 'b is identified now');
  } finally {
    await engine.close();
  }
});
