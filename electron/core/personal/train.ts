// Training the personal genre head with TF.js on the best backend the default model's chain finds
// (model/backend.ts: tfjs-node-gpu → tfjs-node → wasm → cpu). The gradients of the two small dense layers are written out by hand: the Node
// build of tfjs-core ships without the gradient registry (that lives in the @tensorflow/tfjs bundle), and
// a softmax-cross-entropy + ReLU backward pass is four matrix products, so no dependency is worth it.
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendName, type BackendReport } from '../model/backend.js';
import type { DenseLayer } from '../db/personal-head.js';
import { rng } from '../../shared/random.js';

export interface TrainingSet {
  /** n × d features, row-major (already standardised by the caller, see standardise) */
  x: Float32Array;
  n: number;
  d: number;
  /** n × k target distributions (a track with two genres has 0.5 on each) */
  y: Float32Array;
  k: number;
  /** n sample weights */
  weight: Float32Array;
}

export interface TrainOptions {
  /** hidden ReLU units; 0: one linear softmax layer */
  hidden: number;
  /** L2 penalty on the weights (not the biases), per unit of mean loss */
  l2: number;
  learningRate: number;
  batchSize: number;
  /** about this many optimiser steps, within [minEpochs, maxEpochs] passes over the data */
  targetSteps: number;
  minEpochs: number;
  maxEpochs: number;
  seed: number;
  signal?: AbortSignal;
}

// ~200 Adam steps: on the dev data (eval:personal, 10 random halves) 100, 200 and 400 steps score the same
// (the head is linear on standardised features), so the time goes to validation folds instead
export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  hidden: 0, l2: 1e-3, learningRate: 0.01, batchSize: 256, targetSteps: 200, minEpochs: 4, maxEpochs: 100, seed: 1,
};

// the same data and seed give the same model
export { rng };

/** How long training runs before other work in the process gets a turn. */
const YIELD_EVERY_MS = 30;
export const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export function shuffleInPlace<T>(a: T[] | Int32Array, random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/**
 * Per-dimension mean and scale (1/std) of the rows. Dimensions that hardly vary (ReLU units that are
 * almost always 0) get a floor on the std so they are not blown up into noise.
 */
export function standardisation(x: Float32Array, n: number, d: number): { mean: Float32Array; scale: Float32Array } {
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j]! += x[r * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= Math.max(1, n);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < d; j++) {
      const v = x[r * d + j]! - mean[j]!;
      sq[j]! += v * v;
    }
  }
  const std = Array.from(sq, (s) => Math.sqrt(s / Math.max(1, n)));
  const typical = std.slice().sort((a, b) => a - b)[Math.floor(d / 2)] ?? 1;
  const floor = Math.max(1e-6, 0.1 * typical);
  return { mean: Float32Array.from(mean), scale: Float32Array.from(std, (s) => 1 / Math.max(s, floor)) };
}

export function standardise(x: Float32Array, n: number, d: number, mean: Float32Array, scale: Float32Array): Float32Array {
  const out = new Float32Array(n * d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) out[r * d + j] = (x[r * d + j]! - mean[j]!) * scale[j]!;
  return out;
}

let backendReport: Promise<BackendReport> | null = null;

/** The backend training runs on (chosen once per process, or `forced`). */
export function trainingBackend(forced?: BackendName): Promise<BackendReport> {
  if (forced) return (backendReport = selectBackend(forced));
  backendReport ??= selectBackend();
  return backendReport;
}

let variableCounter = 0;

/** Epochs for a data set of n rows: about targetSteps optimiser steps, within the epoch bounds. */
export function epochsFor(n: number, o: Pick<TrainOptions, 'batchSize' | 'targetSteps' | 'minEpochs' | 'maxEpochs'>): number {
  const batches = Math.max(1, Math.ceil(n / o.batchSize));
  return Math.min(o.maxEpochs, Math.max(o.minEpochs, Math.ceil(o.targetSteps / batches)));
}

/**
 * Trains the dense layers with Adam on weighted soft-target cross-entropy + L2. Every tensor is disposed
 * before it returns (checked by the tests with tf.memory()).
 */
