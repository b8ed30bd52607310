// spectag analyze: listen to the library's tracks (decode excerpts → log-mel spectrogram → picture, levels),
// only those that are new, changed, or analysed by an older pipeline.
import { EXIT, type Command } from '../command.js';
import { inferenceBackendOption, wholeNumber } from '../options.js';
import { DB_OPTION } from '../db-option.js';
import { openCliEngine, relearnIfDue } from '../engine.js';
import { ProgressReporter } from '../progress.js';
import { NoDecoderError } from '../../jobs/analyzer.js';

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'listen to new and changed tracks: excerpts, spectrograms, loudness, silence (resumable)',
  usage: `Usage: spectag analyze [--db FILE] [--limit N] [--workers N] [--retry-errors] [--json]

Queues every readable library file that has not been analysed with the current pipeline (new, changed,
or analysed by an older version; a changed file whose audio is the same, because only its tags changed, keeps
its analysis and is not listened to again), then decodes a few excerpts of each with ffmpeg, computes their
log-mel spectrograms, loudness and silence, and draws a spectrogram picture into a cache folder beside
the database. Interrupt at any time: the next run continues where this one stopped.
  --limit N        analyse at most N tracks in this run
  --workers N      analysis threads (default: one per core; half the cores when the genre model runs)
  --retry-errors   try again files whose analysis failed before
  --json           print the report as JSON
  --no-model       listen only, without the genre model
  --backend B      inference backend: cuda, directml, coreml, webgpu, cpu (ONNX Runtime), tfjs-node-gpu,
                   tfjs-node, tfjs-wasm (TF.js) (default: the first that works; spectag doctor shows which)
Exit codes: 0 done, 1 done but some files could not be analysed, 2 usage, 3 nothing could be analysed
(ffmpeg missing or database refused), 130 interrupted (Ctrl-C, SIGINT), 143 stopped (SIGTERM).`,
  options: {
    ...DB_OPTION, limit: { type: 'string' }, workers: { type: 'string' }, 'retry-errors': { type: 'boolean' }, json: { type: 'boolean' },
    'no-model': { type: 'boolean' }, backend: { type: 'string' },
  },
  allowPositionals: false,
  async run({ values }, io) {
    const limit = wholeNumber(values.limit, '--limit', 1, Number.MAX_SAFE_INTEGER);
    const workers = wholeNumber(values.workers, '--workers', 1, 64);
    const backend = inferenceBackendOption(values.backend);
    const { engine, path } = openCliEngine(values, io, { model: values['no-model'] !== true, backend });
    const { analysis } = engine.services;
    try {
      // the model code (TF.js, ~100 MB) is loaded only when the model runs
      const predictor = await analysis.predictor();
      if (predictor) io.stderr.write(`genre model ${predictor.modelId} ${predictor.modelVersion}, inference ${analysis.backend?.detail}\n`);
      else if (analysis.modelUnavailable) io.stderr.write(`genre model unavailable, listening only: ${analysis.modelUnavailable}\n`);
      const progress = new ProgressReporter(io.stderr);
      let report;
      try {
        report = await analysis.analyse({
          limit, workers, retryErrors: values['retry-errors'] === true, signal: io.signal,
          onProgress: (p) =>
            p.phase !== 'queueing' &&
            progress.update({ done: p.done, total: p.total, errors: p.errors, rate: p.rate, etaSec: p.etaSec, label: 'tracks', current: p.currentPath }),
        });
      } catch (err) {
        progress.end();
        if (err instanceof NoDecoderError) {
          io.stderr.write(`spectag analyze: ${err.message}\nRun \`spectag doctor\` to see which ffmpeg is used; SPECTAG_FFMPEG selects another.\n`);
          return EXIT.FAILED;
        }
        throw err;
      }
      progress.end();
      if (values.json) {
        io.stdout.write(JSON.stringify({ db: path, cacheDir: engine.cacheDir, ...report }, null, 2) + '\n');
      } else {
        const secs = report.durationMs / 1000;
        const queued = Object.entries(report.queuedByReason).map(([k, n]) => `${n} ${k}`).join(', ');
        io.stdout.write(
          `${report.cancelled ? 'Analysis interrupted' : 'Analysed'} ${report.analysed} tracks in ${secs.toFixed(1)} s ` +
            `(${(report.analysed / Math.max(secs, 0.001)).toFixed(1)} tracks/s): ${report.ok} ok, ${report.silent} silent, ` +
            `${report.errors} failed.\n` +
            (report.rescored ? `Re-scored ${report.rescored} analysed track${report.rescored === 1 ? '' : 's'} with the new genre model from what was stored (nothing decoded).\n` : '') +
            (queued ? `Queued this run: ${queued}.\n` : '') +
            (report.audioUnchanged ? `Kept the analysis of ${report.audioUnchanged} changed file${report.audioUnchanged === 1 ? '' : 's'} whose audio is unchanged (only the tags changed).\n` : '') +
            `Time summed over threads: decoding ${(report.decodeMs / 1000).toFixed(1)} s, spectrograms and pictures ` +
            `${(report.spectrogramMs / 1000).toFixed(1)} s, for ${(report.audioSec / 60).toFixed(1)} min of audio.\n` +
            `Still queued: ${report.remaining}. Library: ${path}\n`,
        );
        if (report.errors) io.stdout.write('Run `spectag doctor` for the analysis summary, errors by kind.\n');
        if (report.cancelled) io.stdout.write('Run the same command again to resume; finished tracks are not analysed again.\n');
      }
      if (report.cancelled) return EXIT.CANCELLED;
      await relearnIfDue(engine, io, values.json === true);
      return report.errors > 0 ? EXIT.PARTIAL : EXIT.OK;
    } finally {
      await engine.close();
    }
  },
};
