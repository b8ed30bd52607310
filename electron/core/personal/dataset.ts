// What the personal model learns from: every analysed track's stored embedding (predictions.embedding of
// the default model; no audio is decoded again) with the genres the person trusts — the latest reviewed
// decision when there is one (weighted higher), else the file's own genre tags unless its folder or the
// genre is excluded — and the group (album, else artist, else album-like folder, else the track) that
// keeps one album on one side of every held-out split.
import { dirname } from 'node:path';
import type { Db } from '../db/open.js';
import { GenreSpellings, genreKey, type GenreExclusions } from '../../shared/personal.js';

export type EmbeddingSpec = { backbone: string; size: number }[];

export interface TrackRow {
  fileId: number;
  path: string;
  artist: string | null;
  albumArtist: string | null;
  album: string | null;
  /** genres in the file (as scanned) */
  fileGenres: string[];
  /** latest decision, when there is one */
  decision: { id: number; genres: string[]; source: string } | null;
  /** the default model's probabilities (its own genre names) */
  defaultProbabilities: Record<string, number>;
  defaultVersion: string;
  /** when the embedding was computed (a newer one makes a personal suggestion stale) */
  predictedAt: number;
}

export interface LibraryEmbeddings {
  defaultModelId: string;
  spec: EmbeddingSpec;
  /** embedding width: sum of spec sizes */
  d: number;
  rows: TrackRow[];
  /** rows.length × d, row-major; empty when loaded without embeddings */
  x: Float32Array;
}

interface Row {
  id: number; path: string; artist: string | null; album_artist: string | null; album: string | null; genres: string;
  d_id: number | null; d_genres: string | null; d_source: string | null;
  model_version: string; probabilities: string; embedding: Buffer | null; predicted_at: number;
}

const LITTLE_ENDIAN = new Uint8Array(Float32Array.of(1).buffer)[3] === 0x3f;

/** The (default model id, embedding spec) most tracks have an embedding for; null when none. */
export function dominantEmbedding(db: Db): { modelId: string; spec: EmbeddingSpec } | null {
  const r = db
    .prepare(`SELECT model_id, embedding_spec, count(*) AS n FROM predictions WHERE embedding IS NOT NULL
      GROUP BY model_id, embedding_spec ORDER BY n DESC, model_id LIMIT 1`)
    .get() as { model_id: string; embedding_spec: string } | undefined;
  return r ? { modelId: r.model_id, spec: JSON.parse(r.embedding_spec) as EmbeddingSpec } : null;
}

/**
 * Every readable file that has an embedding of `modelId` with this spec, with its labels' raw material.
 * `fileIds` restricts it to some files; `embeddings: false` skips reading the vectors (counts only).
 */
export function loadLibrary(db: Db, source: { modelId: string; spec: EmbeddingSpec }, opts: { embeddings?: boolean; fileIds?: readonly number[] } = {}): LibraryEmbeddings {
  const withX = opts.embeddings !== false;
  const d = source.spec.reduce((s, e) => s + e.size, 0);
  const where = opts.fileIds ? `AND f.id IN (SELECT value FROM json_each(@ids))` : '';
  const sql = `SELECT f.id, f.path, f.artist, f.album_artist, f.album, f.genres,
      d.id AS d_id, d.genres AS d_genres, d.source AS d_source,
      p.model_version, p.probabilities, ${withX ? 'p.embedding' : 'NULL AS embedding'}, p.predicted_at
    FROM predictions p JOIN files f ON f.id = p.file_id
    LEFT JOIN decisions d ON d.id = (SELECT max(id) FROM decisions WHERE file_id = f.id)
    WHERE p.model_id = @modelId AND p.embedding_spec = @spec AND p.embedding IS NOT NULL AND f.status = 'ok' ${where}
    ORDER BY f.id`;
  const rows = db.prepare(sql).all({ modelId: source.modelId, spec: JSON.stringify(source.spec), ...(opts.fileIds ? { ids: JSON.stringify(opts.fileIds) } : {}) }) as Row[];
  const x = new Float32Array(withX ? rows.length * d : 0);
  const out: TrackRow[] = rows.map((r, i) => {
    if (withX && r.embedding) {
      if (r.embedding.length !== d * 4) throw new Error(`embedding of file ${r.id} has ${r.embedding.length} bytes, expected ${d * 4}`);
      // stored little-endian: a byte copy where the machine is too (all the app's platforms), 10× faster
      if (LITTLE_ENDIAN) new Uint8Array(x.buffer, i * d * 4, d * 4).set(r.embedding);
      else for (let j = 0; j < d; j++) x[i * d + j] = r.embedding.readFloatLE(j * 4);
    }
    return {
      fileId: r.id, path: r.path, artist: r.artist, albumArtist: r.album_artist, album: r.album,
      fileGenres: JSON.parse(r.genres) as string[],
      decision: r.d_id != null ? { id: r.d_id, genres: JSON.parse(r.d_genres ?? '[]') as string[], source: r.d_source ?? '' } : null,
      defaultProbabilities: JSON.parse(r.probabilities) as Record<string, number>, defaultVersion: r.model_version,
      predictedAt: r.predicted_at,
    };
  });
  return { defaultModelId: source.modelId, spec: source.spec, d, rows: out, x };
}

