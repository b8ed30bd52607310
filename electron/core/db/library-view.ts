// The library as the review window sees it: every file with its review status (unanalysed, suggested,
// accepted, ... written), current and suggested genre and confidence, filtered, sorted and paged in SQL.
// It reads the tables of the scanner, the analysis, the genre model, the decisions and the personal model.
import { dirname, isAbsolute, join } from 'node:path';
import type { Db } from './open.js';
import { FileStore } from './files.js';
import type { FileStatus, LibraryFile } from '../../shared/library.js';
import type { LibraryPage, LibraryQuery, LibraryRow, ReviewStatus, TrackAnalysisView, LibrarySortKey, SuggestionSource } from '../../shared/api.js';
import { REVIEW_STATUSES } from '../../shared/api-names.js';
import { PERSONAL_PREDICTION_COLUMNS } from './personal.js';
import type { AnalysisErrorKind, AnalysisStatus, ExcerptSpan } from '../../shared/analysis.js';
import { suggestionSetHolds } from './predictions.js';

/** How the genre model's results enter the library query (supplied once the predictions table exists). */
export interface PredictionColumns {
  /** LEFT JOIN clause, aliasing the prediction row as `p` */
  join: string;
  /** SQL: is there a prediction for f */
  present: string;
  /** SQL: the prediction is unsure (no confident genre) */
  unsure: string;
  /** SQL: best genre (text) and its probability (real) */
  suggested: string;
  confidence: string;
  /** SQL: the suggestion set of f as JSON, [[genre, probability], ...] best first ('[]': none) */
  set: string;
  /** SQL: f is suggested one of the genres in the JSON array bound to the one `?` it holds (any member of its set) */
  suggests: string;
  /** SQL: a prediction of f exists that also satisfies `extra` (about alias px); keeps files as the outer loop */
  exists(extra?: string): string;
}

interface Row {
  id: number; path: string; title: string | null; artist: string | null; album: string | null; year: number | null;
  duration_sec: number | null; container: string | null; status: FileStatus; has_cover: number; genres: string; d_genres: string | null;
  suggested: string | null; confidence: number | null; s_set: string; review: ReviewStatus; y_genre: string | null; y_probability: number | null;
}

/** A library query as the view takes it: `suggested` may name several genres (the service's reading of a name). */
export type ViewQuery = Omit<LibraryQuery, 'suggested'> & { suggested?: string | readonly string[] };

/** The predictions of one model (migration 005's table), as library columns. */
export function predictionColumns(modelId: string): PredictionColumns {
  const id = `'${modelId.replaceAll("'", "''")}'`;
  return {
    join: `LEFT JOIN predictions p ON p.file_id = f.id AND p.model_id = ${id}`,
    present: 'p.file_id IS NOT NULL',
    unsure: 'p.unsure = 1',
    suggested: 'CASE WHEN p.unsure = 1 THEN NULL ELSE p.top_genre END',
    confidence: 'p.top_probability',
    // the set's first member is top_genre (PredictionStore.save writes both from the same list)
    set: `(SELECT json_group_array(json_array(ps.genre, ps.probability) ORDER BY ps.rank) FROM prediction_suggestions ps
      WHERE ps.file_id = f.id AND ps.model_id = ${id})`,
    suggests: suggestionSetHolds('f.id', id, '?'),
    exists: (extra = '') => `EXISTS (SELECT 1 FROM predictions px WHERE px.file_id = f.id AND px.model_id = ${id}${extra ? ` AND ${extra}` : ''})`,
  };
}

/**
 * The personal model's suggestions (migration 006) as library columns: only those it offers (it beat the
 * default model on held-out tracks for that genre), and, like the default model's, no genre when unsure.
 */
export const PERSONAL_COLUMNS: PredictionColumns = {
  ...PERSONAL_PREDICTION_COLUMNS,
  suggested: `CASE WHEN ${PERSONAL_PREDICTION_COLUMNS.unsure} THEN NULL ELSE ${PERSONAL_PREDICTION_COLUMNS.suggested} END`,
  // the personal model suggests one genre: its set has that one member
  set: `CASE WHEN p.file_id IS NULL OR ${PERSONAL_PREDICTION_COLUMNS.unsure} THEN '[]'
    ELSE json_array(json_array(${PERSONAL_PREDICTION_COLUMNS.suggested}, ${PERSONAL_PREDICTION_COLUMNS.confidence})) END`,
  suggests: `EXISTS (SELECT 1 FROM personal_predictions px WHERE px.file_id = f.id AND px.offered = 1 AND px.unsure = 0
    AND px.top_genre COLLATE NOCASE IN (SELECT value FROM json_each(?)))`,
  exists: (extra = '') => `EXISTS (SELECT 1 FROM personal_predictions px WHERE px.file_id = f.id AND px.offered = 1${extra ? ` AND ${extra}` : ''})`,
};

