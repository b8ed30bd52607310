// Who may fetch a track's audio from `spectag serve`, against the real command on a real scanned library:
// only files the scanner read as audio, only inside the library folders once links are resolved, and only
// with a signature the window makes for that one file with the token (never a cookie, which every server on
// 127.0.0.1 would receive).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WebSocket } from 'ws';
import { makeBulkLibrary } from '../helpers/bulk-library.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { spectag } from '../helpers/cli.js';
import { rawRequest as raw } from '../helpers/http.js';
import { startServe, stopServe } from '../e2e/browser.js';
import { EVENTS_PROTOCOL, MEDIA_URL_STEP_SEC } from '../../electron/shared/web-auth.js';
import { signedMediaQuery } from '../../renderer/src/lib/media-url.js';

const SECRET = 'root:$6$not-for-you$:19000:0:99999:7:::';

describe('spectag serve: media only for the window, only audio of the library', () => {
  let dir: string;
  let serve: { child: ChildProcess; url: string };
  let port: number;
  let token: string;
  const ids: Record<string, number> = {};
  const signed = (mediaPath: string, nowMs = Date.now(), withToken = token) => `/media/${mediaPath}?${signedMediaQuery(withToken, mediaPath, nowMs)}`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-media-'));
    const music = join(dir, 'Music');
    makeBulkLibrary(music, 2);
    // what a hostile archive unpacked into the library could hold
    writeFileSync(join(dir, 'shadow'), SECRET);
    mkdirSync(join(dir, 'outside'));
    ffmpeg([...SOUNDS.tone(2), '-c:a', 'libmp3lame', '-b:a', '96k', join(dir, 'outside', 'private.mp3')]);
    mkdirSync(join(music, 'evil'));
    symlinkSync(join(dir, 'shadow'), join(music, 'evil', 'shadow.flac'));
    symlinkSync(join(dir, 'outside', 'private.mp3'), join(music, 'evil', 'private.mp3'));
    const db = join(dir, 'library.sqlite');
    const scanned = spectag(['scan', music, '--db', db]);
    assert.ok(scanned.code === 0 || scanned.code === 1, scanned.err);
    const conn = new Database(db, { readonly: true });
    for (const r of conn.prepare('SELECT id, path, status FROM files').all() as { id: number; path: string; status: string }[]) {
      ids[r.path.slice(music.length + 1)] = r.id;
    }
    conn.close();
    assert.ok(ids['evil/shadow.flac'] && ids['evil/private.mp3'], JSON.stringify(ids));
    serve = await startServe([db, '--no-model']);
    port = Number(new URL(serve.url).port);
    token = /token=([^&]+)/.exec(new URL(serve.url).hash)![1]!;
  });
  after(async () => {
    await stopServe(serve.child);
    rmSync(dir, { recursive: true, force: true });
  });

  const trackId = () => ids['Artist 0/Album 0/01 Track 0.mp3']!;

  it('plays a track of the library from a URL the window signed, with ranges', async () => {
    const whole = await raw(port, signed(`audio/${trackId()}`));
    assert.equal(whole.status, 200, whole.body);
    assert.equal(whole.headers['content-type'], 'audio/mpeg');
    const part = await raw(port, signed(`audio/${trackId()}`), { headers: { range: 'bytes=0-9' } });
    assert.equal(part.status, 206);
    assert.deepEqual(part.bytes, whole.bytes.subarray(0, 10));
  });

  it('never serves what a link in the library points to outside it, not even with the token', async () => {
    for (const name of ['evil/shadow.flac', 'evil/private.mp3']) {
      for (const r of [await raw(port, signed(`audio/${ids[name]}`)), await raw(port, `/media/audio/${ids[name]}`, { headers: { authorization: `Bearer ${token}` } })]) {
        assert.equal(r.status, 403, `${name}: ${r.status} ${r.body}`);
        assert.ok(!r.body.includes('root:') && !r.body.includes('ID3') && r.body.length < 500, `${name}: nothing of the file: ${r.body.slice(0, 80)}`);
      }
    }
  });

  it('sets no cookie, and takes none: the old session cookie opens nothing', async () => {
    for (const r of [
      await raw(port, '/'),
      await raw(port, '/api/call/status', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{}' }),
      await raw(port, '/api/session', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{}' }),
    ]) {
      assert.equal(r.headers['set-cookie'], undefined);
    }
    const cookie = `spectag_session=${token}`;
    assert.equal((await raw(port, `/media/audio/${trackId()}`, { headers: { cookie } })).status, 401);
    assert.equal((await raw(port, '/api/call/status', { method: 'POST', headers: { cookie }, body: '{}' })).status, 401);
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/events`, [EVENTS_PROTOCOL], { headers: { cookie }, origin: `http://127.0.0.1:${port}` });
      ws.once('open', () => resolve(101));
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => {});
    });
    assert.equal(refused, 401);
  });

  it('a signature opens only its own file, only before it expires, only when made with this token', async () => {
    const id = trackId();
    const other = ids['Artist 0/Album 0/02 Track 1.mp3']!;
    const good = signed(`audio/${id}`);
    const query = good.slice(good.indexOf('?'));
    assert.equal((await raw(port, `/media/audio/${other}${query}`)).status, 401, 'another file');
    assert.equal((await raw(port, `/media/spectrogram/${id}${query}`)).status, 401, 'another kind');
    assert.equal((await raw(port, signed(`audio/${id}`, Date.now() - 3 * MEDIA_URL_STEP_SEC * 1000))).status, 401, 'expired');
    assert.equal((await raw(port, signed(`audio/${id}`, Date.now() + 48 * MEDIA_URL_STEP_SEC * 1000))).status, 401, 'valid for too long');
    assert.equal((await raw(port, signed(`audio/${id}`, Date.now(), 'not-the-token'))).status, 401, 'another token');
    const tampered = good.replace(/sig=([0-9a-f])/, (_m, c: string) => `sig=${c === '0' ? '1' : '0'}`);
    assert.equal((await raw(port, tampered)).status, 401, 'a changed signature');
    assert.equal((await raw(port, good)).status, 200);
  });
});
