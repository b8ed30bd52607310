// A pool of inference worker threads, one per core by default: one single-threaded session per worker scales
// better on the CPU than one session with several threads (and TF.js wasm is single-threaded in Node anyway).
// The first worker chooses the backend (provider self-tests included); the others are started on its choice.
// On a GPU one worker feeds the device.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { InferenceBackend, InferenceReport } from '../../shared/genres-model.js';
import type { BackboneOutputs, WorkerInit, WorkerJob, WorkerRequest, WorkerResponse } from './protocol.js';
import { inputBuffers, type TrackInputs } from './track-inputs.js';

/** How long close() waits for a worker to finish its forward pass in flight (a musicnn patch: ~50 ms). */
const CLOSE_WAIT_MS = 30_000;

export interface PoolOptions {
  workers?: number;
  backend?: InferenceBackend;
  modelsDir: string;
  backbones: string[];
  /** backbones the TF.js fallback may leave out (it has no version of them) */
  optional?: string[];
  /** per backbone, the outputs to return (default: all) */
  outputs?: Record<string, string[]>;
  /** ONNX Runtime CPU threads per worker (default 1) */
  threads?: number;
  /** items per forward pass (default: 1 on the CPU, 16 on a GPU) */
  maxBatch?: number;
  /** tracks a worker holds at once, batched together into forward passes (default 3) */
  perWorker?: number;
}

export interface TrackOutputs {
  outputs: BackboneOutputs;
}

export class TrackAnalysisError extends Error {
  constructor(readonly kind: string, message: string) {
    super(message);
    this.name = 'TrackAnalysisError';
  }
}

interface Job {
  request: WorkerJob;
  transfer: ArrayBuffer[];
  resolve(r: TrackOutputs | { numTensors: number; numBytes: number }): void;
  reject(e: Error): void;
  worker?: Slot;
}

interface Slot {
  worker: Worker;
  busy: number;
  ready: boolean;
}

/**
 * One inference worker per two cores. The forward passes are about a third of a track's CPU (bench:stages: ~230 of
 * ~650 ms with both backbones), the rest is decoding and the front ends in the analysis threads; each worker holds
 * its own ONNX Runtime sessions and their activation memory. On 2 loaded cores (bench:analyze, same run) 1 worker
 * analysed as fast as 2 (0.31 tracks/s both) with ~75 MB less at peak.
 */
