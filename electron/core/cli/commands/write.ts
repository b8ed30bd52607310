// spectag write [selection...]: write decided genres into the files (atomic, verified, journaled for undo).
import { EXIT, UsageError, type Command, type CliIo } from '../command.js';
import { DB_OPTION } from '../db-option.js';
import { openCliEngine } from '../engine.js';
import { ProgressReporter } from '../progress.js';
import { WRITE_MODES, writeReportSummary, type WriteMode, type WritePlan, type WriteReport } from '../../../shared/tags.js';

const list = (g: readonly string[]) => (g.length ? g.join('; ') : '(none)');

function printPlan(plan: WritePlan, io: CliIo): void {
  for (const f of plan.files) {
    if (f.action === 'write') io.stdout.write(`would write\t${f.path}\t${list(f.oldGenres)} → ${list(f.newGenres)}\n`);
    else io.stdout.write(`${f.action === 'unchanged' ? 'unchanged' : 'skip'}\t${f.path}\t${f.reason ?? ''}\n`);
  }
  const n = (a: string) => plan.files.filter((f) => f.action === a).length;
  io.stdout.write(`Dry run: ${n('write')} to write, ${n('unchanged')} unchanged, ${n('skip')} skipped. Nothing was written.\n`);
}

function printReport(report: WriteReport, io: CliIo, verb: string): void {
  for (const f of report.files) {
    if (f.status === 'written') {
      io.stdout.write(`${verb}\t${f.path}\t${list(f.oldGenres)} → ${list(f.newGenres)}\n`);
      // written, but the database could not record it: that must not pass unseen
      if (f.errorKind) io.stderr.write(`NOT RECORDED\t${f.path}\t${f.errorKind}: ${f.message}\n`);
    }
    else if (f.status === 'failed') io.stderr.write(`FAILED\t${f.path}\t${f.errorKind}: ${f.message}\n`);
    else if (f.status === 'skipped' && f.message) io.stdout.write(`skip\t${f.path}\t${f.message}\n`);
  }
  if (report.unrecorded) {
    io.stderr.write(`${report.unrecorded} file${report.unrecorded === 1 ? ' was' : 's were'} ${verb} but the library database could not record it; ` +
      `free space (or repair the database), then \`spectag undo ${report.batchId}\` can still restore ${report.unrecorded === 1 ? 'it' : 'them'}.\n`);
  }
  io.stdout.write(
    `${report.cancelled ? 'Interrupted: ' : ''}${writeReportSummary(report)} in ${(report.durationMs / 1000).toFixed(1)} s.` +
      (report.batchId != null && report.written ? ` Batch ${report.batchId}: \`spectag undo ${report.batchId}\` puts the previous genres back.` : '') + '\n',
  );
}

/** Prints a finished batch (JSON or lines) and gives the command's exit code: written and undone batches alike. */
function finishBatch(report: WriteReport, json: boolean, io: CliIo, verb: string): number {
  if (json) io.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else printReport(report, io, verb);
  if (report.cancelled) return EXIT.CANCELLED;
  if (report.failed && !report.written) return EXIT.FAILED;
  // skipped for a failing database: not done, though nothing failed on its own
  const notDone = report.files.some((f) => f.status === 'skipped' && f.errorKind === 'database');
  return report.failed || report.unrecorded || notDone ? EXIT.PARTIAL : EXIT.OK;
}

export const writeCommand: Command = {
  name: 'write',
  summary: 'write decided genres into the files (dry run, modes, undoable)',
  usage: `Usage: spectag write [--dry-run] [--mode replace|add|if-empty] [--id3v23-join "; "] [--id3v2-version 3|4]
                     [--preserve-mtime] [--json] [--db FILE] [file or folder ...]

Writes the genres recorded with \`spectag decide\` into the files (all decided files, or those named /
under the folders named). Each file is copied, changed, checked (genres read back, every other tag and the
audio unchanged) and only then renamed over the original; the previous genres are journaled first.
  --dry-run          show per file what would change (old → new), write nothing
  --mode             replace (default): the decided genres replace the file's; add: appended to them;
                     if-empty: only files without a genre
  --id3v23-join S    how several genres are joined in an ID3v2.3 tag (default "; ")
  --id3v2-version V  write ID3v2.3 or 2.4 tags (default: keep the file's version; 2.4 for a new tag)
  --preserve-mtime   keep each file's modification time
Exit codes: 0 done, 1 some files failed (each is listed), 2 usage, 3 nothing could be done, 130 interrupted (Ctrl-C, SIGINT), 143 stopped (SIGTERM).`,
  options: {
    ...DB_OPTION, 'dry-run': { type: 'boolean' }, mode: { type: 'string' }, 'id3v23-join': { type: 'string' },
    'id3v2-version': { type: 'string' }, 'preserve-mtime': { type: 'boolean' }, json: { type: 'boolean' },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const mode = (values.mode ?? 'replace') as WriteMode;
    if (!WRITE_MODES.includes(mode)) throw new UsageError(`--mode must be one of ${WRITE_MODES.join(', ')}`);
    const join = (values['id3v23-join'] as string | undefined) ?? '; ';
    if (!join.trim() && join !== ' ') throw new UsageError('--id3v23-join cannot be empty');
    const v = values['id3v2-version'] as string | undefined;
    if (v != null && v !== '3' && v !== '4') throw new UsageError('--id3v2-version must be 3 or 4');
    const { engine } = openCliEngine(values, io);
    const { writes } = engine.services;
    try {
      const unknown = await writes.unknownPaths(positionals);
      if (unknown.length) throw new UsageError(`not in the library: ${unknown.join(', ')} (scan the folder first)`);
      const plan = await writes.plan({ paths: positionals }, mode, {
        id3v23Join: join, preserveMtime: !!values['preserve-mtime'], id3v2Version: v == null ? null : (Number(v) as 3 | 4),
      });
      if (values['dry-run']) {
        if (values.json) io.stdout.write(JSON.stringify({ dryRun: true, ...plan }, null, 2) + '\n');
        else printPlan(plan, io);
        return EXIT.OK;
      }
      const progress = new ProgressReporter(io.stderr);
      const started = Date.now();
      const report = await writes.apply(plan, {
        signal: io.signal,
        onProgress: (p) => {
          const secs = (Date.now() - started) / 1000;
          const rate = secs > 0 ? p.done / secs : 0;
          progress.update({ done: p.done, total: p.total, errors: p.failed, rate, etaSec: rate > 0 ? (p.total - p.done) / rate : null, label: 'files', current: p.currentPath });
        },
      });
      progress.end();
      return finishBatch(report, values.json === true, io, 'written');
    } finally {
      await engine.close();
    }
  },
};

export { finishBatch };
