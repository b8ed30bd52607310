// Albums in the library database (migration 012): the grouping of tracks into albums, the person's choice of
// which tracks an album decision covers, and each album's cached suggestion (refreshed when marked stale).
import type { AlbumQuery, AlbumRow, AlbumStatus } from '../../shared/api.js';
import type { Db } from './open.js';

/** A readable track as the grouping needs it. */
export interface GroupingInputRow {
  id: number; path: string; root: string; album: string | null; albumArtist: string | null; artist: string | null;
  compilation: boolean | null; discNo: number | null; discOf: number | null; year: number | null; hasCover: boolean;
}

/** One album made by the grouping (core/albums/grouping.ts AlbumGroup). */
export interface AlbumGroupInput {
  key: string; groupedBy: 'tags' | 'folder'; title: string; artist: string | null; compilation: boolean; folder: string;
  year: number | null; discs: number; coverFileId: number | null; fileIds: number[];
}

/** One track of a stale album, with what its album's suggestion and status are made of. */
export interface AlbumEvidenceRow {
  albumId: number;
  fileId: number;
  genres: string[];
  /** the model's probabilities (null: not analysed by it) */
  probabilities: Record<string, number> | null;
  /** the personal model's probabilities, and whether it offers its best genre (null: no personal suggestion) */
  personal: { probabilities: Record<string, number>; offered: boolean; unsure: boolean } | null;
  decided: boolean;
  written: boolean;
  choice: 'in' | 'out' | null;
}

/** The derived part of an album, written by refresh (with the stray tracks themselves, not their count). */
export type AlbumDerived = Pick<AlbumRow, 'genres' | 'untagged' | 'analysed' | 'suggested' | 'suggestion' | 'confidence' | 'agreement'
  | 'unsure' | 'personal' | 'decided' | 'written' | 'status'> & { outliers: number[] };

/** An album as stored: the Albums view's row (genres as the model names them) and its grouping key. */
export type AlbumRecord = AlbumRow & { key: string };

interface AlbumDbRow {
  id: number; key: string; grouped_by: 'tags' | 'folder'; title: string; artist: string | null; compilation: number; folder: string;
  year: number | null; discs: number; tracks: number; cover_file_id: number | null; genres: string; untagged: number; analysed: number;
  suggested: string | null; suggestion: string; confidence: number | null; agreement: number | null; unsure: number; outliers: number;
  personal: string | null; personal_confidence: number | null; decided: number; written: number; status: AlbumStatus;
}

const toRecord = (r: AlbumDbRow): AlbumRecord => ({
  id: r.id, key: r.key, groupedBy: r.grouped_by, title: r.title, artist: r.artist, compilation: r.compilation === 1, folder: r.folder,
  year: r.year, discs: r.discs, tracks: r.tracks, coverFileId: r.cover_file_id, genres: JSON.parse(r.genres) as AlbumRecord['genres'],
  untagged: r.untagged, analysed: r.analysed, suggested: r.suggested, suggestion: JSON.parse(r.suggestion) as AlbumRecord['suggestion'],
  confidence: r.confidence, agreement: r.agreement, unsure: r.unsure === 1, outliers: r.outliers,
  personal: r.personal == null ? null : { genre: r.personal, probability: r.personal_confidence ?? 0 },
  decided: r.decided, written: r.written, status: r.status,
});

const SORT_SQL: Record<NonNullable<AlbumQuery['sort']>, string> = {
  title: 'a.title', artist: 'a.artist', year: 'a.year', folder: 'a.folder', tracks: 'a.tracks', suggested: 'a.suggested',
  confidence: 'a.confidence', agreement: 'a.agreement', status: 'a.status',
};

/**
 * SQL: album `a`'s suggestion holds one of the genres of the JSON array bound to its `?`: any of its genres, not
 * only the best (accepting the album records them all). Albums are ten times fewer than tracks and their genre
 * list is short, so a JSON walk per album is enough.
 */
const ALBUM_SUGGESTS = "EXISTS (SELECT 1 FROM json_each(a.suggestion) je WHERE json_extract(je.value, '$.genre') COLLATE NOCASE IN (SELECT value FROM json_each(?)))";

/** An album query as the store takes it: `suggested` may name several genres (the service's reading of a name). */
export type AlbumStoreQuery = Omit<AlbumQuery, 'suggested'> & { suggested?: string | readonly string[] };

