// How many listening threads a run starts when nobody says: one per core for listening alone; with a model, half the
// cores (the model's inference workers take the other half), so that threads and their memory do not outnumber the
// work on a small machine.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { Analyzer } from '../../electron/core/jobs/analyzer.js';
import type { ModelStep } from '../../electron/core/jobs/model-step.js';
import { MP3, WAV, makeAnalysisLibrary, music, type AnalysisLibrary } from './analysis-library.js';

let lib: AnalysisLibrary;
before(() => {
  lib = makeAnalysisLibrary([
    { rel: 'a/01.mp3', input: music(20, 1), codec: MP3 },
    { rel: 'a/02.wav', input: music(20, 2), codec: WAV },
    { rel: 'a/03.mp3', input: music(20, 3), codec: MP3 },
  ]);
});
after(() => lib.cleanup());

/** A model step that counts the musicnn patches it is given. */
const patchCounter: ModelStep<number> = {
  id: 'patch-counter',
  inputs: { musicnnPatches: 3, efficientat: false },
  async run(input) {
    return input.inputs['musicnn-logmel-16k']!.groups[0]!.count;
  },
  save() {},
};

/** Runs the analysis and reports how many listening threads it had while tracks were in flight. */
async function threadsOfRun(name: string, modelStep?: ModelStep<number>): Promise<{ threads: number[]; ok: number }> {
  const { db } = await lib.scannedDb(name);
  const threads = new Set<number>();
  const analyzer: Analyzer<number> = new Analyzer<number>(db, {
    images: false, modelStep, progressIntervalMs: 0,
    onProgress: () => {
      if (analyzer.pool) threads.add(analyzer.pool.threads.length);
    },
  });
  const report = await analyzer.run();
  db.close();
  return { threads: [...threads], ok: report.ok };
}

describe('default listening threads', () => {
  it('listening alone: one per core (at most 8); with the model: half the cores, rounded up', async () => {
    const cores = availableParallelism();
    const alone = await threadsOfRun('alone');
    assert.equal(alone.ok, 3);
    assert.deepEqual(alone.threads, [Math.min(8, cores)]);
    const withModel = await threadsOfRun('model', patchCounter);
    assert.equal(withModel.ok, 3);
    assert.deepEqual(withModel.threads, [Math.min(8, Math.ceil(cores / 2))]);
  });
});
