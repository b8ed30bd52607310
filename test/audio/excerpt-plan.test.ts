// The excerpt plan: a pure function of the duration (short, long, unknown, zero, odd options).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EXCERPT_DEFAULTS, planExcerpts, plannedSeconds } from '../../electron/core/audio/excerpt-plan.js';

describe('planExcerpts', () => {
  it('a long track: three 10 s windows (one EfficientAT window each) centred in the 20-80 % span, in order, inside the track', () => {
    for (const d of [180, 240, 301.7, 3600]) {
      const plan = planExcerpts(d);
      assert.equal(plan.length, 3);
      for (const [i, e] of plan.entries()) {
        assert.equal(e.durationSec, 10);
        const centre = e.startSec + e.durationSec / 2;
        const expected = d * (0.2 + (0.6 * (i + 0.5)) / 3);
        assert.ok(Math.abs(centre - expected) < 0.002, `${d}: centre ${centre} vs ${expected}`);
        assert.ok(e.startSec >= 0.2 * d - 5 && e.startSec + e.durationSec <= 0.8 * d + 5);
        if (i > 0) assert.ok(e.startSec >= plan[i - 1]!.startSec + plan[i - 1]!.durationSec, 'no overlap');
      }
    }
    assert.deepEqual(planExcerpts(240), [
      { startSec: 67, durationSec: 10 },
      { startSec: 115, durationSec: 10 },
      { startSec: 163, durationSec: 10 },
    ]);
  });

  it('a short track is taken whole', () => {
    assert.deepEqual(planExcerpts(12.3456), [{ startSec: 0, durationSec: 12.345 }]);
    assert.deepEqual(planExcerpts(45), [{ startSec: 0, durationSec: 45 }]);
    assert.deepEqual(planExcerpts(0.2), [{ startSec: 0, durationSec: 0.2 }]);
  });

  it('just above the whole-track limit: windows laid end to end around the middle when the span is too narrow', () => {
    // 46 s: the 20-80 % span is 27.6 s, too narrow for 3 × 10 s
    const plan = planExcerpts(46);
    assert.deepEqual(plan, [
      { startSec: 8, durationSec: 10 },
      { startSec: 18, durationSec: 10 },
      { startSec: 28, durationSec: 10 },
    ]);
    // 50 s: span 30 s holds them exactly
    assert.deepEqual(planExcerpts(50).map((e) => e.startSec), [10, 20, 30]);
  });

  it('unknown duration: one window from the start, as long as the whole plan', () => {
    for (const d of [null, Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      const [only, ...rest] = planExcerpts(d);
      assert.equal(rest.length, 0);
      assert.equal(only!.startSec, 0);
      assert.ok(Math.abs(only!.durationSec - EXCERPT_DEFAULTS.count * EXCERPT_DEFAULTS.excerptSec) < 0.001);
    }
  });

  it('zero duration: nothing to decode', () => {
    assert.deepEqual(planExcerpts(0), []);
  });

  it('options: count, length, span, whole-track limit; invalid options are refused', () => {
    const plan = planExcerpts(600, { count: 5, excerptSec: 6, spanFrom: 0.1, spanTo: 0.9 });
    assert.equal(plan.length, 5);
    assert.equal(plannedSeconds(plan), 30);
    assert.ok(plan[0]!.startSec > 60 && plan[4]!.startSec + 6 < 540);
    assert.deepEqual(planExcerpts(30, { wholeTrackMaxSec: 10, count: 1, excerptSec: 5 }), [{ startSec: 12.5, durationSec: 5 }]);
    assert.throws(() => planExcerpts(100, { excerptSec: 0 }), RangeError);
    assert.throws(() => planExcerpts(100, { spanFrom: 0.8, spanTo: 0.2 }), RangeError);
  });

  it('never plans past the end, for any duration', () => {
    for (let d = 0.001; d < 400; d = d * 1.37 + 0.01) {
      for (const e of planExcerpts(d)) {
        assert.ok(e.startSec >= 0 && e.durationSec > 0 && e.startSec + e.durationSec <= d + 1e-9, `${d}: ${JSON.stringify(e)}`);
      }
    }
  });
});