/** One genre or several (compared case-insensitively). */
const suggestedGenres = (g: string | readonly string[]) => (typeof g === 'string' ? [g] : [...g]);

export class AlbumStore {
  constructor(readonly db: Db) {}

  /** Every readable track with what the grouping looks at. */
  groupingInput(): GroupingInputRow[] {
    const rows = this.db.prepare(`SELECT f.id, f.path, r.path AS root, f.album, f.album_artist AS albumArtist, f.artist,
        f.compilation, f.disc_no AS discNo, f.disc_of AS discOf, f.year, f.has_cover AS hasCover
      FROM files f JOIN roots r ON r.id = f.root_id WHERE f.status = 'ok'`).all() as (Omit<GroupingInputRow, 'compilation' | 'hasCover'> & { compilation: number | null; hasCover: number })[];
    return rows.map((r) => ({ ...r, compilation: r.compilation == null ? null : r.compilation === 1, hasCover: r.hasCover === 1 }));
  }

  /**
   * Makes the stored albums these groups: an album keeps its id while its key stays; tracks that changed album
   * move, albums left without tracks go. Albums whose tracks changed are marked stale. Returns counts.
   */
  applyGroups(groups: readonly AlbumGroupInput[]): { albums: number; moved: number; removed: number } {
    return this.db.transaction(() => {
      const current = new Map((this.db.prepare('SELECT at.file_id AS fileId, a.key FROM album_tracks at JOIN albums a ON a.id = at.album_id').all() as { fileId: number; key: string }[])
        .map((r) => [r.fileId, r.key]));
      const upsert = this.db.prepare(`INSERT INTO albums (key, grouped_by, title, artist, compilation, folder, year, discs, tracks, cover_file_id)
        VALUES (@key, @groupedBy, @title, @artist, @compilation, @folder, @year, @discs, @tracks, @coverFileId)
        ON CONFLICT (key) DO UPDATE SET grouped_by = excluded.grouped_by, title = excluded.title, artist = excluded.artist,
          compilation = excluded.compilation, folder = excluded.folder, year = excluded.year, discs = excluded.discs,
          tracks = excluded.tracks, cover_file_id = excluded.cover_file_id
        RETURNING id`);
      const setTrack = this.db.prepare(`INSERT INTO album_tracks (file_id, album_id) VALUES (?, ?)
        ON CONFLICT (file_id) DO UPDATE SET album_id = excluded.album_id, outlier = 0`);
      const stale = this.db.prepare('UPDATE albums SET stale = 1 WHERE id = ?');
      const keep = new Set<string>();
      let moved = 0;
      for (const g of groups) {
        keep.add(g.key);
        const { id } = upsert.get({ ...g, compilation: g.compilation ? 1 : 0, tracks: g.fileIds.length }) as { id: number };
        let changed = false;
        for (const f of g.fileIds) {
          if (current.get(f) === g.key) continue;
          setTrack.run(f, id);
          changed = true;
          moved++;
        }
        if (changed) stale.run(id);
      }
      // tracks in no album now (unreadable, missing, loose), then albums without tracks
      const grouped = new Set(groups.flatMap((g) => g.fileIds));
      const drop = this.db.prepare('DELETE FROM album_tracks WHERE file_id = ?');
      for (const [f] of current) if (!grouped.has(f)) drop.run(f);
      const ids = this.db.prepare('SELECT id, key FROM albums').all() as { id: number; key: string }[];
      const del = this.db.prepare('DELETE FROM albums WHERE id = ?');
      let removed = 0;
      for (const a of ids) if (!keep.has(a.key)) removed += del.run(a.id).changes;
      return { albums: groups.length, moved, removed };
    })();
  }

  /** Albums whose suggestion came from another model than `modelId` are stale. */
  markModel(modelId: string | null): void {
    this.db.prepare('UPDATE albums SET stale = 1 WHERE stale = 0 AND model_id IS NOT ?').run(modelId);
  }

  /** Whether any album needs a refresh. */
  hasStale(): boolean {
    return this.db.prepare('SELECT 1 FROM albums WHERE stale = 1 LIMIT 1').get() != null;
  }

