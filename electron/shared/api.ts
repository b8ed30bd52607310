// The one API between the window (renderer) and the engine: every method, its input schema (zod, checked
// on the receiving side of every process boundary), its result type, and the events pushed to the window.
// Plain TypeScript + zod only: no node:*, no electron, no DOM. The renderer imports types only.
import { z } from 'zod';
import type { FileStatus, LibraryFile, LibraryStats, ScanReport } from './library.js';
import type { Decision, PlannedFile, WriteBatchInfo, WriteOptions, WriteReport } from './tags.js';
import type { GenrePrediction } from './genres-model.js';
import type { AnalysisReport, TrackAnalysis } from './analysis.js';
import type {
  GenreExclusions, LearnReport, MoreLikeThisPreview, PersonalModelInfo, PersonalOverview, PersonalPrediction, PersonalSettings,
} from './personal.js';
import { WRITE_MODES } from './tags.js';
import { SpectagApiError, type ApiErrorPayload } from './api-errors.js';
import { genreNameProblem, normalizeGenreName } from './genres.js';
import { AppSettingsPatchSchema, type AppSettings } from './settings.js';
import {
  REVIEW_STATUSES, LIBRARY_SORT_KEYS, API_METHOD_NAMES, SUGGESTION_SOURCES, MEDIA_KINDS, ALBUM_STATUSES,
  ALBUM_SORT_KEYS, type ReviewStatus, type AlbumStatus, type ConfidenceThresholds,
} from './api-names.js';

// ---------------------------------------------------------------------------------------------------
// Review status of a track, as the library table shows and filters it.

export {
  REVIEW_STATUSES, LIBRARY_SORT_KEYS, FALLBACK_CONFIDENCE_THRESHOLDS, API_METHOD_NAMES, SUGGESTION_SOURCES, MEDIA_KINDS, ALBUM_STATUSES, ALBUM_SORT_KEYS, IPC,
} from './api-names.js';
export type { ReviewStatus, LibrarySortKey, SuggestionSource, MediaKind, AlbumStatus, AlbumSortKey, ConfidenceThresholds } from './api-names.js';

