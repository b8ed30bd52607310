// The desktop shell's main process without the Electron binary: IPC validation (bad payloads never reach
// the engine), the media protocol's confinement to roots and cache, the app protocol, engine crash and
// restart, window state, and a boot of main.ts against a minimal fake of the `electron` module that checks
// the security settings (context isolation, sandbox, no node integration, navigation and popups blocked).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBulkLibrary } from '../helpers/bulk-library.js';
import { EngineService } from '../../electron/core/service/engine.js';
import { dispatchCall } from '../../electron/core/service/dispatch.js';
import { handleCall, isTrustedSender, registerIpc, type IpcMainLike } from '../../electron/main/ipc.js';
import { createMediaHandler, parseMediaUrl, type MediaResolver } from '../../electron/main/media-protocol.js';
import { createAppHandler, APP_CSP } from '../../electron/main/app-protocol.js';
import { EngineClient, type EngineProcess } from '../../electron/main/engine-client.js';
import { answerMedia } from '../../electron/main/engine-protocol.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { loadWindowState, saveWindowState, DEFAULT_WINDOW } from '../../electron/main/window-state.js';
import type { ApiEvent, CallOutcome, MediaRef, SpectagBridge } from '../../electron/shared/api.js';
import { IPC } from '../../electron/shared/api-names.js';

const APP_URL = 'app://spectag/index.html';