  /** The tracks of the stale albums with their evidence, album by album. */
  staleEvidence(modelId: string | null): AlbumEvidenceRow[] {
    const rows = this.db.prepare(`SELECT at.album_id AS albumId, at.file_id AS fileId, f.genres, p.probabilities AS p,
        pp.probabilities AS pp, pp.offered, pp.unsure AS punsure, m.choice,
        d.id AS did, (d.source != 'rejected' AND d.genres = f.genres) AS written
      FROM albums a JOIN album_tracks at ON at.album_id = a.id JOIN files f ON f.id = at.file_id
      LEFT JOIN predictions p ON p.file_id = f.id AND p.model_id = ?
      LEFT JOIN personal_predictions pp ON pp.file_id = f.id
      LEFT JOIN decisions d ON d.id = (SELECT max(id) FROM decisions WHERE file_id = f.id)
      LEFT JOIN album_membership m ON m.file_id = f.id
      WHERE a.stale = 1 AND f.status = 'ok' ORDER BY at.album_id`).all(modelId) as {
      albumId: number; fileId: number; genres: string; p: string | null; pp: string | null; offered: number | null; punsure: number | null;
      choice: 'in' | 'out' | null; did: number | null; written: number | null;
    }[];
    return rows.map((r) => ({
      albumId: r.albumId, fileId: r.fileId, genres: JSON.parse(r.genres) as string[],
      probabilities: r.p == null ? null : (JSON.parse(r.p) as Record<string, number>),
      personal: r.pp == null ? null : { probabilities: JSON.parse(r.pp) as Record<string, number>, offered: r.offered === 1, unsure: r.punsure === 1 },
      decided: r.did != null, written: r.written === 1, choice: r.choice,
    }));
  }

  /** Stores what refresh derived for these albums and clears their stale flag (one transaction). */
  saveDerived(modelId: string | null, albums: readonly { id: number; derived: AlbumDerived }[]): void {
    this.db.transaction(() => {
      const upd = this.db.prepare(`UPDATE albums SET stale = 0, model_id = @modelId, genres = @genres, untagged = @untagged, analysed = @analysed,
          suggested = @suggested, suggestion = @suggestion, confidence = @confidence, agreement = @agreement, unsure = @unsure,
          outliers = @outliers, personal = @personal, personal_confidence = @personalConfidence, decided = @decided,
          written = @written, status = @status
        WHERE id = @id`);
      const clear = this.db.prepare('UPDATE album_tracks SET outlier = 0 WHERE album_id = ? AND outlier = 1');
      const flag = this.db.prepare('UPDATE album_tracks SET outlier = 1 WHERE file_id = ?');
      for (const { id, derived: d } of albums) {
        upd.run({
          id, modelId, genres: JSON.stringify(d.genres), untagged: d.untagged, analysed: d.analysed, suggested: d.suggested,
          suggestion: JSON.stringify(d.suggestion), confidence: d.confidence, agreement: d.agreement, unsure: d.unsure ? 1 : 0,
          outliers: d.outliers.length, personal: d.personal?.genre ?? null, personalConfidence: d.personal?.probability ?? null,
          decided: d.decided, written: d.written, status: d.status,
        });
        clear.run(id);
        for (const f of d.outliers) flag.run(f);
      }
      // albums with no readable track left: nothing to aggregate
      this.db.prepare(`UPDATE albums SET stale = 0, status = 'unanalysed', analysed = 0, suggested = NULL, suggestion = '[]', confidence = NULL,
          agreement = NULL, outliers = 0, decided = 0, written = 0 WHERE stale = 1`).run();
    })();
  }

  private where(q: AlbumStoreQuery): { sql: string; params: unknown[] } {
    const where: string[] = ['a.tracks > 0'];
    const params: unknown[] = [];
    const cond = (sql: string, ...p: unknown[]) => {
      where.push(sql);
      params.push(...p);
    };
    for (const word of q.text?.trim().split(/\s+/).filter(Boolean) ?? []) {
      const like = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      cond("(a.title LIKE ? ESCAPE '\\' OR a.artist LIKE ? ESCAPE '\\' OR a.folder LIKE ? ESCAPE '\\')", like, like, like);
    }
    // a genre in the files: the album's genre list is short (JSON), and there are ten times fewer albums than tracks
    if (q.genre) cond("EXISTS (SELECT 1 FROM json_each(a.genres) je WHERE json_extract(je.value, '$.genre') = ? COLLATE NOCASE)", q.genre);
    if (q.missingGenre) cond('a.untagged > 0');
    if (q.suggested) cond(`a.unsure = 0 AND ${ALBUM_SUGGESTS}`, JSON.stringify(suggestedGenres(q.suggested)));
    if (q.status) cond('a.status = ?', q.status);
    if (q.minConfidence != null) cond('a.confidence >= ?', q.minConfidence);
    return { sql: where.join(' AND '), params };
  }

