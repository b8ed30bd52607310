// A pool of worker threads that read audio files in parallel. Each worker keeps a few files in flight
// so disk waits overlap; the caller bounds the total in flight (and so the memory used). Scans share one pool
// that stays warm a little while after the last one (a fresh reader thread costs ~150 ms of CPU to start and
// compile its hot code: more than reading a few hundred files), without keeping the process alive.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { ReadResult } from '../db/files.js';
import type { ReadReply, ReadRequest } from './read-worker.js';

interface Pending {
  resolve(r: ReadResult): void;
  worker: Worker;
  path: string;
}

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export class ReadPool {
  private readonly workers: Worker[] = [];
  private readonly load = new Map<Worker, number>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** requests not yet sent: collected within one turn of the event loop, then sent in one message per worker */
  private outgoing: { req: ReadRequest; worker: Worker }[] = [];
  private sendScheduled = false;
  /** whether the workers keep the process alive (while a scan waits for them) */
  private held = true;

  constructor(readonly size = defaultWorkerCount()) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Hold the process open while in use; let it exit while idle. */
  hold(held: boolean): void {
    this.held = held;
    for (const w of this.workers) {
      if (held) w.ref();
      else w.unref();
    }
  }

  private spawn(): void {
    const w = new Worker(new URL('./read-worker.js', import.meta.url));
    if (!this.held) w.unref();
    w.on('message', (replies: ReadReply[]) => {
      for (const msg of replies) {
        const p = this.pending.get(msg.id);
        if (!p) continue;
        this.pending.delete(msg.id);
        this.load.set(w, (this.load.get(w) ?? 1) - 1);
        p.resolve(msg.result);
      }
    });
    // a worker that dies fails only its own files; a fresh one takes its place
    w.on('error', (err) => this.failWorker(w, `reader crashed: ${err.message}`));
    w.on('exit', (code) => {
      if (!this.closed) this.failWorker(w, `reader exited (code ${code})`);
    });
    this.workers.push(w);
    this.load.set(w, 0);
  }

  private failWorker(w: Worker, message: string): void {
    const i = this.workers.indexOf(w);
    if (i < 0) return;
    this.workers.splice(i, 1);
    this.load.delete(w);
    for (const [id, p] of this.pending) {
      if (p.worker !== w) continue;
      this.pending.delete(id);
      p.resolve({ ok: false, contentId: null, errorKind: 'unreadable', errorMessage: message });
    }
    void w.terminate();
    if (!this.closed) this.spawn();
  }

  read(path: string): Promise<ReadResult> {
    if (this.closed) return Promise.reject(new Error('read pool is closed'));
    let best = this.workers[0]!;
    for (const w of this.workers) if ((this.load.get(w) ?? 0) < (this.load.get(best) ?? 0)) best = w;
    const id = this.nextId++;
    this.load.set(best, (this.load.get(best) ?? 0) + 1);
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, worker: best, path });
      this.outgoing.push({ req: { id, path }, worker: best });
      if (!this.sendScheduled) {
        this.sendScheduled = true;
        setImmediate(() => this.send());
      }
    });
  }

  private send(): void {
    this.sendScheduled = false;
    const byWorker = new Map<Worker, ReadRequest[]>();
    for (const { req, worker } of this.outgoing) {
      if (!this.pending.has(req.id)) continue; // its worker died meanwhile
      byWorker.set(worker, [...(byWorker.get(worker) ?? []), req]);
    }
    this.outgoing = [];
    for (const [worker, reqs] of byWorker) worker.postMessage(reqs);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** How long an idle shared pool stays warm. */
const IDLE_MS = 60_000;
let shared: { pool: ReadPool; users: number; timer: NodeJS.Timeout | null } | null = null;

/** The shared pool with `size` workers (a new one when the size differs and nobody uses the old one). */
export function acquireReadPool(size: number): ReadPool {
  if (shared && (shared.pool.isClosed || (shared.pool.size !== size && shared.users === 0))) {
    if (shared.timer) clearTimeout(shared.timer);
    void shared.pool.close();
    shared = null;
  }
  if (!shared || shared.pool.size !== size) {
    // a scan already uses a pool of another size: this one gets its own, closed when released
    if (shared) return new ReadPool(size);
    shared = { pool: new ReadPool(size), users: 0, timer: null };
  }
  if (shared.timer) clearTimeout(shared.timer);
  shared.timer = null;
  shared.users++;
  shared.pool.hold(true);
  return shared.pool;
}

export async function releaseReadPool(pool: ReadPool): Promise<void> {
  if (!shared || shared.pool !== pool) return pool.close();
  if (--shared.users > 0) return;
  pool.hold(false);
  const s = shared;
  s.timer = setTimeout(() => {
    if (shared === s && s.users === 0) {
      shared = null;
      void pool.close();
    }
  }, IDLE_MS);
  s.timer.unref();
}
