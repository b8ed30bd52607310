// What the feature services of one engine share: the library database, the cache folder beside it, the event
// bus, the job runner, the app's settings, and whether the engine is closing (timers and follow-up jobs stop then).
import type { Db } from '../db/open.js';
import { SettingsStore } from '../db/settings.js';
import { analysisCacheDirFor } from '../jobs/pipeline.js';
import { EngineEvents } from './events.js';
import { JobRunner } from './jobs.js';

export class EngineContext {
  readonly cacheDir: string;
  readonly events = new EngineEvents();
  readonly jobs: JobRunner;
  readonly settings: SettingsStore;
  private closing = false;

  constructor(readonly db: Db, readonly dbPath: string) {
    this.cacheDir = analysisCacheDirFor(dbPath);
    this.jobs = new JobRunner((job) => this.events.emit({ type: 'job', job }));
    this.settings = new SettingsStore(db);
  }

  get closed(): boolean {
    return this.closing;
  }

  markClosed(): void {
    this.closing = true;
  }
}