describe('main process: IPC bridge and media protocol over a real engine', () => {
  let dir: string;
  let music: string;
  let engine: EngineService;
  const engineCalls: string[] = [];
  const backend = {
    call: async (m: string, i: unknown): Promise<CallOutcome> => {
      engineCalls.push(m);
      return dispatchCall(engine, m, i);
    },
  };
  // what engine-host.ts answers for a media request
  const resolver: MediaResolver = { mediaPath: (ref: MediaRef) => answerMedia(engine, ref) };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-main-'));
    music = join(dir, 'Music');
    makeBulkLibrary(music, 3);
    // and an AIFF: the media protocol makes WAV of it
    ffmpeg([...SOUNDS.stereo(3), '-c:a', 'pcm_s16be', '-write_id3v2', '1', '-metadata', 'title=Aiff Tone', join(music, 'aiff tone.aiff')]);
    writeFileSync(join(dir, 'private.txt'), 'private');
    engine = new EngineService({ dbPath: join(dir, 'library.sqlite'), host: 'electron', scanWorkers: 1 });
    const { job } = await engine.addRoot({ path: music });
    while ((await engine.listJobs()).find((j) => j.id === job?.id)?.state === 'running') await new Promise((r) => setTimeout(r, 20));
  });
  after(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers one invoke channel and answers valid calls', async () => {
    const handlers = new Map<string, (e: { senderFrame: { url: string } | null }, ...a: unknown[]) => Promise<unknown>>();
    const fakeIpcMain: IpcMainLike = { handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) };
    const off = registerIpc(fakeIpcMain, backend);
    assert.deepEqual([...handlers.keys()], [IPC.call]);
    const r = (await handlers.get(IPC.call)!({ senderFrame: { url: APP_URL } }, 'queryLibrary', { limit: 2 })) as CallOutcome<{ total: number }>;
    assert.equal(r.ok, true);
    if (r.ok) assert.equal(r.result.total, 4);
    off();
    assert.equal(handlers.size, 0);
  });

  it('the preload forwards calls on the channel main answers, and delivers events until unsubscribed', async () => {
    // the compiled preload (CommonJS, sandboxed: it may require 'electron' only), run against fakes of the
    // renderer's ipcRenderer and contextBridge wired to main's real IPC handler
    const handlers = new Map<string, (e: { senderFrame: { url: string } | null }, ...a: unknown[]) => Promise<unknown>>();
    registerIpc({ handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) }, backend);
    const events = new EventEmitter();
    const exposed: Record<string, unknown> = {};
    const required: string[] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void (exposed[key] = api) },
      ipcRenderer: {
        invoke: (channel: string, ...args: unknown[]) => {
          const h = handlers.get(channel);
          return h ? h({ senderFrame: { url: APP_URL } }, ...args) : Promise.reject(new Error(`no handler for ${channel}`));
        },
        on: (channel: string, l: (...a: unknown[]) => void) => events.on(channel, l),
        removeListener: (channel: string, l: (...a: unknown[]) => void) => events.removeListener(channel, l),
      },
    };
    const file = fileURLToPath(new URL('../../electron/preload/preload.js', import.meta.url));
    const run = new Function('exports', 'require', readFileSync(file, 'utf8'));
    run({}, (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return electron;
    });
    assert.deepEqual(required, ['electron']);
    const bridge = exposed.spectag as SpectagBridge;
    assert.deepEqual(Object.keys(bridge).sort(), ['call', 'onEvent']);
    const page = await bridge.call('queryLibrary', { limit: 2 });
    assert.equal(page.ok && page.result.total, 4, 'three bulk tracks and the AIFF');
    const unknown = await bridge.call('dropTables' as 'status');
    assert.equal(unknown.ok ? 'ok' : unknown.error.code, 'invalid-input');
    const seen: ApiEvent[] = [];
    const off = bridge.onEvent((e) => seen.push(e));
    const event: ApiEvent = { type: 'library-changed', reason: 'scan', fileIds: null };
    events.emit(IPC.event, {}, event);
    off();
    events.emit(IPC.event, {}, event);
    assert.deepEqual(seen, [event]);
  });

  it('rejects bad payloads before they reach the engine', async () => {
    engineCalls.length = 0;
    const bad: [unknown, unknown][] = [
      ['queryLibrary', { limit: 'all' }],
      ['queryLibrary', { sort: 'path; DROP TABLE files' }],
      ['decide', { fileId: 1, action: 'delete-file' }],
      ['decide', { fileId: 1.5, action: 'reject' }],
      ['addRoot', { path: 'x\0y' }],
      ['planWrite', { selection: { fileIds: [1] }, mode: 'overwrite-everything' }],
      ['status', 'surprise'],
      ['constructor', {}],
      [42, {}],
      [{ toString: () => 'status' }, {}],
    ];
    for (const [method, input] of bad) {
      const r = await handleCall(backend, APP_URL, method, input);
      assert.equal(r.ok, false, JSON.stringify([method, input]));
      if (!r.ok) assert.equal(r.error.code, 'invalid-input');
    }
    assert.deepEqual(engineCalls, [], 'the engine saw none of them');
  });

  it('answers only the app\'s own page', async () => {
    assert.equal(isTrustedSender(APP_URL), true);
    for (const url of ['https://evil.example/', 'file:///tmp/x.html', 'app://other/index.html', '', null]) {
      assert.equal(isTrustedSender(url), false, String(url));
      const r = await handleCall(backend, url, 'status', undefined);
      assert.equal(r.ok ? 'ok' : r.error.code, 'unauthorized');
    }
  });

  it('answers pickFolder in main (native dialog), not in the engine', async () => {
    assert.equal((await engine.status()).features.pickFolder, true, 'the window offers the dialog in the desktop app');
    engineCalls.length = 0;
    const r = await handleCall({ ...backend, local: { pickFolder: async () => '/home/me/Music' } }, APP_URL, 'pickFolder', undefined);
    assert.deepEqual(r, { ok: true, result: '/home/me/Music' });
    assert.deepEqual(engineCalls, []);
  });

  it('serves media by id with ranges and refuses anything outside the roots and the cache', async () => {
    const handler = createMediaHandler(resolver);
    const id = (await engine.queryLibrary({ limit: 1 })).rows[0]!.id;
    const whole = await handler(new Request(`spectag-media://audio/${id}`));
    assert.equal(whole.status, 200);
    const bytes = new Uint8Array(await whole.arrayBuffer());
    assert.ok(bytes.length > 100);
    const part = await handler(new Request(`spectag-media://audio/${id}`, { headers: { range: 'bytes=4-11' } }));
    assert.equal(part.status, 206);
    assert.deepEqual(new Uint8Array(await part.arrayBuffer()), bytes.slice(4, 12));
    assert.equal((await handler(new Request(`spectag-media://spectrogram/${id}`))).status, 404);
    for (const url of ['spectag-media://audio/../../etc/passwd', 'spectag-media://audio/%2e%2e%2fprivate.txt', 'spectag-media://file/1', `spectag-media://audio/${id}abc`, 'spectag-media://audio/']) {
      assert.equal((await handler(new Request(url))).status, 400, url);
    }
    assert.equal(parseMediaUrl('https://audio/1'), null);
    // an engine (or database) naming a file outside every root is not believed
    const lying: MediaResolver = { mediaPath: async () => ({ path: join(dir, 'private.txt'), status: 200, allowedDirs: [music] }) };
    const refused = await createMediaHandler(lying)(new Request(`spectag-media://audio/${id}`));
    assert.equal(refused.status, 403);
    assert.doesNotMatch(await refused.text(), /private/);
    const traversal: MediaResolver = { mediaPath: async () => ({ path: `${music}/../private.txt`, status: 200, allowedDirs: [music] }) };
    assert.equal((await createMediaHandler(traversal)(new Request(`spectag-media://audio/${id}`))).status, 403);
    // an AIFF, which Chromium cannot play: ffmpeg's WAV of it, its whole length announced, any range of it
    const aiff = (await engine.queryLibrary({ text: 'aiff tone' })).rows[0]!;
    const wav = await handler(new Request(`spectag-media://audio/${aiff.id}`, { method: 'HEAD' }));
    assert.equal(wav.headers.get('content-type'), 'audio/wav');
    assert.equal(Number(wav.headers.get('content-length')), 44 + 3 * 44100 * 2 * 2, '3 s of 16-bit stereo');
    const middle = await handler(new Request(`spectag-media://audio/${aiff.id}`, { headers: { range: 'bytes=200000-200099' } }));
    assert.equal(middle.status, 206);
    assert.equal(middle.headers.get('content-range'), `bytes 200000-200099/${44 + 3 * 44100 * 4}`);
    assert.equal((await middle.arrayBuffer()).byteLength, 100);
  });

  it('serves the window from renderer/dist only, with the CSP', async () => {
    const dist = join(dir, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html>');
    writeFileSync(join(dist, 'assets', 'a.js'), '1');
    const handler = createAppHandler(dist);
    const index = handler(new Request('app://spectag/index.html'));
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-security-policy'), APP_CSP);
    assert.match(APP_CSP, /script-src 'self'/);
    assert.equal(handler(new Request('app://spectag/assets/a.js')).status, 200);
    assert.equal(handler(new Request('app://spectag/review')).status, 200, 'routes fall back to index.html');
    for (const url of ['app://spectag/..%2fprivate.txt', 'app://spectag/%2e%2e/%2e%2e/private.txt', 'app://spectag/assets/..%2f..%2fprivate.txt', 'app://other/index.html']) {
      const r = handler(new Request(url));
      assert.equal(r.status, 404, url);
    }
  });
});

