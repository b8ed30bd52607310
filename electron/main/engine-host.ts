// Runs inside Electron's utility process (plain Node, off the main process): the engine service with its
// database, scans, analysis, writes and the library watcher. Talks to main over process.parentPort.
// It never imports 'electron' (the parent port is part of the utility process's `process`).
import { EngineService } from '../core/service/engine.js';
import { dispatchCall } from '../core/service/dispatch.js';
import { answerMedia, type FromEngine, type ToEngine } from './engine-protocol.js';

/** The part of Electron's ParentPort used here. */
interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!port) throw new Error('engine-host must run in an Electron utility process');
const send = (m: FromEngine) => port.postMessage(m);

const dbPath = process.env.SPECTAG_DB;
if (!dbPath) throw new Error('SPECTAG_DB not set by the main process');

let engine: EngineService;
try {
  engine = new EngineService({ dbPath, host: 'electron', watch: process.env.SPECTAG_WATCH !== '0' });
} catch (err) {
  // e.g. a database written by a newer Spectag: the window shows this message instead of restarting forever
  send({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
  process.exit(3);
}
engine.subscribe((event) => send({ type: 'event', event }));

port.on('message', (e) => {
  const m = e.data as ToEngine;
  if (m.type === 'call') {
    void dispatchCall(engine, m.method, m.input).then((outcome) => send({ type: 'reply', id: m.id, outcome }));
  } else if (m.type === 'media') {
    void answerMedia(engine, m.ref).then((reply) => send({ type: 'media', id: m.id, ...reply }));
  } else if (m.type === 'shutdown') {
    void engine.close().finally(() => process.exit(0));
  }
});

send({ type: 'ready', roots: engine.mediaRoots().slice(0, -1), cacheDir: engine.cacheDir });