/** Review statuses whose filter needs no join (see statusWhere). */
const PROBED_STATUSES: ReadonlySet<ReviewStatus> = new Set(['suggested', 'unsure', 'unanalysed', 'error']);

/** Each file's decision that counts: its latest (alias d). */
const LATEST_DECISION_JOIN = 'LEFT JOIN decisions d ON d.id = (SELECT max(id) FROM decisions WHERE file_id = f.id)';

/** The "yours" column beside the default suggestion: a confident, offered personal suggestion (alias pp). */
const YOURS_JOIN = 'LEFT JOIN personal_predictions pp ON pp.file_id = f.id AND pp.offered = 1 AND pp.unsure = 0';

export class LibraryView {
  private readonly dbDir: string;
  private readonly files: FileStore;

  constructor(readonly db: Db, dbPath: string, private predictions: PredictionColumns | null = null) {
    this.dbDir = dirname(dbPath);
    this.files = new FileStore(db);
  }

  /** Which model's predictions the library shows (null: none). */
  setPredictions(p: PredictionColumns | null): void {
    this.predictions = p;
  }

  /** The suggestions that make the review status: the default model's, or the personal model's when asked for. */
  columnsFor(source: SuggestionSource = 'default'): PredictionColumns | null {
    if (source === 'personal') return PERSONAL_COLUMNS;
    return this.predictions;
  }

  private joins(p: PredictionColumns | null, rows = false): string {
    const j = [LATEST_DECISION_JOIN, 'LEFT JOIN analysis a ON a.file_id = f.id'];
    if (p) j.push(p.join);
    if (rows) j.push(YOURS_JOIN);
    return j.join(' ');
  }

  /** SQL for a file's review status; see REVIEW_STATUSES for the meanings. */
  statusSql(p: PredictionColumns | null = this.predictions): string {
    return `CASE
      WHEN f.status != 'ok' THEN 'error'
      WHEN d.id IS NOT NULL THEN CASE
        WHEN d.source != 'rejected' AND d.genres = f.genres THEN CASE WHEN EXISTS (SELECT 1 FROM write_journal wj
          WHERE wj.file_id = f.id AND wj.decision_id = d.id AND wj.status = 'written') THEN 'written' ELSE 'confirmed' END
        WHEN d.source = 'accepted' THEN 'accepted'
        WHEN d.source = 'rejected' THEN 'rejected'
        ELSE 'corrected' END
      ${p ? `WHEN ${p.present} THEN CASE WHEN ${p.unsure} THEN 'unsure' ELSE 'suggested' END` : ''}
      WHEN a.status = 'error' THEN 'error' WHEN a.status = 'silent' THEN 'unsure'
      ELSE 'unanalysed' END`;
  }

  /**
   * The filter for one review status: the same meaning as statusSql(), written so that the statuses of
   * undecided files need no "latest decision" lookup (an index probe for existence is enough).
   */
  private statusWhere(status: ReviewStatus, p: PredictionColumns | null): string {
    // EXISTS probes instead of conditions on the joined rows (those would let SQLite turn the LEFT JOINs into
    // inner joins driven from another table), and +f.status (no index on it): the walk stays in sort order
    // and stops after one page
    const noDecision = 'NOT EXISTS (SELECT 1 FROM decisions dd WHERE dd.file_id = f.id)';
    const noPrediction = p ? `NOT ${p.exists()}` : '1';
    const analysis = (cond: string) => `EXISTS (SELECT 1 FROM analysis ax WHERE ax.file_id = f.id AND ${cond})`;
    switch (status) {
      case 'suggested':
        return p ? `(+f.status = 'ok' AND ${noDecision} AND ${p.exists('px.unsure = 0')})` : '0';
      case 'unsure':
        return `(+f.status = 'ok' AND ${noDecision} AND (${p ? p.exists('px.unsure = 1') : '0'} OR (${noPrediction} AND ${analysis("ax.status = 'silent'")})))`;
      case 'unanalysed':
        return `(+f.status = 'ok' AND ${noDecision} AND ${noPrediction} AND NOT ${analysis("ax.status != 'ok'")})`;
      case 'error':
        return `(+f.status != 'ok' OR (${noDecision} AND ${noPrediction} AND ${analysis("ax.status = 'error'")}))`;
      default:
        // decided statuses depend on the latest decision
        return `(+f.status = 'ok' AND EXISTS (SELECT 1 FROM decisions dd WHERE dd.file_id = f.id) AND (${this.statusSql(p)}) = '${status}')`;
    }
  }

