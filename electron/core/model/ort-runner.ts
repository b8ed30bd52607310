// ONNX Runtime: sessions of the backbones and the choice of execution provider at run time, best first
// (CUDA, DirectML, CoreML, WebGPU, then CPU). A GPU provider is used only after it reproduced the CPU
// provider's outputs on a self-test patch: a provider can load and still compute wrong numbers (WebGPU over
// a software Vulkan driver did).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Backbone } from './backbone.js';
import { outputDifference, selfTestPatch, type BackboneRunner } from './runner.js';

type Ort = typeof import('onnxruntime-node');

export const ORT_PROVIDERS = ['cuda', 'directml', 'coreml', 'webgpu', 'cpu'] as const;
export type OrtProvider = (typeof ORT_PROVIDERS)[number];

/** onnxruntime's own name of each provider */
const EP_NAME: Record<OrtProvider, string> = { cuda: 'cuda', directml: 'dml', coreml: 'coreml', webgpu: 'webgpu', cpu: 'cpu' };

/**
 * Largest accepted difference from the CPU provider, relative to each output's scale. Correct float32 GPU
 * kernels differ by ~1e-5, TF32 convolutions (CUDA's default on recent NVIDIA cards) by ~1e-3; broken kernels
 * by 1e-1 and more.
 */
export const SELF_TEST_TOLERANCE = 5e-3;

let ortModule: Promise<Ort> | null = null;

/** onnxruntime-node, loaded once; rejects with the reason when its native binding cannot load on this machine. */
export function loadOrt(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node').then((m) => {
    // the reason of a failed provider is in the error we report; ORT's own log lines on stderr would only be noise
    m.env.logLevel = 'fatal';
    return m;
  });
  return ortModule;
}

export class OrtRunner implements BackboneRunner {
  private constructor(
    private readonly ort: Ort,
    readonly backbone: Backbone,
    private readonly session: InferenceSession,
  ) {}

  static async open(ort: Ort, backbone: Backbone, options: InferenceSession.SessionOptions): Promise<OrtRunner> {
    const session = await ort.InferenceSession.create(backbone.onnxPath, { graphOptimizationLevel: 'all', logSeverityLevel: 4, ...options });
    const missing = [backbone.inputName, ...Object.keys(backbone.outputs)].filter((n) => !session.inputNames.includes(n) && !session.outputNames.includes(n));
    if (missing.length) {
      await session.release();
      throw new Error(`${backbone.onnxPath} has no ${missing.join(', ')} (backbone.json and the ONNX file disagree)`);
    }
    return new OrtRunner(ort, backbone, session);
  }

