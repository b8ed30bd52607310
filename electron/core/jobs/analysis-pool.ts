// A pool of worker threads that listen to tracks (decode + spectrogram). The pool knows every ffmpeg its
// threads started, so that a thread that dies leaves no decoder running, and a crashed thread is replaced.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { TrackJob, TrackOutcome } from './analyze-track.js';
import type { FromWorker, ToWorker, WorkerConfig } from './protocol.js';

/**
 * Listening alone: one thread per core (at most 8): ffmpeg runs in its own processes, a thread mostly waits for it and
 * computes FFTs. With the model: half the cores, rounded up (the inference workers take the other half, model/pool.ts):
 * a listening thread's share of a track (~100 ms: spectrograms, picture) is about that of the forward passes and of
 * ffmpeg, and each thread holds its own heap and allocator arena (~50-110 MB). Measured on 2 cores (bench:analyze,
 * 5 alternating rounds at load 6-10): 1 listening thread instead of 2 held ~110 MB less at the peak, with tracks/s
 * within the noise (medians 1.70 and 1.94), node's CPU per track ~30 ms higher and ffmpeg's ~20 ms lower.
 */
export function defaultAnalysisWorkers(withModel = false): number {
  const cores = availableParallelism();
  return Math.max(1, Math.min(8, withModel ? Math.ceil(cores / 2) : cores));
}

interface Pending {
  resolve(o: TrackOutcome): void;
  slot: Slot;
}

interface Slot {
  worker: Worker;
  load: number;
  /** ffmpeg children this thread has running */
  pids: Set<number>;
}

const CLOSE_GRACE_MS = 5000;

export class AnalysisPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** threads that died and were replaced (for reports and tests) */
  crashes = 0;

  constructor(readonly size = defaultAnalysisWorkers(), private readonly config: WorkerConfig = {}) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  private spawn(): void {
    const worker = new Worker(new URL('./analysis-worker.js', import.meta.url), { workerData: this.config });
    const slot: Slot = { worker, load: 0, pids: new Set() };
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'process') {
        if (msg.running) slot.pids.add(msg.pid);
        else slot.pids.delete(msg.pid);
      } else if (msg.type === 'result') {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        slot.load--;
        p.resolve(msg.outcome);
      }
    });
    worker.on('error', (err) => this.failSlot(slot, `analysis thread crashed: ${err.message}`));
    worker.on('exit', (code) => {
      if (!this.closed) this.failSlot(slot, `analysis thread exited unexpectedly (code ${code})`);
    });
    this.slots.push(slot);
  }

  /** A dead thread fails only its own tracks (as 'killed': they are retried) and is replaced. */
  private failSlot(slot: Slot, message: string): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    this.crashes++;
    killAll(slot.pids);
    for (const [id, p] of this.pending) {
      if (p.slot !== slot) continue;
      this.pending.delete(id);
      p.resolve({ ok: false, kind: 'killed', message, decodeMs: 0 });
    }
    void slot.worker.terminate();
    if (!this.closed) this.spawn();
  }

  /** Tracks in flight over all threads. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Thread ids, for tests that kill one. */
  get threads(): readonly Worker[] {
    return this.slots.map((s) => s.worker);
  }

  run(job: TrackJob, signal?: AbortSignal): Promise<TrackOutcome> {
    if (this.closed) return Promise.reject(new Error('analysis pool is closed'));
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.load < slot.load) slot = s;
    const id = this.nextId++;
    slot.load++;
    return new Promise<TrackOutcome>((resolve) => {
      const onAbort = () => {
        if (this.pending.has(id)) slot.worker.postMessage({ type: 'cancel', id } satisfies ToWorker);
      };
      this.pending.set(id, {
        resolve: (o) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(o);
        },
        slot,
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      slot.worker.postMessage({ type: 'track', id, job } satisfies ToWorker);
      if (signal?.aborted) onAbort();
    });
  }

  /**
   * Stop: every thread aborts its tracks and answers once all its ffmpeg children have exited (pending
   * tracks resolve as 'cancelled'). A thread that does not answer in time is terminated and its children killed.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        const answered = new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), CLOSE_GRACE_MS);
          slot.worker.on('message', (m: FromWorker) => {
            if (m.type === 'closed') {
              clearTimeout(timer);
              resolve(true);
            }
          });
          slot.worker.once('exit', () => {
            clearTimeout(timer);
            resolve(false);
          });
        });
        slot.worker.postMessage({ type: 'close' } satisfies ToWorker);
        await answered;
        // let the last result messages arrive before the thread goes
        await new Promise((r) => setImmediate(r));
        killAll(slot.pids);
        await slot.worker.terminate();
      }),
    );
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.resolve({ ok: false, kind: 'cancelled', message: 'cancelled', decodeMs: 0 });
    }
  }
}

function killAll(pids: Set<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already exited
    }
  }
  pids.clear();
}
