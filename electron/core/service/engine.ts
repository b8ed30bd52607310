// The engine side of the app's API: the composition root that opens the library database, wires the feature
// services (services.ts) and implements SpectagApi by delegating to them. Runs in plain Node: inside
// Electron's utility process for the desktop app, inside `spectag serve` for web mode, behind every
// `spectag` command, and in tests.
import type {
  AlbumDecisionResult, AlbumDetails, AlbumPage, AlbumQuery, BulkAcceptAlbumsInput, BulkAcceptAlbumsPreview, DecideAlbumInput,
} from '../../shared/api.js';
import type {
  ApiEventListener, AppStatus, BulkAcceptInput, BulkAcceptPreview, DecideInput, Feature, JobInfo, LibraryOverview, LibraryPage,
  LibraryQuery, MediaRef, PersonalExamples, PlanWriteInput, RemoveRootPreview, ReviewResult, SpectagApi, TrackDetails, VocabularyChange,
  VocabularyEntry, WritePlanView,
} from '../../shared/api.js';
import { SpectagApiError } from '../../shared/api-errors.js';
import type {
  GenreExclusions, LearnReport, MoreLikeThisPreview, PersonalModelInfo, PersonalOverview, PersonalSettings,
} from '../../shared/personal.js';
import type { WriteBatchInfo } from '../../shared/tags.js';
import type { AppSettings, AppSettingsPatch } from '../../shared/settings.js';
import { findFfmpeg } from '../audio/ffmpeg-binary.js';
import { openDatabase, SCHEMA_VERSION, type Db } from '../db/open.js';
import { EngineContext } from './context.js';
import { wireServices, type ServiceOptions, type Services } from './services.js';
import type { MediaSource } from './media.js';

export const APP_VERSION = '0.1.0';

export interface EngineOptions extends ServiceOptions {
  dbPath: string;
  /** who runs this engine: the desktop app, `spectag serve`, or a `spectag` command */
  host: AppStatus['host'];
  /**
   * Start a new library when there is none at dbPath (default). false: refuse with NoLibraryError and create
   * nothing, for every command that works on an existing library (a mistyped path must not leave one behind).
   */
  create?: boolean;
}

export class EngineService implements SpectagApi {
  readonly db: Db;
  readonly cacheDir: string;
  /** the feature services: what each owns is in services.ts */
  readonly services: Services;
  private readonly ctx: EngineContext;

  constructor(readonly options: EngineOptions) {
    this.db = openDatabase(options.dbPath, { mustExist: options.create === false });
    this.ctx = new EngineContext(this.db, options.dbPath);
    this.cacheDir = this.ctx.cacheDir;
    this.services = wireServices(this.ctx, options);
  }

  subscribe(listener: ApiEventListener): () => void {
    return this.ctx.events.subscribe(listener);
  }

  // ---- status and library -------------------------------------------------------------------------

  async status(): Promise<AppStatus> {
    const { library, analysis } = this.services;
    const roots = library.roots();
    let ffmpeg: AppStatus['ffmpeg'] = null;
    try {
      const f = findFfmpeg();
      ffmpeg = { path: f.path, source: f.source };
    } catch {
      ffmpeg = null;
    }
    const features: Record<Feature, boolean> = {
      predictions: analysis.modelAvailable(),
      watch: library.watching,
      // the desktop shell's main process answers pickFolder with a native dialog
      pickFolder: this.options.host === 'electron',
    };
    return {
      version: APP_VERSION, host: this.options.host, dbPath: this.options.dbPath, schemaVersion: SCHEMA_VERSION,
      cacheDir: this.cacheDir, roots, firstRun: roots.length === 0, backend: analysis.backend, ffmpeg, features,
      watching: library.watching, unanalysed: library.unanalysedCount(),
    };
  }

  async libraryStats(): Promise<LibraryOverview> {
    return this.services.library.overview();
  }

