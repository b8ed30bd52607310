// The personal genre model ("Your genres"): how genre names are compared, and the shapes of its validation
// report, suggestions and "more like this" candidates, shared by the engine, the CLI and the window.
// Plain TypeScript: no node:* imports here.

/**
 * The key under which spellings of one genre are the same genre: case, accents, spaces and punctuation do not
 * count, and neither do the joining words "and"/"n" ("Hip Hop" = "Hip-Hop" = "hiphop", "Drum & Bass" =
 * "drum_bass" = "Drum 'n' Bass", "Électro" = "electro"). Different words stay different ("Electronic" is not
 * "Electronica"); merging those is the person's choice (the vocabulary's merge, which records decisions).
 * An empty key means "not a genre name" (only punctuation).
 */
export function genreKey(name: string): string {
  const tokens = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  const core = tokens.filter((t) => t !== 'and' && t !== 'n');
  return (core.length ? core : tokens).join('');
}

/**
 * Groups spellings by key and names each group by its most frequent spelling (ties: the first seen).
 * `add` counts one use of a spelling; `name(key)` answers the display name.
 */
export class GenreSpellings {
  private readonly counts = new Map<string, Map<string, number>>();

  add(spelling: string, times = 1): string {
    const key = genreKey(spelling);
    if (!key) return key;
    let m = this.counts.get(key);
    if (!m) this.counts.set(key, (m = new Map()));
    m.set(spelling.trim(), (m.get(spelling.trim()) ?? 0) + times);
    return key;
  }

  name(key: string): string {
    const m = this.counts.get(key);
    if (!m) return key;
    let best = '';
    let n = -1;
    for (const [s, c] of m) if (c > n) [best, n] = [s, c];
    return best;
  }

  keys(): string[] {
    return [...this.counts.keys()];
  }
}

/** Settings of the personal model, stored in the database (see PersonalStore). */
export interface PersonalSettings {
  /** a genre needs at least this many tracks to be learned */
  minPerGenre: number;
  /** a reviewed decision (accepted / corrected) counts this many times a file tag */
  decisionWeight: number;
  /** retrain automatically once this many new decisions were made since the last training (0: never) */
  retrainAfterDecisions: number;
  /** hidden units of the head (0: a linear softmax layer on the embedding) */
  hiddenUnits: number;
}

export const DEFAULT_PERSONAL_SETTINGS: PersonalSettings = {
  minPerGenre: 5,
  decisionWeight: 3,
  retrainAfterDecisions: 25,
  hiddenUnits: 0,
};

export interface GenreExclusions {
  /** genre keys (see genreKey) never learned nor suggested; shown by their names */
  genres: { key: string; name: string }[];
  /** folders whose file tags are not trusted as training data (their reviewed decisions still count) */
  folders: string[];
}

/** Precision/recall of one genre on the held-out tracks, for one model. */
export interface GenreScore {
  precision: number | null;
  recall: number;
  f1: number;
  /** held-out tracks predicted as this genre */
  predicted: number;
  correct: number;
}

export interface PersonalGenreReport {
  key: string;
  genre: string;
  /** training tracks (all folds together) and how many of them come from reviewed decisions */
  examples: number;
  fromDecisions: number;
  /** held-out tracks that have this genre */
  heldOut: number;
  personal: GenreScore;
  /** the default model, its genres mapped into the person's vocabulary; null recall when it cannot name it */
  default: GenreScore;
  /** the default model has a genre of this name */
  defaultKnows: boolean;
  /** the personal model's suggestion of this genre is offered (it beat the default on held-out data) */
  offered: boolean;
  /** how the offer was decided (absent in reports of versions that compared F1 instead) */
  arbitration?: GenreArbitration;
}

/** The held-out tracks the personal model gives one genre, and which model was right on them. */
export interface GenreArbitration {
  tracks: number;
  personalRight: number;
  /** the default model's best genre (in the person's vocabulary) was one of the track's genres */
  defaultRight: number;
  offered: boolean;
}

