// The engine behind a `spectag` command: the same feature services the window uses (electron/core/service),
// on the database --db (or SPECTAG_DB) names. Retraining the personal model is explicit here: a command
// asks for it at its end (relearnIfDue) instead of a timer keeping the process alive.
import type { LearnReport } from '../../shared/personal.js';
import { resolveDbPath } from '../db/paths.js';
import { EngineService, type EngineOptions } from '../service/engine.js';
import type { CliIo } from './command.js';

/**
 * Opens the library a command works on. Only a command that starts a library (`scan`) passes create: true;
 * every other one refuses a path where there is no library (NoLibraryError) and creates nothing.
 */
export function openCliEngine(values: Record<string, unknown>, io: CliIo, opts: Omit<EngineOptions, 'dbPath' | 'host' | 'retrain' | 'watch'> = {}): { engine: EngineService; path: string } {
  const path = resolveDbPath(typeof values.db === 'string' ? values.db : undefined, io.env);
  return { engine: new EngineService({ create: false, ...opts, dbPath: path, host: 'cli', retrain: 'explicit', watch: false }), path };
}

/** Prints a training run's phases on stderr (unless quiet). */
export function learnPhases(io: CliIo, quiet: boolean): ((phase: string, detail?: string) => void) | undefined {
  return quiet ? undefined : (phase, detail) => io.stderr.write(`${phase}${detail ? ` ${detail}` : ''}…\n`);
}

/**
 * What the window does a moment after decisions or an analysis: retrain the personal model when enough new
 * decisions were made (`spectag learn --retrain-after`) or the default model changed. Says so on stderr.
 */
export async function relearnIfDue(engine: EngineService, io: CliIo, quiet: boolean): Promise<LearnReport | null> {
  const { personal } = engine.services;
  const state = personal.retrainState();
  if (!state.due) return null;
  if (!quiet) io.stderr.write(`Relearning your genres (${state.defaultModelChanged ? 'the default model changed' : `${state.newDecisions} new decisions`})…\n`);
  let report: LearnReport | null;
  try {
    report = await personal.retrainIfDue({ signal: io.signal, onPhase: learnPhases(io, quiet) });
  } catch (err) {
    // interrupted: what the command did is saved, and the retraining is still due next time
    if (io.signal.aborted) return null;
    throw err;
  }
  if (report && !quiet) {
    io.stderr.write(report.trained
      ? `Your genres: personal model v${report.version}, offered: ${report.offeredGenres.join(', ') || 'none'} (\`spectag learn\` prints the report).\n`
      : `Your genres were not relearned: ${report.reason ?? 'unknown reason'}.\n`);
  }
  return report;
}