  async queryLibrary(q: LibraryQuery): Promise<LibraryPage> {
    return this.services.library.query(q);
  }

  async getTrack({ id }: { id: number }): Promise<TrackDetails> {
    return this.services.library.track(id);
  }

  /**
   * What a media URL serves, confined to the library roots (audio) or the cache (pictures): the file as it
   * is, or the WAV ffmpeg makes of a file the browser engine cannot play. Throws MediaRefusedError or SpectagApiError.
   */
  async mediaSource(ref: MediaRef): Promise<MediaSource> {
    return this.services.library.mediaSource(ref);
  }

  /** Folders media may come from (the desktop shell checks again on its side). */
  mediaRoots(): string[] {
    return this.services.library.mediaRoots();
  }

  // ---- folders and jobs ---------------------------------------------------------------------------

  async addRoot({ path, scan }: { path: string; scan?: boolean }): Promise<{ rootId: number; job: JobInfo | null }> {
    return this.services.library.addRoot(path, scan !== false);
  }

  async removeRootPreview({ rootId }: { rootId: number }): Promise<RemoveRootPreview> {
    return this.services.library.removeRootPreview(rootId);
  }

  async removeRoot({ rootId }: { rootId: number }): Promise<RemoveRootPreview> {
    return this.services.library.removeRoot(rootId);
  }

  async pickFolder(): Promise<string | null> {
    throw new SpectagApiError('not-available', 'A folder dialog is not available in a browser (only in the desktop app): type the folder path instead');
  }

  async startScan({ roots }: { roots?: string[] }): Promise<JobInfo> {
    return this.services.library.startScan(roots);
  }

  async startAnalysis({ limit }: { limit?: number }): Promise<JobInfo> {
    return this.services.analysis.startAnalysis(limit);
  }

  async listJobs(): Promise<JobInfo[]> {
    return this.ctx.jobs.list();
  }

  async controlJob({ jobId, action }: { jobId: string; action: 'pause' | 'resume' | 'cancel' }): Promise<JobInfo> {
    if (action === 'pause') return this.ctx.jobs.pause(jobId);
    if (action === 'resume') return this.ctx.jobs.resume(jobId);
    return this.ctx.jobs.cancel(jobId);
  }

  // ---- review -------------------------------------------------------------------------------------

  async decide(input: DecideInput): Promise<ReviewResult> {
    return this.services.review.decide(input);
  }

  async undoDecision(): Promise<ReviewResult | null> {
    return this.services.review.undoDecision();
  }

  async bulkAcceptPreview(q: BulkAcceptInput): Promise<BulkAcceptPreview> {
    return this.services.review.bulkAcceptPreview(q);
  }

  async bulkAccept(q: BulkAcceptInput): Promise<{ accepted: number }> {
    return this.services.review.bulkAccept(q);
  }

  async moreLikeThisApply({ fileIds, genre }: { fileIds: number[]; genre: string }): Promise<{ decided: number }> {
    return this.services.review.applyGenre(fileIds, genre);
  }

  // ---- vocabulary ---------------------------------------------------------------------------------

  async vocabulary(): Promise<VocabularyEntry[]> {
    return this.services.vocabulary.list();
  }

  async renameGenre({ from, to }: { from: string; to: string }): Promise<VocabularyChange> {
    return this.services.vocabulary.rename(from, to);
  }

  async mergeGenres({ from, into }: { from: string[]; into: string }): Promise<VocabularyChange> {
    return this.services.vocabulary.merge(from, into);
  }

  async hideGenre({ genre, hidden }: { genre: string; hidden: boolean }): Promise<VocabularyChange> {
    return this.services.vocabulary.hide(genre, hidden);
  }

  // ---- writing ------------------------------------------------------------------------------------

  async planWrite(input: PlanWriteInput): Promise<WritePlanView> {
    return this.services.writes.planForWindow(input);
  }

