// The personal-model feature ("Your genres"): what it learns from, training (a job in the window, a plain run
// in the CLI), automatic retraining once enough new decisions were made, settings and exclusions, examples,
// versions and their reports, and "more like this". The training code (TF.js) is loaded only to train.
import { resolve } from 'node:path';
import { SpectagApiError } from '../../shared/api-errors.js';
import type { JobInfo, PersonalExamples } from '../../shared/api.js';
import {
  genreKey,
  type GenreExclusions, type LearnReport, type MoreLikeThisPreview, type PersonalModelInfo, type PersonalOverview,
  type PersonalPrediction, type PersonalSettings, type PersonalVocabularyEntry, type RetrainState,
} from '../../shared/personal.js';
import { FileStore } from '../db/files.js';
import { PersonalStore } from '../db/personal.js';
import type { VocabularyStore } from '../db/vocabulary.js';
import type { BackendName } from '../model/backend.js';
import { dominantEmbedding, labelTracks, loadLibrary } from '../personal/dataset.js';
import type { LearnOptions } from '../personal/learn.js';
import { MIN_SIMILARITY, NoEmbeddingError, similarTracks } from '../personal/similar.js';
import { refreshPersonalPredictions, retrainState } from '../personal/suggestions.js';
import type { EngineContext } from './context.js';
import { requireGenreName } from './genre-name.js';

export interface PersonalServiceOptions {
  /**
   * 'background' (the window): after decisions, once the person has paused, retrain when due, as a job;
   * 'explicit' (the command line): only when a command asks (retrainIfDue), its process does not linger
   */
  retrain: 'background' | 'explicit';
  /** quiet time after the last decision before a background retraining is considered */
  retrainDebounceMs?: number;
  /** training knobs (tests) */
  train?: LearnOptions['train'];
}

/** How a training run reports: its phases (the CLI prints them, a job shows them), and its end. */
export interface LearnRun {
  signal?: AbortSignal;
  onPhase?: (phase: string, detail?: string) => void;
  backend?: BackendName;
}

