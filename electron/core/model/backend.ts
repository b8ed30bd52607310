// Chooses the TF.js backend at run time: tfjs-node-gpu (CUDA) → tfjs-node → wasm (SIMD) → pure-JS cpu.
// A backend that cannot load falls back to the next with its reason recorded, never a crash.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName, BackendReport } from '../../shared/genres-model.js';

export { BACKEND_NAMES, type BackendName, type BackendReport } from '../../shared/genres-model.js';

/** Preference order when nothing is forced. */
export const BACKEND_CHAIN: readonly BackendName[] = ['node-gpu', 'node', 'wasm', 'cpu'];

/** How each of our names is registered inside TF.js (tfjs-node and tfjs-node-gpu both register 'tensorflow'). */
const TF_NAME: Record<BackendName, string> = { 'node-gpu': 'tensorflow', node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

// Module names in variables: the optional packages are absent here and must not be resolved at build time.
const OPTIONAL_PACKAGE: Partial<Record<BackendName, string>> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
};

async function register(name: BackendName): Promise<void> {
  const pkg = OPTIONAL_PACKAGE[name];
  if (pkg) {
    // importing the package registers (and activates) the 'tensorflow' backend as a side effect
    await import(pkg);
    if (name === 'node-gpu') {
      // tfjs-node-gpu silently runs on the CPU when CUDA cannot be opened; only claim the GPU when TF sees one
      const info = tf.engine().findBackend('tensorflow') as unknown as { isUsingGpuDevice?: boolean } | null;
      if (info && info.isUsingGpuDevice === false) throw new Error('tfjs-node-gpu loaded but TensorFlow found no GPU');
    }
    return;
  }
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  else await import('@tensorflow/tfjs-backend-cpu');
}

let current: BackendReport | null = null;

/**
 * Activates the first backend of the chain that works (or only `forced`), runs a tiny op on it to prove
 * it, and returns what was chosen plus why the preferred ones were skipped.
 */
export async function selectBackend(forced?: BackendName, log: (line: string) => void = () => {}): Promise<BackendReport> {
  const chain = forced ? [forced] : BACKEND_CHAIN;
  // without a preference the first choice holds for the process (the model's weights live on it);
  // a forced backend different from the current one is selected anew
  if (current && (!forced || forced === current.name)) return current;
  if (forced) current = null;
  // production mode: no debug checks, and no "install tfjs-node" banner on stderr for CLI users
  tf.enableProdMode();
  const skipped: { name: BackendName; reason: string }[] = [];
  for (const name of chain) {
    try {
      await register(name);
      if (!(await tf.setBackend(TF_NAME[name]))) throw new Error(`tf.setBackend('${TF_NAME[name]}') failed`);
      await tf.ready();
      // prove the backend computes before trusting it
      const probe = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), 2)).dataSync()[0]);
      if (probe !== 12) throw new Error(`self-test gave ${probe}`);
      const report: BackendReport = { name, skipped, ...(await features(name)) };
      current = report;
      log(`model backend: ${describeBackend(report)}`);
      return report;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const pkg = OPTIONAL_PACKAGE[name];
      const reason =
        pkg && (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
          ? `${pkg} is not installed (optional dependency)`
          : err instanceof Error
            ? err.message.split('\n')[0]!
            : String(err);
      skipped.push({ name, reason });
      log(`model backend ${name} unavailable: ${reason}`);
    }
  }
  throw new Error(`no TF.js backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

async function features(name: BackendName): Promise<Pick<BackendReport, 'simd' | 'threads'>> {
  if (name !== 'wasm') return {};
  return {
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    threads: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
  };
}

export function describeBackend(r: BackendReport): string {
  const extra = r.name === 'wasm' ? ` (SIMD ${r.simd ? 'on' : 'off'}, threads ${r.threads ? 'on' : 'off'})` : '';
  const skipped = r.skipped.length ? `; skipped ${r.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}` : '';
  return `${r.name}${extra}${skipped}`;
}
