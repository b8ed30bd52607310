// Messages between the inference pool (main side) and its worker threads.
import type { BackendName, BackendReport } from '../../shared/genres-model.js';

/** Per backbone, per patch: tag probabilities (n × 50), embedding (n × 200), pooled features (n × 1506). */
export type BackboneOutputs = Record<string, { tags: Float32Array; embedding: Float32Array; pooled: Float32Array }>;
export const POOLED_SIZE = 1506;

export interface WorkerInit {
  backend?: BackendName;
  modelsDir: string;
  /** backbone folders under modelsDir to load, e.g. ['musicnn-msd', 'musicnn-mtt'] */
  backbones: string[];
  /** most patches in one forward pass (patches of several tracks are batched together) */
  maxBatch: number;
}

export type WorkerRequest =
  | { type: 'patches'; id: number; data: Float32Array; count: number }
  | { type: 'memory'; id: number };

export type WorkerResponse =
  | { type: 'ready'; backend: BackendReport }
  | { type: 'init-failed'; message: string }
  | { type: 'result'; id: number; startSec: number[]; outputs: BackboneOutputs }
  | { type: 'failed'; id: number; kind: string; message: string }
  | { type: 'memory'; id: number; numTensors: number; numBytes: number };
