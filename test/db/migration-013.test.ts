// Migration 013 (the app's settings), from a version-12 library with data in it: the data survives, every setting
// reads its default, a change is kept across restarts and shared by every engine on the library, a bad change is
// refused whole at the API boundary and in the store, and a stored value that no longer fits reads as the default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { SettingsStore } from '../../electron/core/db/settings.js';
import { EngineService } from '../../electron/core/service/engine.js';
import { dispatchCall } from '../../electron/core/service/dispatch.js';
import { DEFAULT_APP_SETTINGS } from '../../electron/shared/settings.js';
import { audioProps, scratchFolder, trackTags } from './migration-fixtures.js';

const dir = scratchFolder('m013');

test('013 keeps version-12 data and keeps the settings the person changed, refusing bad ones whole', async () => {
  const path = dir.at('lib.sqlite');
  let db = openDatabase(path, { targetVersion: 12 });
  const files = new FileStore(db);
  const root = files.ensureRoot('/music');
  files.saveRead(root, { path: '/music/a.mp3', size: 10, mtimeMs: 1, fileKey: null },
    { ok: true, contentId: 'c1', tags: trackTags({ title: 'A', genres: ['Folk'] }), audio: audioProps() }, null);
  db.close();

  db = openDatabase(path, { targetVersion: 13 });
  assert.equal(db.pragma('user_version', { simple: true }), 13);
  assert.equal(new FileStore(db).getByPath('/music/a.mp3')?.title, 'A', 'files survive');
  assert.deepEqual(new SettingsStore(db).all(), DEFAULT_APP_SETTINGS, 'nothing changed yet: the defaults');
  db.close();

  const engine = new EngineService({ dbPath: path, host: 'cli', model: false, retrain: 'explicit' });
  try {
    const changed = await engine.updateAppSettings({ genreDepth: 'style', listenAfterScan: false });
    assert.deepEqual(changed, { ...DEFAULT_APP_SETTINGS, genreDepth: 'style', listenAfterScan: false });
    for (const bad of [{ genreDepth: 'deepest' }, { listenAfterScan: 'yes' }, { bogus: 1 }, { genreDepth: 'genre', bogus: 1 }]) {
      const r = await dispatchCall(engine, 'updateAppSettings', bad);
      assert.equal(r.ok, false, JSON.stringify(bad));
      if (!r.ok) assert.equal(r.error.code, 'invalid-input');
    }
    assert.throws(() => new SettingsStore(engine.db).update({ genreDepth: 'genre', listenAfterScan: 'no' } as never));
    assert.deepEqual(await engine.appSettings(), { ...DEFAULT_APP_SETTINGS, genreDepth: 'style', listenAfterScan: false }, 'a refused change changes nothing');
  } finally {
    await engine.close();
  }

  // another engine on the same library (the CLI beside the window, or the next start) sees the same settings;
  // a value that does not fit (hand-edited, or from a newer Spectag) reads as its default
  db = openDatabase(path);
  db.prepare("UPDATE app_settings SET value = '\"sideways\"' WHERE key = 'genreDepth'").run();
  db.prepare("INSERT INTO app_settings(key, value, updated_at) VALUES ('fromTheFuture', '1', 0)").run();
  db.close();
  const again = new EngineService({ dbPath: path, host: 'cli', model: false, retrain: 'explicit' });
  try {
    assert.deepEqual(await again.appSettings(), { ...DEFAULT_APP_SETTINGS, listenAfterScan: false });
  } finally {
    await again.close();
  }
});