export async function trainDense(set: TrainingSet, opts: Partial<TrainOptions> = {}): Promise<{ layers: DenseLayer[]; epochs: number; steps: number }> {
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...opts };
  await trainingBackend();
  const { n, d, k } = set;
  if (n === 0) throw new Error('no training rows');
  const random = rng(o.seed);
  const sizes = o.hidden > 0 ? [d, o.hidden, k] : [d, k];
  const id = ++variableCounter;
  // Glorot-uniform initial weights from the seeded generator, so a run is reproducible on every backend
  const vars = sizes.slice(1).map((cols, i) => {
    const rows = sizes[i]!;
    const limit = Math.sqrt(6 / (rows + cols));
    const w = Float32Array.from({ length: rows * cols }, () => (2 * random() - 1) * limit);
    // a variable keeps its own reference to the initial values: the initial tensors are released here
    return tf.tidy(() => ({
      rows, cols,
      w: tf.variable(tf.tensor2d(w, [rows, cols]), true, `personal${id}_w${i}`),
      b: tf.variable(tf.zeros([cols]), true, `personal${id}_b${i}`),
    }));
  });
  const X = tf.tensor2d(set.x, [n, d]);
  const Y = tf.tensor2d(set.y, [n, k]);
  const W = tf.tensor2d(set.weight, [n, 1]);
  const optimizer = tf.train.adam(o.learningRate);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const epochs = epochsFor(n, o);
  let steps = 0;
  let ranSince = performance.now();
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      o.signal?.throwIfAborted();
      shuffleInPlace(order, random);
      for (let start = 0; start < n; start += o.batchSize) {
        // the engine trains between the window's requests: let them (and cancellation) in every few batches
        if (performance.now() - ranSince > YIELD_EVERY_MS) {
          await yieldToEventLoop();
          o.signal?.throwIfAborted();
          ranSince = performance.now();
        }
        const idx = order.subarray(start, Math.min(n, start + o.batchSize));
        const grads = tf.tidy(() => {
          const ids = tf.tensor1d(idx, 'int32');
          const xb = tf.gather(X, ids);
          const yb = tf.gather(Y, ids);
          const wb = tf.gather(W, ids);
          // forward, keeping each layer's input and pre-activation for the backward pass
          const inputs: tf.Tensor2D[] = [xb];
          const pre: tf.Tensor2D[] = [];
          let a: tf.Tensor2D = xb;
          vars.forEach((v, i) => {
            const z = tf.add(tf.matMul(a, v.w), v.b) as tf.Tensor2D;
            pre.push(z);
            if (i < vars.length - 1) {
              a = tf.relu(z);
              inputs.push(a);
            }
          });
          const p = tf.softmax(pre[pre.length - 1]!);
          // d(mean weighted cross-entropy)/dz of the last layer
          let dz = tf.div(tf.mul(tf.sub(p, yb), wb), tf.sum(wb)) as tf.Tensor2D;
          const out: tf.NamedTensorMap = {};
          for (let i = vars.length - 1; i >= 0; i--) {
            const v = vars[i]!;
            out[v.w.name] = tf.add(tf.matMul(inputs[i]!, dz, true, false), tf.mul(v.w, o.l2));
            out[v.b.name] = tf.sum(dz, 0);
            if (i > 0) dz = tf.mul(tf.matMul(dz, v.w, false, true), tf.cast(tf.greater(pre[i - 1]!, 0), 'float32'));
          }
          return out;
        });
        optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
        tf.dispose(Object.values(grads));
        steps++;
      }
    }
    const layers: DenseLayer[] = vars.map((v) => ({
      rows: v.rows, cols: v.cols, weights: Float32Array.from(v.w.dataSync()), bias: Float32Array.from(v.b.dataSync()),
    }));
    return { layers, epochs, steps };
  } finally {
    optimizer.dispose();
    tf.dispose([X, Y, W, ...vars.flatMap((v) => [v.w, v.b])]);
  }
}

/**
 * The temperature that minimises the cross-entropy of held-out logits (n × k) against their targets:
 * a coarse log-spaced grid, then a golden-section refinement.
 */
export function fitTemperature(logits: Float32Array, y: Float32Array, n: number, k: number): number {
  if (n === 0) return 1;
  const nll = (t: number): number => {
    let s = 0;
    for (let r = 0; r < n; r++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, logits[r * k + c]! / t);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(logits[r * k + c]! / t - max);
      const lse = max + Math.log(sum);
      for (let c = 0; c < k; c++) {
        const yc = y[r * k + c]!;
        if (yc > 0) s -= yc * (logits[r * k + c]! / t - lse);
      }
    }
    return s / n;
  };
  let best = 1;
  let bestV = Infinity;
  for (let e = -2; e <= 3.01; e += 0.25) {
    const t = Math.exp(e);
    const v = nll(t);
    if (v < bestV) [best, bestV] = [t, v];
  }
  let lo = Math.log(best) - 0.25;
  let hi = Math.log(best) + 0.25;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 30; i++) {
    const a = hi - g * (hi - lo);
    const b = lo + g * (hi - lo);
    if (nll(Math.exp(a)) < nll(Math.exp(b))) hi = b;
    else lo = a;
  }
  return Math.exp((lo + hi) / 2);
}
