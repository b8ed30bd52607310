// What `spectag doctor` says about the genre model: which model and version, and which backend the chain
// picks on this machine (with why the preferred ones were skipped).
import { loadGenreHead } from './genre-head.js';
import { NATIVE_MODELS_DIR } from './paths.js';
import { describeBackend, selectBackend } from './backend.js';
import type { BackendReport } from '../../shared/genres-model.js';

export interface ModelDoctorReport {
  modelsDir: string;
  modelId?: string;
  headVersion?: string;
  genres?: readonly string[];
  backend?: BackendReport;
  error?: string;
}

export async function modelDoctorReport(modelsDir = NATIVE_MODELS_DIR): Promise<ModelDoctorReport> {
  const report: ModelDoctorReport = { modelsDir };
  try {
    const head = await loadGenreHead(modelsDir);
    Object.assign(report, { modelId: head.id, headVersion: head.version, genres: head.genres });
    report.backend = await selectBackend();
  } catch (err) {
    report.error = (err as Error).message;
  }
  return report;
}

export function describeModelReport(r: ModelDoctorReport): string[] {
  if (r.error) return [`genre model: error: ${r.error} (models folder ${r.modelsDir})`];
  return [
    `genre model: ${r.modelId} v${r.headVersion}, ${r.genres?.length} genres (${r.modelsDir})`,
    `  backend: ${r.backend ? describeBackend(r.backend) : 'none'}`,
  ];
}
