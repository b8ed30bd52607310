// Proof that a test made the very fixture signal the Python golden-number script made: the checksums the
// script wrote next to its numbers (sum, sum of squares, first and last samples), and the shape of its cases.
import assert from 'node:assert/strict';

export interface SignalChecksum {
  sum: number;
  sumSquares: number;
  first: number[];
  last: number[];
}

export function assertSameSignal(x: Float32Array, checksum: SignalChecksum): void {
  let sum = 0;
  let sumSq = 0;
  for (const v of x) {
    sum += v;
    sumSq += v * v;
  }
  assert.ok(Math.abs(sum - checksum.sum) < 1e-9 && Math.abs(sumSq - checksum.sumSquares) < 1e-6, 'fixture signal differs from Python\'s');
  assert.deepEqual([...x.subarray(0, 4)], checksum.first);
  assert.deepEqual([...x.subarray(x.length - 4)], checksum.last);
}

/** One case of a golden log-mel file: the fixture's first `samples` samples, their checksum, frame-major values. */
export interface GoldenLogMelCase {
  name: string;
  samples: number;
  checksum: SignalChecksum;
  frames: number;
  /** frame-major (frames × bands) */
  logmel: number[];
}
