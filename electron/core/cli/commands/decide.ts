// spectag decide <file>... --genre G: record the genres chosen for files (what the review UI will do).
import { resolve } from 'node:path';
import { EXIT, UsageError, type Command } from '../command.js';
import { DB_OPTION, openCliDb } from '../db-option.js';
import { FileStore } from '../../db/files.js';
import { DecisionStore } from '../../db/decisions.js';
import { splitGenres } from '../../../shared/genres.js';

export const decideCommand: Command = {
  name: 'decide',
  summary: 'record the genres chosen for files (written later by `spectag write`)',
  usage: `Usage: spectag decide <file>... --genre G [--genre G2 ...] [--reject] [--json] [--db FILE]

Records, for each file already in the library, the genres to write into it (in this order).
--reject records that the suggested genres were rejected: the file will be left as it is.
Nothing is written to the files; run \`spectag write --dry-run\` to see what a write would do.
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
    const { db } = openCliDb(values, io);
    try {
      const files = new FileStore(db);
      const decisions = new DecisionStore(db);
      const recorded: { path: string; fileId: number; decisionId: number; genres: string[] }[] = [];
      const unknown: string[] = [];
      db.transaction(() => {
        for (const p of positionals) {
          const abs = resolve(p);
          const f = files.getByPath(abs);
          if (!f) {
            unknown.push(abs);
            continue;
          }
          const id = decisions.record(f.id, values.reject ? [] : genres, values.reject ? 'rejected' : 'cli');
          recorded.push({ path: abs, fileId: f.id, decisionId: id, genres: values.reject ? [] : genres });
        }
      })();
      if (values.json) {
        io.stdout.write(JSON.stringify({ recorded, unknown }, null, 2) + '\n');
      } else {
        for (const r of recorded) io.stdout.write(`${r.path}\t${values.reject ? '(rejected)' : r.genres.join('; ')}\n`);
        for (const u of unknown) io.stderr.write(`not in the library (scan its folder first): ${u}\n`);
        io.stdout.write(`Recorded ${recorded.length} decision${recorded.length === 1 ? '' : 's'}. Run \`spectag write --dry-run\` to see what would be written.\n`);
      }
      return unknown.length ? EXIT.PARTIAL : EXIT.OK;
    } finally {
      db.close();
    }
  },
};
