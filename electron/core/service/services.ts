// The feature services of one engine, wired together once: who owns what, and who tells whom. Used by the
// engine service (the window's API) and by every `spectag` command, so both go by the same rules.
import type { InferenceBackend } from '../../shared/genres-model.js';
import { LibraryView } from '../db/library-view.js';
import { VocabularyStore, vocabularySettingsPath } from '../db/vocabulary.js';
import { AlbumService } from './albums.js';
import { AnalysisService } from './analysis.js';
import type { EngineContext } from './context.js';
import { LibraryService } from './library.js';
import { PersonalService, type PersonalServiceOptions } from './personal.js';
import { ReviewService } from './review.js';
import { VocabularyService } from './vocabulary.js';
import { WritePlanService } from './write-plans.js';

export interface ServiceOptions {
  /** watch the library roots and rescan changed folders (desktop app, `spectag serve --watch`) */
  watch?: boolean;
  /** quiet time before a burst of file changes becomes one rescan */
  watchDebounceMs?: number;
  /** reader threads for scans */
  scanWorkers?: number;
  /** run the genre model during analysis (default: when its files are present) */
  model?: boolean;
  /** the model's inference backend (default: the first that works) */
  backend?: InferenceBackend;
  /** analysis threads */
  analysisWorkers?: number;
  /** see PersonalServiceOptions.retrain (default 'background') */
  retrain?: PersonalServiceOptions['retrain'];
  /** quiet time after the last decision before the personal model checks whether a retraining is due */
  retrainDebounceMs?: number;
  /** training knobs for the personal model (tests) */
  personalTraining?: PersonalServiceOptions['train'];
}

export interface Services {
  /** folders, scans, the library table, tracks, media */
  library: LibraryService;
  /** listening (the analysis queue) and the genre model */
  analysis: AnalysisService;
  /** decisions and their undo */
  review: ReviewService;
  /** genre names, rename / merge / hide */
  vocabulary: VocabularyService;
  /** dry runs, writes, undo of writes */
  writes: WritePlanService;
  /** "Your genres": the personal model */
  personal: PersonalService;
  /** the library grouped into albums, album suggestions and album decisions */
  albums: AlbumService;
}

export function wireServices(ctx: EngineContext, o: ServiceOptions = {}): Services {
  // the vocabulary's choices live in the database; an older Spectag kept them in a JSON file, read once here
  const vocabularyStore = new VocabularyStore(ctx.db, vocabularySettingsPath(ctx.dbPath));
  const view = new LibraryView(ctx.db, ctx.dbPath);
  const personal = new PersonalService(ctx, vocabularyStore, {
    retrain: o.retrain ?? 'background', retrainDebounceMs: o.retrainDebounceMs, train: o.personalTraining,
  });
  const analysis = new AnalysisService(ctx, view, personal, { model: o.model, backend: o.backend, workers: o.analysisWorkers });
  const vocabulary = new VocabularyService(ctx, vocabularyStore, {
    modelId: () => analysis.modelId,
    decisionsRecorded: () => personal.scheduleRetrain(),
    // the personal model does not suggest hidden genres either: its stored suggestions are made again
    hiddenChanged: () => personal.refreshSuggestions(true),
  });
  const review = new ReviewService(ctx, view, { vocabulary, analysis, personal });
  const albums = new AlbumService(ctx, view, { analysis, vocabulary, review });
  const library = new LibraryService(ctx, view, { analysis, vocabulary, personal, albums }, {
    scanWorkers: o.scanWorkers, watch: o.watch, watchDebounceMs: o.watchDebounceMs,
  });
  const writes = new WritePlanService(ctx);
  return { library, analysis, review, vocabulary, writes, personal, albums };
}
