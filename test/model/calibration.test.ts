// The confidence levels (bulk accept's strong / medium, the "unsure" line, the listed suggestions) come from the
// model's own calibration: the shipped head.json, or a personal head as stored; only what a head does not state
// falls back. Checked on head files written here, on the shipped head, and through the engine's API.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confidenceThresholds, defaultModelThresholds } from '../../electron/core/model/calibration.js';
import { NATIVE_MODELS_DIR } from '../../electron/core/model/paths.js';
import { SHIPPED_HEAD_DIR } from '../../electron/core/model/genre-head.js';
import { FALLBACK_CONFIDENCE_THRESHOLDS, PERSONAL_CONFIDENCE_THRESHOLDS } from '../../electron/shared/api-names.js';
import { EngineService } from '../../electron/core/service/engine.js';

describe('confidence levels from the model\'s calibration', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-calibration-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const modelsWith = (name: string, head: object | null): string => {
    const models = join(dir, name);
    mkdirSync(join(models, SHIPPED_HEAD_DIR), { recursive: true });
    if (head) writeFileSync(join(models, SHIPPED_HEAD_DIR, 'head.json'), JSON.stringify({ format: 'spectag-genre-head', ...head }));
    return models;
  };

  it('a head\'s own thresholds are used: confident → medium, suggest, and strong where it states one', () => {
    assert.deepEqual(defaultModelThresholds(modelsWith('a', { confidentThreshold: 0.7, suggestThreshold: 0.3 })), {
      strong: FALLBACK_CONFIDENCE_THRESHOLDS.strong, medium: 0.7, suggest: 0.3,
    });
    assert.deepEqual(defaultModelThresholds(modelsWith('b', { confidentThreshold: 0.45, suggestThreshold: 0.1, strongThreshold: 0.9 })), {
      strong: 0.9, medium: 0.45, suggest: 0.1,
    });
  });

  it('falls back where the head is missing or states nothing usable; strong never below medium', () => {
    assert.deepEqual(defaultModelThresholds(modelsWith('none', null)), FALLBACK_CONFIDENCE_THRESHOLDS);
    assert.deepEqual(confidenceThresholds({ confidentThreshold: 2, suggestThreshold: 'x' }), FALLBACK_CONFIDENCE_THRESHOLDS);
    assert.deepEqual(confidenceThresholds({ confidentThreshold: 0.95 }), { strong: 0.95, medium: 0.95, suggest: FALLBACK_CONFIDENCE_THRESHOLDS.suggest });
    assert.equal(confidenceThresholds({ confidentThreshold: 0.5 }, PERSONAL_CONFIDENCE_THRESHOLDS).medium, 0.5);
  });

  it('the shipped model: its head.json decides, and the bulk-accept preview reports those levels', async () => {
    // the head the analysis scores with (two backbones), not the musicnn-only head of the TF.js fallback
    const shipped = JSON.parse(readFileSync(join(NATIVE_MODELS_DIR, SHIPPED_HEAD_DIR, 'head.json'), 'utf8')) as { confidentThreshold: number; suggestThreshold: number };
    const levels = defaultModelThresholds();
    assert.equal(levels.medium, shipped.confidentThreshold);
    assert.equal(levels.suggest, shipped.suggestThreshold);
    const engine = new EngineService({ dbPath: join(dir, 'lib.sqlite'), host: 'web', model: false });
    try {
      assert.deepEqual((await engine.bulkAcceptPreview({ minConfidence: 0.9 })).thresholds, levels);
      assert.deepEqual((await engine.bulkAcceptAlbumsPreview({ minConfidence: 0.9 })).thresholds, levels);
      // no personal model yet: the default head's levels
      assert.deepEqual((await engine.bulkAcceptPreview({ minConfidence: 0.9, suggestions: 'personal' })).thresholds, levels);
    } finally {
      await engine.close();
    }
  });
});
