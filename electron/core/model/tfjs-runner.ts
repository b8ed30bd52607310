// The TF.js fallback runtime: the musicnn rebuild in musicnn.ts on a TF.js backend (tfjs-node-gpu, tfjs-node,
// wasm), for machines where onnxruntime-node cannot load. Loaded only when needed: TF.js costs memory.
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from './backbone.js';
import { loadMusicnn, type MusicnnModel } from './musicnn.js';
import type { BackboneRunner } from './runner.js';

export class TfjsRunner implements BackboneRunner {
  private constructor(
    readonly backbone: Backbone,
    private readonly model: MusicnnModel,
  ) {}

  static async open(backbone: Backbone): Promise<TfjsRunner> {
    if (!backbone.tfjsDir || backbone.frontEnd !== 'musicnn-logmel-16k') throw new Error(`${backbone.id} has no TF.js version (ONNX Runtime only)`);
    return new TfjsRunner(backbone, await loadMusicnn(backbone.tfjsDir, backbone.id));
  }

  async run(batch: Float32Array, shape: readonly number[], outputs: readonly string[] = Object.keys(this.backbone.outputs)): Promise<Record<string, Float32Array>> {
    const [n, frames, bands] = shape as [number, number, number];
    const x = tf.tensor3d(batch, [n, frames, bands]);
    try {
      const o = this.model.predict(x);
      try {
        const all: Record<string, tf.Tensor> = { tags: o.tags, embedding: o.embedding, pooled: o.pooled };
        const out: Record<string, Float32Array> = {};
        for (const name of outputs) {
          const t = all[name];
          if (!t) throw new Error(`${this.backbone.id}: the TF.js rebuild has no output ${name}`);
          out[name] = (await t.data()) as Float32Array;
        }
        return out;
      } finally {
        tf.dispose([o.tags, o.embedding, o.pooled]);
      }
    } finally {
      x.dispose();
    }
  }

  release(): Promise<void> {
    this.model.dispose();
    return Promise.resolve();
  }
}

/** Live TF.js tensors (leak checks). */
export function tfjsMemory(): { numTensors: number; numBytes: number } {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
}