export interface ValidationSummary {
  /** how the held-out tracks were chosen */
  scheme: string;
  folds: number;
  /** held-out groups by kind: album, artist, folder, track */
  groups: Record<'album' | 'artist' | 'folder' | 'track', number>;
  heldOutTracks: number;
  /** share of held-out tracks whose best genre is one of their genres */
  personalAccuracy: number;
  defaultAccuracy: number;
  /** the personal model beats the default overall on held-out data */
  beatsDefault: boolean;
  /** temperature fitted on the held-out outputs (calibration) */
  temperature: number;
}

export interface LearnReport {
  /** false: nothing was trained (see `reason`) */
  trained: boolean;
  reason: string | null;
  version: number | null;
  backend: string | null;
  settings: PersonalSettings;
  defaultModel: { id: string; versions: string[] } | null;
  /** tracks with an embedding and a trusted label, from tags and from decisions */
  tracks: { labelled: number; fromTags: number; fromDecisions: number; unlabelled: number; withoutLearnedGenre: number; excludedByFolder: number };
  genres: PersonalGenreReport[];
  /** genres with too few examples (or excluded): not learned */
  notLearned: { key: string; genre: string; examples: number; reason: 'too-few' | 'excluded' }[];
  validation: ValidationSummary | null;
  /** genres whose personal suggestions are offered */
  offeredGenres: string[];
  timings: { loadMs: number; validateMs: number; trainMs: number; predictMs: number; totalMs: number };
  /** personal suggestions stored for this many tracks */
  predicted: number;
}

export interface PersonalModelInfo {
  version: number;
  createdAt: number;
  trigger: 'manual' | 'auto';
  genres: string[];
  offeredGenres: string[];
  beatsDefault: boolean;
  trainTracks: number;
  /** weights still stored (pruned for old versions no suggestion refers to) */
  hasWeights: boolean;
}

/** One personal suggestion for a track. */
export interface PersonalPrediction {
  fileId: number;
  modelId: string;
  /** the personal model version that produced it (see PersonalModelInfo) */
  modelVersion: number;
  probabilities: Record<string, number>;
  top: { genre: string; probability: number }[];
  unsure: boolean;
  /** the best genre is one the personal model beat the default on: show it as a suggestion */
  offered: boolean;
  predictedAt: number;
}

export interface SimilarTrack {
  fileId: number;
  path: string;
  title: string | null;
  artist: string | null;
  album: string | null;
  /** genres in the file now, and those of its latest decision (null: none) */
  genres: string[];
  decided: string[] | null;
  /** cosine similarity of the embeddings, −1..1 */
  score: number;
}

export interface RetrainState {
  /** reviewed decisions since the active model was trained */
  newDecisions: number;
  threshold: number;
  /** the default model (whose embeddings the personal model reads) changed since the training */
  defaultModelChanged: boolean;
  /** enough new decisions, or the default model changed: retraining takes seconds, so it is simply done */
  due: boolean;
  activeVersion: number | null;
}

export interface PersonalVocabularyEntry {
  key: string;
  genre: string;
  /** analysed tracks labelled with it (tags + decisions), and of those from decisions */
  examples: number;
  fromDecisions: number;
  /** learned by the active model */
  learned: boolean;
  /** offered as a suggestion by the active model (it beat the default model on held-out data) */
  offered: boolean;
  excluded: boolean;
  /** fewer examples than the setting asks for */
  tooFew: boolean;
}

/** Everything the "Your genres" page shows (electron/core/service/personal.ts, PersonalService.overview). */
export interface PersonalOverview {
  settings: PersonalSettings;
  exclusions: GenreExclusions;
  active: PersonalModelInfo | null;
  /** the active model's validation report (per-genre precision/recall, default vs personal) */
  report: LearnReport | null;
  /** the person's genres as the next training would see them */
  vocabulary: PersonalVocabularyEntry[];
  retrain: RetrainState;
}

export interface MoreLikeThisPreview {
  genre: string;
  /** untagged, undecided tracks nearest to the seed track, best first, with their similarity */
  candidates: SimilarTrack[];
  /** the least similarity listed: tracks less alike than this are not neighbours */
  minScore: number;
}

/** Stable model id of personal suggestions (the version is the personal model version). */
export const PERSONAL_MODEL_ID = 'spectag-personal';
