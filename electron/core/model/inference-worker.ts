// Worker thread: runs the musicnn backbones on the patches of tracks. Patches of several tracks share a
// forward pass; a track is answered once all its patches are done. (Decoding happens elsewhere: a forward
// pass blocks this thread for seconds, which would stall an ffmpeg pipe read here.)
import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './backend.js';
import { loadMusicnn, type MusicnnModel } from './musicnn.js';
import { PATCH_SIZE } from './track-patches.js';
import { POOLED_SIZE, type BackboneOutputs, type WorkerInit, type WorkerRequest, type WorkerResponse } from './protocol.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const send = (msg: WorkerResponse, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

interface Pending {
  id: number;
  data: Float32Array;
  count: number;
  startSec: number[];
  /** next patch of this track not yet sent to the model */
  next: number;
  outputs: BackboneOutputs;
}

let models: MusicnnModel[] = [];
const ready: Pending[] = [];
let running = false;

async function start(): Promise<void> {
  try {
    const backend = await selectBackend(init.backend);
    models = await Promise.all(init.backbones.map((b) => loadMusicnn(join(init.modelsDir, b), b)));
    send({ type: 'ready', backend });
  } catch (err) {
    send({ type: 'init-failed', message: err instanceof Error ? err.message : String(err) });
  }
}

function enqueue(id: number, data: Float32Array, count: number, startSec: number[]): void {
  const outputs: BackboneOutputs = {};
  for (const m of models) {
    outputs[m.id] = {
      tags: new Float32Array(count * m.tagNames.length),
      embedding: new Float32Array(count * 200),
      pooled: new Float32Array(count * POOLED_SIZE),
    };
  }
  if (count === 0) {
    finish({ id, data, count, startSec, next: 0, outputs });
    return;
  }
  ready.push({ id, data, count, startSec, next: 0, outputs });
  void pump();
}

function finish(p: Pending): void {
  const buffers = Object.values(p.outputs).flatMap((o) => [o.tags.buffer, o.embedding.buffer, o.pooled.buffer] as ArrayBuffer[]);
  send({ type: 'result', id: p.id, startSec: p.startSec, outputs: p.outputs }, buffers);
}

/** One forward pass of every backbone over `total` patches; outputs are copied into each track's arrays. */
async function runBatch(batch: Float32Array, total: number, slices: { p: Pending; from: number; n: number }[]): Promise<void> {
  const x = tf.tensor3d(batch, [total, 187, 96]);
  try {
    for (const m of models) {
      const out = m.predict(x);
      let tags: Float32Array;
      let emb: Float32Array;
      let pooled: Float32Array;
      try {
        [tags, emb, pooled] = (await Promise.all([out.tags.data(), out.embedding.data(), out.pooled.data()])) as Float32Array[] as [
          Float32Array,
          Float32Array,
          Float32Array,
        ];
      } finally {
        tf.dispose([out.tags, out.embedding, out.pooled]);
      }
      const nTags = m.tagNames.length;
      let row = 0;
      for (const s of slices) {
        const o = s.p.outputs[m.id]!;
        o.tags.set(tags.subarray(row * nTags, (row + s.n) * nTags), s.from * nTags);
        o.embedding.set(emb.subarray(row * 200, (row + s.n) * 200), s.from * 200);
        o.pooled.set(pooled.subarray(row * POOLED_SIZE, (row + s.n) * POOLED_SIZE), s.from * POOLED_SIZE);
        row += s.n;
      }
    }
  } finally {
    x.dispose();
  }
}

/** Runs forward passes while patches are waiting; each pass takes up to maxBatch patches across tracks. */
async function pump(): Promise<void> {
  if (running) return;
  running = true;
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
      const batch = new Float32Array(total * PATCH_SIZE);
      let at = 0;
      for (const s of slices) {
        batch.set(s.p.data.subarray(s.from * PATCH_SIZE, (s.from + s.n) * PATCH_SIZE), at * PATCH_SIZE);
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
      // let decodes that finished meanwhile add their patches before the next pass
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    running = false;
  }
}

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'memory') {
    const m = tf.memory();
    send({ type: 'memory', id: msg.id, numTensors: m.numTensors, numBytes: m.numBytes });
  } else {
    enqueue(msg.id, msg.data, msg.count, Array.from({ length: msg.count }, () => 0));
  }
});

await start();
