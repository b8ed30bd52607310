// spectag scan <folder>...: add folders to the library and bring it up to date with the disk.
import { EXIT, UsageError, type Command } from '../command.js';
import { DB_OPTION } from '../db-option.js';
import { openCliEngine } from '../engine.js';
import { ProgressReporter } from '../progress.js';

export const scanCommand: Command = {
  name: 'scan',
  summary: 'scan music folders into the library (only new and changed files are read)',
  usage: `Usage: spectag scan <folder>... [--db FILE] [--workers N] [--json]

Walks each folder, reads tags of new and changed files, recognises moved files and marks
vanished ones as missing. Prints a summary; --json prints the summary as JSON.
Exit codes: 0 done, 1 done but some files could not be read, 2 usage, 3 nothing scanned, 130 interrupted (Ctrl-C, SIGINT), 143 stopped (SIGTERM).`,
  options: { ...DB_OPTION, workers: { type: 'string' }, json: { type: 'boolean' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length === 0) throw new UsageError('name at least one folder to scan');
    const workers = values.workers == null ? undefined : Number(values.workers);
    if (workers != null && (!Number.isInteger(workers) || workers < 1 || workers > 64)) {
      throw new UsageError('--workers must be a whole number from 1 to 64');
    }
    const { engine, path } = openCliEngine(values, io, { create: true });
    try {
      const progress = new ProgressReporter(io.stderr);
      const report = await engine.services.library.scan(positionals, {
        signal: io.signal,
        workers,
        onProgress: (p) =>
          progress.update({ done: p.done, total: p.seen, errors: p.errors, rate: p.rate, etaSec: p.etaSec, label: 'files', current: p.currentPath }),
      });
      progress.end();
      for (const e of report.rootErrors) io.stderr.write(`${e.folder ? 'warning: folder not scanned' : 'error'}: ${e.message}\n`);
      if (values.json) {
        io.stdout.write(JSON.stringify({ db: path, ...report }, null, 2) + '\n');
      } else {
        const secs = report.durationMs / 1000;
        io.stdout.write(
          `${report.cancelled ? 'Scan interrupted' : 'Scanned'} ${report.seen} audio files in ${secs.toFixed(1)} s ` +
            `(${(report.seen / Math.max(secs, 0.001)).toFixed(0)} files/s): ${report.added} new, ${report.updated} changed, ` +
            `${report.moved} moved, ${report.unchanged} unchanged, ${report.missing} newly missing, ${report.errors} unreadable.\n` +
            `Library: ${path}\n`,
        );
        if (report.folded.count) {
          const eg = report.folded.paths[0]!;
          io.stdout.write(
            `${report.folded.count} ${report.folded.count === 1 ? 'path names' : 'paths name'} a file already indexed under another path ` +
              `(hard links or links), indexed once under the first: e.g. ${eg.path} is ${eg.keptPath}. --json lists them.\n`,
          );
        }
        if (report.errors) io.stdout.write('Run `spectag list --errors` to see which files and why.\n');
        if (report.cancelled) io.stdout.write('Run the same command again to resume; finished files are not read again.\n');
      }
      if (report.cancelled) return EXIT.CANCELLED;
      if (report.rootErrors.filter((e) => !e.folder).length === positionals.length) return EXIT.FAILED;
      return report.errors > 0 || report.rootErrors.length > 0 ? EXIT.PARTIAL : EXIT.OK;
    } finally {
      await engine.close();
    }
  },
};
