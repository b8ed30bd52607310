// What `spectag doctor` says about the genre model: every backbone an analysis runs (the head's and EfficientAT,
// whose outputs are stored per track), selected and self-tested as the analysis workers do.
import { test } from 'node:test';
import { GENRE_VOCABULARY } from '../../electron/shared/genre-vocabulary.js';
import assert from 'node:assert/strict';
import { describeModelReport, modelDoctorReport } from '../../electron/core/model/doctor-report.js';
import { ANALYSIS_BACKBONES } from '../../electron/core/model/predictor.js';

test('doctor names every backbone the analysis runs and the backend chosen for them', async () => {
  const r = await modelDoctorReport();
  assert.equal(r.error, undefined);
  for (const b of ANALYSIS_BACKBONES) assert.ok(r.backbones?.includes(b), `${b} in ${r.backbones?.join(', ')}`);
  assert.equal(r.inference?.runtime, 'onnxruntime');
  const lines = describeModelReport(r);
  assert.match(lines[0]!, /backbones (musicnn-msd, efficientat-mn04|efficientat-mn04, musicnn-msd)/);
  // the head's genres and the rest of the genre vocabulary from AudioSet
  assert.match(lines[0]!, new RegExp(`, ${GENRE_VOCABULARY.length} genres,`));
  assert.ok(lines.some((l) => /: used/.test(l)), lines.join('\n'));
});
