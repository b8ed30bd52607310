// The main process's handle on the engine running in a utility process: request/response over
// postMessage, events forwarded to the window, and crash handling (report, restart with back-off).
import type { ApiEvent, CallOutcome, MediaRef } from '../shared/api.js';
import type { FromEngine, MediaReply, ToEngine } from './engine-protocol.js';

/** The part of Electron's UtilityProcess this needs (a fake in tests). */
export interface EngineProcess {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  kill(): boolean;
}

export interface EngineClientOptions {
  spawn(): EngineProcess;
  onEvent(event: ApiEvent): void;
  /** a line for the crash log */
  log(line: string): void;
  /** give up after this many crashes within a minute (the window then shows the reason) */
  maxCrashesPerMinute?: number;
}

type Pending = { resolve(v: unknown): void; timer: NodeJS.Timeout | null };

export class EngineClient {
  private proc: EngineProcess | null = null;
  private seq = 0;
  private pending = new Map<number, Pending>();
  private crashes: number[] = [];
  private stopping = false;
  private ready: Promise<void> = Promise.resolve();
  private fatal: string | null = null;

  constructor(private readonly opts: EngineClientOptions) {}

  start(): void {
    this.stopping = false;
    const proc = this.opts.spawn();
    this.proc = proc;
    let markReady: () => void = () => {};
    this.ready = new Promise((r) => (markReady = r));
    proc.on('message', (raw) => {
      const m = raw as FromEngine;
      if (m.type === 'ready') markReady();
      else if (m.type === 'event') this.opts.onEvent(m.event);
      else if (m.type === 'fatal') this.fatal = m.message;
      else if (m.type === 'reply' || m.type === 'media') this.settle(m.id, m);
    });
    proc.on('exit', (code) => this.onExit(proc, code));
  }

  private settle(id: number, value: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (p.timer) clearTimeout(p.timer);
    p.resolve(value);
  }

  private onExit(proc: EngineProcess, code: number): void {
    if (proc !== this.proc) return;
    this.proc = null;
    // every call in flight gets an answer: the engine is gone
    for (const [id] of this.pending) {
      this.settle(id, { type: 'reply', id, outcome: { ok: false, error: { code: 'internal', message: 'the engine stopped while answering; try again' } } });
    }
    if (this.stopping) return;
    const now = Date.now();
    this.crashes = this.crashes.filter((t) => now - t < 60_000);
    this.crashes.push(now);
    const why = this.fatal ?? `the engine process exited with code ${code}`;
    this.opts.log(`${new Date(now).toISOString()} engine crashed: ${why}`);
    const max = this.opts.maxCrashesPerMinute ?? 5;
    if (this.fatal || this.crashes.length >= max) {
      this.opts.onEvent({ type: 'engine', state: 'crashed', message: `Spectag's engine stopped and was not restarted: ${why}` });
      return;
    }
    const delay = Math.min(30_000, 500 * 2 ** (this.crashes.length - 1));
    this.opts.onEvent({ type: 'engine', state: 'crashed', message: `Spectag's engine stopped (${why}); restarting…` });
    setTimeout(() => {
      if (this.stopping) return;
      this.start();
      void this.ready.then(() => this.opts.onEvent({ type: 'engine', state: 'restarted', message: 'The engine was restarted; unfinished jobs can be started again (finished work is kept).' }));
    }, delay);
  }

  private async request(make: (id: number) => ToEngine, timeoutMs: number): Promise<unknown> {
    await this.ready;
    const proc = this.proc;
    if (!proc) return { type: 'reply', id: 0, outcome: { ok: false, error: { code: 'internal', message: this.fatal ?? 'the engine is not running' } } };
    const id = ++this.seq;
    return new Promise((resolve) => {
      const timer = timeoutMs > 0
        ? setTimeout(() => this.settle(id, { type: 'reply', id, outcome: { ok: false, error: { code: 'internal', message: 'the engine did not answer in time' } } }), timeoutMs)
        : null;
      this.pending.set(id, { resolve, timer });
      proc.postMessage(make(id));
    });
  }

  async call(method: string, input: unknown): Promise<CallOutcome> {
    const r = (await this.request((id) => ({ type: 'call', id, method, input }), 120_000)) as { outcome: CallOutcome };
    return r.outcome;
  }

  async mediaPath(ref: MediaRef): Promise<MediaReply> {
    const r = (await this.request((id) => ({ type: 'media', id, ref }), 20_000)) as Partial<MediaReply>;
    return { path: r.path ?? null, status: r.status ?? 500, allowedDirs: r.allowedDirs ?? [], cache: r.cache, preview: r.preview };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const proc = this.proc;
    if (!proc) return;
    proc.postMessage({ type: 'shutdown' } satisfies ToEngine);
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        proc.kill();
        resolve();
      }, 5000);
      proc.on('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