  async applyWrite({ planId, exclude }: { planId: string; exclude?: number[] }): Promise<JobInfo> {
    return this.services.writes.startApply(planId, exclude);
  }

  async undoWrite({ batchId }: { batchId?: number }): Promise<JobInfo> {
    return this.services.writes.startUndo(batchId);
  }

  async writeHistory(): Promise<WriteBatchInfo[]> {
    return this.services.writes.history(50);
  }

  // ---- "Your genres": the personal model -----------------------------------------------------------

  async personalOverview(): Promise<PersonalOverview> {
    return this.services.personal.overview();
  }

  async learnPersonal(): Promise<JobInfo> {
    return this.services.personal.startLearning();
  }

  async updatePersonalSettings(patch: Partial<PersonalSettings>): Promise<PersonalSettings> {
    return this.services.personal.updateSettings(patch);
  }

  async setGenreExcluded({ genre, excluded }: { genre: string; excluded: boolean }): Promise<GenreExclusions> {
    return this.services.personal.setGenreExcluded(genre, excluded);
  }

  async setFolderExcluded({ folder, excluded }: { folder: string; excluded: boolean }): Promise<GenreExclusions> {
    return this.services.personal.setFolderExcluded(folder, excluded);
  }

  async personalExamples({ genre, limit }: { genre: string; limit?: number }): Promise<PersonalExamples> {
    return this.services.personal.examples(genre, limit);
  }

  async personalModelVersions(): Promise<PersonalModelInfo[]> {
    return this.services.personal.versions();
  }

  async personalModelReport({ version }: { version: number }): Promise<LearnReport | null> {
    return this.services.personal.report(version);
  }

  async moreLikeThisPreview(q: { fileId: number; genre: string; limit?: number; minScore?: number }): Promise<MoreLikeThisPreview> {
    return this.services.personal.moreLikeThis(q);
  }

  // ---- albums -------------------------------------------------------------------------------------

  async queryAlbums(q: AlbumQuery): Promise<AlbumPage> {
    return this.services.albums.query(q);
  }

  async getAlbum({ id }: { id: number }): Promise<AlbumDetails> {
    return this.services.albums.details(id);
  }

  async decideAlbum(input: DecideAlbumInput): Promise<AlbumDecisionResult> {
    return this.services.albums.decide(input);
  }

  async setAlbumMembership({ fileId, choice }: { fileId: number; choice: 'in' | 'out' | 'auto' }): Promise<AlbumDetails> {
    return this.services.albums.setMembership(fileId, choice);
  }

  async bulkAcceptAlbumsPreview(q: BulkAcceptAlbumsInput): Promise<BulkAcceptAlbumsPreview> {
    return this.services.albums.bulkAcceptPreview(q);
  }

  async bulkAcceptAlbums(q: BulkAcceptAlbumsInput): Promise<{ albums: number; tracks: number }> {
    return this.services.albums.bulkAccept(q);
  }

  // ---- the app's settings -------------------------------------------------------------------------

  async appSettings(): Promise<AppSettings> {
    return this.ctx.settings.all();
  }

  async updateAppSettings(patch: AppSettingsPatch): Promise<AppSettings> {
    const settings = this.ctx.settings.update(patch);
    // the watch switch takes effect at once (null: as the app was started)
    if (patch.watchFolders !== undefined) await this.services.library.setWatching(settings.watchFolders ?? this.options.watch === true);
    // what accepting a suggestion records changed: the window's rows say it (and Accept sends it)
    if (patch.genreDepth !== undefined) this.ctx.events.changed('vocabulary');
    return settings;
  }

  // ---- shutdown -----------------------------------------------------------------------------------

  async close(): Promise<void> {
    if (this.ctx.closed) return;
    this.ctx.markClosed();
    this.services.personal.close();
    await this.services.library.close();
    await this.ctx.jobs.stopAll();
    await this.services.analysis.close();
    this.ctx.events.clear();
    this.db.close();
  }
}
