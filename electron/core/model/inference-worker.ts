// Worker thread: runs the backbones on the inputs of tracks, each backbone on the items of its own front end
// (musicnn on 187 × 96 patches, EfficientAT on log-mel windows). Items of one shape from several tracks may share
// a forward pass; a track is answered once all its items are done. (Decoding happens elsewhere: a forward pass
// keeps this thread busy, which would stall an ffmpeg pipe read here.)
import { parentPort, workerData } from 'node:worker_threads';
import { loadBackbone } from './backbone.js';
import { openInference } from './inference.js';
import type { BackboneRunner } from './runner.js';
import type { InputGroup, TrackInputs } from './track-inputs.js';
import type { BackboneOutputs, WorkerInit, WorkerRequest, WorkerResponse } from './protocol.js';
import { releaseTrackGarbage } from '../jobs/thread-garbage.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const send = (msg: WorkerResponse, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

interface Pending {
  id: number;
  outputs: BackboneOutputs;
  /** items not yet through their backbone */
  left: number;
  /** keeps the inputs alive until the track is done */
  inputs: TrackInputs;
}

/** Items [from, from + n) of one input group of one track, for one backbone. */
interface Work {
  p: Pending;
  runner: BackboneRunner;
  group: InputGroup;
  /** index of the group's first item among all items of its front end (where its outputs go) */
  firstItem: number;
  from: number;
  n: number;
  /** backbone + item shape: works with the same key can share a forward pass */
  key: string;
}

let runners: BackboneRunner[] = [];
let runtime: 'onnxruntime' | 'tfjs' = 'onnxruntime';
let maxBatch = 1;
const queue: Work[] = [];
/** the pump's loop while it runs */
let pumping: Promise<void> | null = null;
let closing = false;

const wanted = (r: BackboneRunner): string[] => init.outputs?.[r.backbone.id] ?? Object.keys(r.backbone.outputs);

const started = start();

async function start(): Promise<void> {
  try {
    const backbones = await Promise.all(init.backbones.map((b) => loadBackbone(init.modelsDir, b)));
    const inference = await openInference(backbones, { forced: init.backend, threads: init.threads, optional: init.optional });
    runners = inference.runners;
    runtime = inference.report.runtime;
    // on the CPU a batch computes no faster than its items one by one, and holds every item's activations at once
    // (musicnn: ~55 MB per patch); a GPU wants batches
    maxBatch = Math.max(1, init.maxBatch ?? (inference.report.gpu ? 16 : 1));
    send({ type: 'ready', backend: inference.report });
  } catch (err) {
    send({ type: 'init-failed', message: err instanceof Error ? err.message : String(err) });
  }
}

function enqueue(id: number, inputs: TrackInputs): void {
  const p: Pending = { id, outputs: {}, left: 0, inputs };
  for (const runner of runners) {
    const input = inputs[runner.backbone.frontEnd];
    if (!input) continue;
    const items = input.groups.reduce((n, g) => n + g.count, 0);
    p.outputs[runner.backbone.id] = Object.fromEntries(wanted(runner).map((name) => [name, new Float32Array(items * runner.backbone.outputs[name]!)]));
    let firstItem = 0;
    for (const group of input.groups) {
      if (group.count > 0) {
        queue.push({ p, runner, group, firstItem, from: 0, n: group.count, key: `${runner.backbone.id}:${group.shape.join('x')}` });
        p.left += group.count;
      }
      firstItem += group.count;
    }
  }
  if (p.left === 0) {
    finish(p);
    return;
  }
  void pump();
}

function finish(p: Pending): void {
  const buffers = Object.values(p.outputs).flatMap((o) => Object.values(o).map((a) => a.buffer as ArrayBuffer));
  send({ type: 'result', id: p.id, outputs: p.outputs }, buffers);
  // the track's inputs (~2 MB) are dead now: free them before they pile up (thread-garbage.ts)
  releaseTrackGarbage();
}

/** The next forward pass: the first waiting work, and more of the same backbone and shape, up to maxBatch items. */
function takeBatch(): Work[] {
  const head = queue[0]!;
  const batch: Work[] = [];
  let total = 0;
  for (let i = 0; i < queue.length && total < maxBatch; ) {
    const w = queue[i]!;
    if (w.key !== head.key) {
      i++;
      continue;
    }
    const n = Math.min(w.n, maxBatch - total);
    batch.push({ ...w, n });
    total += n;
    if (n === w.n) queue.splice(i, 1);
    else {
      w.from += n;
      w.n -= n;
      i++;
    }
  }
  return batch;
}

async function runBatch(batch: Work[]): Promise<void> {
  const { runner, group } = batch[0]!;
  const itemSize = group.shape.reduce((a, b) => a * b, 1);
  const total = batch.reduce((n, w) => n + w.n, 0);
  let data: Float32Array;
  if (batch.length === 1) {
    data = group.data.subarray(batch[0]!.from * itemSize, (batch[0]!.from + total) * itemSize);
  } else {
    data = new Float32Array(total * itemSize);
    let at = 0;
    for (const w of batch) {
      data.set(w.group.data.subarray(w.from * itemSize, (w.from + w.n) * itemSize), at * itemSize);
      at += w.n;
    }
  }
  const names = wanted(runner);
  const res = await runner.run(data, [total, ...group.shape], names);
  for (const name of names) {
    const width = runner.backbone.outputs[name]!;
    const all = res[name]!;
    let row = 0;
    for (const w of batch) {
      w.p.outputs[runner.backbone.id]![name]!.set(all.subarray(row * width, (row + w.n) * width), (w.firstItem + w.from) * width);
      row += w.n;
    }
  }
}

/** Runs forward passes while work is waiting. */
function pump(): Promise<void> {
  pumping ??= drain().finally(() => {
    pumping = null;
  });
  return pumping;
}

async function drain(): Promise<void> {
  while (queue.length > 0 && !closing) {
    const batch = takeBatch();
    try {
      await runBatch(batch);
    } catch (err) {
      // a failed forward pass fails the tracks it carried, not the worker
      const message = `model inference failed: ${err instanceof Error ? err.message : String(err)}`;
      const failed = new Set(batch.map((w) => w.p));
      for (let i = queue.length - 1; i >= 0; i--) if (failed.has(queue[i]!.p)) queue.splice(i, 1);
      for (const p of failed) {
        p.left = -1;
        send({ type: 'failed', id: p.id, kind: 'model-failed', message });
      }
      continue;
    }
    for (const w of batch) {
      w.p.left -= w.n;
      if (w.p.left === 0) finish(w.p);
    }
    // let tracks that arrived meanwhile add their items before the next pass
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * Ending the thread while ONNX Runtime computes in it aborts the whole process (a native error thrown where nothing
 * can catch it), so the pool asks first: the pass in flight finishes, the sessions are released, then the pool may
 * end the thread.
 */
async function close(): Promise<void> {
  closing = true;
  queue.length = 0;
  await started;
  await pumping;
  await Promise.all(runners.map((r) => r.release()));
  runners = [];
  send({ type: 'closed' });
}

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'close') {
    void close();
  } else if (closing) {
    // the pool has already failed everything it sent
  } else if (msg.type === 'memory') {
    if (runtime === 'tfjs') {
      void import('./tfjs-runner.js').then(({ tfjsMemory }) => send({ type: 'memory', id: msg.id, ...tfjsMemory() }));
    } else {
      send({ type: 'memory', id: msg.id, numTensors: 0, numBytes: 0 });
    }
  } else {
    enqueue(msg.id, msg.inputs);
  }
});

await started;