  private sortSql(key: LibrarySortKey, p: PredictionColumns | null): string {
    switch (key) {
      case 'path': return 'f.path';
      case 'title': return 'f.title';
      case 'artist': return 'f.artist';
      case 'album': return 'f.album';
      case 'year': return 'f.year';
      case 'genre': return 'f.genre_sort';
      case 'durationSec': return 'f.duration_sec';
      case 'container': return 'f.container';
      case 'status': return `(${this.statusSql(p)})`;
      case 'suggested': return p ? p.suggested : 'NULL';
      case 'confidence': return p ? p.confidence : 'NULL';
    }
  }

  /**
   * The review window's conditions on top of FileStore's query (genre, text search, paging): review status
   * and suggested genre (an EXISTS probe of the suggestion sets, so any member counts and no join is needed);
   * `needsJoins` when they refer to joined tables (the count needs the joins too).
   */
  private conditions(q: ViewQuery, p: PredictionColumns | null): { where: { sql: string; params?: unknown[] }[]; needsJoins: boolean } {
    const where: { sql: string; params?: unknown[] }[] = [];
    let needsJoins = false;
    if (q.status) {
      where.push({ sql: this.statusWhere(q.status, p) });
      // the statuses of undecided files are EXISTS probes; the decided ones look at the latest decision (d)
      needsJoins = !PROBED_STATUSES.has(q.status);
    }
    const suggested = this.suggestedGenres(q);
    if (suggested) where.push(p ? { sql: p.suggests, params: [JSON.stringify(suggested)] } : { sql: '0' });
    return { where, needsJoins };
  }

  /** The genres of a suggested-genre filter (null: none); compared case-insensitively. */
  private suggestedGenres(q: ViewQuery): string[] | null {
    if (q.suggested == null || q.suggested.length === 0) return null;
    return typeof q.suggested === 'string' ? [q.suggested] : [...q.suggested];
  }

  /**
   * The condition "suggested one of these genres" (any member of a file's set) for a plain file query, as the
   * review's filter has it: `spectag list --suggested` shares it.
   */
  suggestedWhere(genres: readonly string[], source: SuggestionSource = 'default'): { sql: string; params: unknown[] } {
    const p = this.columnsFor(source);
    return p ? { sql: p.suggests, params: [JSON.stringify(genres)] } : { sql: '0', params: [] };
  }

  private selectColumns(p: PredictionColumns | null): string {
    return `f.id, f.path, f.title, f.artist, f.album, f.year, f.duration_sec, f.container, f.status, f.has_cover, f.genres,
      CASE WHEN d.id IS NULL THEN NULL ELSE d.genres END AS d_genres,
      ${p ? p.suggested : 'NULL'} AS suggested, ${p ? p.confidence : 'NULL'} AS confidence, ${p ? p.set : "'[]'"} AS s_set,
      ${this.statusSql(p)} AS review,
      pp.top_genre AS y_genre, pp.top_probability AS y_probability`;
  }

  /**
   * The SQL of a library query (exposed so tests can check its plans). One query builder for the library:
   * FileStore's filters, text search and paging, plus the review's conditions. The page's file ids are found
   * first (`pageSql`: an index walk over files alone, unless a filter or the sort needs the review's tables),
   * and only those rows get the joins for what the table shows: a genre filter or a deep page no longer joins
   * decisions, analysis and predictions for every row it passes.
   */
  buildQuery(q: ViewQuery): { sql: string; countSql: string; pageSql: string; params: unknown[] } {
    const p = this.columnsFor(q.suggestions);
    const { where, needsJoins } = this.conditions(q, p);
    const key = q.sort ?? 'path';
    const order = this.sortSql(key, p);
    const joinedSort = key === 'status' || key === 'suggested' || key === 'confidence';
    const page = this.files.buildQuery(
      { genre: q.genre, text: q.text, descending: q.descending, limit: q.limit ?? 100, offset: q.offset ?? 0 },
      { columns: 'f.id', joins: needsJoins || joinedSort ? this.joins(p) : '', countJoins: needsJoins ? this.joins(p) : '', where, orderBy: order },
    );
    const dir = q.descending ? 'DESC' : 'ASC';
    return {
      sql: `SELECT ${this.selectColumns(p)} FROM (${page.sql}) page JOIN files f ON f.id = page.id ${this.joins(p, true)}
        ORDER BY ${order} ${dir}, f.id ${dir}`,
      countSql: page.countSql, pageSql: page.sql, params: page.params,
    };
  }

