// DecisionStore.remove, what the review's undo uses: the taken-back decisions go (the file's previous one
// counts again), other files' decisions stay, and a decision already written into its file is refused
// without removing anything. A real SQLite file.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore, DecisionWrittenError, JournalStore } from '../../electron/core/db/decisions.js';

const dir = mkdtempSync(join(tmpdir(), 'spectag-decisions-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('remove takes back unwritten decisions and refuses written ones', () => {
  const db = openDatabase(join(dir, 'l.sqlite'));
  try {
    const files = new FileStore(db);
    const root = files.ensureRoot('/m');
    const AUDIO = { container: 'mp3' as const, codec: null, durationSec: 1, sampleRate: null, channels: null, bitrate: null, lossless: null, hasCover: false };
    const file = (p: string) => files.saveRead(root, { path: p, size: 1, mtimeMs: 1, fileKey: null }, {
      ok: true, contentId: p, tags: { title: null, artist: null, albumArtist: null, album: null, trackNo: null, trackOf: null, discNo: null, discOf: null, year: null, genres: [] }, audio: AUDIO,
    }, null);
    const [a, b] = [file('/m/a.mp3'), file('/m/b.mp3')];
    const store = new DecisionStore(db);
    const first = store.record(a, ['Jazz'], 'accepted', 1);
    const second = store.record(a, ['Blues'], 'corrected', 2);
    const other = store.record(b, ['Rock'], 'accepted', 3);

    assert.equal(store.remove([second]), 1);
    assert.equal(store.latest(a)?.id, first, 'the previous decision counts again');
    assert.equal(store.latest(b)?.id, other);
    assert.equal(store.remove([second]), 0, 'a decision removed already is no error');

    // a decision written into its file: refused, and nothing of the batch is removed
    const journal = new JournalStore(db);
    const batch = journal.createBatch('write', { mode: 'replace', id3v23Join: '; ', preserveMtime: false, id3v2Version: null }, null);
    const entry = journal.addEntry({ batchId: batch, fileId: b, path: '/m/b.mp3', decisionId: other, oldGenres: [], oldRaw: '{}', newGenres: ['Rock'], newRaw: '{}',
      before: { size: 1, mtimeMs: 1, contentId: null }, after: { size: 2, mtimeMs: 2, contentId: null } });
    journal.markWritten(entry, { size: 2, mtimeMs: 2, contentId: null });
    assert.throws(() => store.remove([first, other]), (e: unknown) => e instanceof DecisionWrittenError && e.decisionId === other);
    assert.equal(store.latest(a)?.id, first, 'all or nothing');
    assert.deepEqual(store.history(b).map((d) => d.id), [other]);
  } finally {
    db.close();
  }
});
