// Queries over the library's roots and files: what the scanner writes and what the CLI and UI read.
import type { Statement } from 'better-sqlite3';
import { sep } from 'node:path';
import type { Db } from './open.js';
import type {
  AudioProps, FileQuery, FileStatus, LibraryFile, LibraryStats, ScanErrorKind, SortKey, TrackTags,
} from '../../shared/library.js';

/** What the scanner knows about a file from stat() alone. */
export interface FileStat {
  path: string;
  size: number;
  mtimeMs: number;
  fileKey: string | null;
}

/** The scanner's result of reading one file: tags+audio, or an error. */
export type ReadResult =
  | { ok: true; contentId: string; tags: TrackTags; audio: AudioProps }
  | { ok: false; contentId: string | null; errorKind: ScanErrorKind; errorMessage: string };

/** The part of a file row the scanner needs to decide what changed. */
export interface KnownFile {
  id: number;
  path: string;
  size: number;
  mtimeMs: number;
  fileKey: string | null;
  contentId: string | null;
  status: FileStatus;
}

const SORT_COLUMNS: Record<SortKey, string> = {
  path: 'f.path', title: 'f.title', artist: 'f.artist', albumArtist: 'f.album_artist', album: 'f.album',
  year: 'f.year', trackNo: 'f.track_no', genre: 'f.genre_sort', durationSec: 'f.duration_sec',
  container: 'f.container', codec: 'f.codec', bitrate: 'f.bitrate', sampleRate: 'f.sample_rate',
  size: 'f.size', mtimeMs: 'f.mtime_ms', status: 'f.status', scannedAt: 'f.scanned_at',
};

interface FileRow {
  id: number; root_id: number; path: string; size: number; mtime_ms: number; status: FileStatus;
  error_kind: ScanErrorKind | null; error_message: string | null; container: AudioProps['container'];
  codec: string | null; duration_sec: number | null; sample_rate: number | null; channels: number | null;
  bitrate: number | null; lossless: number | null; has_cover: number; title: string | null; artist: string | null;
  album_artist: string | null; album: string | null; track_no: number | null; track_of: number | null;
  disc_no: number | null; disc_of: number | null; year: number | null; genres: string;
  first_seen_at: number; scanned_at: number | null; missing_since: number | null;
}

function toLibraryFile(r: FileRow): LibraryFile {
  return {
    id: r.id, rootId: r.root_id, path: r.path, size: r.size, mtimeMs: r.mtime_ms, status: r.status,
    errorKind: r.error_kind, errorMessage: r.error_message, container: r.container, codec: r.codec,
    durationSec: r.duration_sec, sampleRate: r.sample_rate, channels: r.channels, bitrate: r.bitrate,
    lossless: r.lossless == null ? null : r.lossless === 1, hasCover: r.has_cover === 1, title: r.title,
    artist: r.artist, albumArtist: r.album_artist, album: r.album, trackNo: r.track_no, trackOf: r.track_of,
    discNo: r.disc_no, discOf: r.disc_of, year: r.year, genres: JSON.parse(r.genres) as string[],
    firstSeenAt: r.first_seen_at, scannedAt: r.scanned_at, missingSince: r.missing_since,
  };
}

const EMPTY_TAGS: TrackTags = {
  title: null, artist: null, albumArtist: null, album: null, trackNo: null, trackOf: null, discNo: null,
  discOf: null, year: null, genres: [],
};
const EMPTY_AUDIO: AudioProps = {
  container: null, codec: null, durationSec: null, sampleRate: null, channels: null, bitrate: null,
  lossless: null, hasCover: false,
};

/** What a caller that joins other tables adds to a file query (FileStore.buildQuery). Trusted SQL only. */
export interface QueryExtension {
  /** the selected columns instead of f.* */
  columns?: string;
  /** JOIN clauses of the rows query */
  joins?: string;
  /** JOIN clauses of the count query (needed when `where` refers to joined tables) */
  countJoins?: string;
  /** further conditions, ANDed after the query's own, with their parameters */
  where?: { sql: string; params?: readonly unknown[] }[];
  /** ORDER BY expression instead of the column of q.sort (f.id still breaks ties) */
  orderBy?: string;
}

/** Escape user text for an FTS5 trigram query: each word becomes a quoted phrase, all must match. */
function ftsQuery(words: string[]): string {
  return words.map((w) => `"${w.replaceAll('"', '""')}"`).join(' AND ');
}

