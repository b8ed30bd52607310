// Web mode's HTTP + WebSocket server on a real library: token required (and never logged), payloads
// validated, 127.0.0.1 and Host checks, media confined to the roots and the cache (path traversal),
// range requests for audio seeking, events over the socket, the built window served with its CSP.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { makeBulkLibrary } from '../helpers/bulk-library.js';
import { EngineService } from '../../electron/core/service/engine.js';
import { startServer, tokenMatches, type RunningServer } from '../../electron/core/server/http-server.js';
import type { ApiEvent } from '../../electron/shared/api.js';
import { EVENTS_PROTOCOL, eventsTokenProtocol } from '../../electron/shared/web-auth.js';
import { signedMediaQuery } from '../../renderer/src/lib/media-url.js';
import { rawRequest as raw } from '../helpers/http.js';

describe('spectag serve: HTTP API, media and events', () => {
  let dir: string;
  let musicRoot: string;
  let rendererDir: string;
  let engine: EngineService;
  let server: RunningServer;
  const logLines: string[] = [];
  /** a media URL as the window makes it: signed for this one path */
  const signed = (path: string) => `${path}?${signedMediaQuery(server.token, path.slice('/media/'.length), Date.now())}`;
  const bearer = () => ({ authorization: `Bearer ${server.token}` });

  const call = async (method: string, input?: unknown, token = server.token) => {
    const res = await fetch(`${server.url}api/call/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input === undefined ? {} : { input }),
    });
    return { status: res.status, body: (await res.json()) as { ok: boolean; result?: unknown; error?: { code: string; message: string } } };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-srv-'));
    musicRoot = join(dir, 'Music');
    makeBulkLibrary(musicRoot, 6);
    rendererDir = join(dir, 'dist');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Spectag</title><script type="module" src="/assets/app.js"></script>');
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'secret');
    engine = new EngineService({ dbPath: join(dir, 'library.sqlite'), host: 'web', scanWorkers: 1 });
    server = await startServer({ engine, port: 0, rendererDir, log: (l) => logLines.push(l) });
  });
  after(async () => {
    await server.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('compares tokens in constant time and refuses calls without the right one', async () => {
    assert.equal(tokenMatches('abc', 'abc'), true);
    assert.equal(tokenMatches('abc', 'abd'), false);
    assert.equal(tokenMatches('abc', 'abcd'), false);
    assert.equal(tokenMatches('abc', ''), false);
    assert.equal((await call('status', undefined, 'wrong')).status, 401);
    const none = await raw(server.port, '/api/call/status', { method: 'POST', body: '{}' });
    assert.equal(none.status, 401);
    const ok = await call('status');
    assert.equal(ok.status, 200);
    assert.equal((ok.body.result as { host: string }).host, 'web');
    assert.ok(server.token.length >= 40, 'at least 32 random bytes');
    assert.ok(server.openUrl.endsWith(`#token=${server.token}`), 'token only in the fragment');
  });

  it('refuses requests that name another host (DNS rebinding)', async () => {
    const r = await raw(server.port, '/api/call/status', { method: 'POST', headers: { host: 'evil.example:80', authorization: `Bearer ${server.token}` }, body: '{}' });
    assert.equal(r.status, 421);
  });

  it('validates payloads with the API schemas', async () => {
    const bad = await call('queryLibrary', { limit: -1 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error?.code, 'invalid-input');
    assert.match(bad.body.error?.message ?? '', /limit/);
    assert.equal((await call('dropEverything', {})).status, 400);
    const notJson = await raw(server.port, '/api/call/status', { method: 'POST', headers: { authorization: `Bearer ${server.token}` }, body: '{nope' });
    assert.equal(notJson.status, 400);
    const arr = await raw(server.port, '/api/call/status', { method: 'POST', headers: { authorization: `Bearer ${server.token}` }, body: '[]' });
    assert.equal(arr.status, 400);
    assert.equal((await call('getTrack', { id: 999999 })).status, 404);
  });

  it('pushes job events over the socket to an authorised window only', async () => {
    const wsUrl = `ws://127.0.0.1:${server.port}/events`;
    const refused = (headers: Record<string, string>, protocols: string[] = []) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(wsUrl, protocols, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => {});
      });
    const withToken = [EVENTS_PROTOCOL, eventsTokenProtocol(server.token)];
    assert.equal(await refused({}), 401);
    assert.equal(await refused({}, [EVENTS_PROTOCOL, eventsTokenProtocol('wrong')]), 401);
    assert.equal(await refused({ origin: 'http://evil.example' }, withToken), 403);

    const ws = new WebSocket(wsUrl, withToken, { headers: { origin: `http://127.0.0.1:${server.port}` } });
    const events: ApiEvent[] = [];
    await new Promise((resolve, reject) => {
      ws.on('open', () => {
        assert.equal(ws.protocol, EVENTS_PROTOCOL, 'the server names the events protocol, never echoes the token');
        resolve(null);
      });
      ws.on('error', reject);
    });
    ws.on('message', (data) => events.push(JSON.parse(String(data)) as ApiEvent));
    const added = await call('addRoot', { path: musicRoot });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const deadline = Date.now() + 30_000;
    while (!events.some((e) => e.type === 'job' && e.job.state === 'done') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ws.close();
    assert.ok(events.some((e) => e.type === 'job' && e.job.kind === 'scan' && e.job.state === 'done'));
    assert.ok(events.some((e) => e.type === 'library-changed'));
    const page = await call('queryLibrary', { limit: 10 });
    assert.equal((page.body.result as { total: number }).total, 6);
  });

  it('serves audio with ranges for seeking, and only files inside the roots', async () => {
    const page = (await call('queryLibrary', { limit: 10 })).body.result as { rows: { id: number; path: string }[] };
    const first = page.rows[0]!;
    assert.equal((await raw(server.port, `/media/audio/${first.id}`)).status, 401, 'media needs a signed URL or the token');
    const whole = await raw(server.port, signed(`/media/audio/${first.id}`));
    assert.equal(whole.status, 200);
    assert.ok(whole.bytes.length > 100);
    const part = await raw(server.port, signed(`/media/audio/${first.id}`), { headers: { range: 'bytes=10-19' } });
    assert.equal(part.status, 206);
    assert.equal(part.bytes.length, 10);
    assert.deepEqual(part.bytes, whole.bytes.subarray(10, 20));
    assert.equal((await raw(server.port, signed(`/media/audio/${first.id}`), { headers: { range: 'bytes=999999999-' } })).status, 416);
    assert.equal((await raw(server.port, signed(`/media/spectrogram/${first.id}`))).status, 404);
    // a row whose path escapes the roots is refused, whatever the database says
    engine.db.prepare('UPDATE files SET path = ? WHERE id = ?').run(join(musicRoot, '..', 'secret.txt'), first.id);
    const escaped = await raw(server.port, signed(`/media/audio/${first.id}`));
    engine.db.prepare('UPDATE files SET path = ? WHERE id = ?').run(first.path, first.id);
    assert.equal(escaped.status, 403);
    assert.doesNotMatch(escaped.body, /secret/);
    for (const path of ['/media/audio/../../secret.txt', '/media/audio/1/../../../secret.txt', '/media/audio/%2e%2e%2fsecret.txt', '/media/file/1', '/media/audio/1abc']) {
      const r = await raw(server.port, path, { headers: bearer() });
      assert.ok(r.status >= 400 && r.status < 500, `${path} → ${r.status}`);
      assert.doesNotMatch(r.body, /^secret/);
    }
  });

  it('serves the built window with a strict CSP and never a file outside it', async () => {
    const index = await raw(server.port, '/');
    assert.equal(index.status, 200);
    assert.match(String(index.headers['content-security-policy']), /script-src 'self'/);
    assert.match(String(index.headers['content-security-policy']), /object-src 'none'/);
    assert.equal((await raw(server.port, '/assets/app.js')).status, 200);
    assert.equal((await raw(server.port, '/library/track/5')).status, 200, 'routes fall back to index.html');
    for (const path of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%00.js', '/nope.js']) {
      const r = await raw(server.port, path);
      assert.ok(r.status === 404 || r.status === 400, `${path} → ${r.status}`);
      assert.doesNotMatch(r.body, /^secret/);
    }
  });

  it('never writes the token into its log', () => {
    assert.ok(logLines.length > 10);
    for (const line of logLines) assert.ok(!line.includes(server.token), line);
  });
});
