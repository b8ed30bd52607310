// spectag decide <file>... --genre G: record the genres chosen for files (what the review window does).
import { EXIT, UsageError, type Command } from '../command.js';
import { DB_OPTION } from '../db-option.js';
import { openCliEngine, relearnIfDue } from '../engine.js';
import { splitGenres } from '../../../shared/genres.js';

export const decideCommand: Command = {
  name: 'decide',
  summary: 'record the genres chosen for files (written later by `spectag write`)',
  usage: `Usage: spectag decide <file>... --genre G [--genre G2 ...] [--reject] [--json] [--db FILE]

Records, for each file already in the library, the genres to write into it (in this order).
--reject records that the suggested genres were rejected: the file will be left as it is.
Nothing is written to the files; run \`spectag write --dry-run\` to see what a write would do.
As in the review window, enough new decisions (\`spectag learn --retrain-after\`) retrain your personal model.
Exit codes: 0 recorded, 1 some files are not in the library (the others were recorded), 2 usage.`,
  options: { ...DB_OPTION, genre: { type: 'string', multiple: true }, reject: { type: 'boolean' }, json: { type: 'boolean' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length === 0) throw new UsageError('name at least one file');
    const raw = (values.genre as string[] | undefined) ?? [];
    if (values.reject && raw.length) throw new UsageError('--reject takes no --genre');
    if (!values.reject && raw.length === 0) throw new UsageError('give at least one --genre (or --reject)');
    for (const g of raw) {
      if (/[;\0]/.test(g)) throw new UsageError(`"${g}": a genre cannot contain ";" (it separates genres in tags); give each with its own --genre`);
    }
    const genres = splitGenres(raw);
    if (!values.reject && genres.length === 0) throw new UsageError('the genres given are empty');
    const { engine } = openCliEngine(values, io);
    try {
      const { recorded, unknown } = engine.services.review.decideFiles(positionals, values.reject ? 'reject' : genres);
      if (values.json) {
        io.stdout.write(JSON.stringify({ recorded, unknown }, null, 2) + '\n');
      } else {
        for (const r of recorded) io.stdout.write(`${r.path}\t${values.reject ? '(rejected)' : r.genres.join('; ')}\n`);
        for (const u of unknown) io.stderr.write(`not in the library (scan its folder first): ${u}\n`);
        io.stdout.write(`Recorded ${recorded.length} decision${recorded.length === 1 ? '' : 's'}. Run \`spectag write --dry-run\` to see what would be written.\n`);
      }
      await relearnIfDue(engine, io, values.json === true);
      return unknown.length ? EXIT.PARTIAL : EXIT.OK;
    } finally {
      await engine.close();
    }
  },
};
