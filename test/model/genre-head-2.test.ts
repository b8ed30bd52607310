// The TS runtime of the shipped two-backbone head computes what the export script's fitted model computed for the
// same mean embeddings (golden probes written by native-models/tools/efficientat_head.py export --golden): the
// unit-length scaling per input and musicnn's tag layer on the mean embedding included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGenreHead, SHIPPED_HEAD_DIR } from '../../electron/core/model/genre-head.js';
import { NATIVE_MODELS_DIR } from '../../electron/core/model/paths.js';
import { GOLDEN_DIR } from '../golden/model/fixture-patches.js';

interface Golden {
  head: string;
  genres: string[];
  probes: { 'efficientat-mn04': number[]; 'musicnn-msd': number[]; probabilities: number[] }[];
}

test('the shipped head gives the export script’s probabilities for the golden mean embeddings (±1e-4)', async () => {
  const head = await loadGenreHead(NATIVE_MODELS_DIR, SHIPPED_HEAD_DIR);
  const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, 'genre-head-2-golden.json'), 'utf8')) as Golden;
  assert.equal(golden.head, `${head.id}@${head.version}`);
  assert.deepEqual(head.genres.slice(0, golden.genres.length), golden.genres);
  assert.ok(golden.probes.length >= 4);
  const bests = new Set<string>();
  for (const [n, probe] of golden.probes.entries()) {
    const p = head.fromStored({
      embeddings: { 'efficientat-mn04': Float32Array.from(probe['efficientat-mn04']), 'musicnn-msd': Float32Array.from(probe['musicnn-msd']) },
      // the AudioSet entries are not part of this check; the head needs the logits to be there
      outputs: [{ backbone: 'efficientat-mn04', output: 'logits', values: new Float32Array(527) }],
    });
    assert.ok(p, `probe ${n}: the head scored nothing`);
    golden.genres.forEach((g, i) => {
      const want = probe.probabilities[i]!;
      // the stored probabilities are rounded to 4 decimals
      assert.ok(Math.abs(p.probabilities[g]! - want) < 1e-4, `probe ${n} ${g}: ${p.probabilities[g]} vs ${want}`);
    });
    bests.add(golden.genres[probe.probabilities.indexOf(Math.max(...probe.probabilities))]!);
  }
  // the probes are not all one genre: a head that ignored its inputs would not pass
  assert.ok(bests.size >= 2, `probes' best genres: ${[...bests].join(', ')}`);
});

test('a head without one of its inputs scores nothing (the track is listened to again instead)', async () => {
  const head = await loadGenreHead(NATIVE_MODELS_DIR, SHIPPED_HEAD_DIR);
  const p = head.fromStored({
    embeddings: { 'efficientat-mn04': new Float32Array(384) },
    outputs: [{ backbone: 'efficientat-mn04', output: 'logits', values: new Float32Array(527) }],
  });
  assert.equal(p, null);
});
