// Web mode against hostile input: bad WebSocket frames, oversized bodies, NUL in search text, relative folder
// paths, and the headers a JSON answer needs. Real HTTP and WebSocket requests against `spectag serve` (a child
// process, so that a crash shows as its exit) and against startServer on a real library.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { makeBulkLibrary } from '../helpers/bulk-library.js';
import { EngineService } from '../../electron/core/service/engine.js';
import { startServer, type RunningServer } from '../../electron/core/server/http-server.js';
import { EVENTS_PROTOCOL, eventsTokenProtocol } from '../../electron/shared/web-auth.js';
import { startServe, stopServe } from '../e2e/browser.js';
import type { ChildProcess } from 'node:child_process';
import { rawRequest as raw } from '../helpers/http.js';

/** The event socket as the window opens it: the token rides in a sub-protocol, never in a cookie. */
function openEvents(port: number, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/events`, [EVENTS_PROTOCOL, eventsTokenProtocol(token)], { origin: `http://127.0.0.1:${port}` });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
  });
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve(-1);
    ws.once('close', (code) => resolve(code));
    ws.on('error', () => {});
  });
}

describe('spectag serve survives bad WebSocket frames', () => {
  let dir: string;
  let serve: { child: ChildProcess; url: string };
  let port: number;
  let token: string;
  const status = () => raw(port, '/api/call/status', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{}' });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-ws-'));
    serve = await startServe([join(dir, 'library.sqlite'), '--no-model']);
    const u = new URL(serve.url);
    port = Number(u.port);
    token = /token=([^&]+)/.exec(u.hash)![1]!;
  });
  after(async () => {
    await stopServe(serve.child);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a message over the size limit closes that socket (1009); the server and other sockets stay up', async () => {
    const bystander = await openEvents(port, token);
    const ws = await openEvents(port, token);
    const code = closed(ws);
    ws.send(Buffer.alloc(1024 * 1024, 0x61), { binary: false });
    assert.equal(await code, 1009);
    assert.equal(serve.child.exitCode, null, 'the server is still running');
    assert.equal((await status()).status, 200);
    assert.equal(bystander.readyState, bystander.OPEN, 'other windows keep their events');
    bystander.close();
  });

  it('a text frame of invalid UTF-8 closes that socket (1007); the server stays up', async () => {
    const ws = await openEvents(port, token);
    const code = closed(ws);
    ws.send(Buffer.from([0x61, 0xff, 0xfe]), { binary: false });
    assert.equal(await code, 1007);
    assert.equal(serve.child.exitCode, null);
    assert.equal((await status()).status, 200);
    const again = await openEvents(port, token);
    again.close();
  });
});

describe('web mode edges: body limit, NUL in search, folder paths, headers', () => {
  let dir: string;
  let musicRoot: string;
  let engine: EngineService;
  let server: RunningServer;

  const call = (method: string, input?: unknown, body?: string) =>
    raw(server.port, `/api/call/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: body ?? JSON.stringify(input === undefined ? {} : { input }),
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-edges-'));
    musicRoot = join(dir, 'Music');
    makeBulkLibrary(musicRoot, 3);
    engine = new EngineService({ dbPath: join(dir, 'library.sqlite'), host: 'web', scanWorkers: 1, model: false });
    server = await startServer({ engine, port: 0, rendererDir: null, maxBodyBytes: 64 * 1024 });
  });
  after(async () => {
    await server.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a body over the limit is answered 413, and the server keeps serving', async () => {
    const r = await call('status', undefined, JSON.stringify({ input: 'x'.repeat(200 * 1024) }));
    assert.equal(r.status, 413);
    assert.match(JSON.parse(r.body).error.message, /larger than 65536 bytes/);
    assert.equal((await call('status')).status, 200);
  });

  it('NUL in search text is searched as a word break, not a server error', async () => {
    const added = await call('addRoot', { path: musicRoot, scan: false });
    assert.equal(added.status, 200, added.body);
    const scanned = JSON.parse((await call('startScan', {})).body).result as { id: string };
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const jobs = JSON.parse((await call('listJobs')).body).result as { id: string; state: string }[];
      if (jobs.find((j) => j.id === scanned.id)?.state === 'done') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const titles = async (text: string) => {
      const r = await call('queryLibrary', { text, limit: 10 });
      assert.equal(r.status, 200, r.body);
      return (JSON.parse(r.body).result as { rows: { title: string }[] }).rows.map((x) => x.title);
    };
    // both words must match: were NUL dropped instead, "ArtistTrack" would find nothing
    const withNul = await titles('Artist\u0000Track');
    assert.deepEqual(withNul.sort(), ['Track 0', 'Track 1', 'Track 2']);
    assert.deepEqual(withNul, (await titles('Artist Track')).sort());
  });

  it('addRoot wants an absolute path (or ~), never one resolved against the server\'s folder', async () => {
    for (const path of ['Music', './Music', '../Music', '.']) {
      const r = await call('addRoot', { path, scan: false });
      assert.equal(r.status, 400, `${path}: ${r.body}`);
      assert.match(JSON.parse(r.body).error.message, /absolute/);
      assert.doesNotMatch(r.body, new RegExp(process.cwd().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the server\'s own folder is not echoed');
    }
    const home = await call('addRoot', { path: '~', scan: false });
    assert.equal(home.status, 200, home.body);
    const roots = JSON.parse((await call('status')).body).result.roots as { path: string }[];
    assert.ok(roots.some((x) => x.path === homedir()), JSON.stringify(roots));
  });

  it('every JSON answer says nosniff', async () => {
    for (const r of [await call('status'), await call('nope'), await raw(server.port, '/api/call/status', { method: 'POST', body: '{}' })]) {
      assert.match(String(r.headers['content-type']), /application\/json/);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
    }
  });
});
