// spectag decide <file>... --genre G: record the genres chosen for files (what the review window does);
// spectag decide --album <folder-or-id>: the same for an album's tracks, or accept the album's suggestion.
import { resolve } from 'node:path';
import { EXIT, UsageError, type CliIo, type Command } from '../command.js';
import { DB_OPTION } from '../db-option.js';
import { openCliEngine, relearnIfDue } from '../engine.js';
import type { EngineService } from '../../service/engine.js';
import type { FileDecisions } from '../../service/review.js';
import { probability, suggestionSourceOption } from '../options.js';
import type { AlbumDecisionResult } from '../../../shared/api.js';
import { splitGenres } from '../../../shared/genres.js';

export const decideCommand: Command = {
  name: 'decide',
  summary: 'record genres for files or folders, or accept the suggestions (written later by `spectag write`)',
  usage: `Usage: spectag decide <file-or-folder>... --genre G [--genre G2 ...] [--json] [--db FILE]
       spectag decide <file-or-folder>... --reject
       spectag decide [<file-or-folder>...] --accept-suggestions [--min-confidence P] [--model default|personal]
       spectag decide --album <folder-or-album-id> [--album ...] (--genre G ... | --accept-suggestions | --reject)

Records, for each file already in the library (a folder: every file scanned under it), the genres to write
into it (in this order). --reject records that the suggested genres were rejected: the file is left as it is.
Files the scan could not read (not audio, damaged, missing) are refused with the reason: no genre can be
written into them.
--accept-suggestions records each undecided file's suggestion, as the window's bulk accept does: every file
named (or the whole library when none is), whose suggestion reaches --min-confidence (0 to 1 or a percentage;
default 0: every suggestion, and an unsure track has none). The default model's suggestion is a set: every genre
of it that reaches the confidence is recorded, a style at the depth of \`spectag settings --genre-depth\`, spelled
as the library spells it. --model personal takes your own model's suggestions instead of the default model's.
Files left undecided are listed with the reason.
Nothing is written to the files; run \`spectag write --dry-run\` to see what a write would do.
--album decides an album's tracks together (ids as \`spectag albums\` prints them; a folder: the album there, or
every album under it). With --album, --accept-suggestions records each album's suggestion, leaving out the
tracks that clearly disagree with it (they are printed; decide them by file). Tracks moved out of their album in
the window are left out too.
As in the review window, enough new decisions (\`spectag learn --retrain-after\`) retrain your personal model.
Exit codes: 0 recorded, 1 some files or albums are not in the library, cannot be decided, or (accepting
suggestions) were left undecided, or an album has no confident suggestion (the others were recorded), 2 usage.`,
  options: {
    ...DB_OPTION, genre: { type: 'string', multiple: true }, reject: { type: 'boolean' }, json: { type: 'boolean' },
    album: { type: 'string', multiple: true }, 'accept-suggestions': { type: 'boolean' }, 'min-confidence': { type: 'string' },
    model: { type: 'string' },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const albums = (values.album as string[] | undefined) ?? [];
    const accept = values['accept-suggestions'] === true;
    const minConfidence = probability(values['min-confidence'], '--min-confidence');
    const model = suggestionSourceOption(values.model);
    if (albums.length && positionals.length) throw new UsageError('name files or --album, not both');
    if (!albums.length && positionals.length === 0 && !accept) throw new UsageError('name at least one file or folder (or --album)');
    const raw = (values.genre as string[] | undefined) ?? [];
    if (values.reject && raw.length) throw new UsageError('--reject takes no --genre');
    if (accept && (raw.length || values.reject)) throw new UsageError('--accept-suggestions takes no --genre or --reject');
    if ((minConfidence != null || model != null) && !accept) throw new UsageError('--min-confidence and --model go with --accept-suggestions');
    if ((minConfidence != null || model != null) && albums.length) throw new UsageError('--min-confidence and --model are for files; an album\'s suggestion is accepted when it is confident');
    if (!values.reject && !accept && raw.length === 0) throw new UsageError('give at least one --genre (or --reject or --accept-suggestions)');
    for (const g of raw) {
      if (/[;\0]/.test(g)) throw new UsageError(`"${g}": a genre cannot contain ";" (it separates genres in tags); give each with its own --genre`);
    }
    const genres = splitGenres(raw);
    if (!values.reject && !accept && genres.length === 0) throw new UsageError('the genres given are empty');
    const { engine } = openCliEngine(values, io);
    try {
      let code: number;
      if (albums.length) {
        const action = accept ? 'accept' : values.reject ? 'reject' : 'correct';
        code = decideAlbums(engine, albums, action, genres, io, values.json === true);
      } else {
        const { review } = engine.services;
        const result = accept
          ? review.acceptSuggestions(positionals.length ? positionals : null, minConfidence ?? 0, model ?? 'default')
          : review.decideFiles(positionals, values.reject ? 'reject' : genres);
        printFileDecisions(result, io, values.json === true, accept ? 'accept' : values.reject ? 'reject' : 'correct');
        code = result.unknown.length || result.refused.length || result.notAccepted.length ? EXIT.PARTIAL : EXIT.OK;
      }
      await relearnIfDue(engine, io, values.json === true);
      return code;
    } finally {
      await engine.close();
    }
  },
};

