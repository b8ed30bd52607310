// The personal model as plain engine functions over a Db, for the app's "Your genres" page and review queue
// (the engine service wires them to the window API) and for the CLI. Nothing here imports the window side.
import type { Db } from '../db/open.js';
import { PersonalStore } from '../db/personal.js';
import {
  genreKey,
  type GenreExclusions, type LearnReport, type MoreLikeThisPreview, type PersonalModelInfo, type PersonalOverview,
  type PersonalPrediction, type PersonalSettings, type PersonalVocabularyEntry,
} from '../../shared/personal.js';
import { dominantEmbedding, labelTracks, loadLibrary } from './dataset.js';
import { learnPersonalModel, refreshPersonalPredictions, retrainIfDue, retrainState, type LearnOptions } from './learn.js';
import { applyGenresToTracks, similarTracks, type SimilarOptions } from './similar.js';

export { learnPersonalModel, refreshPersonalPredictions, retrainIfDue, retrainState, similarTracks, applyGenresToTracks };
export type { LearnOptions, SimilarOptions };
// the shapes live in electron/shared/personal.ts so that the app API can name them
export type { MoreLikeThisPreview, PersonalOverview, PersonalVocabularyEntry };

/** Everything the "Your genres" page shows, without training anything. */
export function personalOverview(db: Db): PersonalOverview {
  const store = new PersonalStore(db);
  const settings = store.settings();
  const exclusions = store.exclusions();
  const active = store.active();
  const source = dominantEmbedding(db);
  const vocabulary: PersonalVocabularyEntry[] = [];
  if (source) {
    const lab = labelTracks(loadLibrary(db, source, { embeddings: false }), exclusions);
    const learned = new Set(active?.report.genres.map((g) => g.key) ?? []);
    const offered = new Set(active?.report.genres.filter((g) => g.offered).map((g) => g.key) ?? []);
    for (const [key, c] of lab.counts) {
      vocabulary.push({
        key, genre: lab.spellings.name(key), examples: c.tracks, fromDecisions: c.fromDecisions, learned: learned.has(key),
        offered: offered.has(key), excluded: false, tooFew: c.tracks < settings.minPerGenre,
      });
    }
    for (const [key, n] of lab.excludedSeen) {
      vocabulary.push({ key, genre: lab.spellings.name(key), examples: n, fromDecisions: 0, learned: false, offered: false, excluded: true, tooFew: false });
    }
  }
  for (const g of exclusions.genres) {
    if (!vocabulary.some((v) => v.key === g.key)) {
      vocabulary.push({ key: g.key, genre: g.name, examples: 0, fromDecisions: 0, learned: false, offered: false, excluded: true, tooFew: false });
    }
  }
  vocabulary.sort((a, b) => b.examples - a.examples || a.genre.localeCompare(b.genre));
  return {
    settings, exclusions,
    active: active && {
      version: active.version, createdAt: active.createdAt, trigger: active.trigger, genres: active.genres,
      offeredGenres: active.offeredGenres, beatsDefault: active.beatsDefault, trainTracks: active.trainTracks, hasWeights: active.hasWeights,
    },
    report: active?.report ?? null, vocabulary, retrain: retrainState(db),
  };
}

/** Retrain now ("Retrain" button); stores a new version and suggestions. */
export function learnNow(db: Db, opts: Omit<LearnOptions, 'trigger'> = {}): Promise<LearnReport> {
  return learnPersonalModel(db, { ...opts, trigger: 'manual' });
}

/**
 * Call after decisions are recorded: retrains in the background of the caller when enough new decisions
 * were made since the last training (setting retrainAfterDecisions); null when not due.
 */
export function afterDecisions(db: Db, opts: Omit<LearnOptions, 'trigger'> = {}): Promise<LearnReport | null> {
  return retrainIfDue(db, opts);
}

export function updatePersonalSettings(db: Db, patch: Partial<PersonalSettings>): PersonalSettings {
  return new PersonalStore(db).updateSettings(patch);
}

/** Exclude a genre (any spelling) from learning and suggestions, or include it again; takes effect at the next training. */
export function setGenreExcluded(db: Db, genre: string, excluded: boolean): GenreExclusions {
  const store = new PersonalStore(db);
  if (!store.setGenreExcluded(genre, excluded)) throw new Error(`"${genre}" is not a genre name`);
  return store.exclusions();
}

/** Distrust (or trust again) the genre tags of the files under a folder. */
export function setFolderExcluded(db: Db, folder: string, excluded: boolean): GenreExclusions {
  const store = new PersonalStore(db);
  store.setFolderExcluded(folder, excluded);
  return store.exclusions();
}

/** The personal suggestion of a track (null: none yet), with the version of the model that made it. */
export function personalSuggestion(db: Db, fileId: number): PersonalPrediction | null {
  return new PersonalStore(db).prediction(fileId);
}

export function personalModelVersions(db: Db): PersonalModelInfo[] {
  return new PersonalStore(db).versions();
}

/** The validation report of one version (every version keeps its report, also after its weights are pruned). */
export function personalModelReport(db: Db, version: number): LearnReport | null {
  return new PersonalStore(db).model(version)?.report ?? null;
}

/** The preview of "apply this genre to similar untagged tracks": nothing is recorded. */
export function moreLikeThisPreview(db: Db, q: { fileId: number; genre: string; limit?: number; minScore?: number }): MoreLikeThisPreview {
  if (!genreKey(q.genre)) throw new Error(`"${q.genre}" is not a genre name`);
  return { genre: q.genre.trim(), candidates: similarTracks(db, q.fileId, { untaggedOnly: true, limit: q.limit ?? 50, minScore: q.minScore }) };
}

/** Apply the genre to the chosen candidates (decisions, written by the next write). */
export function moreLikeThisApply(db: Db, q: { fileIds: number[]; genre: string }): { decided: number } {
  if (!genreKey(q.genre)) throw new Error(`"${q.genre}" is not a genre name`);
  return { decided: applyGenresToTracks(db, q.fileIds, [q.genre.trim()]).length };
}

/**
 * How personal suggestions enter the library table's query (service/library-view.ts PredictionColumns):
 * drive the review queue by the personal model's offered suggestions instead of the default model's.
 */
export const PERSONAL_PREDICTION_COLUMNS = {
  join: 'LEFT JOIN personal_predictions p ON p.file_id = f.id AND p.offered = 1',
  present: 'p.file_id IS NOT NULL',
  unsure: 'p.unsure = 1',
  suggested: 'p.top_genre',
  confidence: 'p.top_probability',
} as const;