// ---------------------------------------------------------------------------------------------------
// Input schemas: one per method that takes input. Strict objects: unknown keys are refused, not ignored.

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
// the engine checks again (DecisionStore, the vocabulary and personal services): the same function, the same reason
const genreName = z.string().transform(normalizeGenreName)
  .superRefine((s, ctx) => {
    const problem = genreNameProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const absPath = z.string().min(1).max(4096).refine((s) => !s.includes('\0'), 'NUL in path');

export const LibraryQuerySchema = z.strictObject({
  text: z.string().max(500).optional(),
  /** files that have this genre in their tags (case-insensitive) */
  genre: z.string().max(200).optional(),
  /**
   * files suggested this genre: any member of the default model's suggestion set (a style counts for its genre:
   * "Classical" finds "Classical › Orchestral"), or the personal model's suggestion with suggestions: 'personal'
   */
  suggested: z.string().max(200).optional(),
  status: z.enum(REVIEW_STATUSES).optional(),
  sort: z.enum(LIBRARY_SORT_KEYS).optional(),
  descending: z.boolean().optional(),
  offset: z.number().int().min(0).max(100_000_000).optional(),
  limit: z.number().int().min(0).max(1000).optional(),
  /** false: skip counting the matches (total is then -1); the table counts once per filter, not per page */
  count: z.boolean().optional(),
  /** whose suggestions make the status, the suggested genre and the confidence: the default model's (default) or the personal model's */
  suggestions: z.enum(SUGGESTION_SOURCES).optional(),
});
export type LibraryQuery = z.infer<typeof LibraryQuerySchema>;

export const TrackRefSchema = z.strictObject({ id });
export const AddRootSchema = z.strictObject({ path: absPath, scan: z.boolean().optional() });
export const RootRefSchema = z.strictObject({ rootId: id });
export const StartScanSchema = z.strictObject({ roots: z.array(absPath).max(100).optional() });
export const StartAnalysisSchema = z.strictObject({ limit: z.number().int().positive().optional() });
export const JobControlSchema = z.strictObject({
  jobId: z.string().min(1).max(64),
  action: z.enum(['pause', 'resume', 'cancel']),
});

export const DecideSchema = z
  .strictObject({
    fileId: id,
    /** accept: take the suggestion (or `genres` when given); correct: use `genres`; reject: no genre */
    action: z.enum(['accept', 'correct', 'reject']),
    genres: z.array(genreName).min(1).max(8).optional(),
  })
  .refine((d) => d.action !== 'correct' || (d.genres?.length ?? 0) > 0, { message: 'a correction needs at least one genre', path: ['genres'] })
  .refine((d) => d.action !== 'reject' || d.genres == null, { message: 'a rejection takes no genres', path: ['genres'] });
export type DecideInput = z.infer<typeof DecideSchema>;

export const BulkAcceptSchema = z.strictObject({
  minConfidence: z.number().min(0).max(1),
  /**
   * only tracks suggested this genre at minConfidence, wherever it stands in their set (a style counts for its
   * genre); each still records every member of its set that reaches minConfidence
   */
  genre: z.string().max(200).optional(),
  /** whose suggestions are accepted (default: the default model's) */
  suggestions: z.enum(SUGGESTION_SOURCES).optional(),
});
export type BulkAcceptInput = z.infer<typeof BulkAcceptSchema>;

export const RenameGenreSchema = z.strictObject({ from: genreName, to: genreName });
export const MergeGenresSchema = z.strictObject({ from: z.array(genreName).min(1).max(100), into: genreName });
export const HideGenreSchema = z.strictObject({ genre: genreName, hidden: z.boolean() });

export const WriteSelectionSchema = z.strictObject({
  fileIds: z.array(id).max(200_000).optional(),
  /** only files under this folder */
  under: absPath.optional(),
});
export const PlanWriteSchema = z.strictObject({
  selection: WriteSelectionSchema,
  mode: z.enum(WRITE_MODES),
  id3v23Join: z.string().min(1).max(8).optional(),
  preserveMtime: z.boolean().optional(),
  id3v2Version: z.union([z.literal(3), z.literal(4), z.null()]).optional(),
});
export type PlanWriteInput = z.infer<typeof PlanWriteSchema>;
export const ApplyWriteSchema = z.strictObject({
  planId: z.string().min(1).max(64),
  /** files the person unticked in the dry run: left exactly as they are (reported as skipped) */
  exclude: z.array(id).max(200_000).optional(),
});
export const UndoWriteSchema = z.strictObject({ batchId: id.optional() });
export const MediaRefSchema = z.strictObject({ kind: z.enum(MEDIA_KINDS), id });
export type MediaRef = z.infer<typeof MediaRefSchema>;

// "Your genres": the personal model
export const PersonalSettingsSchema = z.strictObject({
  minPerGenre: z.number().int().min(2).max(10_000).optional(),
  decisionWeight: z.number().min(1).max(100).optional(),
  retrainAfterDecisions: z.number().int().min(0).max(1_000_000).optional(),
  hiddenUnits: z.number().int().min(0).max(1024).optional(),
});
export const GenreExcludedSchema = z.strictObject({ genre: genreName, excluded: z.boolean() });
export const FolderExcludedSchema = z.strictObject({ folder: absPath, excluded: z.boolean() });
export const PersonalExamplesSchema = z.strictObject({ genre: genreName, limit: z.number().int().min(1).max(500).optional() });
export const ModelVersionSchema = z.strictObject({ version: id });
export const MoreLikeThisSchema = z.strictObject({
  /** the track to start from */
  fileId: id,
  /** the genre the chosen tracks will get */
  genre: genreName,
  limit: z.number().int().min(1).max(500).optional(),
  /** the least similarity listed (default, and the least allowed: the engine's threshold for a real neighbour) */
  minScore: z.number().min(0).max(1).optional(),
});
export const MoreLikeThisApplySchema = z.strictObject({ fileIds: z.array(id).min(1).max(5000), genre: genreName });

// Albums
export const AlbumQuerySchema = z.strictObject({
  /** words in the album's title, artist or folder */
  text: z.string().max(500).optional(),
  /** albums with this genre in their files' tags (case-insensitive) */
  genre: z.string().max(200).optional(),
  /** albums with a track that has no genre in its tags */
  missingGenre: z.boolean().optional(),
  /** albums suggested this genre: any of the album's suggested genres (a style counts for its genre) */
  suggested: z.string().max(200).optional(),
  status: z.enum(ALBUM_STATUSES).optional(),
  /** albums whose suggestion is at least this confident */
  minConfidence: z.number().min(0).max(1).optional(),
  sort: z.enum(ALBUM_SORT_KEYS).optional(),
  descending: z.boolean().optional(),
  offset: z.number().int().min(0).max(100_000_000).optional(),
  limit: z.number().int().min(0).max(1000).optional(),
  count: z.boolean().optional(),
});
export type AlbumQuery = z.infer<typeof AlbumQuerySchema>;
export const AlbumRefSchema = z.strictObject({ id });
export const DecideAlbumSchema = z
  .strictObject({
    albumId: id,
    /** accept: the album's suggestion for its tracks (not those that clearly disagree); correct: `genres` for all its tracks; reject */
    action: z.enum(['accept', 'correct', 'reject']),
    genres: z.array(genreName).min(1).max(8).optional(),
  })
  .refine((d) => d.action !== 'correct' || (d.genres?.length ?? 0) > 0, { message: 'a correction needs at least one genre', path: ['genres'] })
  .refine((d) => d.action !== 'reject' || d.genres == null, { message: 'a rejection takes no genres', path: ['genres'] });
export type DecideAlbumInput = z.infer<typeof DecideAlbumSchema>;
export const AlbumMembershipSchema = z.strictObject({
  fileId: id,
  /** out: decided apart from its album; in: part of the album's decision even where it disagrees; auto: the default */
  choice: z.enum(['in', 'out', 'auto']),
});
export const BulkAcceptAlbumsSchema = z.strictObject({
  minConfidence: z.number().min(0).max(1),
  /** also: at least this share of the tracks agree (default 0) */
  minAgreement: z.number().min(0).max(1).optional(),
  genre: z.string().max(200).optional(),
});
export type BulkAcceptAlbumsInput = z.infer<typeof BulkAcceptAlbumsSchema>;

const none = z.undefined();

/** Every method and the schema of its one argument (`none`: takes no argument). */
export const API_INPUTS = {
  status: none,
  libraryStats: none,
  queryLibrary: LibraryQuerySchema,
  getTrack: TrackRefSchema,
  addRoot: AddRootSchema,
  pickFolder: none,
  startScan: StartScanSchema,
  startAnalysis: StartAnalysisSchema,
  listJobs: none,
  controlJob: JobControlSchema,
  decide: DecideSchema,
  undoDecision: none,
  bulkAcceptPreview: BulkAcceptSchema,
  bulkAccept: BulkAcceptSchema,
  vocabulary: none,
  renameGenre: RenameGenreSchema,
  mergeGenres: MergeGenresSchema,
  hideGenre: HideGenreSchema,
  planWrite: PlanWriteSchema,
  applyWrite: ApplyWriteSchema,
  undoWrite: UndoWriteSchema,
  writeHistory: none,
  personalOverview: none,
  learnPersonal: none,
  updatePersonalSettings: PersonalSettingsSchema,
  setGenreExcluded: GenreExcludedSchema,
  setFolderExcluded: FolderExcludedSchema,
  personalExamples: PersonalExamplesSchema,
  personalModelVersions: none,
  personalModelReport: ModelVersionSchema,
  moreLikeThisPreview: MoreLikeThisSchema,
  moreLikeThisApply: MoreLikeThisApplySchema,
  queryAlbums: AlbumQuerySchema,
  getAlbum: AlbumRefSchema,
  decideAlbum: DecideAlbumSchema,
  setAlbumMembership: AlbumMembershipSchema,
  bulkAcceptAlbumsPreview: BulkAcceptAlbumsSchema,
  bulkAcceptAlbums: BulkAcceptAlbumsSchema,
  removeRootPreview: RootRefSchema,
  removeRoot: RootRefSchema,
  appSettings: none,
  updateAppSettings: AppSettingsPatchSchema,
} as const satisfies Record<string, z.ZodType>;

export type ApiMethod = keyof typeof API_INPUTS;

// ---------------------------------------------------------------------------------------------------
// Results.

/** What this engine can do where it runs: the genre model (its files present, not started with --no-model), a
 * library watcher, a native folder dialog (the desktop app). */
export type Feature = 'predictions' | 'watch' | 'pickFolder';

export interface AppStatus {
  version: string;
  /** 'electron': desktop window; 'web': `spectag serve`; 'cli': a `spectag` command (never shown in a window) */
  host: 'electron' | 'web' | 'cli';
  dbPath: string;
  schemaVersion: number;
  cacheDir: string;
  roots: { id: number; path: string; files: number; lastScanAt: number | null }[];
  /** no library folder yet: show the onboarding */
  firstRun: boolean;
  /** the inference backend in use; null until the model has been loaded once */
  backend: { name: string; gpu: boolean; detail: string } | null;
  ffmpeg: { path: string; source: string } | null;
  features: Record<Feature, boolean>;
  watching: boolean;
  /** readable tracks not listened to yet (never analysed, or waiting in the analysis queue) */
  unanalysed: number;
}

/** What removing a library folder takes out of the library (nothing on disk changes). */
export interface RemoveRootPreview {
  rootId: number;
  path: string;
  /** tracks found under it */
  files: number;
  /** tracks with a decision, and how many of those decisions are not written into the files yet */
  decided: number;
  unwritten: number;
  /** tracks listened to (analyses, with their spectrogram pictures and suggestions) */
  analysed: number;
  /** tracks whose genres Spectag wrote and could still restore (undo): after the removal it no longer can */
  undoable: number;
  /** a scan, an analysis or a write is running: the folder cannot be removed until it ends */
  busy: string | null;
}

export interface LibraryRow {
  id: number;
  path: string;
  title: string | null;
  artist: string | null;
  album: string | null;
  year: number | null;
  durationSec: number | null;
  container: string | null;
  fileStatus: FileStatus;
  /** an embedded cover picture (served as media 'cover' / 'cover-thumb') */
  hasCover: boolean;
  /** genres in the file now */
  genres: string[];
  /** the model's best genre (null: not analysed, or unsure) and its calibrated probability */
  suggested: string | null;
  confidence: number | null;
  /**
   * the whole suggestion set, best first (its first member is `suggested`); [] when there is none. With
   * suggestions: 'personal', the personal model's one genre.
   */
  suggestions: SuggestedGenre[];
  /** what accepting the suggestion records (the set at the genre depth setting, hidden genres left out); [] when nothing */
  accepts: string[];
  /** the latest decision's genres (null: none) */
  decided: string[] | null;
  status: ReviewStatus;
  /**
   * the personal model's confident suggestion ("yours"), shown next to the default one; only where it is
   * offered (it beat the default model on held-out tracks for that genre). With suggestions: 'personal'
   * it is also `suggested`.
   */
  personal: { genre: string; probability: number } | null;
}

/** One member of a track's suggestion set, under the person's genre names. */
export interface SuggestedGenre {
  /** the person's name for it ("Orchestral") */
  genre: string;
  /** with its parent genre, as a suggestion is shown ("Classical › Orchestral") */
  label: string;
  /** its own calibrated confidence */
  probability: number;
}

/**
 * A library file with where its review stands (`spectag list`): the suggestion under the person's genre names
 * and its calibrated probability (both null when there is none: not analysed, or unsure), the latest
 * decision's genres (null: none; []: rejected), the review status, and the personal model's offered suggestion.
 */
export interface ReviewedFile extends LibraryFile {
  reviewStatus: ReviewStatus;
  suggested: string | null;
  confidence: number | null;
  /** the whole suggestion set, best first (the first is `suggested`); [] when there is none */
  suggestions: SuggestedGenre[];
  decided: string[] | null;
  personal: { genre: string; probability: number } | null;
}

export interface LibraryPage {
  /** all matches; -1 when the query asked not to count */
  total: number;
  offset: number;
  rows: LibraryRow[];
}

export interface LibraryOverview {
  stats: LibraryStats;
  byReviewStatus: Record<ReviewStatus, number>;
  /** genres as the library will be once decisions are written: the chart's data */
  distribution: { genre: string; files: number; suggested: number }[];
}

/** A track's analysis as the window sees it: the stored analysis without the cache path, and whether a picture exists. */
export type TrackAnalysisView = Pick<TrackAnalysis,
  'status' | 'errorKind' | 'errorMessage' | 'warning' | 'analysedSec' | 'excerpts' | 'rmsDb' | 'peakDb' | 'silentFraction' | 'analysedAt' | 'modelId'
> & { hasImage: boolean };

export interface TrackDetails {
  file: LibraryFile;
  status: ReviewStatus;
  analysis: TrackAnalysisView | null;
  prediction: GenrePrediction | null;
  /**
   * The default model's suggestion set, best first, each with its confidence ("Electronic › Drum & Bass" 0.81,
   * "Soundtrack" 0.64) under the person's names; [] when it is unsure or has not listened yet.
   */
  suggestions: SuggestedGenre[];
  /** what Accept records: the set at the genre depth setting, spelled as the library spells it */
  accepts: string[];
  /** the personal model's suggestion ("yours"), with the model version that made it; null: none */
  personal: PersonalPrediction | null;
  decision: Decision | null;
  history: Decision[];
  /** which media the media endpoint/protocol can serve for this track */
  media: { audio: boolean; spectrogram: boolean; cover: boolean };
}

export type JobKind = 'scan' | 'analyze' | 'write' | 'undo-write' | 'learn';
export type JobState = 'running' | 'paused' | 'done' | 'failed' | 'cancelled';

export interface JobProgress {
  phase: string;
  done: number;
  /** null while unknown (e.g. a scan still walking) */
  total: number | null;
  errors: number;
  /** items per second */
  rate: number;
  etaSec: number | null;
  currentPath: string | null;
}

export type JobResult =
  | { kind: 'scan'; report: ScanReport }
  | { kind: 'analyze'; report: AnalysisReport }
  | { kind: 'write' | 'undo-write'; report: WriteReport }
  /** report null: an automatic retraining found nothing to do */
  | { kind: 'learn'; report: LearnReport | null };

export interface JobInfo {
  id: string;
  kind: JobKind;
  label: string;
  state: JobState;
  /** pause = stop at a safe point, resume = continue where it stopped (finished work is never redone) */
  canPause: boolean;
  startedAt: number;
  finishedAt: number | null;
  progress: JobProgress;
  result: JobResult | null;
  error: string | null;
}

export interface ReviewResult {
  fileId: number;
  decision: Decision | null;
  status: ReviewStatus;
}

export interface BulkAcceptPreview {
  count: number;
  byGenre: { genre: string; count: number }[];
  thresholds: ConfidenceThresholds;
}

export interface VocabularyEntry {
  genre: string;
  /** files whose tags have it now */
  inFiles: number;
  /** files the model suggests it for (not yet decided) */
  suggested: number;
  /** files whose latest decision has it */
  decided: number;
  hidden: boolean;
  /** the model can suggest it (under this name) */
  model: boolean;
  /** a style of the genre vocabulary: its parent genre under the person's name ("Electronic" for "Drum & Bass") */
  parent?: string;
  /** other spellings of it that the picker's type-ahead also finds ("DnB", "OST", "VGM") */
  aliases?: string[];
}

export interface VocabularyChange {
  /** files given a new decision by this change (written to the files on the next write) */
  filesChanged: number;
}

/** Tracks the personal model learns a genre from (file tags it trusts, reviewed decisions). */
export interface PersonalExamples {
  genre: string;
  total: number;
  tracks: { fileId: number; path: string; title: string | null; artist: string | null; album: string | null; source: 'tags' | 'decision' }[];
}

export interface WritePlanView {
  planId: string;
  options: WriteOptions;
  counts: { write: number; unchanged: number; skip: number };
  /** files that change or are skipped (with the reason), at most 5,000; `truncated` counts the rest */
  files: PlannedFile[];
  truncated: number;
}

/** One album as the Albums view shows it. Genres are under the person's names. */
export interface AlbumRow {
  id: number;
  title: string;
  /** album artist; "Various Artists" for a compilation; null when the tracks name none */
  artist: string | null;
  compilation: boolean;
  /** 'tags': grouped by album (+ album artist) tags; 'folder': the tracks have no album tag, grouped by folder */
  groupedBy: 'tags' | 'folder';
  folder: string;
  year: number | null;
  discs: number;
  /** readable tracks */
  tracks: number;
  /** a track with an embedded cover (null: none has one) */
  coverFileId: number | null;
  /** genres in the files, commonest first, with how many tracks have each */
  genres: { genre: string; tracks: number }[];
  /** tracks without any genre in their tags */
  untagged: number;
  /** tracks listened to by the genre model */
  analysed: number;
  /** the album's suggestion: its best genre (null: nothing analysed) and its genre set, best first */
  suggested: string | null;
  suggestion: { genre: string; score: number }[];
  /** mean probability of the suggested genre over the analysed tracks (falls when they disagree) */
  confidence: number | null;
  /** share of analysed tracks whose own best genre is the album's */
  agreement: number | null;
  unsure: boolean;
  /** tracks that clearly disagree with the album's suggestion */
  outliers: number;
  /** the personal model's album suggestion, where it offers one */
  personal: { genre: string; probability: number } | null;
  /** tracks (of those the album's decision covers) with a decision, and with it written */
  decided: number;
  written: number;
  status: AlbumStatus;
}

export interface AlbumPage {
  total: number;
  offset: number;
  rows: AlbumRow[];
}

/** A track of an album, with its own suggestion and whether the album's decision covers it. */
export interface AlbumTrack {
  fileId: number;
  path: string;
  title: string | null;
  artist: string | null;
  discNo: number | null;
  trackNo: number | null;
  durationSec: number | null;
  genres: string[];
  suggested: string | null;
  confidence: number | null;
  /** the track's own suggestion set, best first (the first is `suggested`) */
  suggestions: SuggestedGenre[];
  decided: string[] | null;
  status: ReviewStatus;
  /** its own best genre clearly disagrees with the album's suggestion */
  outlier: boolean;
  /** the person's choice (null: the default: in, except an outlier is left out of accepting the album's suggestion) */
  choice: 'in' | 'out' | null;
}

export interface AlbumDetails {
  album: AlbumRow;
  tracks: AlbumTrack[];
}

export interface AlbumDecisionResult {
  albumId: number;
  /** tracks given the decision */
  decided: number[];
  /** tracks left out (moved out of the album's decision, or clearly disagreeing with the suggestion accepted) */
  leftOut: number[];
  genres: string[];
  album: AlbumRow;
}

export interface BulkAcceptAlbumsPreview {
  albums: number;
  tracks: number;
  byGenre: { genre: string; albums: number; tracks: number }[];
  thresholds: ConfidenceThresholds;
}

// ---------------------------------------------------------------------------------------------------
// The interface itself. Implemented by the engine service (electron/core/service), by the preload bridge
// and by the renderer's api module (over the bridge or HTTP); always async, one argument at most.

export interface SpectagApi {
  status(): Promise<AppStatus>;
  libraryStats(): Promise<LibraryOverview>;
  queryLibrary(q: LibraryQuery): Promise<LibraryPage>;
  getTrack(q: z.infer<typeof TrackRefSchema>): Promise<TrackDetails>;
  /** add a library folder (and scan it unless scan: false) */
  addRoot(q: z.infer<typeof AddRootSchema>): Promise<{ rootId: number; job: JobInfo | null }>;
  /** what removing a library folder would take out of the library (its tracks' decisions and analyses) */
  removeRootPreview(q: z.infer<typeof RootRefSchema>): Promise<RemoveRootPreview>;
  /** takes a folder and its tracks out of the library; the files on disk are not touched */
  removeRoot(q: z.infer<typeof RootRefSchema>): Promise<RemoveRootPreview>;
  /** a native folder dialog (desktop only; web mode answers not-available and the UI asks for a path) */
  pickFolder(): Promise<string | null>;
  startScan(q: z.infer<typeof StartScanSchema>): Promise<JobInfo>;
  startAnalysis(q: z.infer<typeof StartAnalysisSchema>): Promise<JobInfo>;
  listJobs(): Promise<JobInfo[]>;
  controlJob(q: z.infer<typeof JobControlSchema>): Promise<JobInfo>;
  decide(q: DecideInput): Promise<ReviewResult>;
  /** undo this session's latest review decision; null when there is nothing to undo */
  undoDecision(): Promise<ReviewResult | null>;
  bulkAcceptPreview(q: BulkAcceptInput): Promise<BulkAcceptPreview>;
  bulkAccept(q: BulkAcceptInput): Promise<{ accepted: number }>;
  vocabulary(): Promise<VocabularyEntry[]>;
  renameGenre(q: z.infer<typeof RenameGenreSchema>): Promise<VocabularyChange>;
  mergeGenres(q: z.infer<typeof MergeGenresSchema>): Promise<VocabularyChange>;
  hideGenre(q: z.infer<typeof HideGenreSchema>): Promise<VocabularyChange>;
  /** the dry run: what a write of the selection would change (old → new), writing nothing */
  planWrite(q: PlanWriteInput): Promise<WritePlanView>;
  applyWrite(q: z.infer<typeof ApplyWriteSchema>): Promise<JobInfo>;
  /** undo a write batch (the latest not yet undone when no id is given) */
  undoWrite(q: z.infer<typeof UndoWriteSchema>): Promise<JobInfo>;
  writeHistory(): Promise<WriteBatchInfo[]>;

  // "Your genres": the personal model learned from the library's own tags and the person's decisions
  /** the learned vocabulary, examples per genre, the active model's validation report, settings, exclusions */
  personalOverview(): Promise<PersonalOverview>;
  /** retrain now (a job: seconds for 10,000 tracks); the new version's suggestions replace the old ones */
  learnPersonal(): Promise<JobInfo>;
  /** takes effect at the next training */
  updatePersonalSettings(q: z.infer<typeof PersonalSettingsSchema>): Promise<PersonalSettings>;
  setGenreExcluded(q: z.infer<typeof GenreExcludedSchema>): Promise<GenreExclusions>;
  /** distrust (or trust again) the genre tags of the files under a folder */
  setFolderExcluded(q: z.infer<typeof FolderExcludedSchema>): Promise<GenreExclusions>;
  personalExamples(q: z.infer<typeof PersonalExamplesSchema>): Promise<PersonalExamples>;
  personalModelVersions(): Promise<PersonalModelInfo[]>;
  /** the validation report of an earlier version (every suggestion names the version that made it) */
  personalModelReport(q: z.infer<typeof ModelVersionSchema>): Promise<LearnReport | null>;
  /** "more like this": untagged, undecided tracks nearest to a track by sound, with their similarity; records nothing */
  moreLikeThisPreview(q: z.infer<typeof MoreLikeThisSchema>): Promise<MoreLikeThisPreview>;
  /** give the chosen tracks the genre (decisions, undone like any other with undoDecision) */
  moreLikeThisApply(q: z.infer<typeof MoreLikeThisApplySchema>): Promise<{ decided: number }>;

  // Albums: the library grouped by album, one suggestion per album
  queryAlbums(q: AlbumQuery): Promise<AlbumPage>;
  getAlbum(q: z.infer<typeof AlbumRefSchema>): Promise<AlbumDetails>;
  /** one review step for the album's tracks (undone with undoDecision) */
  decideAlbum(q: DecideAlbumInput): Promise<AlbumDecisionResult>;
  /** move a track out of its album's decision (or back in) */
  setAlbumMembership(q: z.infer<typeof AlbumMembershipSchema>): Promise<AlbumDetails>;
  bulkAcceptAlbumsPreview(q: BulkAcceptAlbumsInput): Promise<BulkAcceptAlbumsPreview>;
  /** accept the suggestion of every undecided album above the confidence, as one review step */
  bulkAcceptAlbums(q: BulkAcceptAlbumsInput): Promise<{ albums: number; tracks: number }>;

  // the app's settings (stored in the library, shared by the window and the command line)
  appSettings(): Promise<AppSettings>;
  /** change some settings together (all or none); returns them all */
  updateAppSettings(q: z.infer<typeof AppSettingsPatchSchema>): Promise<AppSettings>;
}

// every method has an input schema and vice versa (compile-time check)
type _SameKeys = [
  Exclude<ApiMethod, keyof SpectagApi>, Exclude<keyof SpectagApi, ApiMethod>,
  Exclude<ApiMethod, (typeof API_METHOD_NAMES)[number]>, Exclude<(typeof API_METHOD_NAMES)[number], ApiMethod>,
] extends [never, never, never, never] ? true : never;
const _sameKeys: _SameKeys = true;
void _sameKeys;

/** The argument type of a method (undefined for methods without one). */
export type ApiInput<M extends ApiMethod> = Parameters<SpectagApi[M]> extends [infer A] ? A : undefined;
export type ApiOutput<M extends ApiMethod> = Awaited<ReturnType<SpectagApi[M]>>;

// ---------------------------------------------------------------------------------------------------
// Events pushed from the engine to the window.

export const LIBRARY_CHANGE_REASONS = ['scan', 'analysis', 'decision', 'write', 'vocabulary', 'watch', 'roots', 'personal'] as const;

export type ApiEvent =
  | { type: 'job'; job: JobInfo }
  | { type: 'library-changed'; reason: (typeof LIBRARY_CHANGE_REASONS)[number]; fileIds: number[] | null }
  | { type: 'engine'; state: 'crashed' | 'restarted'; message: string };

export type ApiEventListener = (e: ApiEvent) => void;

/** What one call across a process boundary answers: the result, or an error with a code. */
export type CallOutcome<T = unknown> = { ok: true; result: T } | { ok: false; error: ApiErrorPayload };

/**
 * What the preload exposes as window.spectag: one call of any API method, answering an outcome (errors do
 * not cross Electron's context bridge intact, so they travel as data), plus the event subscription.
 */
export interface SpectagBridge {
  call<M extends ApiMethod>(method: M, input?: ApiInput<M>): Promise<CallOutcome<ApiOutput<M>>>;
  onEvent(listener: ApiEventListener): () => void;
}

// ---------------------------------------------------------------------------------------------------
// Errors: every failure crossing the boundary is one of these codes with a message a person can read.

export { API_ERROR_CODES, SpectagApiError } from './api-errors.js';
export type { ApiErrorCode, ApiErrorPayload } from './api-errors.js';

export function toErrorPayload(err: unknown): ApiErrorPayload {
  if (err instanceof SpectagApiError) return { code: err.code, message: err.message };
  if (err instanceof z.ZodError) return { code: 'invalid-input', message: describeZodError(err) };
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

export function describeZodError(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`).join('; ');
}

/** Validate one call's argument; throws SpectagApiError('invalid-input') with a readable message. */
export function parseInput<M extends ApiMethod>(method: M, input: unknown): ApiInput<M> {
  const schema: z.ZodType | undefined = (API_INPUTS as Record<string, z.ZodType>)[method];
  if (!schema) throw new SpectagApiError('invalid-input', `unknown method "${String(method)}"`);
  const r = schema.safeParse(input);
  if (!r.success) throw new SpectagApiError('invalid-input', `${method}: ${describeZodError(r.error)}`);
  return r.data as ApiInput<M>;
}

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(API_INPUTS, name);
}