export class PersonalService {
  private readonly store: PersonalStore;
  private retrainTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly ctx: EngineContext, private readonly vocabulary: VocabularyStore, private readonly opts: PersonalServiceOptions) {
    this.store = new PersonalStore(ctx.db);
  }

  /** Everything the "Your genres" page shows, without training anything. */
  overview(): PersonalOverview {
    const settings = this.store.settings();
    const exclusions = this.store.exclusions();
    const active = this.store.active();
    const source = dominantEmbedding(this.ctx.db);
    const vocabulary: PersonalVocabularyEntry[] = [];
    if (source) {
      const lab = labelTracks(loadLibrary(this.ctx.db, source, { embeddings: false }), exclusions);
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
      report: active?.report ?? null, vocabulary, retrain: retrainState(this.ctx.db),
    };
  }

  /** Trains a new version now and stores its suggestions (seconds for 10,000 tracks). */
  async learn(trigger: 'manual' | 'auto', run: LearnRun = {}): Promise<LearnReport> {
    const { learnPersonalModel } = await import('../personal/learn.js');
    const report = await learnPersonalModel(this.ctx.db, {
      trigger, backend: run.backend, signal: run.signal, onPhase: run.onPhase, train: this.opts.train,
      // the default model's genres under the person's names (the vocabulary's renames), for the comparison
      modelNames: Object.fromEntries(this.vocabulary.modelNameMap()),
    });
    if (report.trained) this.ctx.events.changed('personal');
    return report;
  }

  /** Retrains when enough new decisions were made since the active model, or the default model changed; null when not due. */
  async retrainIfDue(run: LearnRun = {}): Promise<LearnReport | null> {
    return retrainState(this.ctx.db).due ? this.learn('auto', run) : null;
  }

  retrainState(): RetrainState {
    return retrainState(this.ctx.db);
  }

  /** The window's "Retrain" button: training as a job (it keeps the engine busy meanwhile, so it shows). */
  startLearning(): JobInfo {
    const busy = this.ctx.jobs.running('learn');
    if (busy) throw new SpectagApiError('conflict', `the personal model is being trained already (${busy.label})`);
    return this.learnJob('manual');
  }

  private learnJob(trigger: 'manual' | 'auto'): JobInfo {
    return this.ctx.jobs.start({
      kind: 'learn',
      label: trigger === 'manual' ? 'Learning your genres' : 'Relearning your genres (new decisions)',
      restartable: false,
      run: async (ctx) => {
        ctx.progress({ phase: 'loading' });
        const run: LearnRun = { signal: ctx.signal, onPhase: (phase, detail) => ctx.progress({ phase: detail ? `${phase}: ${detail}` : phase }) };
        const report = trigger === 'manual' ? await this.learn('manual', run) : await this.retrainIfDue(run);
        return { kind: 'learn', report };
      },
    });
  }

  /**
   * Decisions were recorded (or settings changed). In the window: once the person has paused for a moment,
   * retrain when enough new decisions were made (setting retrainAfterDecisions) or the default model
   * changed; debounced, so a review session retrains between bursts, not after every key press.
   */
  scheduleRetrain(): void {
    if (this.opts.retrain !== 'background' || this.ctx.closed) return;
    if (this.retrainTimer) clearTimeout(this.retrainTimer);
    this.retrainTimer = setTimeout(() => {
      this.retrainTimer = null;
      if (this.ctx.closed || this.ctx.jobs.running('learn')) return;
      try {
        if (retrainState(this.ctx.db).due) this.learnJob('auto');
      } catch {
        // a busy database now: the next decision asks again
      }
    }, this.opts.retrainDebounceMs ?? 5000);
  }

  /** Newly analysed tracks get suggestions from the active model; a new default model may call for retraining. */
  analysisDone(): void {
    if (this.ctx.closed) return;
    try {
      if (refreshPersonalPredictions(this.ctx.db) > 0) this.ctx.events.changed('personal');
    } catch {
      // suggestions are refreshed again after the next analysis; the analysis itself is done
    }
    this.scheduleRetrain();
  }

  /** Suggestions made again for every track (hidden genres changed); for tracks analysed since, without `all`. */
  refreshSuggestions(all: boolean): number {
    return refreshPersonalPredictions(this.ctx.db, { all });
  }

  suggestion(fileId: number): PersonalPrediction | null {
    return this.store.prediction(fileId);
  }

  updateSettings(patch: Partial<PersonalSettings>): PersonalSettings {
    const settings = this.store.updateSettings(patch);
    this.scheduleRetrain();
    return settings;
  }

  /** Exclude a genre (any spelling) from learning and suggestions, or include it again; takes effect at the next training. */
  setGenreExcluded(genre: string, excluded: boolean): GenreExclusions {
    genre = requireGenreName(genre);
    if (!genreKey(genre) || !this.store.setGenreExcluded(genre, excluded)) throw new SpectagApiError('invalid-input', `"${genre}" is not a genre name`);
    return this.store.exclusions();
  }

  /** Distrust (or trust again) the genre tags of the files under a folder. */
  setFolderExcluded(folder: string, excluded: boolean): GenreExclusions {
    this.store.setFolderExcluded(resolve(folder), excluded);
    return this.store.exclusions();
  }

  /** Tracks the model learns a genre from, reviewed decisions first (they weigh most in the training). */
  examples(genre: string, limit = 50): PersonalExamples {
    const key = genreKey(genre);
    const source = dominantEmbedding(this.ctx.db);
    if (!key || !source) return { genre, total: 0, tracks: [] };
    const lib = loadLibrary(this.ctx.db, source, { embeddings: false });
    const labelled = labelTracks(lib, this.store.exclusions()).labels.filter((l) => l.keys.includes(key));
    labelled.sort((a, b) => (a.source === b.source ? a.row - b.row : a.source === 'decision' ? -1 : 1));
    const chosen = labelled.slice(0, limit);
    const titles = new FileStore(this.ctx.db).titles(chosen.map((l) => lib.rows[l.row]!.fileId));
    return {
      genre, total: labelled.length,
      tracks: chosen.map((l) => {
        const r = lib.rows[l.row]!;
        return { fileId: r.fileId, path: r.path, title: titles.get(r.fileId) ?? null, artist: r.artist, album: r.album, source: l.source };
      }),
    };
  }

  versions(): PersonalModelInfo[] {
    return this.store.versions();
  }

  /** The validation report of one version (every version keeps its report, also after its weights are pruned). */
  report(version: number): LearnReport | null {
    return this.store.model(version)?.report ?? null;
  }

  /** "More like this": untagged, undecided tracks nearest to a track by sound; records nothing. */
  moreLikeThis(q: { fileId: number; genre: string; limit?: number; minScore?: number }): MoreLikeThisPreview {
    if (!new FileStore(this.ctx.db).getById(q.fileId)) throw new SpectagApiError('not-found', `no file with id ${q.fileId}`);
    if (!genreKey(q.genre)) throw new SpectagApiError('invalid-input', `"${q.genre}" is not a genre name`);
    try {
      // a caller may ask for closer neighbours, never for ones below the threshold
      const minScore = Math.max(MIN_SIMILARITY, q.minScore ?? MIN_SIMILARITY);
      return { genre: q.genre.trim(), minScore, candidates: similarTracks(this.ctx.db, q.fileId, { untaggedOnly: true, limit: q.limit ?? 50, minScore }) };
    } catch (err) {
      if (err instanceof NoEmbeddingError) throw new SpectagApiError('conflict', `${err.message}; analyse it first`);
      throw err;
    }
  }

  close(): void {
    if (this.retrainTimer) clearTimeout(this.retrainTimer);
  }
}
