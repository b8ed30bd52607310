// Migration 007 (the vocabulary in the database): starts from a version-6 database with files, decisions and
// personal-model settings in it; they survive, the vocabulary tables start empty, and the engine service moves
// the choices of an older Spectag's JSON file beside the database into them once (the file becomes *.imported).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore } from '../../electron/core/db/decisions.js';
import { PersonalStore } from '../../electron/core/db/personal.js';
import { EngineService } from '../../electron/core/service/engine.js';
import { VocabularyStore, vocabularySettingsPath } from '../../electron/core/db/vocabulary.js';
import { audioProps, scratchFolder, trackTags } from './migration-fixtures.js';

const dir = scratchFolder('m007');

const AUDIO = audioProps({ codec: 'MPEG' });
const tags = (title: string, genres: string[]) => trackTags({ title, genres });

test('007 keeps version-6 data and adds empty vocabulary tables', () => {
  const path = dir.at('plain.sqlite');
  let db = openDatabase(path, { targetVersion: 6 });
  const files = new FileStore(db);
  const root = files.ensureRoot('/music');
  const a = files.saveRead(root, { path: '/music/a.mp3', size: 5, mtimeMs: 1, fileKey: null }, { ok: true, contentId: 'ca', tags: tags('a', ['Hip Hop']), audio: AUDIO }, null);
  new DecisionStore(db).record(a, ['Trip-Hop'], 'corrected', 10);
  new PersonalStore(db).updateSettings({ minPerGenre: 7 });
  db.close();

  db = openDatabase(path, { targetVersion: 7 });
  assert.equal(db.pragma('user_version', { simple: true }), 7);
  assert.deepEqual(new FileStore(db).getByPath('/music/a.mp3')?.genres, ['Hip Hop'], 'files survive');
  assert.deepEqual(new DecisionStore(db).latest(a)?.genres, ['Trip-Hop'], 'decisions survive');
  assert.equal(new PersonalStore(db).settings().minPerGenre, 7, 'personal settings survive');
  const vocab = new VocabularyStore(db);
  assert.deepEqual(vocab.settings(), { modelNames: {}, hidden: [] });
  vocab.setHidden('Polka', true);
  vocab.setHidden('polka', true);
  assert.deepEqual(vocab.settings().hidden, ['polka']);
  assert.equal(vocab.isHidden('POLKA'), true);
  db.close();
});

test('the engine imports an older JSON vocabulary file once, then the database is the only source', async () => {
  const path = dir.at('library.sqlite');
  const db = openDatabase(path, { targetVersion: 6 });
  const files = new FileStore(db);
  const root = files.ensureRoot('/music');
  files.saveRead(root, { path: '/music/b.mp3', size: 5, mtimeMs: 1, fileKey: null }, { ok: true, contentId: 'cb', tags: tags('b', ['Jazz']), audio: AUDIO }, null);
  db.close();
  const legacy = vocabularySettingsPath(path)!;
  assert.equal(legacy, dir.at('library.vocabulary.json'));
  writeFileSync(legacy, JSON.stringify({ modelNames: { 'hip-hop': 'Rap' }, hidden: ['Polka', 'disco', 42] }));

  let service = new EngineService({ dbPath: path, host: 'web', model: false });
  try {
    assert.equal(existsSync(legacy), false, 'the JSON file is not read again');
    assert.equal(existsSync(`${legacy}.imported`), true, 'it is kept, renamed, for the person to see');
    const v = await service.vocabulary();
    assert.ok(v.some((e) => e.genre === 'Rap' && e.model), 'the rename of the model genre hip-hop');
    assert.ok(!v.some((e) => e.genre === 'Hip-Hop'));
    assert.equal(v.find((e) => e.genre === 'Disco')?.hidden, true);
    await service.hideGenre({ genre: 'Disco', hidden: false });
  } finally {
    await service.close();
  }
  // a JSON file that turns up again (an old Spectag ran) does not overwrite what the database has
  writeFileSync(legacy, JSON.stringify({ modelNames: { 'hip-hop': 'Hip Hop' }, hidden: ['disco'] }));
  service = new EngineService({ dbPath: path, host: 'web', model: false });
  try {
    const v = await service.vocabulary();
    assert.ok(v.some((e) => e.genre === 'Rap'), 'the database keeps its rename');
    assert.equal(v.find((e) => e.genre === 'Disco')?.hidden, true, 'a hidden genre only the file has is added');
    const stored = new VocabularyStore(service.db).settings();
    assert.deepEqual(stored.modelNames, { 'hip-hop': 'Rap' });
    assert.deepEqual(stored.hidden.sort(), ['disco', 'polka']);
  } finally {
    await service.close();
  }
});