export class FileStore {
  constructor(readonly db: Db) {
    this.indexesText = (db.pragma('user_version', { simple: true }) as number) >= 10;
  }

  /** The compilation column (migration 12), when this database has it: migration tests write older versions. */
  private compilationStmt: Statement | null | undefined;

  ensureRoot(path: string, now = Date.now()): number {
    const row = this.db.prepare('SELECT id FROM roots WHERE path = ?').get(path) as { id: number } | undefined;
    if (row) return row.id;
    return Number(this.db.prepare('INSERT INTO roots(path, added_at) VALUES (?, ?)').run(path, now).lastInsertRowid);
  }

  /** The library folders, by path, with the files found under each. */
  roots(): { id: number; path: string; lastScanAt: number | null; files: number }[] {
    return this.db
      .prepare('SELECT r.id, r.path, r.last_scan_at AS lastScanAt, count(f.id) AS files FROM roots r LEFT JOIN files f ON f.root_id = r.id GROUP BY r.id ORDER BY r.path')
      .all() as { id: number; path: string; lastScanAt: number | null; files: number }[];
  }

  rootPaths(): string[] {
    return this.db.prepare('SELECT path FROM roots ORDER BY path').pluck().all() as string[];
  }

  /** The titles of these files (null: no title tag), by id. */
  titles(ids: readonly number[]): Map<number, string | null> {
    const rows = this.db.prepare('SELECT id, title FROM files WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as { id: number; title: string | null }[];
    return new Map(rows.map((r) => [r.id, r.title]));
  }

  markRootScanned(rootId: number, now = Date.now()): void {
    this.db.prepare('UPDATE roots SET last_scan_at = ? WHERE id = ?').run(now, rootId);
  }

  /** Every file known under a root, keyed by path (the scanner's diff input). */
  knownFiles(rootId: number): Map<string, KnownFile> {
    const rows = this.db
      .prepare('SELECT id, path, size, mtime_ms AS mtimeMs, file_key AS fileKey, content_id AS contentId, status FROM files WHERE root_id = ?')
      .all(rootId) as KnownFile[];
    return new Map(rows.map((r) => [r.path, r]));
  }

  private readonly insertStmt = () =>
    this.db.prepare(`INSERT INTO files (root_id, path, size, mtime_ms, file_key, content_id, status, error_kind,
      error_message, container, codec, duration_sec, sample_rate, channels, bitrate, lossless, has_cover, title,
      artist, album_artist, album, track_no, track_of, disc_no, disc_of, year, genres, genre_sort, first_seen_at,
      scanned_at, missing_since)
      VALUES (@rootId, @path, @size, @mtimeMs, @fileKey, @contentId, @status, @errorKind, @errorMessage, @container,
      @codec, @durationSec, @sampleRate, @channels, @bitrate, @lossless, @hasCover, @title, @artist, @albumArtist,
      @album, @trackNo, @trackOf, @discNo, @discOf, @year, @genres, @genreSort, @now, @now, NULL)`);

  private readonly updateStmt = () =>
    this.db.prepare(`UPDATE files SET root_id = @rootId, path = @path, size = @size, mtime_ms = @mtimeMs,
      file_key = @fileKey, content_id = @contentId, status = @status, error_kind = @errorKind,
      error_message = @errorMessage, container = @container, codec = @codec, duration_sec = @durationSec,
      sample_rate = @sampleRate, channels = @channels, bitrate = @bitrate, lossless = @lossless,
      has_cover = @hasCover, title = @title, artist = @artist, album_artist = @albumArtist, album = @album,
      track_no = @trackNo, track_of = @trackOf, disc_no = @discNo, disc_of = @discOf, year = @year,
      genres = @genres, genre_sort = @genreSort, scanned_at = @now, missing_since = NULL
      WHERE id = @id`);

  private cached: {
    insert?: ReturnType<FileStore['insertStmt']>;
    update?: ReturnType<FileStore['updateStmt']>;
    deleteGenres?: Statement;
    insertGenre?: Statement;
    byId?: Statement;
    byContentId?: Statement;
    indexText?: Statement;
    markMissing?: Statement;
    markPresent?: Statement;
  } = {};

  /**
   * Since schema 10 a new row's text goes into the search index here (older schemas still index it by trigger).
   * Inside batch() the ids wait and go in with one statement.
   */
  private readonly indexesText: boolean;
  private pendingText: number[] | null = null;

  private indexText(ids: readonly number[]): void {
    if (!ids.length) return;
    this.cached.indexText ??= this.db.prepare(`INSERT INTO files_fts(rowid, title, artist, album_artist, album, path)
      SELECT id, title, artist, album_artist, album, path FROM files WHERE id IN (SELECT value FROM json_each(?))`);
    this.cached.indexText.run(JSON.stringify(ids));
  }

  /** Run `fn` in one transaction; files it adds are indexed for search together at the end (much cheaper). */
  batch<T>(fn: () => T): T {
    return this.db.transaction(() => {
      const outer = this.pendingText;
      this.pendingText = outer ?? [];
      try {
        const r = fn();
        if (!outer) this.indexText(this.pendingText);
        return r;
      } finally {
        this.pendingText = outer;
      }
    })();
  }

  /**
   * Record the result of reading a file. `id` given: update that row (changed or moved file, keeping its
   * history); otherwise insert. On a read error the previous tags are kept, so nothing known is lost.
   */
  saveRead(rootId: number, stat: FileStat, result: ReadResult, id: number | null, now = Date.now()): number {
    const previous = id == null ? null : this.get(id);
    const tags = result.ok ? result.tags : previous ?? EMPTY_TAGS;
    const audio = result.ok ? result.audio : previous ?? EMPTY_AUDIO;
    const params = {
      id, rootId, path: stat.path, size: stat.size, mtimeMs: stat.mtimeMs, fileKey: stat.fileKey,
      contentId: result.contentId ?? previous?.contentId ?? null,
      status: result.ok ? 'ok' : 'error', errorKind: result.ok ? null : result.errorKind,
      errorMessage: result.ok ? null : result.errorMessage, container: audio.container, codec: audio.codec,
      durationSec: audio.durationSec, sampleRate: audio.sampleRate, channels: audio.channels, bitrate: audio.bitrate,
      lossless: audio.lossless == null ? null : audio.lossless ? 1 : 0, hasCover: audio.hasCover ? 1 : 0,
      title: tags.title, artist: tags.artist, albumArtist: tags.albumArtist, album: tags.album, trackNo: tags.trackNo,
      trackOf: tags.trackOf, discNo: tags.discNo, discOf: tags.discOf, year: tags.year,
      genres: JSON.stringify(tags.genres), genreSort: tags.genres[0] ?? null, now,
    };
    let fileId: number;
    if (id == null) {
      this.cached.insert ??= this.insertStmt();
      fileId = Number(this.cached.insert.run(params).lastInsertRowid);
      if (this.indexesText) {
        if (this.pendingText) this.pendingText.push(fileId);
        else this.indexText([fileId]);
      }
    } else {
      this.cached.update ??= this.updateStmt();
      this.cached.update.run(params);
      fileId = id;
      this.cached.deleteGenres ??= this.db.prepare('DELETE FROM file_genres WHERE file_id = ?');
      this.cached.deleteGenres.run(fileId);
    }
    const insGenre = (this.cached.insertGenre ??= this.db.prepare('INSERT INTO file_genres(file_id, position, genre) VALUES (?, ?, ?)'));
    tags.genres.forEach((g, i) => insGenre.run(fileId, i, g));
    if (result.ok) this.saveCompilation(fileId, tags.compilation);
    return fileId;
  }

  private saveCompilation(fileId: number, flag: boolean | null | undefined): void {
    if (this.compilationStmt === undefined) {
      const has = (this.db.prepare("SELECT 1 FROM pragma_table_info('files') WHERE name = 'compilation'").get() as unknown) != null;
      this.compilationStmt = has ? this.db.prepare('UPDATE files SET compilation = ? WHERE id = ?') : null;
    }
    this.compilationStmt?.run(flag == null ? null : flag ? 1 : 0, fileId);
  }

  private get(id: number): (LibraryFile & { contentId: string | null }) | null {
    this.cached.byId ??= this.db.prepare('SELECT * FROM files WHERE id = ?');
    const row = this.cached.byId.get(id) as (FileRow & { content_id: string | null }) | undefined;
    return row ? { ...toLibraryFile(row), contentId: row.content_id } : null;
  }

  /** A file that vanished: keep the row (and everything decided about it), flag it missing. */
  markMissing(ids: readonly number[], now = Date.now()): void {
    const stmt = (this.cached.markMissing ??= this.db.prepare(
      "UPDATE files SET status = 'missing', missing_since = coalesce(missing_since, ?) WHERE id = ?",
    ));
    for (const id of ids) stmt.run(now, id);
  }

  /** A missing file is back, unchanged (e.g. the drive was remounted): restore its previous status. */
  markPresent(id: number): void {
    this.cached.markPresent ??= this.db.prepare(
      "UPDATE files SET status = CASE WHEN error_kind IS NULL THEN 'ok' ELSE 'error' END, missing_since = NULL WHERE id = ?",
    );
    this.cached.markPresent.run(id);
  }

  /** A file moved/renamed with unchanged content: only its location and stat change. */
  movePath(id: number, rootId: number, stat: FileStat): void {
    this.db
      .prepare(`UPDATE files SET root_id = ?, path = ?, size = ?, mtime_ms = ?, file_key = ?, missing_since = NULL,
        status = CASE WHEN error_kind IS NULL THEN 'ok' ELSE 'error' END WHERE id = ?`)
      .run(rootId, stat.path, stat.size, stat.mtimeMs, stat.fileKey, id);
  }

  /** Files that disappeared (missing, or listed in `gone`) with this content identity: rename candidates. */
  findByContentId(contentId: string): KnownFile[] {
    this.cached.byContentId ??= this.db.prepare(
      'SELECT id, path, size, mtime_ms AS mtimeMs, file_key AS fileKey, content_id AS contentId, status FROM files WHERE content_id = ?',
    );
    return this.cached.byContentId.all(contentId) as KnownFile[];
  }

  getById(id: number): LibraryFile | null {
    const row = this.db.prepare('SELECT * FROM files WHERE id = ?').get(id) as FileRow | undefined;
    return row ? toLibraryFile(row) : null;
  }

  getByPath(path: string): LibraryFile | null {
    const row = this.db.prepare('SELECT * FROM files WHERE path = ?').get(path) as FileRow | undefined;
    return row ? toLibraryFile(row) : null;
  }

  /**
   * Every file scanned under a folder (at any depth), by path: a range over the path index (the paths that
   * start with the folder and a separator), not a scan of every file.
   */
  filesUnder(folder: string): LibraryFile[] {
    const base = folder.endsWith(sep) ? folder.slice(0, -1) : folder;
    const after = String.fromCharCode(sep.charCodeAt(0) + 1);
    return (this.db.prepare('SELECT * FROM files WHERE path > ? AND path < ? ORDER BY path').all(base + sep, base + after) as FileRow[]).map(toLibraryFile);
  }

  /**
   * The SQL and parameters of a file query; exposed so tests can check its query plan. `ext` lets a caller
   * that joins other tables (the review window's library view) reuse the same filters, text search and paging.
   */
  buildQuery(q: FileQuery, ext: QueryExtension = {}): { sql: string; countSql: string; params: unknown[] } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.genre != null) {
      // +f.id: the genre's files are a set to probe while walking the sort column's index (covering, stops
      // after one page), not rows to fetch one by one and sort: 16 ms → 1 ms for a genre of 7,000 of 100,000
      // files, and never worse than one walk of an index however many files have the genre
      where.push('+f.id IN (SELECT file_id FROM file_genres WHERE genre = ?)');
      params.push(q.genre);
    }
    if (q.missingGenre) where.push('f.genre_sort IS NULL');
    if (q.status) {
      where.push('f.status = ?');
      params.push(q.status);
    }
    // NUL cannot be in a tag or a path, and would end the FTS query string early: it is a word break here
    const words = (q.text ?? '').split(/[\s\0]+/).filter(Boolean);
    const long = words.filter((w) => [...w].length >= 3);
    const short = words.filter((w) => [...w].length < 3);
    if (long.length) {
      where.push('f.id IN (SELECT rowid FROM files_fts WHERE files_fts MATCH ?)');
      params.push(ftsQuery(long));
    }
    for (const w of short) {
      // trigram FTS needs 3 characters; shorter words are matched directly
      where.push("(f.title LIKE ? ESCAPE '\\' OR f.artist LIKE ? ESCAPE '\\' OR f.album_artist LIKE ? ESCAPE '\\' OR f.album LIKE ? ESCAPE '\\' OR f.path LIKE ? ESCAPE '\\')");
      const like = `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      params.push(like, like, like, like, like);
    }
    for (const w of ext.where ?? []) {
      where.push(w.sql);
      params.push(...(w.params ?? []));
    }
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const col = ext.orderBy ?? SORT_COLUMNS[q.sort ?? 'path'];
    const dir = q.descending ? 'DESC' : 'ASC';
    const limit = Math.max(0, Math.min(q.limit ?? 100, 10_000));
    const offset = Math.max(0, q.offset ?? 0);
    return {
      sql: `SELECT ${ext.columns ?? 'f.*'} FROM files f ${ext.joins ?? ''} ${whereSql} ORDER BY ${col} ${dir}, f.id ${dir} LIMIT ${limit} OFFSET ${offset}`,
      countSql: `SELECT count(*) AS n FROM files f ${ext.countJoins ?? ''} ${whereSql}`,
      params,
    };
  }

  /** `where`: further conditions of a caller (the review's "suggested G", for `spectag list --suggested`). */
  query(q: FileQuery, ext: Pick<QueryExtension, 'where'> = {}): { total: number; files: LibraryFile[] } {
    const { sql, countSql, params } = this.buildQuery(q, ext);
    const rows = this.db.prepare(sql).all(...params) as FileRow[];
    const total = (this.db.prepare(countSql).get(...params) as { n: number }).n;
    return { total, files: rows.map(toLibraryFile) };
  }

  /**
   * Files on disk (not missing) per genre tag, case-insensitively, most files first. Counted as all files minus
   * the missing ones: both read only the genre index, where a join with every file row took 15 times longer
   * (100,000 tracks: 5 ms instead of 75 ms, and the engine answers nothing else meanwhile).
   */
  genreCounts(): { genre: string; files: number }[] {
    type Count = { genre: string; n: number };
    const all = this.db.prepare('SELECT genre, count(DISTINCT file_id) AS n FROM file_genres GROUP BY genre').all() as Count[];
    const missing = new Map(
      (this.db
        .prepare(`SELECT g.genre AS genre, count(DISTINCT g.file_id) AS n FROM files f JOIN file_genres g ON g.file_id = f.id
          WHERE f.status = 'missing' GROUP BY g.genre`)
        .all() as Count[]).map((r) => [r.genre.toLowerCase(), r.n]),
    );
    return all
      .map((r) => ({ genre: r.genre, files: r.n - (missing.get(r.genre.toLowerCase()) ?? 0) }))
      .filter((r) => r.files > 0)
      .sort((a, b) => b.files - a.files || (a.genre < b.genre ? -1 : a.genre > b.genre ? 1 : 0));
  }

  stats(): LibraryStats {
    const db = this.db;
    const roots = db
      .prepare('SELECT r.path, r.last_scan_at AS lastScanAt, count(f.id) AS files FROM roots r LEFT JOIN files f ON f.root_id = r.id GROUP BY r.id ORDER BY r.path')
      .all() as LibraryStats['roots'];
    const byStatus: Record<FileStatus, number> = { ok: 0, error: 0, missing: 0 };
    for (const r of db.prepare('SELECT status, count(*) AS n FROM files GROUP BY status').all() as { status: FileStatus; n: number }[]) {
      byStatus[r.status] = r.n;
    }
    const pairs = (sql: string) =>
      Object.fromEntries((db.prepare(sql).all() as { k: string; n: number }[]).map((r) => [r.k, r.n]));
    const totals = db
      .prepare(`SELECT coalesce(sum(duration_sec), 0) AS dur, coalesce(sum(size), 0) AS bytes,
        coalesce(sum(genre_sort IS NOT NULL), 0) AS withGenre, coalesce(sum(genre_sort IS NULL), 0) AS withoutGenre
        FROM files WHERE status = 'ok'`)
      .get() as { dur: number; bytes: number; withGenre: number; withoutGenre: number };
    return {
      roots,
      files: byStatus.ok + byStatus.error + byStatus.missing,
      byStatus,
      byContainer: pairs("SELECT coalesce(container, '?') AS k, count(*) AS n FROM files WHERE status = 'ok' GROUP BY k ORDER BY n DESC"),
      errorsByKind: pairs("SELECT error_kind AS k, count(*) AS n FROM files WHERE status = 'error' GROUP BY k ORDER BY n DESC"),
      withGenre: totals.withGenre,
      withoutGenre: totals.withoutGenre,
      topGenres: this.genreCounts().slice(0, 20),
      totalDurationSec: totals.dur,
      totalBytes: totals.bytes,
    };
  }
}