  async run(batch: Float32Array, shape: readonly number[], outputs: readonly string[] = Object.keys(this.backbone.outputs)): Promise<Record<string, Float32Array>> {
    const x = new this.ort.Tensor('float32', batch, [...shape]);
    const res: Record<string, Tensor> = await this.session.run({ [this.backbone.inputName]: x }, [...outputs]);
    const out: Record<string, Float32Array> = {};
    for (const name of outputs) out[name] = res[name]!.data as Float32Array;
    return out;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/** One execution provider the selection may try. Tests may offer their own list. */
export interface ProviderCandidate {
  name: OrtProvider;
  gpu: boolean;
  /** a session of the backbone on this provider; throws when the provider cannot load here */
  open(backbone: Backbone): Promise<BackboneRunner>;
}

/**
 * Linux: is a Vulkan loader installed? WebGPU (Dawn) needs one there, and without it Dawn prints a warning on
 * stderr at every attempt; the answer comes from the dynamic linker's cache and LD_LIBRARY_PATH.
 */
function hasVulkanLoader(): boolean {
  const dirs = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  if (dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')))) return true;
  try {
    return readFileSync('/etc/ld.so.cache').includes('libvulkan.so.1');
  } catch {
    return true; // cannot tell: let the attempt decide
  }
}

/** The real providers of onnxruntime-node, each a real session-creation attempt. */
export function ortCandidates(ort: Ort, threads = 1): ProviderCandidate[] {
  return ORT_PROVIDERS.map((name) => ({
    name,
    gpu: name !== 'cpu',
    open: async (b) => {
      if (name === 'webgpu' && process.platform === 'linux' && !hasVulkanLoader()) throw new Error('no Vulkan loader (libvulkan.so.1): WebGPU needs a Vulkan driver');
      return OrtRunner.open(ort, b, { executionProviders: [EP_NAME[name]], intraOpNumThreads: threads, interOpNumThreads: 1 });
    },
  }));
}

/** Where onnxruntime-node keeps its native libraries for this platform. */
function ortBinaryDir(): string | null {
  try {
    const main = createRequire(import.meta.url).resolve('onnxruntime-node');
    return join(dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return null;
  }
}

/** A provider's failure in words a user can act on. */
export function providerFailure(name: OrtProvider, err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
  if (/backend not found|no available backend/i.test(message)) return `not in onnxruntime-node's build for ${process.platform}-${process.arch}`;
  if (name === 'cuda' && /Failed to load shared library/i.test(message)) {
    const dir = ortBinaryDir();
    if (dir && !existsSync(join(dir, process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so'))) {
      return 'the CUDA provider is not installed (Linux x64 with CUDA 12 + cuDNN 9: ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node)';
    }
    return `failed to load (CUDA 12 and cuDNN 9 libraries on the library path?): ${message}`;
  }
  if (name === 'webgpu' && /adapter/i.test(message)) return 'no WebGPU adapter (no usable GPU driver)';
  return message.length > 240 ? `${message.slice(0, 240)}…` : message;
}

export class ProviderSelectionError extends Error {
  constructor(readonly skipped: { name: OrtProvider; reason: string }[]) {
    super(`no ONNX Runtime execution provider could run: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
    this.name = 'ProviderSelectionError';
  }
}

export interface ProviderChoice {
  name: OrtProvider;
  gpu: boolean;
  runners: BackboneRunner[];
  selfTest?: { maxDiff: number; tolerance: number; ms: number };
  skipped: { name: OrtProvider; reason: string }[];
}

/**
 * Open every backbone on the best provider that works: `forced` alone, else the candidates in order. A GPU
 * provider must match the CPU provider on each backbone's self-test patch within SELF_TEST_TOLERANCE.
 * Throws ProviderSelectionError (with every reason) when none works.
 */
export async function selectProvider(
  backbones: readonly Backbone[],
  candidates: readonly ProviderCandidate[],
  opts: { forced?: OrtProvider; log?: (line: string) => void } = {},
): Promise<ProviderChoice> {
  const log = opts.log ?? (() => {});
  const order = opts.forced ? [opts.forced] : candidates.map((c) => c.name);
  const skipped: { name: OrtProvider; reason: string }[] = [];
  const cpu = candidates.find((c) => c.name === 'cpu');
  let reference: Record<string, Float32Array>[] | null = null;
  const cpuReference = async (): Promise<Record<string, Float32Array>[]> => {
    if (reference) return reference;
    if (!cpu) throw new Error('no CPU provider to check against');
    const refs: Record<string, Float32Array>[] = [];
    for (const b of backbones) {
      const r = await cpu.open(b);
      try {
        const t = selfTestPatch(b);
        refs.push(await r.run(t.data, t.shape));
      } finally {
        await r.release();
      }
    }
    return (reference = refs);
  };
  for (const name of order) {
    const candidate = candidates.find((c) => c.name === name);
    if (!candidate) {
      skipped.push({ name, reason: 'not offered on this machine' });
      continue;
    }
    const runners: BackboneRunner[] = [];
    try {
      for (const b of backbones) runners.push(await candidate.open(b));
      let selfTest: ProviderChoice['selfTest'];
      if (candidate.gpu) {
        const t0 = performance.now();
        const refs = await cpuReference();
        let worst = { maxDiff: 0, output: '' };
        for (let i = 0; i < backbones.length; i++) {
          const t = selfTestPatch(backbones[i]!);
          const d = outputDifference(refs[i]!, await runners[i]!.run(t.data, t.shape));
          if (d.maxDiff >= worst.maxDiff) worst = { ...d, output: `${backbones[i]!.id}.${d.output}` };
        }
        selfTest = { maxDiff: worst.maxDiff, tolerance: SELF_TEST_TOLERANCE, ms: performance.now() - t0 };
        if (!(worst.maxDiff <= SELF_TEST_TOLERANCE)) {
          throw new Error(`failed its self-test: ${worst.output} differs from the CPU provider by ${worst.maxDiff.toPrecision(2)} (tolerance ${SELF_TEST_TOLERANCE})`);
        }
      }
      log(`execution provider ${name}${selfTest ? ` (self-test: max difference ${selfTest.maxDiff.toPrecision(2)})` : ''}`);
      return { name, gpu: candidate.gpu, runners, selfTest, skipped };
    } catch (err) {
      await Promise.all(runners.map((r) => r.release().catch(() => {})));
      const reason = err instanceof Error && err.message.startsWith('failed its self-test') ? err.message : providerFailure(name, err);
      skipped.push({ name, reason });
      log(`execution provider ${name} not used: ${reason}`);
    }
  }
  throw new ProviderSelectionError(skipped);
}