/** Decision sources that say what the genre IS (a rejection only says the suggestion was wrong). */
const REVIEWED = new Set(['accepted', 'corrected', 'cli']);

export interface TrackLabel {
  /** index into LibraryEmbeddings.rows */
  row: number;
  /** genre keys (see genreKey), not excluded; may include genres with too few examples */
  keys: string[];
  source: 'tags' | 'decision';
  group: string;
  groupKind: 'album' | 'artist' | 'folder' | 'track';
}

export interface Labelling {
  labels: TrackLabel[];
  spellings: GenreSpellings;
  /** tracks with an embedding and no trusted genre: what suggestions are for */
  unlabelled: number;
  /** tracks whose tags were not used because of a folder exclusion */
  excludedByFolder: number;
  /** tracks per genre key, and how many of them come from decisions */
  counts: Map<string, { tracks: number; fromDecisions: number }>;
  /** excluded genre keys that were seen, with their counts */
  excludedSeen: Map<string, number>;
}

/** Folders with at most this many tracks are taken as one album when the tags name none. */
export const ALBUM_FOLDER_MAX_TRACKS = 50;

const norm = (s: string | null): string => (s ?? '').trim().toLowerCase();

function underFolder(path: string, folders: readonly string[]): boolean {
  return folders.some((f) => path === f || path.startsWith(f.endsWith('/') || f.endsWith('\\') ? f : f + '/') || path.startsWith(f + '\\'));
}

export function labelTracks(lib: LibraryEmbeddings, exclusions: GenreExclusions): Labelling {
  const excluded = new Set(exclusions.genres.map((g) => g.key));
  const spellings = new GenreSpellings();
  const folderSize = new Map<string, number>();
  for (const r of lib.rows) folderSize.set(dirname(r.path), (folderSize.get(dirname(r.path)) ?? 0) + 1);
  const labels: TrackLabel[] = [];
  const counts = new Map<string, { tracks: number; fromDecisions: number }>();
  const excludedSeen = new Map<string, number>();
  let unlabelled = 0;
  let excludedByFolder = 0;
  lib.rows.forEach((r, i) => {
    let names: string[];
    let source: 'tags' | 'decision';
    if (r.decision && REVIEWED.has(r.decision.source) && r.decision.genres.length > 0) {
      names = r.decision.genres;
      source = 'decision';
    } else if (r.fileGenres.length > 0 && underFolder(r.path, exclusions.folders)) {
      excludedByFolder++;
      return;
    } else {
      names = r.fileGenres;
      source = 'tags';
    }
    const keys: string[] = [];
    for (const name of names) {
      const key = genreKey(name);
      if (!key || keys.includes(key)) continue;
      if (excluded.has(key)) {
        excludedSeen.set(key, (excludedSeen.get(key) ?? 0) + 1);
        spellings.add(name);
        continue;
      }
      spellings.add(name);
      keys.push(key);
    }
    if (keys.length === 0) {
      unlabelled++;
      return;
    }
    for (const k of keys) {
      const c = counts.get(k) ?? { tracks: 0, fromDecisions: 0 };
      c.tracks++;
      if (source === 'decision') c.fromDecisions++;
      counts.set(k, c);
    }
    let group: string;
    let groupKind: TrackLabel['groupKind'];
    if (norm(r.album)) {
      group = `album:${norm(r.albumArtist ?? r.artist)}|${norm(r.album)}`;
      groupKind = 'album';
    } else if (norm(r.artist)) {
      group = `artist:${norm(r.artist)}`;
      groupKind = 'artist';
    } else if ((folderSize.get(dirname(r.path)) ?? 0) <= ALBUM_FOLDER_MAX_TRACKS) {
      group = `folder:${dirname(r.path)}`;
      groupKind = 'folder';
    } else {
      group = `track:${r.fileId}`;
      groupKind = 'track';
    }
    labels.push({ row: i, keys, source, group, groupKind });
  });
  return { labels, spellings, unlabelled, excludedByFolder, counts, excludedSeen };
}
