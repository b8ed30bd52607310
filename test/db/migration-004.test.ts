// Migration 004 (decisions + write journal), starting from a version-3 database with data in it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore, JournalStore } from '../../electron/core/db/decisions.js';
import { DEFAULT_WRITE_OPTIONS } from '../../electron/shared/tags.js';
import { audioProps, scratchFolder, trackTags } from './migration-fixtures.js';

const dir = scratchFolder('m004');

const TAGS = trackTags({ title: 'Teardrop', artist: 'Massive Attack', album: 'Mezzanine', trackNo: 3, trackOf: 11, year: 1998, genres: ['Trip Hop'] });
const AUDIO = audioProps({ durationSec: 330, hasCover: true });

describe('migration 004 (decisions, write journal)', () => {
  it('keeps a version-3 library intact and adds working decision and journal tables', () => {
    const path = dir.at('lib.sqlite');
    let db = openDatabase(path, { targetVersion: 3 });
    assert.equal(db.pragma('user_version', { simple: true }), 3);
    const s3 = new FileStore(db);
    const root = s3.ensureRoot('/music');
    s3.saveRead(root, { path: '/music/teardrop.mp3', size: 1000, mtimeMs: 5, fileKey: '1:9' }, { ok: true, contentId: 'c-1', tags: TAGS, audio: AUDIO }, null);
    s3.saveRead(root, { path: '/music/other.mp3', size: 10, mtimeMs: 5, fileKey: '1:10' }, { ok: false, contentId: null, errorKind: 'truncated', errorMessage: 'cut' }, null);
    const tablesAt3 = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    db.close();

    db = openDatabase(path, { targetVersion: 4 });
    assert.equal(db.pragma('user_version', { simple: true }), 4);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    for (const t of [...tablesAt3, 'decisions', 'write_batches', 'write_journal']) assert.ok(tables.includes(t), t);
    const store = new FileStore(db);
    const f = store.getByPath('/music/teardrop.mp3')!;
    assert.deepEqual(f.genres, ['Trip Hop'], 'data written at version 3 is intact');
    assert.equal(f.title, 'Teardrop');
    assert.equal(store.getByPath('/music/other.mp3')?.errorKind, 'truncated');

    // decisions keep their history; the latest counts
    const decisions = new DecisionStore(db);
    decisions.record(f.id, ['Electronic'], 'accepted', 1);
    decisions.record(f.id, ['Trip Hop', 'Downtempo'], 'corrected', 2);
    assert.deepEqual(decisions.latest(f.id)?.genres, ['Trip Hop', 'Downtempo']);
    assert.deepEqual(decisions.history(f.id).map((d) => d.source), ['accepted', 'corrected']);
    assert.throws(() => db.prepare("INSERT INTO decisions(file_id, genres, source, decided_at) VALUES (?, '[]', 'guess', 0)").run(f.id), /CHECK/);

    // the journal keeps exact previous values per file of a batch (the schema as version 4 made it)
    const batch = Number(db.prepare("INSERT INTO write_batches(kind, options, created_at) VALUES ('write', ?, 1)").run(JSON.stringify(DEFAULT_WRITE_OPTIONS)).lastInsertRowid);
    db.prepare(`INSERT INTO write_journal(batch_id, file_id, path, old_genres, old_raw, new_genres, old_size, old_mtime_ms, old_content_id,
        new_size, new_mtime_ms, new_content_id, status, updated_at) VALUES (?, ?, ?, '["Trip Hop"]', '{"container":"mp3","tags":[]}',
        '["Trip Hop","Downtempo"]', 1000, 5, 'c-1', 1010, 6, 'c-2', 'written', 2)`).run(batch, f.id, f.path);
    assert.throws(() => db.prepare("INSERT INTO write_journal(batch_id, path, old_genres, old_raw, new_genres, updated_at) VALUES (?, ?, '[]', '{}', '[]', 3)")
      .run(batch, f.path), /UNIQUE/, 'one entry per file and batch');
    const journal = {
      entries: () => db.prepare('SELECT file_id AS fileId, path, status, new_size AS size FROM write_journal WHERE batch_id = ?').all(batch) as
        { fileId: number | null; path: string; status: string; size: number }[],
    };
    assert.deepEqual(journal.entries(), [{ fileId: f.id, path: f.path, status: 'written', size: 1010 }]);

    // a file removed from the library takes its decisions along; the journal keeps its record (path, values)
    db.prepare('DELETE FROM files WHERE id = ?').run(f.id);
    assert.equal((db.prepare('SELECT count(*) AS n FROM decisions').get() as { n: number }).n, 0);
    assert.equal(journal.entries()[0]!.fileId, null);
    assert.equal(journal.entries()[0]!.path, '/music/teardrop.mp3');
    db.close();
  });

  it('marks batches left running by a crashed process as interrupted', () => {
    const db = openDatabase(dir.at('crash.sqlite'));
    const journal = new JournalStore(db);
    const id = journal.createBatch('write', DEFAULT_WRITE_OPTIONS, null);
    assert.equal(journal.markInterrupted(), 1);
    assert.equal(journal.batch(id)?.status, 'interrupted');
    db.close();
  });
});
