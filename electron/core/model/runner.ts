// What every inference runtime offers the worker: run one backbone on a batch of patches and return its named
// outputs. ONNX Runtime (ort-runner.ts) is the primary runtime; TF.js (tfjs-runner.ts) the fallback.
import type { Backbone } from './backbone.js';

export interface BackboneRunner {
  readonly backbone: Backbone;
  /**
   * `batch`: `shape[0]` items of shape `shape.slice(1)` (backbone.patchShape with its free lengths given). Returns,
   * per requested output (default: all of backbone.json's outputs), shape[0] × width floats.
   */
  run(batch: Float32Array, shape: readonly number[], outputs?: readonly string[]): Promise<Record<string, Float32Array>>;
  release(): Promise<void>;
}

/** A deterministic input for a backbone's self-test: smooth values in [0, 3] with some noise, like a log-mel patch. */
export function selfTestPatch(b: Backbone): { data: Float32Array; shape: number[] } {
  const x = new Float32Array(b.typicalShape.reduce((a, d) => a * d, 1));
  const width = b.typicalShape[b.typicalShape.length - 1]!;
  let seed = 20190801;
  for (let i = 0; i < x.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const t = Math.floor(i / width);
    const m = i % width;
    x[i] = 1.5 + Math.sin(t / 9 + m / 7) * Math.cos(m / 13) + 0.5 * (seed / 4294967296 - 0.5);
  }
  return { data: x, shape: [1, ...b.typicalShape] };
}

/** Largest difference between two runs' outputs, each relative to the scale of the reference output (at least 1). */
export function outputDifference(ref: Record<string, Float32Array>, got: Record<string, Float32Array>): { maxDiff: number; output: string } {
  let worst = { maxDiff: 0, output: '' };
  for (const [name, r] of Object.entries(ref)) {
    const g = got[name];
    if (!g || g.length !== r.length) return { maxDiff: Infinity, output: name };
    let scale = 1;
    for (const v of r) scale = Math.max(scale, Math.abs(v));
    let d = 0;
    for (let i = 0; i < r.length; i++) {
      const diff = Math.abs(g[i]! - r[i]!);
      // NaN must fail the test, not slip through a comparison
      d = Number.isNaN(diff) ? Infinity : Math.max(d, diff);
    }
    if (d / scale > worst.maxDiff || worst.output === '') worst = { maxDiff: d / scale, output: name };
  }
  return worst;
}
