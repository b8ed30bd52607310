// What `spectag doctor` says about the genre model: which model and version, and which inference backend
// the chain picks on this machine, with why each better one was not used (absent from this build, failed to
// load, failed its self-test).
import { loadGenreHead } from './genre-head.js';
import { NATIVE_MODELS_DIR } from './paths.js';
import { loadBackbone } from './backbone.js';
import { openInference } from './inference.js';
import { analysisBackbones } from './predictor.js';
import type { InferenceReport } from '../../shared/genres-model.js';

export interface ModelDoctorReport {
  modelsDir: string;
  modelId?: string;
  headVersion?: string;
  genres?: readonly string[];
  backbones?: string[];
  inference?: InferenceReport;
  error?: string;
}

export async function modelDoctorReport(modelsDir = NATIVE_MODELS_DIR): Promise<ModelDoctorReport> {
  const report: ModelDoctorReport = { modelsDir };
  try {
    const head = await loadGenreHead(modelsDir);
    // every backbone an analysis runs (the head's and those whose outputs are stored for the heads to come)
    const { backbones, optional } = analysisBackbones(head);
    Object.assign(report, { modelId: head.id, headVersion: head.version, genres: head.genres, backbones });
    // the same selection the analysis workers make, self-tests included
    const { runners, report: inference } = await openInference(await Promise.all(backbones.map((b) => loadBackbone(modelsDir, b))), { optional });
    await Promise.all(runners.map((r) => r.release()));
    report.inference = inference;
  } catch (err) {
    report.error = (err as Error).message;
  }
  return report;
}

export function describeModelReport(r: ModelDoctorReport): string[] {
  if (r.error) return [`genre model: error: ${r.error} (models folder ${r.modelsDir})`];
  const lines = [`genre model: ${r.modelId} v${r.headVersion}, ${r.genres?.length} genres, backbones ${r.backbones?.join(', ')} (${r.modelsDir})`];
  const inf = r.inference;
  if (!inf) return [...lines, '  inference: none'];
  lines.push(`  inference: ${inf.name}${inf.gpu ? ' (GPU)' : ''} on ${inf.detail}`);
  for (const s of inf.skipped) lines.push(`    ${s.name}: not used: ${s.reason}`);
  const test = inf.selfTest ? `, self-test passed (max difference ${inf.selfTest.maxDiff.toPrecision(2)} ≤ ${inf.selfTest.tolerance}, ${inf.selfTest.ms.toFixed(0)} ms)` : '';
  lines.push(`    ${inf.name}: used${test}`);
  return lines;
}
