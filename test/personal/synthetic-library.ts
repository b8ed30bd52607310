// A library database with synthetic embeddings, for the personal model's tests and benchmark: real SQLite,
// files saved through FileStore and embeddings + default predictions through PredictionStore, exactly as
// the analysis stores them. Each genre is a cluster in embedding space; tracks come in albums.
import { openDatabase, type Db } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { PredictionStore } from '../../electron/core/db/predictions.js';
import { MODEL_GENRES, type GenrePrediction } from '../../electron/shared/genres-model.js';
import { rng } from '../../electron/core/personal/train.js';

export interface SyntheticGenre {
  /** spellings used by the albums' tags, cycled album by album */
  spellings: string[];
  albums: number;
  tracksPerAlbum: number;
  /** the default model's best genre for these tracks (a model genre), or null: a wrong, random one */
  defaultSays: string | null;
  /** further tracks of this sound without any genre tag */
  untagged?: number;
}

export interface SyntheticTrack {
  fileId: number;
  path: string;
  genre: number;
  tagged: boolean;
  album: string;
}

const AUDIO = { container: 'flac' as const, codec: 'FLAC', durationSec: 200, sampleRate: 44100, channels: 2, bitrate: 900_000, lossless: true, hasCover: false };

/** Cluster centres: sparse positive vectors, like mean ReLU embeddings. */
function centres(count: number, dim: number, random: () => number): Float32Array[] {
  return Array.from({ length: count }, () => Float32Array.from({ length: dim }, () => (random() < 0.3 ? random() * 2 : 0)));
}

export function buildSyntheticLibrary(path: string, genres: SyntheticGenre[], opts: { seed?: number; noise?: number; root?: string; now?: number; noAlbumTags?: boolean } = {}): { db: Db; tracks: SyntheticTrack[] } {
  const random = rng(opts.seed ?? 7);
  const db = openDatabase(path);
  const files = new FileStore(db);
  const preds = new PredictionStore(db);
  const root = opts.root ?? '/music';
  const rootId = files.ensureRoot(root);
  const c = centres(genres.length, 400, random);
  const noise = opts.noise ?? 0.35;
  const tracks: SyntheticTrack[] = [];
  let n = 0;
  const now = opts.now ?? 1_700_000_000_000;
  const add = (g: number, album: string, artist: string, genreTag: string | null, trackNo: number, folder: string) => {
    const p = `${root}/${opts.noAlbumTags ? `genre ${g}` : folder}/${String(trackNo).padStart(2, '0')} track ${n}.flac`;
    // noAlbumTags: files without artist/album tags, one folder per genre (a dataset rather than a library)
    const tags = opts.noAlbumTags
      ? { title: null, artist: null, albumArtist: null, album: null, trackNo: null, trackOf: null, discNo: null, discOf: null, year: null, genres: genreTag ? [genreTag] : [] }
      : { title: `Track ${n}`, artist, albumArtist: null, album, trackNo, trackOf: null, discNo: null, discOf: null, year: 2000, genres: genreTag ? [genreTag] : [] };
    const id = files.saveRead(rootId, { path: p, size: 1000 + n, mtimeMs: 1, fileKey: null }, { ok: true, contentId: `c${n}`, tags, audio: AUDIO }, null, now);
    n++;
    const emb = Float32Array.from(c[g]!, (v) => Math.max(0, v + (random() - 0.5) * 2 * noise));
    const says = genres[g]!.defaultSays ?? MODEL_GENRES[Math.floor(random() * MODEL_GENRES.length)]!;
    const probabilities: Record<string, number> = {};
    for (const mg of MODEL_GENRES) probabilities[mg] = mg === says ? 0.6 : 0.4 / (MODEL_GENRES.length - 1);
    const prediction: GenrePrediction = {
      modelId: 'spectag-genre', modelVersion: '1+test', genres: MODEL_GENRES, probabilities,
      top: [{ genre: says, probability: 0.6 }], unsure: false, excerpts: [],
    };
    preds.save(id, prediction, { 'musicnn-msd': emb.slice(0, 200), 'musicnn-mtt': emb.slice(200) }, now);
    tracks.push({ fileId: id, path: p, genre: g, tagged: genreTag != null, album });
  };
  db.transaction(() => {
    genres.forEach((gs, g) => {
      for (let a = 0; a < gs.albums; a++) {
        const album = `Album ${g}-${a}`;
        const spelling = gs.spellings[a % gs.spellings.length]!;
        for (let t = 0; t < gs.tracksPerAlbum; t++) add(g, album, `Artist ${g}-${a % 3}`, spelling, t + 1, `Artist ${g}-${a % 3}/${album}`);
      }
      for (let u = 0; u < (gs.untagged ?? 0); u++) add(g, `Untagged ${g}`, `Someone ${g}`, null, u + 1, `Someone ${g}/Untagged ${g}`);
    });
  })();
  return { db, tracks };
}
