// Named pipes (FIFOs) where Spectag expects a track: opening one blocks until a writer appears, so each way in
// (predict, scan, analyze, write, undo's check, the web server's media route) must refuse it with the reason,
// promptly, and go on with the other files. The FIFOs are real (mkfifo); nothing ever writes into them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeBulkLibrary } from '../helpers/bulk-library.js';
import { spectag, startSpectag } from '../helpers/cli.js';
import { rawRequest as raw } from '../helpers/http.js';
import { readAudioFile } from '../../electron/core/library/read-file.js';
import { EngineService } from '../../electron/core/service/engine.js';
import { startServer } from '../../electron/core/server/http-server.js';
import { signedMediaQuery } from '../../renderer/src/lib/media-url.js';

const CAN_MKFIFO = process.platform !== 'win32';
const mkfifo = (path: string) => execFileSync('mkfifo', [path]);

describe('a named pipe (FIFO) in place of a track is refused, never waited on', { skip: !CAN_MKFIFO && 'no FIFOs on this platform' }, () => {
  let dir: string;
  let root: string;
  let db: string;
  let tracks: string[];
  /** a scanned track that was then replaced by a FIFO (so the database still thinks it is audio) */
  let swapped: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-fifo-'));
    root = join(dir, 'Music');
    db = join(dir, 'lib.sqlite');
    tracks = makeBulkLibrary(root, 4, 3);
    mkfifo(join(root, 'pipe.mp3'));
    const scan = spectag(['scan', root, '--db', db, '--json'], {});
    assert.equal(scan.code, 0, scan.err);
    assert.equal((JSON.parse(scan.out) as { seen: number }).seen, 4, 'the FIFO is not one of the audio files');
    for (const t of tracks) assert.equal(spectag(['decide', t, '--genre', 'Ambient', '--db', db]).code, 0);
    swapped = tracks[0]!;
    unlinkSync(swapped);
    mkfifo(swapped);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the header reader says what the file is, at once', async () => {
    const r = await readAudioFile(join(root, 'pipe.mp3'));
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.errorKind === 'unreadable');
    assert.match(!r.ok ? r.errorMessage : '', /named pipe \(FIFO\), not a regular file/);
  });

  it('spectag predict fifo.mp3: an error naming the file and the reason, exit 1, no hang', async () => {
    const run = startSpectag(['predict', join(root, 'pipe.mp3'), tracks[1]!]);
    const r = await run.finished(120_000);
    assert.equal(r.code, 1, r.err);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0]!, new RegExp(`^${join(root, 'pipe.mp3')}\tERROR unreadable: .*named pipe \\(FIFO\\), not a regular file`));
    assert.match(lines[1]!, new RegExp(`^${tracks[1]}\t`), 'the other file is analysed');
    assert.doesNotMatch(lines[1]!, /ERROR/);
  });

  it('spectag analyze: the swapped track fails with the reason, the others are analysed', async () => {
    const r = await startSpectag(['analyze', '--db', db, '--no-model', '--json']).finished(180_000);
    assert.equal(r.code, 1, r.err);
    const report = JSON.parse(r.out) as { analysed: number; ok: number; errors: number };
    assert.equal(report.errors, 1);
    assert.equal(report.ok, 3);
    const row = new Database(db, { readonly: true })
      .prepare('SELECT a.error_message AS message FROM analysis a JOIN files f ON f.id = a.file_id WHERE f.path = ?').get(swapped) as { message: string } | undefined;
    assert.match(row?.message ?? '', /not a regular file/);
  });

  it('spectag write: the swapped track is left alone with the reason, the others are written', async () => {
    const r = await startSpectag(['write', '--db', db, '--json']).finished(120_000);
    const report = JSON.parse(r.out) as { written: number; files: { path: string; status: string; message?: string; reason?: string }[] };
    assert.equal(report.written, 3, r.err);
    const file = report.files.find((f) => f.path === swapped);
    assert.ok(file && file.status !== 'written', JSON.stringify(file));
    assert.match(JSON.stringify(file), /named pipe \(FIFO\), not a regular file/);
  });

  it('web mode: the media route refuses the FIFO at once and keeps serving', async () => {
    const engine = new EngineService({ dbPath: db, host: 'web', model: false });
    const server = await startServer({ engine, port: 0, rendererDir: null });
    try {
      const ids = new Database(db, { readonly: true }).prepare('SELECT id, path FROM files').all() as { id: number; path: string }[];
      const url = (id: number) => `/media/audio/${id}?${signedMediaQuery(server.token, `audio/${id}`, Date.now())}`;
      const fifoId = ids.find((f) => f.path === swapped)!.id;
      const refused = await raw(server.port, url(fifoId));
      assert.ok(refused.status === 403 || refused.status === 404, `${refused.status} ${refused.body}`);
      const fine = await raw(server.port, url(ids.find((f) => f.path === tracks[2])!.id));
      assert.equal(fine.status, 200);
      assert.ok(fine.bytes.length > 1000);
    } finally {
      await server.close();
      await engine.close();
    }
  });
});
