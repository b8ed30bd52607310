// A worker thread frees the dead audio of its tracks once it passes the bound, instead of holding up to the ~64 MB
// that V8 lets pile up before it collects on its own.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';

/** Runs in a real worker thread (as the analysis and inference threads do); answers with what it observed. */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then(({ releaseTrackGarbage, threadExternalBytes }) => {
  const MB = 1024 * 1024;
  const base = threadExternalBytes();
  const keep = new Float32Array(4 * MB / 4); // a track in flight: live, must survive
  keep.fill(1);
  // tracks' dead audio (excerpts of 10 s at 32 kHz) until 24 MB of it are held
  for (let t = 0; t < 500 && threadExternalBytes() - base < 28 * MB; t++) new Float32Array(320000).fill(t);
  const small = releaseTrackGarbage(1024 * MB); // far below that bound: nothing to do
  const before = threadExternalBytes();
  const collected = releaseTrackGarbage(8 * MB);
  // the buffers are freed by V8's sweeper, alongside the thread: give it a moment
  setTimeout(() => parentPort.postMessage({ base, small, before, collected, after: threadExternalBytes(), kept: keep[keep.length - 1] }), 100);
});
`;

describe('releaseTrackGarbage', () => {
  it('frees the dead ArrayBuffers of a worker thread above the bound, and keeps the live ones', async () => {
    const module = new URL('../../electron/core/jobs/thread-garbage.js', import.meta.url).href;
    const got = await new Promise<{ base: number; small: boolean; before: number; collected: boolean; after: number; kept: number }>((resolve, reject) => {
      const w = new Worker(THREAD, { eval: true, workerData: { module } });
      w.once('message', resolve);
      w.once('error', reject);
    });
    const MB = 1024 * 1024;
    assert.equal(got.small, false, 'under the bound it does not collect');
    assert.ok(got.before - got.base > 24 * MB, `the dead buffers were still held before (${((got.before - got.base) / MB).toFixed(1)} MB)`);
    assert.equal(got.collected, true);
    assert.ok(got.after - got.base < 8 * MB, `after collecting, ${((got.after - got.base) / MB).toFixed(1)} MB are left`);
    assert.ok(got.after >= 4 * MB, 'the live buffer is kept');
    assert.equal(got.kept, 1);
  });
});
