// Messages between the inference pool (main side) and its worker threads.
import type { InferenceBackend, InferenceReport } from '../../shared/genres-model.js';
import type { TrackInputs } from './track-inputs.js';

/**
 * Per backbone, per output name: n × width floats for the n items (patches, windows) its front end made of a
 * track, in the order of that front end's items (widths: backbone.json). A backbone whose front end made no
 * input for the track is absent.
 */
export type BackboneOutputs = Record<string, Record<string, Float32Array>>;

export interface WorkerInit {
  backend?: InferenceBackend;
  modelsDir: string;
  /** backbone folders under modelsDir to load, e.g. ['musicnn-msd', 'efficientat-mn04'] */
  backbones: string[];
  /** backbones that are left out (with a note in the report) when the runtime cannot run them, e.g. on TF.js */
  optional?: string[];
  /** per backbone, the outputs to compute and return (default: all of backbone.json's) */
  outputs?: Record<string, string[]>;
  /** most items in one forward pass (items of several tracks are batched together); default 1 on the CPU, 16 on a GPU */
  maxBatch?: number;
  /** ONNX Runtime CPU threads per session */
  threads: number;
}

/** A request that is answered (by 'result', 'failed' or 'memory' with the same id). */
export type WorkerJob =
  | { type: 'track'; id: number; inputs: TrackInputs }
  | { type: 'memory'; id: number };

export type WorkerRequest =
  | WorkerJob
  /** finish the forward pass in flight, drop the rest, release the sessions, then answer 'closed' */
  | { type: 'close' };

export type WorkerResponse =
  | { type: 'ready'; backend: InferenceReport }
  | { type: 'init-failed'; message: string }
  | { type: 'result'; id: number; outputs: BackboneOutputs }
  | { type: 'failed'; id: number; kind: string; message: string }
  | { type: 'closed' }
  /** live TF.js tensors (0 on ONNX Runtime, which holds no JS-side tensors between runs) */
  | { type: 'memory'; id: number; numTensors: number; numBytes: number };
