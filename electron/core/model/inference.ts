// The inference backend chain, best first: ONNX Runtime's execution providers (ort-runner.ts), then TF.js
// (tfjs-node-gpu, tfjs-node, wasm) when onnxruntime-node cannot run. Each step that is not taken is
// recorded with its reason; `forced` (--backend) tries that one alone and fails with its reason.
import type { InferenceBackend, InferenceReport } from '../../shared/genres-model.js';
import type { BackendName } from '../../shared/genres-model.js';
import type { Backbone } from './backbone.js';
import { ORT_PROVIDERS, ProviderSelectionError, loadOrt, ortCandidates, selectProvider, type OrtProvider, type ProviderCandidate } from './ort-runner.js';
import type { BackboneRunner } from './runner.js';

const TFJS: Partial<Record<InferenceBackend, BackendName>> = { 'tfjs-node-gpu': 'node-gpu', 'tfjs-node': 'node', 'tfjs-wasm': 'wasm' };

export interface InferenceOptions {
  forced?: InferenceBackend;
  /** ONNX Runtime CPU threads per session (default 1: one worker per core scales better than threads) */
  threads?: number;
  /** backbones the TF.js fallback may leave out when it has no version of them (the report says so) */
  optional?: readonly string[];
  /** replace the real provider list (tests) */
  candidates?: ProviderCandidate[];
  log?: (line: string) => void;
}

export interface Inference {
  runners: BackboneRunner[];
  report: InferenceReport;
}

const isOrt = (name: InferenceBackend): name is OrtProvider => (ORT_PROVIDERS as readonly string[]).includes(name);

export async function openInference(backbones: readonly Backbone[], opts: InferenceOptions = {}): Promise<Inference> {
  const skipped: InferenceReport['skipped'] = [];
  const forced = opts.forced;
  const threads = Math.max(1, opts.threads ?? 1);
  if (!forced || isOrt(forced)) {
    try {
      const ort = await loadOrt();
      const choice = await selectProvider(backbones, opts.candidates ?? ortCandidates(ort, threads), { forced: forced as OrtProvider | undefined, log: opts.log });
      return {
        runners: choice.runners,
        report: {
          name: choice.name, runtime: 'onnxruntime', gpu: choice.gpu,
          detail: `onnxruntime-node ${ort.env.versions.node ?? '?'}${choice.gpu ? '' : `, ${threads} thread${threads === 1 ? '' : 's'} per worker`}`,
          ...(choice.selfTest ? { selfTest: choice.selfTest } : {}),
          skipped: choice.skipped,
        },
      };
    } catch (err) {
      if (err instanceof ProviderSelectionError) skipped.push(...err.skipped);
      else skipped.push({ name: 'cpu', reason: `onnxruntime-node could not load: ${(err as Error).message.split('\n')[0]}` });
      if (forced) throw new Error(`inference backend ${forced} could not start: ${skipped.map((s) => s.reason).join('; ')}`);
    }
  }
  // the fallback runtime; loaded only now, TF.js is large
  const [{ selectBackend }, { TfjsRunner }] = await Promise.all([import('./backend.js'), import('./tfjs-runner.js')]);
  const chain = forced ? [forced] : (Object.keys(TFJS) as InferenceBackend[]);
  for (const name of chain) {
    const tfName = TFJS[name];
    if (!tfName) continue;
    const runners: BackboneRunner[] = [];
    try {
      const r = await selectBackend(tfName);
      const leftOut: string[] = [];
      for (const b of backbones) {
        // TF.js has the musicnn rebuild only: an optional backbone without a TF.js version is left out
        if (!b.tfjsDir && opts.optional?.includes(b.id)) leftOut.push(b.id);
        else runners.push(await TfjsRunner.open(b));
      }
      const extra = r.name === 'wasm' ? ` (SIMD ${r.simd ? 'on' : 'off'})` : '';
      const without = leftOut.length ? `; without ${leftOut.join(', ')} (ONNX Runtime only)` : '';
      opts.log?.(`inference on TF.js ${tfName}${extra}${without}`);
      return { runners, report: { name, runtime: 'tfjs', gpu: name === 'tfjs-node-gpu', detail: `TF.js ${tfName}${extra}, one thread per worker${without}`, skipped } };
    } catch (err) {
      await Promise.all(runners.map((x) => x.release()));
      const reason = (err as Error).message.replace(/^no TF\.js backend could start: [a-z-]+: /, '').split('\n')[0]!;
      skipped.push({ name, reason });
      opts.log?.(`inference backend ${name} not used: ${reason}`);
    }
  }
  throw new Error(`no inference backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

/** One line: what runs the backbones, and why the better ones did not. */
export function describeInference(r: InferenceReport): string {
  const test = r.selfTest ? `, self-test passed (max difference ${r.selfTest.maxDiff.toPrecision(2)} ≤ ${r.selfTest.tolerance})` : '';
  const skipped = r.skipped.length ? `; not used: ${r.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}` : '';
  return `${r.name}${r.gpu ? ' (GPU)' : ''} on ${r.detail}${test}${skipped}`;
}