function defaultInferenceWorkers(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

export class InferencePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly active = new Map<number, Job>();
  private nextId = 1;
  private closed = false;
  private readonly perWorker: number;
  /** resolves with the first worker's backend report (the others run on its choice) */
  readonly backend: Promise<InferenceReport>;
  private readonly size0: number;
  /** the backend the first worker chose (replacements of crashed workers use it) */
  private chosen: InferenceBackend | undefined;

  constructor(private readonly opts: PoolOptions) {
    this.perWorker = opts.perWorker ?? 3;
    let resolveBackend!: (r: InferenceReport) => void;
    let rejectBackend!: (e: Error) => void;
    this.backend = new Promise((res, rej) => {
      resolveBackend = res;
      rejectBackend = rej;
    });
    // a rejected backend promise nobody awaits must not crash the process
    this.backend.catch(() => {});
    this.size0 = Math.max(1, opts.workers ?? defaultInferenceWorkers());
    let first = true;
    this.spawn(this.opts.backend, (r) => {
      resolveBackend(r);
      if (!first) return;
      first = false;
      // the others start on the first one's choice; a GPU is fed by one worker
      for (let i = 1; i < (r.gpu ? 1 : this.size0); i++) this.spawn(r.name, () => {}, rejectBackend);
    }, rejectBackend);
  }

  private spawn(backend: InferenceBackend | undefined, onReady: (r: InferenceReport) => void, onFail: (e: Error) => void): void {
    const init: WorkerInit = {
      backend,
      modelsDir: this.opts.modelsDir,
      backbones: this.opts.backbones,
      optional: this.opts.optional,
      outputs: this.opts.outputs,
      maxBatch: this.opts.maxBatch,
      threads: this.opts.threads ?? 1,
    };
    const slot: Slot = { worker: new Worker(new URL('./inference-worker.js', import.meta.url), { workerData: init }), busy: 0, ready: false };
    this.slots.push(slot);
    slot.worker.on('message', (msg: WorkerResponse) => {
      if (msg.type === 'ready') {
        slot.ready = true;
        this.chosen ??= msg.backend.name;
        onReady(msg.backend);
        this.dispatch();
        return;
      }
      if (msg.type === 'init-failed') {
        const err = new Error(`model worker could not start: ${msg.message}`);
        onFail(err);
        this.failAll(err);
        return;
      }
      if (msg.type === 'closed') return;
      const job = this.active.get(msg.id);
      if (!job) return;
      this.active.delete(msg.id);
      slot.busy--;
      if (msg.type === 'result') job.resolve({ outputs: msg.outputs });
      else if (msg.type === 'memory') job.resolve({ numTensors: msg.numTensors, numBytes: msg.numBytes });
      else job.reject(new TrackAnalysisError(msg.kind, msg.message));
      this.dispatch();
    });
    const dead = (why: string): void => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      // a crashed worker fails only its own tracks; a fresh one takes its place
      for (const [id, job] of this.active) {
        if (job.worker !== slot) continue;
        this.active.delete(id);
        job.reject(new TrackAnalysisError('analysis-failed', `model worker died: ${why}`));
      }
      if (!this.closed) this.spawn(this.chosen ?? backend, onReady, onFail);
    };
    slot.worker.on('error', (err) => dead(err.message));
    slot.worker.on('exit', (code) => {
      if (!this.closed) dead(`exit code ${code}`);
    });
  }

  private failAll(err: Error): void {
    for (const job of this.queue.splice(0)) job.reject(err);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let best: Slot | undefined;
      for (const s of this.slots) if (s.ready && s.busy < this.perWorker && (!best || s.busy < best.busy)) best = s;
      if (!best) return;
      const job = this.queue.shift()!;
      job.worker = best;
      best.busy++;
      this.active.set(job.request.id, job);
      best.worker.postMessage(job.request, job.transfer);
    }
  }

  private submit<T>(make: (id: number) => WorkerJob, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new Error('inference pool is closed'));
    const request = make(this.nextId++);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ request, transfer, resolve: resolve as Job['resolve'], reject });
      this.dispatch();
    });
  }

  /** Run every backbone on the items of its front end; the input buffers are transferred. */
  analyze(inputs: TrackInputs): Promise<TrackOutputs> {
    return this.submit((id) => ({ type: 'track', id, inputs }), inputBuffers(inputs));
  }

  /** Live tensor count of every worker (leak checks). */
  async memory(): Promise<{ numTensors: number; numBytes: number }[]> {
    // one request per worker: each is queued to the least busy worker, so wait for idleness first
    return Promise.all(
      this.slots.map(
        (slot) =>
          new Promise<{ numTensors: number; numBytes: number }>((resolve, reject) => {
            const id = this.nextId++;
            const job: Job = { request: { type: 'memory', id }, transfer: [], resolve: resolve as Job['resolve'], reject, worker: slot };
            slot.busy++;
            this.active.set(id, job);
            slot.worker.postMessage(job.request);
          }),
      ),
    );
  }

  get size(): number {
    return this.slots.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    const err = new Error('inference pool closed');
    this.failAll(err);
    // what the workers hold is dropped unanswered
    for (const job of this.active.values()) job.reject(err);
    this.active.clear();
    // each worker finishes its forward pass in flight and releases its sessions first (ending a thread inside
    // ONNX Runtime aborts the process); one that does not answer within CLOSE_WAIT_MS is ended anyway
    await Promise.all(this.slots.map(async (s) => {
      await new Promise<void>((done) => {
        const timer = setTimeout(done, CLOSE_WAIT_MS);
        const finish = (): void => {
          clearTimeout(timer);
          done();
        };
        s.worker.on('message', (msg: WorkerResponse) => msg.type === 'closed' && finish());
        s.worker.once('exit', finish);
        s.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
      });
      await s.worker.terminate();
    }));
  }
}
