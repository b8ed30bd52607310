// musicnn (Pons & Serra) rebuilt with TF.js ops from the weights in native-models/musicnn-*/.
// One forward pass gives both the 50 tag probabilities and the 200-d penultimate embedding.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

export const PATCH_FRAMES = 187;
export const MEL_BANDS = 96;
export const EMBEDDING_SIZE = 200;

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** The subset of native-models/musicnn-x/model.json that the loader reads. */
interface MusicnnModelJson {
  format: string;
  formatVersion: number;
  modelTopology: { batchNormEpsilon: number };
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}

export interface MusicnnOutputs {
  /** [N, 50] sigmoid tag probabilities (order of tags.json). */
  tags: tf.Tensor2D;
  /** [N, 200] penultimate dense layer after ReLU. */
  embedding: tf.Tensor2D;
  /** [N, 1506] temporal max and mean of the 753 front/mid-end channels (interleaved: max0, mean0, max1, ...) */
  pooled: tf.Tensor2D;
}

/** A batch-norm layer folded into y = x * scale + shift (inference mode). */
interface Affine {
  scale: tf.Tensor1D;
  shift: tf.Tensor1D;
  /** every scale > 0: the affine map is monotone per channel, so it commutes with max pooling */
  positive: boolean;
}

interface Conv {
  kernel: tf.Tensor4D;
  bias: tf.Tensor1D;
}

export interface MusicnnModel {
  readonly id: string;
  readonly tagNames: readonly string[];
  /** patches: [N, 187, 96] log-mel. The caller owns (and disposes) the returned tensors. */
  predict(patches: tf.Tensor3D): MusicnnOutputs;
  dispose(): void;
}

/** Reads model.json + its shards and returns the named weight tensors (already on the active backend). */
export async function loadWeights(dir: string): Promise<{ json: MusicnnModelJson; weights: tf.NamedTensorMap }> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as MusicnnModelJson;
  if (json.format !== 'spectag-musicnn' || json.formatVersion !== 1) {
    throw new Error(`${dir}/model.json: unsupported format ${json.format} v${json.formatVersion}`);
  }
  const weights: tf.NamedTensorMap = {};
  for (const group of json.weightsManifest) {
    const buffers = await Promise.all(group.paths.map((p) => readFile(join(dir, p))));
    const joined = Buffer.concat(buffers);
    const ab = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength) as ArrayBuffer;
    Object.assign(weights, tf.io.decodeWeights(ab, group.weights));
  }
  return { json, weights };
}

export async function loadMusicnn(dir: string, id: string): Promise<MusicnnModel> {
  const [{ json, weights }, tagsText] = await Promise.all([loadWeights(dir), readFile(join(dir, 'tags.json'), 'utf8')]);
  const tagNames = JSON.parse(tagsText) as string[];
  // intermediate tensors of the folding are freed by tidy; the folded parameters are keep()-ed and
  // live as long as the model
  let params: Params | undefined;
  tf.tidy(() => {
    params = buildParams(weights, json.modelTopology.batchNormEpsilon);
  });
  tf.dispose(weights);
  return new Musicnn(id, tagNames, params!);
}

interface Params {
  input: Affine;
  timbral: { conv: Conv; bn: Affine }[];
  temporal: { conv: Conv; bn: Affine }[];
  midend: { conv: Conv; bn: Affine }[];
  dense: { kernel: tf.Tensor2D; bias: tf.Tensor1D };
  tags: { kernel: tf.Tensor2D; bias: tf.Tensor1D };
}

function buildParams(w: tf.NamedTensorMap, eps: number): Params {
  const get = (name: string): tf.Tensor => {
    const t = w[name];
    if (!t) throw new Error(`musicnn weights: missing ${name}`);
    return t;
  };
  const bn = (layer: string): Affine => {
    const gamma = get(`${layer}/gamma`) as tf.Tensor1D;
    const scale = tf.div(gamma, tf.sqrt(tf.add(get(`${layer}/moving_variance`), eps))) as tf.Tensor1D;
    const shift = tf.sub(get(`${layer}/beta`), tf.mul(get(`${layer}/moving_mean`), scale)) as tf.Tensor1D;
    const positive = tf.min(scale).dataSync()[0]! > 0;
    return { scale: tf.keep(scale), shift: tf.keep(shift), positive };
  };
  const conv = (layer: string, kernelShape?: [number, number, number, number]): Conv => {
    const k = get(`${layer}/kernel`) as tf.Tensor4D;
    // clone: the raw weight tensors are disposed after folding, the kept copies must outlive them
    return {
      kernel: tf.keep(kernelShape ? tf.reshape(k, kernelShape) : tf.clone(k)),
      bias: tf.keep(tf.clone(get(`${layer}/bias`) as tf.Tensor1D)),
    };
  };
  const input = bn('bn_input');
  const timbral = ['74', '77'].map((s) => ({ conv: conv(`timbral${s}`), bn: bn(`bn_timbral${s}`) }));
  const temporal = ['128', '64', '32'].map((s) => ({ conv: conv(`temporal${s}`), bn: bn(`bn_temporal${s}`) }));
  // the mid-end convolutions span all feature channels: a 1-D convolution over time, expressed as
  // conv2d on [N, T, 1, C] with a [7, 1, C, 64] kernel (same numbers as musicnn's [7, C, 1, 64]).
  const midend = ['1', '2', '3'].map((s) => {
    const k = get(`midend${s}/kernel`);
    const [kt, c, , f] = k.shape as [number, number, number, number];
    return { conv: conv(`midend${s}`, [kt, 1, c, f]), bn: bn(`bn_midend${s}`) };
  });
  // batch norms directly before a dense layer fold into its weights exactly:
  // (x*s + b) W + c = x (diag(s) W) + (b W + c)
  const foldDense = (bnLayer: string, dense: string): { kernel: tf.Tensor2D; bias: tf.Tensor1D } => {
    const a = bn(bnLayer);
    const k = get(`${dense}/kernel`) as tf.Tensor2D;
    const kernel = tf.mul(k, tf.reshape(a.scale, [-1, 1])) as tf.Tensor2D;
    const bias = tf.add(get(`${dense}/bias`), tf.squeeze(tf.matMul(tf.reshape(a.shift, [1, -1]), k), [0])) as tf.Tensor1D;
    tf.dispose([a.scale, a.shift]);
    return { kernel: tf.keep(kernel), bias: tf.keep(bias) };
  };
  return {
    input,
    timbral,
    temporal,
    midend,
    dense: foldDense('bn_pool', 'penultimate'),
    tags: foldDense('bn_penultimate', 'tags'),
  };
}