function printFileDecisions(r: FileDecisions, io: CliIo, json: boolean, action: 'accept' | 'correct' | 'reject'): void {
  if (json) {
    io.stdout.write(JSON.stringify(r, null, 2) + '\n');
    return;
  }
  for (const d of r.recorded) {
    const conf = d.confidence != null ? `\t${Math.round(d.confidence * 100)}%` : '';
    io.stdout.write(`${d.path}\t${action === 'reject' ? '(rejected)' : d.genres.join('; ')}${conf}\n`);
  }
  for (const n of r.notAccepted) io.stderr.write(`left undecided: ${n.path}: ${n.reason}\n`);
  for (const f of r.refused) io.stderr.write(`cannot be decided: ${f.path}: ${f.reason}\n`);
  for (const u of r.unknown) io.stderr.write(`not in the library (scan its folder first): ${u}\n`);
  const n = r.recorded.length;
  io.stdout.write(`Recorded ${n} decision${n === 1 ? '' : 's'}${action === 'accept' ? ' (suggestions accepted)' : ''}` +
    `${r.notAccepted.length ? `; ${r.notAccepted.length} left undecided` : ''}${r.refused.length ? `; ${r.refused.length} refused` : ''}. ` +
    'Run `spectag write --dry-run` to see what would be written.\n');
}

/** Decides each named album's tracks; prints what was recorded, what was left out, and what was not found. */
function decideAlbums(engine: EngineService, refs: string[], action: 'accept' | 'correct' | 'reject', genres: string[], io: CliIo, json: boolean): number {
  const { albums } = engine.services;
  const done: (AlbumDecisionResult & { title: string; artist: string | null; folder: string })[] = [];
  const unknown: string[] = [];
  const refused: { albumId: number; reason: string }[] = [];
  for (const ref of refs) {
    const found = albums.resolve(ref, (p) => resolve(p));
    if (!found.length) unknown.push(ref);
    for (const a of found) {
      if (done.some((d) => d.albumId === a.id)) continue;
      try {
        const r = albums.decide({ albumId: a.id, action, ...(action === 'correct' ? { genres } : {}) });
        done.push({ ...r, title: a.title, artist: a.artist, folder: a.folder });
      } catch (err) {
        refused.push({ albumId: a.id, reason: (err as Error).message });
      }
    }
  }
  if (json) {
    io.stdout.write(JSON.stringify({
      albums: done.map((d) => ({ albumId: d.albumId, title: d.title, artist: d.artist, folder: d.folder, genres: d.genres, decided: d.decided, leftOut: d.leftOut })),
      refused, unknown,
    }, null, 2) + '\n');
  } else {
    for (const d of done) {
      io.stdout.write(`${d.albumId}\t${d.artist ?? '(unknown artist)'} – ${d.title}\t${action === 'reject' ? '(rejected)' : d.genres.join('; ')}\t${d.decided.length} tracks${d.leftOut.length ? `, ${d.leftOut.length} left out` : ''}\n`);
      for (const id of d.leftOut) {
        const t = engine.services.library.view.fileById(id);
        io.stdout.write(`\tleft out: ${t?.path ?? id}\n`);
      }
    }
    for (const r of refused) io.stderr.write(`album ${r.albumId}: ${r.reason}\n`);
    for (const u of unknown) io.stderr.write(`no album at ${u} (an id from \`spectag albums\`, or a folder holding an album)\n`);
    const tracks = done.reduce((n, d) => n + d.decided.length, 0);
    io.stdout.write(`Recorded ${tracks} decision${tracks === 1 ? '' : 's'} for ${done.length} album${done.length === 1 ? '' : 's'}. Run \`spectag write --dry-run\` to see what would be written.\n`);
  }
  return unknown.length || refused.length ? EXIT.PARTIAL : EXIT.OK;
}