describe('main process: engine crash and restart', () => {
  class FakeProc extends EventEmitter implements EngineProcess {
    sent: unknown[] = [];
    postMessage(m: unknown): void {
      this.sent.push(m);
      if ((m as { type?: string }).type === 'shutdown') setImmediate(() => this.emit('exit', 0));
    }
    kill(): boolean {
      this.emit('exit', 9);
      return true;
    }
  }

  it('reports a crash, answers calls in flight, and restarts with back-off', async () => {
    const procs: FakeProc[] = [];
    const events: ApiEvent[] = [];
    const lines: string[] = [];
    const client = new EngineClient({
      spawn: () => {
        const p = new FakeProc();
        procs.push(p);
        setImmediate(() => p.emit('message', { type: 'ready', roots: [], cacheDir: '/c' }));
        return p;
      },
      onEvent: (e) => events.push(e),
      log: (l) => lines.push(l),
    });
    client.start();
    const inFlight = client.call('status', undefined);
    await new Promise((r) => setTimeout(r, 10));
    procs[0]!.emit('exit', 1);
    const answer = await inFlight;
    assert.equal(answer.ok, false);
    assert.ok(events.some((e) => e.type === 'engine' && e.state === 'crashed'));
    assert.match(lines[0] ?? '', /exited with code 1/);
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(procs.length, 2, 'restarted');
    assert.ok(events.some((e) => e.type === 'engine' && e.state === 'restarted'));
    const call = client.call('status', undefined);
    await new Promise((r) => setTimeout(r, 5));
    const sent = procs[1]!.sent.at(-1) as { id: number };
    procs[1]!.emit('message', { type: 'reply', id: sent.id, outcome: { ok: true, result: 'fine' } });
    assert.deepEqual(await call, { ok: true, result: 'fine' });
    await client.stop();
  });

  it('does not restart forever when the engine cannot open the database', async () => {
    const events: ApiEvent[] = [];
    let spawned = 0;
    const client = new EngineClient({
      spawn: () => {
        spawned++;
        const p = new FakeProc();
        setImmediate(() => {
          p.emit('message', { type: 'fatal', message: 'database from a newer Spectag' });
          p.emit('exit', 3);
        });
        return p;
      },
      onEvent: (e) => events.push(e),
      log: () => {},
    });
    client.start();
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(spawned, 1);
    const last = events.at(-1);
    assert.ok(last?.type === 'engine' && last.state === 'crashed' && /newer Spectag/.test(last.message));
  });
});

