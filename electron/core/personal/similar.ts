// "More like this": the tracks whose stored embeddings are nearest (cosine) to one track's, to apply a
// genre to similar untagged tracks in bulk after a preview. Embeddings are centred on the library mean
// (ReLU features are all positive, so raw cosines crowd near 1) and each backbone's part is scaled to unit
// length so the backbones count equally.
import type { Db } from '../db/open.js';
import type { SimilarTrack } from '../../shared/personal.js';
import { loadLibrary, type EmbeddingSpec, type LibraryEmbeddings } from './dataset.js';

/**
 * The least similarity that makes a neighbour. Centred cosines around 0 are what unrelated tracks score:
 * on the 405 labelled dev tracks (15 genres, 17 % of pairs share a genre by chance), pairs scoring 0.0–0.1
 * shared a genre 12 % of the time, 0.1–0.2 18 %, 0.3–0.4 33 %, 0.5–0.6 49 %, 0.8–0.9 76 %. From 0.3 on a
 * neighbour is about twice as likely as chance to be the same genre: below that it is noise, not "like this".
 */
export const MIN_SIMILARITY = 0.3;

export interface SimilarOptions {
  /** at most this many (default 50) */
  limit?: number;
  /** only tracks with no genre in the file and no decision of the person's, a rejection included (default false) */
  untaggedOnly?: boolean;
  /** only scores at or above this (default MIN_SIMILARITY; never below 0) */
  minScore?: number;
}

export class NoEmbeddingError extends Error {}

function normalisedRows(lib: LibraryEmbeddings): Float32Array {
  const { d, x } = lib;
  const n = lib.rows.length;
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j]! += x[r * d + j]! / n;
  const out = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    let at = 0;
    for (const part of lib.spec) {
      let ss = 0;
      for (let j = at; j < at + part.size; j++) {
        const v = x[r * d + j]! - mean[j]!;
        out[r * d + j] = v;
        ss += v * v;
      }
      const inv = ss > 0 ? 1 / Math.sqrt(ss * lib.spec.length) : 0;
      for (let j = at; j < at + part.size; j++) out[r * d + j]! *= inv;
      at += part.size;
    }
  }
  return out;
}

function embeddingSourceOf(db: Db, fileId: number): { modelId: string; spec: EmbeddingSpec } {
  // the seed track's newest embedding decides which embeddings it is compared with
  const r = db
    .prepare('SELECT model_id, embedding_spec FROM predictions WHERE file_id = ? AND embedding IS NOT NULL ORDER BY predicted_at DESC LIMIT 1')
    .get(fileId) as { model_id: string; embedding_spec: string } | undefined;
  if (!r) throw new NoEmbeddingError(`file ${fileId} has not been analysed by the genre model yet (no embedding)`);
  return { modelId: r.model_id, spec: JSON.parse(r.embedding_spec) as EmbeddingSpec };
}

/** The analysed tracks most similar to `fileId`, best first (the track itself left out). */
export function similarTracks(db: Db, fileId: number, opts: SimilarOptions = {}): SimilarTrack[] {
  const lib = loadLibrary(db, embeddingSourceOf(db, fileId));
  const seed = lib.rows.findIndex((r) => r.fileId === fileId);
  if (seed < 0) throw new NoEmbeddingError(`file ${fileId} is not a readable analysed track`);
  const x = normalisedRows(lib);
  const { d } = lib;
  const q = x.subarray(seed * d, (seed + 1) * d);
  const limit = opts.limit ?? 50;
  const minScore = Math.max(0, opts.minScore ?? MIN_SIMILARITY);
  const scored: { i: number; score: number }[] = [];
  lib.rows.forEach((r, i) => {
    if (i === seed) return;
    // a rejection is a decision too ("leave this file as it is"): the track the person just rejected is not
    // offered a genre again behind their back
    if (opts.untaggedOnly && (r.fileGenres.length > 0 || r.decision != null)) return;
    let s = 0;
    for (let j = 0; j < d; j++) s += q[j]! * x[i * d + j]!;
    if (s >= minScore) scored.push({ i, score: s });
  });
  scored.sort((a, b) => b.score - a.score);
  const chosen = scored.slice(0, limit);
  if (chosen.length === 0) return [];
  const meta = new Map(
    (db.prepare(`SELECT id, title, artist, album FROM files WHERE id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(chosen.map((c) => lib.rows[c.i]!.fileId))) as { id: number; title: string | null; artist: string | null; album: string | null }[])
      .map((m) => [m.id, m]),
  );
  return chosen.map(({ i, score }) => {
    const r = lib.rows[i]!;
    const m = meta.get(r.fileId);
    return {
      fileId: r.fileId, path: r.path, title: m?.title ?? null, artist: m?.artist ?? r.artist, album: m?.album ?? r.album,
      genres: r.fileGenres, decided: r.decision && r.decision.source !== 'rejected' ? r.decision.genres : null,
      score: Math.round(score * 1e4) / 1e4,
    };
  });
}
