// Choosing the inference backend: ONNX Runtime's execution providers best first, each GPU provider gated by a
// self-test against the CPU provider, then TF.js. The real providers are really tried (on this machine
// CUDA's library is not installed, DirectML/CoreML are not in the Linux build); a provider that loads but
// computes wrong numbers (WebGPU over a software Vulkan driver did) is played by an injected candidate whose
// sessions are real CPU sessions with their outputs perturbed, as a broken GPU kernel would return them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NATIVE_MODELS_DIR } from '../../electron/core/model/paths.js';
import { loadBackbone, type Backbone } from '../../electron/core/model/backbone.js';
import { describeInference, openInference } from '../../electron/core/model/inference.js';
import { OrtRunner, loadOrt, ortCandidates, type ProviderCandidate } from '../../electron/core/model/ort-runner.js';
import type { BackboneRunner } from '../../electron/core/model/runner.js';

const backbone = await loadBackbone(NATIVE_MODELS_DIR, 'musicnn-msd');
const ort = await loadOrt();
const real = ortCandidates(ort);
const cpu = real.find((c) => c.name === 'cpu')!;

/** A provider that loads and runs but gets the numbers wrong by `error` (relative). */
function wrongNumbers(name: ProviderCandidate['name'], error: number): ProviderCandidate {
  return {
    name,
    gpu: true,
    open: async (b: Backbone): Promise<BackboneRunner> => {
      const inner = await cpu.open(b);
      return {
        backbone: b,
        run: async (batch, n, outputs) => {
          const out = await inner.run(batch, n, outputs);
          return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.map((x, i) => x * (1 + (i % 2 ? error : -error)))]));
        },
        release: () => inner.release(),
      };
    },
  };
}

const throwsAtLoad = (name: ProviderCandidate['name'], message: string): ProviderCandidate => ({
  name,
  gpu: true,
  open: () => Promise.reject(new Error(message)),
});

test('on this machine the real chain skips every GPU provider with its reason and runs on the CPU provider', async () => {
  const lines: string[] = [];
  const { runners, report } = await openInference([backbone], { log: (l) => lines.push(l) });
  await Promise.all(runners.map((r) => r.release()));
  console.log(`chosen: ${describeInference(report)}`);
  assert.equal(report.runtime, 'onnxruntime');
  if (report.gpu) {
    // a machine with a working GPU provider: it passed the self-test
    assert.ok(report.selfTest && report.selfTest.maxDiff <= report.selfTest.tolerance);
    return;
  }
  assert.equal(report.name, 'cpu');
  assert.deepEqual(report.skipped.map((s) => s.name), ['cuda', 'directml', 'coreml', 'webgpu']);
  for (const s of report.skipped) assert.ok(s.reason.length > 10, `${s.name}: "${s.reason}"`);
  const reason = Object.fromEntries(report.skipped.map((s) => [s.name, s.reason]));
  if (process.platform === 'linux') {
    assert.match(reason.directml!, /not in onnxruntime-node's build for linux/);
    assert.match(reason.coreml!, /not in onnxruntime-node's build for linux/);
  }
  assert.ok(lines.some((l) => l.startsWith('execution provider cuda not used')), 'the fallback is logged');
});

test('a provider that is absent from the build, or throws at load, is skipped with its reason; forcing it fails', async () => {
  const absent = process.platform === 'win32' ? 'coreml' : 'directml';
  await assert.rejects(openInference([backbone], { forced: absent }), /could not start: not in onnxruntime-node's build/);
  if (process.platform === 'linux' && process.arch === 'x64') {
    // a real load attempt of the CUDA provider, whose library `npm ci` does not fetch here
    await assert.rejects(openInference([backbone], { forced: 'cuda' }), (err: Error) => {
      assert.match(err.message, /cuda could not start: (the CUDA provider is not installed|failed to load)/);
      return true;
    });
  }
  const { runners, report } = await openInference([backbone], { candidates: [throwsAtLoad('cuda', 'cudaErrorNoDevice: no CUDA-capable device is detected'), cpu] });
  await Promise.all(runners.map((r) => r.release()));
  assert.equal(report.name, 'cpu');
  assert.deepEqual(report.skipped, [{ name: 'cuda', reason: 'cudaErrorNoDevice: no CUDA-capable device is detected' }]);
});

test('a GPU provider that computes wrong numbers fails its self-test and is not used; a correct one is', async () => {
  const { runners, report } = await openInference([backbone], { candidates: [wrongNumbers('webgpu', 0.02), cpu] });
  await Promise.all(runners.map((r) => r.release()));
  assert.equal(report.name, 'cpu');
  assert.equal(report.skipped.length, 1);
  assert.match(report.skipped[0]!.reason, /^failed its self-test: musicnn-msd\.\w+ differs from the CPU provider by 0\.0\d+ \(tolerance 0\.005\)$/);
  // forced, it is refused, not used
  await assert.rejects(openInference([backbone], { forced: 'webgpu', candidates: [wrongNumbers('webgpu', 0.02), cpu] }), /webgpu could not start: failed its self-test/);
  // float noise far below the tolerance passes: the gate does not throw away a working GPU
  const ok = await openInference([backbone], { candidates: [wrongNumbers('coreml', 1e-6), cpu] });
  await Promise.all(ok.runners.map((r) => r.release()));
  assert.equal(ok.report.name, 'coreml');
  assert.equal(ok.report.gpu, true);
  assert.ok(ok.report.selfTest!.maxDiff > 0 && ok.report.selfTest!.maxDiff < 1e-4, String(ok.report.selfTest!.maxDiff));
});

test('when no ONNX Runtime provider can run, the chain falls back to TF.js and says why', async () => {
  const { runners, report } = await openInference([backbone], {
    candidates: [throwsAtLoad('cuda', 'cuda broke'), wrongNumbers('webgpu', 0.5), { ...cpu, open: () => Promise.reject(new Error('cpu broke')) }],
  });
  assert.equal(report.runtime, 'tfjs');
  assert.equal(report.name, 'tfjs-wasm');
  assert.deepEqual(report.skipped.map((s) => s.name), ['cuda', 'webgpu', 'cpu', 'tfjs-node-gpu', 'tfjs-node']);
  assert.match(report.skipped[2]!.reason, /cpu broke/);
  // the fallback computes the same network
  const x = new Float32Array(187 * 96).map((_, i) => (i % 89) / 30);
  const direct = await OrtRunner.open(ort, backbone, { executionProviders: ['cpu'] });
  const [a, b] = [await runners[0]!.run(x, [1, 187, 96], ['tags']), await direct.run(x, [1, 187, 96], ['tags'])];
  await Promise.all([runners[0]!.release(), direct.release()]);
  for (let i = 0; i < 50; i++) assert.ok(Math.abs(a.tags![i]! - b.tags![i]!) < 1e-4);
});
