// TF.js backend selection (the personal model trains on TF.js; inference falls back to it), with the backends installable here: tfjs-node(-gpu) are optional and absent, so the
// chain must fall back to wasm with a recorded reason; forcing works; forcing an absent one fails clearly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_CHAIN, describeBackend, selectBackend } from '../../electron/core/model/backend.js';

const require = createRequire(import.meta.url);
const installed = (pkg: string): boolean => {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
};

test('the default chain prefers GPU, then native, then wasm, then cpu, and reports what it skipped', async () => {
  assert.deepEqual(BACKEND_CHAIN, ['node-gpu', 'node', 'wasm', 'cpu']);
  const lines: string[] = [];
  const r = await selectBackend(undefined, (l) => lines.push(l));
  console.log(`chosen: ${describeBackend(r)}`);
  if (!installed('@tensorflow/tfjs-node-gpu') && !installed('@tensorflow/tfjs-node')) {
    assert.equal(r.name, 'wasm');
    assert.deepEqual(r.skipped.map((s) => s.name), ['node-gpu', 'node']);
    for (const s of r.skipped) assert.match(s.reason, /^@tensorflow\/tfjs-node(-gpu)? is not installed/);
    assert.equal(r.simd, true, 'SIMD kernels must be active on Node 20');
    assert.equal(tf.getBackend(), 'wasm');
    assert.ok(lines.some((l) => l.includes('node-gpu unavailable')), 'the fallback is logged');
  } else {
    console.log('a native TF.js backend is installed here: checked only that one was chosen');
    assert.ok(['node-gpu', 'node'].includes(r.name));
  }
});

test('a forced backend is used; a forced backend that cannot start is an error naming the reason', async () => {
  const cpu = await selectBackend('cpu');
  assert.equal(cpu.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  const wasm = await selectBackend('wasm');
  assert.equal(wasm.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  if (!installed('@tensorflow/tfjs-node')) {
    await assert.rejects(selectBackend('node'), /no TF\.js backend could start: node: @tensorflow\/tfjs-node is not installed/);
  }
});