  /** Albums filtered, sorted and paged (filters and sorts answered from the albums table and its indexes). */
  query(q: AlbumStoreQuery): { total: number; rows: AlbumRecord[] } {
    const { sql, params } = this.where(q);
    const dir = q.descending ? 'DESC' : 'ASC';
    const order = SORT_SQL[q.sort ?? 'artist'];
    const limit = q.limit ?? 100;
    const rows = limit === 0 ? [] : (this.db.prepare(`SELECT a.* FROM albums a WHERE ${sql} ORDER BY ${order} ${dir}, a.title ${dir}, a.id ${dir} LIMIT ? OFFSET ?`)
      .all(...params, limit, q.offset ?? 0) as AlbumDbRow[]);
    const total = q.count === false ? -1 : (this.db.prepare(`SELECT count(*) AS n FROM albums a WHERE ${sql}`).get(...params) as { n: number }).n;
    return { total, rows: rows.map(toRecord) };
  }

  byId(id: number): AlbumRecord | null {
    const r = this.db.prepare('SELECT * FROM albums WHERE id = ?').get(id) as AlbumDbRow | undefined;
    return r ? toRecord(r) : null;
  }

  /** Albums whose folder is `folder`, else those whose folder lies under it. */
  inFolder(folder: string, separator: string): AlbumRecord[] {
    const exact = this.db.prepare('SELECT * FROM albums WHERE folder = ? AND tracks > 0 ORDER BY folder, title').all(folder) as AlbumDbRow[];
    if (exact.length) return exact.map(toRecord);
    const prefix = folder.endsWith(separator) ? folder : folder + separator;
    return (this.db.prepare("SELECT * FROM albums WHERE substr(folder, 1, length(?)) = ? AND tracks > 0 ORDER BY folder, title").all(prefix, prefix) as AlbumDbRow[]).map(toRecord);
  }

  /** The album's readable tracks in disc and track order, with their outlier flag and the person's choice. */
  tracks(albumId: number): { fileId: number; outlier: boolean; choice: 'in' | 'out' | null }[] {
    return (this.db.prepare(`SELECT at.file_id AS fileId, at.outlier, m.choice FROM album_tracks at JOIN files f ON f.id = at.file_id
        LEFT JOIN album_membership m ON m.file_id = at.file_id
        WHERE at.album_id = ? AND f.status = 'ok' ORDER BY coalesce(f.disc_no, 1), coalesce(f.track_no, 1e9), f.path`).all(albumId) as { fileId: number; outlier: number; choice: 'in' | 'out' | null }[])
      .map((r) => ({ fileId: r.fileId, outlier: r.outlier === 1, choice: r.choice }));
  }

  albumOf(fileId: number): number | null {
    return (this.db.prepare('SELECT album_id FROM album_tracks WHERE file_id = ?').pluck().get(fileId) as number | undefined) ?? null;
  }

  setMembership(fileId: number, choice: 'in' | 'out' | null): void {
    if (choice == null) this.db.prepare('DELETE FROM album_membership WHERE file_id = ?').run(fileId);
    else this.db.prepare('INSERT INTO album_membership (file_id, choice) VALUES (?, ?) ON CONFLICT (file_id) DO UPDATE SET choice = excluded.choice').run(fileId, choice);
  }

  /** Undecided albums whose confident suggestion clears the bar. */
  confidentUndecided(minConfidence: number, minAgreement: number, suggested?: string | readonly string[]): AlbumRecord[] {
    return (this.db.prepare(`SELECT a.* FROM albums a WHERE tracks > 0 AND status = 'suggested' AND confidence >= ? AND coalesce(agreement, 0) >= ?
        ${suggested ? `AND ${ALBUM_SUGGESTS}` : ''}`).all(minConfidence, minAgreement, ...(suggested ? [JSON.stringify(suggestedGenres(suggested))] : [])) as AlbumDbRow[]).map(toRecord);
  }
}
