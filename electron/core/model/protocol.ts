// Messages between the inference pool (main side) and its worker threads.
import type { InferenceBackend, InferenceReport } from '../../shared/genres-model.js';

/** Per backbone, per output name: n × width floats for the n patches of a track (widths: backbone.json). */
export type BackboneOutputs = Record<string, Record<string, Float32Array>>;

export interface WorkerInit {
  backend?: InferenceBackend;
  modelsDir: string;
  /** backbone folders under modelsDir to load, e.g. ['musicnn-msd'] */
  backbones: string[];
  /** per backbone, the outputs to compute and return (default: all of backbone.json's) */
  outputs?: Record<string, string[]>;
  /** most patches in one forward pass (patches of several tracks are batched together) */
  maxBatch: number;
  /** ONNX Runtime CPU threads per session */
  threads: number;
}

export type WorkerRequest =
  | { type: 'patches'; id: number; data: Float32Array; count: number }
  | { type: 'memory'; id: number };

export type WorkerResponse =
  | { type: 'ready'; backend: InferenceReport }
  | { type: 'init-failed'; message: string }
  | { type: 'result'; id: number; outputs: BackboneOutputs }
  | { type: 'failed'; id: number; kind: string; message: string }
  /** live TF.js tensors (0 on ONNX Runtime, which holds no JS-side tensors between runs) */
  | { type: 'memory'; id: number; numTensors: number; numBytes: number };
