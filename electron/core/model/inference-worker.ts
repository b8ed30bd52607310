// Worker thread: runs the backbones on the patches of tracks. Patches of several tracks share a forward pass;
// a track is answered once all its patches are done. (Decoding happens elsewhere: a forward pass keeps this
// thread busy, which would stall an ffmpeg pipe read here.)
import { parentPort, workerData } from 'node:worker_threads';
import { loadBackbone } from './backbone.js';
import { openInference } from './inference.js';
import type { BackboneRunner } from './runner.js';
import type { BackboneOutputs, WorkerInit, WorkerRequest, WorkerResponse } from './protocol.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const send = (msg: WorkerResponse, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

interface Pending {
  id: number;
  data: Float32Array;
  count: number;
  /** next patch of this track not yet sent to the model */
  next: number;
  outputs: BackboneOutputs;
}

let runners: BackboneRunner[] = [];
let runtime: 'onnxruntime' | 'tfjs' = 'onnxruntime';
const ready: Pending[] = [];
let running = false;

const wanted = (r: BackboneRunner): string[] => init.outputs?.[r.backbone.id] ?? Object.keys(r.backbone.outputs);

async function start(): Promise<void> {
  try {
    const backbones = await Promise.all(init.backbones.map((b) => loadBackbone(init.modelsDir, b)));
    const sizes = new Set(backbones.map((b) => b.patchSize));
    // one patch buffer feeds every backbone: they must share a front end until tracks carry one input per front end
    if (sizes.size > 1) throw new Error(`backbones ${init.backbones.join(', ')} take different inputs`);
    const inference = await openInference(backbones, { forced: init.backend, threads: init.threads });
    runners = inference.runners;
    runtime = inference.report.runtime;
    send({ type: 'ready', backend: inference.report });
  } catch (err) {
    send({ type: 'init-failed', message: err instanceof Error ? err.message : String(err) });
  }
}

function enqueue(id: number, data: Float32Array, count: number): void {
  const outputs: BackboneOutputs = {};
  for (const r of runners) {
    outputs[r.backbone.id] = Object.fromEntries(wanted(r).map((name) => [name, new Float32Array(count * r.backbone.outputs[name]!)]));
  }
  const p: Pending = { id, data, count, next: 0, outputs };
  if (count === 0) {
    finish(p);
    return;
  }
  ready.push(p);
  void pump();
}

function finish(p: Pending): void {
  const buffers = Object.values(p.outputs).flatMap((o) => Object.values(o).map((a) => a.buffer as ArrayBuffer));
  send({ type: 'result', id: p.id, outputs: p.outputs }, buffers);
}

/** One forward pass of every backbone over `total` patches; outputs are copied into each track's arrays. */
async function runBatch(batch: Float32Array, total: number, slices: { p: Pending; from: number; n: number }[]): Promise<void> {
  for (const r of runners) {
    const names = wanted(r);
    const res = await r.run(batch, total, names);
    for (const name of names) {
      const width = r.backbone.outputs[name]!;
      const all = res[name]!;
      let row = 0;
      for (const s of slices) {
        s.p.outputs[r.backbone.id]![name]!.set(all.subarray(row * width, (row + s.n) * width), s.from * width);
        row += s.n;
      }
    }
  }
}

/** Runs forward passes while patches are waiting; each pass takes up to maxBatch patches across tracks. */
async function pump(): Promise<void> {
  if (running) return;
  running = true;
  const patchSize = runners[0]!.backbone.patchSize;
  try {
    while (ready.length > 0) {
      const slices: { p: Pending; from: number; n: number }[] = [];
      let total = 0;
      for (const p of ready) {
        if (total >= init.maxBatch) break;
        const n = Math.min(p.count - p.next, init.maxBatch - total);
        slices.push({ p, from: p.next, n });
        total += n;
      }
      const batch = new Float32Array(total * patchSize);
      let at = 0;
      for (const s of slices) {
        batch.set(s.p.data.subarray(s.from * patchSize, (s.from + s.n) * patchSize), at * patchSize);
        s.p.next += s.n;
        at += s.n;
      }
      try {
        await runBatch(batch, total, slices);
      } catch (err) {
        // a failed forward pass fails the tracks it carried, not the worker
        const message = `model inference failed: ${err instanceof Error ? err.message : String(err)}`;
        for (const s of slices) {
          const i = ready.indexOf(s.p);
          if (i < 0) continue;
          ready.splice(i, 1);
          send({ type: 'failed', id: s.p.id, kind: 'model-failed', message });
        }
        continue;
      }
      for (const s of slices) {
        if (s.p.next === s.p.count) {
          ready.splice(ready.indexOf(s.p), 1);
          finish(s.p);
        }
      }
      // let tracks that arrived meanwhile add their patches before the next pass
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    running = false;
  }
}

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'memory') {
    if (runtime === 'tfjs') {
      void import('./tfjs-runner.js').then(({ tfjsMemory }) => send({ type: 'memory', id: msg.id, ...tfjsMemory() }));
    } else {
      send({ type: 'memory', id: msg.id, numTensors: 0, numBytes: 0 });
    }
  } else {
    enqueue(msg.id, msg.data, msg.count);
  }
});

await start();
