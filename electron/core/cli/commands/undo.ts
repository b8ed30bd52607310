// spectag undo <batch>: put back the genres a write batch replaced (exactly as they were); no batch: list them.
import { EXIT, UsageError, type Command } from '../command.js';
import { DB_OPTION } from '../db-option.js';
import { openCliEngine } from '../engine.js';
import { ProgressReporter } from '../progress.js';
import { UndoError } from '../../tags/write.js';
import { finishBatch } from './write.js';
import { batchSummary } from '../../../shared/tags.js';

export const undoCommand: Command = {
  name: 'undo',
  summary: 'undo a write batch: restore the previous genres exactly (no batch: list recent batches)',
  usage: `Usage: spectag undo <batch> [--json] [--db FILE]
       spectag undo [--json]            lists the recent write batches

Restores, in every file the batch wrote, the genre values exactly as they were before (atomic and
verified per file, like a write). The undo is a batch itself. A file changed since the write is left alone.
Exit codes: 0 done, 1 some files failed, 2 usage, 3 nothing could be undone, 130 interrupted (Ctrl-C, SIGINT), 143 stopped (SIGTERM).`,
  options: { ...DB_OPTION, json: { type: 'boolean' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length > 1) throw new UsageError('give one batch number');
    const { engine } = openCliEngine(values, io);
    const { writes } = engine.services;
    try {
      if (positionals.length === 0) {
        const batches = writes.history(20);
        if (values.json) {
          io.stdout.write(JSON.stringify({ batches }, null, 2) + '\n');
        } else {
          if (!batches.length) io.stdout.write('No write batches yet.\n');
          for (const b of batches) {
            io.stdout.write(`${b.id}\t${new Date(b.createdAt).toISOString()}\t${b.kind}${b.undoesBatchId ? ` of ${b.undoesBatchId}` : ''}\t` +
              `${b.status}\t${batchSummary(b)}\n`);
          }
        }
        return EXIT.OK;
      }
      const id = Number(positionals[0]);
      if (!Number.isInteger(id) || id < 1) throw new UsageError('the batch is a number (see `spectag undo`)');
      const progress = new ProgressReporter(io.stderr);
      let report;
      try {
        report = await writes.undo(id, {
          signal: io.signal,
          onProgress: (p) => progress.update({ done: p.done, total: p.total, errors: p.failed, rate: 0, etaSec: null, label: 'files', current: p.currentPath }),
        });
      } catch (err) {
        if (!(err instanceof UndoError)) throw err;
        io.stderr.write(`spectag undo: ${err.message}\n`);
        return EXIT.FAILED;
      } finally {
        progress.end();
      }
      return finishBatch(report, values.json === true, io, 'restored');
    } finally {
      await engine.close();
    }
  },
};
