// spectag albums: the library grouped into albums, each with its suggestion and how much its tracks agree.
import { EXIT, UsageError, type Command } from '../command.js';
import { DB_OPTION } from '../db-option.js';
import { openCliEngine } from '../engine.js';
import { ALBUM_SORT_KEYS, ALBUM_STATUSES, type AlbumQuery, type AlbumRow, type AlbumSortKey, type AlbumStatus } from '../../../shared/api.js';
import { wholeNumber } from '../options.js';

const pct = (x: number | null) => (x == null ? '–' : `${Math.round(x * 100)}%`);

function line(a: AlbumRow): string {
  const inFiles = a.genres.map((g) => g.genre).join('; ') || '(no genre)';
  const suggestion = a.suggested
    ? `${a.suggestion.map((s) => s.genre).join('; ')} ${pct(a.confidence)}${a.unsure ? ' (unsure)' : ''}, agreement ${pct(a.agreement)}${a.outliers ? `, ${a.outliers} disagreeing` : ''}`
    : '(not analysed)';
  return `${a.id}\t${a.artist ?? '(unknown artist)'} – ${a.title}${a.year ? ` (${a.year})` : ''}\t${a.tracks} tracks\t${inFiles}\t→ ${suggestion}\t${a.status}\t${a.folder}`;
}

export const albumsCommand: Command = {
  name: 'albums',
  summary: 'list albums with their suggestion and agreement (filter by genre, status; JSON)',
  usage: `Usage: spectag albums [--genre G] [--missing-genre] [--suggested G] [--status S] [--search TEXT]
                      [--sort KEY] [--desc] [--limit N] [--offset N] [--json] [--db FILE]

Albums group the library's tracks by album and album artist (by folder where the album tag is missing;
compilations and multi-disc sets are one album). Each album's suggestion aggregates its tracks' predictions:
its confidence is the suggested genre's mean probability over the tracks, its agreement the share of tracks
whose own best genre it is; tracks that clearly disagree are counted (\`spectag albums --json\` lists them
with the album's tracks via \`decide --album\`).
--genre G: albums with G in their files' tags; --missing-genre: albums with a track without genre;
--suggested G: albums suggested G. Status: ${ALBUM_STATUSES.join(', ')}. Sort keys: ${ALBUM_SORT_KEYS.join(', ')}
(default: artist). Text columns: id, artist – title (year), tracks, genres in the files, → suggestion, status, folder.
--json prints {"total": N, "albums": [...]}.`,
  options: {
    ...DB_OPTION, genre: { type: 'string' }, 'missing-genre': { type: 'boolean' }, suggested: { type: 'string' },
    status: { type: 'string' }, search: { type: 'string' }, sort: { type: 'string' }, desc: { type: 'boolean' },
    limit: { type: 'string' }, offset: { type: 'string' }, json: { type: 'boolean' },
  },
  allowPositionals: false,
  async run({ values }, io) {
    const q: AlbumQuery = { limit: wholeNumber(values.limit, '--limit', 0, 1000) ?? 1000, offset: wholeNumber(values.offset, '--offset', 0, 100_000_000) };
    if (typeof values.genre === 'string') q.genre = values.genre;
    if (values['missing-genre']) q.missingGenre = true;
    if (typeof values.suggested === 'string') q.suggested = values.suggested;
    if (typeof values.search === 'string') q.text = values.search;
    if (typeof values.status === 'string') {
      if (!(ALBUM_STATUSES as readonly string[]).includes(values.status)) throw new UsageError(`--status must be one of ${ALBUM_STATUSES.join(', ')}`);
      q.status = values.status as AlbumStatus;
    }
    if (typeof values.sort === 'string') {
      if (!(ALBUM_SORT_KEYS as readonly string[]).includes(values.sort)) throw new UsageError(`--sort must be one of ${ALBUM_SORT_KEYS.join(', ')}`);
      q.sort = values.sort as AlbumSortKey;
    }
    if (values.desc) q.descending = true;
    const { engine } = openCliEngine(values, io);
    try {
      const { total, rows } = engine.services.albums.query(q);
      if (values.json) {
        io.stdout.write(JSON.stringify({ total, albums: rows }, null, 2) + '\n');
        return EXIT.OK;
      }
      for (const a of rows) io.stdout.write(line(a) + '\n');
      if (total > rows.length) io.stderr.write(`(${rows.length} of ${total} shown; use --limit/--offset for more)\n`);
      return EXIT.OK;
    } finally {
      await engine.close();
    }
  },
};