describe('main process: window state', () => {
  it('restores sane saved bounds and ignores off-screen or broken ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spectag-ws-'));
    const file = join(dir, 'w.json');
    assert.deepEqual(loadWindowState(file), DEFAULT_WINDOW);
    saveWindowState(file, { x: 100, y: 50, width: 1000, height: 700, maximized: true });
    assert.deepEqual(loadWindowState(file, [{ x: 0, y: 0, width: 1920, height: 1080 }]), { x: 100, y: 50, width: 1000, height: 700, maximized: true });
    assert.equal(loadWindowState(file, [{ x: 3000, y: 0, width: 800, height: 600 }]).x, undefined, 'the monitor is gone');
    writeFileSync(file, '{"width": 10, "height": "big"}');
    assert.deepEqual(loadWindowState(file), DEFAULT_WINDOW);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('main process: boot with a fake electron module', () => {
  it('opens one sandboxed, isolated window with navigation and popups blocked', () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'spectag-boot-'));
    const reportFile = join(dir, 'report.json');
    const main = join(here, '..', '..', 'electron', 'main', 'main.js');
    const r = spawnSync(process.execPath, ['--import', join(here, 'fake-electron', 'register.js'), main], {
      env: { ...process.env, FAKE_ELECTRON_REPORT: reportFile, SPECTAG_DB: join(dir, 'db.sqlite') },
      timeout: 20_000,
      encoding: 'utf8',
    });
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
      singleInstanceLock: boolean; handledProtocols: string[]; ipcChannels: string[]; menu: boolean; permissionDenied: boolean;
      schemes: { scheme: string }[]; utilityForks: { modulePath: string; env: { SPECTAG_DB?: string } }[];
      windows: { options: { webPreferences: Record<string, unknown> }; url: string; windowOpen: { action: string }; navigations: { url: string; prevented: boolean }[] }[];
    };
    rmSync(dir, { recursive: true, force: true });
    assert.equal(report.singleInstanceLock, true, r.stderr);
    assert.equal(report.windows.length, 1);
    const w = report.windows[0]!;
    assert.equal(w.options.webPreferences.contextIsolation, true);
    assert.equal(w.options.webPreferences.sandbox, true);
    assert.equal(w.options.webPreferences.nodeIntegration, false);
    assert.match(String(w.options.webPreferences.preload), /preload[\\/]preload\.js$/);
    assert.equal(w.url, 'app://spectag/index.html');
    assert.deepEqual(w.windowOpen, { action: 'deny' });
    assert.deepEqual(w.navigations.map((n) => n.prevented), [true, true, false]);
    assert.deepEqual(report.handledProtocols.sort(), ['app', 'spectag-media']);
    assert.deepEqual(report.schemes.map((s) => s.scheme).sort(), ['app', 'spectag-media']);
    assert.deepEqual(report.ipcChannels, [IPC.call]);
    assert.equal(report.permissionDenied, true);
    assert.equal(report.menu, true);
    assert.equal(report.utilityForks.length, 1, 'the engine runs in a utility process');
    assert.match(report.utilityForks[0]!.modulePath, /engine-host\.js$/);
  });
});