/** relu(conv) → batch norm → max over the frequency axis; [N,T,F,C] → [N,T,C]. */
function convBnFreqMax(x: tf.Tensor4D, conv: Conv, bn: Affine, padding: 'valid' | 'same'): tf.Tensor3D {
  const y = tf.fused.conv2d({ x, filter: conv.kernel, strides: 1, pad: padding, bias: conv.bias, activation: 'relu' });
  const [n, t, f, c] = y.shape;
  // a [1, F] max-pool reduces frequency in NHWC order; tf.max over a middle axis would transpose first (slower)
  const freqMax = (z: tf.Tensor4D): tf.Tensor3D => tf.reshape(tf.maxPool(z, [1, f], [1, f], 'valid'), [n, t, c]);
  if (bn.positive) {
    // monotone affine: pool first, then scale the (F× smaller) result
    return tf.add(tf.mul(freqMax(y), bn.scale), bn.shift) as tf.Tensor3D;
  }
  return freqMax(tf.add(tf.mul(y, bn.scale), bn.shift) as tf.Tensor4D);
}

class Musicnn implements MusicnnModel {
  constructor(
    readonly id: string,
    readonly tagNames: readonly string[],
    private readonly p: Params,
  ) {}

  predict(patches: tf.Tensor3D): MusicnnOutputs {
    return tf.tidy(() => {
      const [n, t] = patches.shape;
      const p = this.p;
      // input batch norm has a single channel
      const x = tf.add(tf.mul(tf.expandDims(patches, 3), p.input.scale), p.input.shift) as tf.Tensor4D;
      // timbral filters: zero-pad time by 3 (musicnn's 'same' in time, 'valid' in frequency)
      const xPad = tf.pad(x, [[0, 0], [3, 3], [0, 0], [0, 0]]);
      const front = [
        ...p.timbral.map((l) => convBnFreqMax(xPad, l.conv, l.bn, 'valid')),
        ...p.temporal.map((l) => convBnFreqMax(x, l.conv, l.bn, 'same')),
      ];
      const frontend = tf.reshape(tf.concat(front, 2), [n, t, 1, -1]) as tf.Tensor4D;
      // mid-end: three 7-frame convolutions, the last two residual
      const mid: tf.Tensor4D[] = [];
      let h = frontend;
      p.midend.forEach((l, i) => {
        const y = tf.fused.conv2d({
          x: tf.pad(h, [[0, 0], [3, 3], [0, 0], [0, 0]]),
          filter: l.conv.kernel,
          strides: 1,
          pad: 'valid',
          bias: l.conv.bias,
          activation: 'relu',
        });
        const bnY = tf.add(tf.mul(y, l.bn.scale), l.bn.shift) as tf.Tensor4D;
        h = i === 0 ? bnY : (tf.add(bnY, h) as tf.Tensor4D);
        mid.push(h);
      });
      const features = tf.squeeze(tf.concat([frontend, ...mid], 3), [2]) as tf.Tensor3D; // [N, T, 753]
      // musicnn flattens concat([max, mean], -1) of shape [N, C, 2]: features interleave max/mean per channel
      const pooled = tf.reshape(tf.stack([tf.max(features, 1), tf.mean(features, 1)], 2), [n, -1]) as tf.Tensor2D;
      const embedding = tf.fused.matMul({ a: pooled, b: p.dense.kernel, bias: p.dense.bias, activation: 'relu' }) as tf.Tensor2D;
      const tags = tf.sigmoid(tf.fused.matMul({ a: embedding, b: p.tags.kernel, bias: p.tags.bias })) as tf.Tensor2D;
      return { tags, embedding, pooled };
    });
  }

  dispose(): void {
    const p = this.p;
    const affine = (a: Affine): tf.Tensor[] => [a.scale, a.shift];
    tf.dispose([
      ...affine(p.input),
      ...[...p.timbral, ...p.temporal, ...p.midend].flatMap((l) => [l.conv.kernel, l.conv.bias, ...affine(l.bn)]),
      p.dense.kernel,
      p.dense.bias,
      p.tags.kernel,
      p.tags.bias,
    ]);
  }
}