  query(q: ViewQuery): LibraryPage {
    const { sql, countSql, params } = this.buildQuery(q);
    const rows = q.limit === 0 ? [] : (this.db.prepare(sql).all(...params) as Row[]);
    const total = q.count === false ? -1 : (this.db.prepare(countSql).get(...params) as { n: number }).n;
    return { total, offset: q.offset ?? 0, rows: rows.map(toLibraryRow) };
  }

  row(fileId: number, source: SuggestionSource = 'default'): LibraryRow | null {
    const p = this.columnsFor(source);
    const r = this.db.prepare(`SELECT ${this.selectColumns(p)} FROM files f ${this.joins(p, true)} WHERE f.id = ?`).get(fileId) as Row | undefined;
    return r ? toLibraryRow(r) : null;
  }

  /** The review rows of these files (in no particular order; ids not in the library are left out). */
  rows(fileIds: readonly number[], source: SuggestionSource = 'default'): LibraryRow[] {
    if (!fileIds.length) return [];
    const p = this.columnsFor(source);
    return (this.db.prepare(`SELECT ${this.selectColumns(p)} FROM files f ${this.joins(p, true)} WHERE f.id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(fileIds)) as Row[]).map(toLibraryRow);
  }

  countByStatus(): Record<ReviewStatus, number> {
    const out = Object.fromEntries(REVIEW_STATUSES.map((s) => [s, 0])) as Record<ReviewStatus, number>;
    const rows = this.db
      .prepare(`SELECT review, count(*) AS n FROM (SELECT ${this.statusSql()} AS review FROM files f ${this.joins(this.predictions)}) GROUP BY review`)
      .all() as { review: ReviewStatus; n: number }[];
    for (const r of rows) out[r.review] = r.n;
    return out;
  }

  /** Genres as the library will be once the decisions are written (decided genres win over the file's). */
  distribution(limit = 30): { genre: string; files: number }[] {
    const effective = "CASE WHEN d.id IS NOT NULL AND d.source != 'rejected' THEN d.genres ELSE f.genres END";
    return this.db
      .prepare(`SELECT je.value AS genre, count(*) AS files FROM files f
        ${LATEST_DECISION_JOIN},
        json_each(${effective}) je
        WHERE f.status = 'ok' GROUP BY je.value COLLATE NOCASE ORDER BY files DESC, genre LIMIT ?`)
      .all(limit) as { genre: string; files: number }[];
  }

  fileById(id: number): LibraryFile | null {
    return this.files.getById(id);
  }

  analysis(fileId: number): (TrackAnalysisView & { imagePath: string | null }) | null {
    const r = this.db.prepare('SELECT * FROM analysis WHERE file_id = ?').get(fileId) as AnalysisRow | undefined;
    if (!r) return null;
    const imagePath = r.image_path == null ? null : isAbsolute(r.image_path) ? r.image_path : join(this.dbDir, r.image_path);
    return {
      status: r.status, errorKind: r.error_kind, errorMessage: r.error_message, warning: r.warning, analysedSec: r.analysed_sec,
      excerpts: JSON.parse(r.excerpts) as ExcerptSpan[], rmsDb: r.rms_db, peakDb: r.peak_db, silentFraction: r.silent_fraction,
      hasImage: imagePath != null, analysedAt: r.analysed_at, modelId: r.model_id, imagePath,
    };
  }
}

interface AnalysisRow {
  status: AnalysisStatus; error_kind: AnalysisErrorKind | null; error_message: string | null; warning: string | null;
  analysed_sec: number; excerpts: string; rms_db: number | null; peak_db: number | null; silent_fraction: number | null;
  image_path: string | null; analysed_at: number; model_id: string | null;
}

function toLibraryRow(r: Row): LibraryRow {
  return {
    id: r.id, path: r.path, title: r.title, artist: r.artist, album: r.album, year: r.year, durationSec: r.duration_sec,
    container: r.container, fileStatus: r.status, hasCover: r.has_cover === 1, genres: JSON.parse(r.genres) as string[], suggested: r.suggested,
    confidence: r.confidence,
    // model genres here; the service puts them under the person's names and says what accepting records
    suggestions: r.suggested == null ? [] : (JSON.parse(r.s_set) as [string, number][]).map(([genre, probability]) => ({ genre, label: genre, probability })),
    accepts: [], decided: r.d_genres == null ? null : (JSON.parse(r.d_genres) as string[]), status: r.review,
    personal: r.y_genre == null ? null : { genre: r.y_genre, probability: r.y_probability ?? 0 },
  };
}
