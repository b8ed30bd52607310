// spectag list: files of the library, filtered and sorted, as text or JSON.
import { EXIT, UsageError, type Command } from '../command.js';
import { DB_OPTION } from '../db-option.js';
import { openCliEngine } from '../engine.js';
import { SORT_KEYS, type FileQuery, type FileStatus, type SortKey } from '../../../shared/library.js';
import type { ReviewedFile } from '../../../shared/api.js';
import { suggestionSourceOption } from '../options.js';

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** The text columns: path, genres in the file (or the error), the suggestion set with confidences, decision, review status. */
function line(f: ReviewedFile): string {
  const inFile = f.status === 'error' ? `ERROR ${f.errorKind}: ${f.errorMessage}` : f.status === 'missing' ? 'MISSING' : f.genres.join('; ') || '(no genre)';
  const set = f.suggestions.length ? f.suggestions : f.suggested != null ? [{ genre: f.suggested, probability: f.confidence ?? 0 }] : [];
  const suggestion = set.length ? `→ ${set.map((s) => `${s.genre} ${pct(s.probability)}`).join('; ')}` : f.reviewStatus === 'unsure' ? '→ (unsure)' : '→ –';
  const decision = f.decided == null ? '–' : f.decided.length ? `decided ${f.decided.join('; ')}` : 'rejected';
  return `${f.path}\t${inFile}\t${suggestion}\t${decision}\t${f.reviewStatus}`;
}

const STATUSES: FileStatus[] = ['ok', 'error', 'missing'];

export const listCommand: Command = {
  name: 'list',
  summary: 'list library files (filter by genre, status, text; sort; JSON)',
  usage: `Usage: spectag list [--genre G] [--missing-genre] [--suggested G] [--errors] [--missing] [--status ok|error|missing]
                    [--search TEXT] [--sort KEY] [--desc] [--limit N] [--offset N] [--model default|personal] [--json] [--db FILE]

Sort keys: ${SORT_KEYS.join(', ')}. Default: all files by path, at most 1000 (--limit).
--genre G: files whose tags have G. --suggested G: files suggested G, wherever G stands in a track's
suggestion set (a style counts for its genre: --suggested Classical finds "Classical › Orchestral").
Text columns (tab-separated): path, genres in the file (or the error), → the suggestion set, best first, each
genre with its confidence ("(unsure)": analysed, nothing confident; "–": none yet), the decision
("decided G; G2", "rejected" or "–"), and the review status (unanalysed, suggested, unsure, accepted,
corrected, rejected, written, confirmed, error).
--model personal shows (and --suggested looks at) your own model's suggestions instead of the default model's.
--json prints {"total": N, "files": [...]}: each file's fields with suggested and confidence (the best
suggestion), suggestions (the whole set: genre, label, probability), decided (null: no decision; []: rejected),
reviewStatus and personal (format in the README).`,
  options: {
    ...DB_OPTION, genre: { type: 'string' }, 'missing-genre': { type: 'boolean' }, suggested: { type: 'string' }, errors: { type: 'boolean' },
    missing: { type: 'boolean' }, status: { type: 'string' }, search: { type: 'string' }, sort: { type: 'string' },
    desc: { type: 'boolean' }, limit: { type: 'string' }, offset: { type: 'string' }, json: { type: 'boolean' },
    model: { type: 'string' },
  },
  allowPositionals: false,
  async run({ values }, io) {
    const q: FileQuery & { suggested?: string } = { limit: 1000 };
    if (typeof values.genre === 'string') q.genre = values.genre;
    if (typeof values.suggested === 'string') q.suggested = values.suggested;
    if (values['missing-genre']) q.missingGenre = true;
    const statuses = [values.errors && 'error', values.missing && 'missing', typeof values.status === 'string' && values.status].filter(Boolean);
    if (statuses.length > 1) throw new UsageError('choose one of --errors, --missing, --status');
    if (statuses[0]) {
      if (!STATUSES.includes(statuses[0] as FileStatus)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
      q.status = statuses[0] as FileStatus;
    }
    if (typeof values.search === 'string') q.text = values.search;
    if (typeof values.sort === 'string') {
      if (!(SORT_KEYS as readonly string[]).includes(values.sort)) throw new UsageError(`--sort must be one of ${SORT_KEYS.join(', ')}`);
      q.sort = values.sort as SortKey;
    }
    if (values.desc) q.descending = true;
    for (const key of ['limit', 'offset'] as const) {
      if (typeof values[key] !== 'string') continue;
      const n = Number(values[key]);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${key} must be a whole number ≥ 0`);
      q[key] = n;
    }
    const source = suggestionSourceOption(values.model) ?? 'default';
    const { engine } = openCliEngine(values, io);
    try {
      const { total, files } = engine.services.library.listReviewed(q, source);
      if (values.json) {
        io.stdout.write(JSON.stringify({ total, files }, null, 2) + '\n');
        return EXIT.OK;
      }
      for (const f of files) io.stdout.write(line(f) + '\n');
      if (total > files.length) io.stderr.write(`(${files.length} of ${total} shown; use --limit/--offset for more)\n`);
      return EXIT.OK;
    } finally {
      await engine.close();
    }
  },
};
