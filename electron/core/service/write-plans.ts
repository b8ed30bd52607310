// The writing feature: the dry run (what a write would change, old → new, per file), the write itself and
// its undo (jobs in the window, plain runs in the CLI), and the history of write batches. A dry run made
// in the window is kept for a while under an id, so that what is written is exactly what was shown. The
// tag writer loads only when used.
import { randomUUID } from 'node:crypto';
import { SpectagApiError } from '../../shared/api-errors.js';
import type { JobInfo, PlanWriteInput, WritePlanView } from '../../shared/api.js';
import type { WriteBatchInfo, WriteMode, WriteOptions, WritePlan, WriteReport, WriteSelection } from '../../shared/tags.js';
import { JournalStore } from '../db/decisions.js';
import type { WriteJobOptions } from '../tags/write.js';
import type { EngineContext } from './context.js';

/** Dry runs kept for the window (the newest ones). */
const KEPT_PLANS = 10;
/** Files of a dry run sent to the window; the rest are counted. */
const MAX_PLAN_FILES = 5000;

export class WritePlanService {
  private readonly plans = new Map<string, WritePlan>();

  constructor(private readonly ctx: EngineContext) {}

  /** Paths of a selection that match no library file and no folder with files. */
  async unknownPaths(paths: readonly string[]): Promise<string[]> {
    const { unknownPaths } = await import('../tags/write.js');
    return unknownPaths(this.ctx.db, paths);
  }

  /** The dry run: per file, old → new genres, or why it is left alone. Writes nothing. */
  async plan(selection: WriteSelection, mode: WriteMode, opts: Partial<Omit<WriteOptions, 'mode'>> = {}): Promise<WritePlan> {
    const { planWrite } = await import('../tags/write.js');
    return planWrite(this.ctx.db, selection, mode, opts);
  }

  /** The window's dry run: kept under an id for applyWrite, changed and skipped files shown, unchanged ones counted. */
  async planForWindow(input: PlanWriteInput): Promise<WritePlanView> {
    const opts: Partial<Omit<WriteOptions, 'mode'>> = {};
    if (input.id3v23Join != null) opts.id3v23Join = input.id3v23Join;
    if (input.preserveMtime != null) opts.preserveMtime = input.preserveMtime;
    if (input.id3v2Version !== undefined) opts.id3v2Version = input.id3v2Version;
    const plan = await this.plan({ fileIds: input.selection.fileIds, under: input.selection.under }, input.mode, opts);
    const planId = randomUUID();
    this.plans.set(planId, plan);
    while (this.plans.size > KEPT_PLANS) this.plans.delete(this.plans.keys().next().value as string);
    const counts = { write: 0, unchanged: 0, skip: 0 };
    for (const f of plan.files) counts[f.action]++;
    const shown = plan.files.filter((f) => f.action !== 'unchanged');
    return { planId, options: plan.options, counts, files: shown.slice(0, MAX_PLAN_FILES), truncated: Math.max(0, shown.length - MAX_PLAN_FILES) };
  }

  /** Writes a plan: each file copied, changed, verified, renamed over the original; the old genres journaled. */
  async apply(plan: WritePlan, run: WriteJobOptions = {}): Promise<WriteReport> {
    return this.changingFiles((w) => w.applyWrite(this.ctx.db, plan, run));
  }

  /** Puts back exactly what a write batch replaced (a batch itself). */
  async undo(batchId: number, run: WriteJobOptions = {}): Promise<WriteReport> {
    return this.changingFiles((w) => w.undoWrite(this.ctx.db, batchId, run));
  }

  /** Runs a write or an undo (the tag writer loaded only when one runs) and tells the window the files changed, also after a failure. */
  private async changingFiles(run: (writer: typeof import('../tags/write.js')) => Promise<WriteReport>): Promise<WriteReport> {
    try {
      return await run(await import('../tags/write.js'));
    } finally {
      this.ctx.events.changed('write');
    }
  }

  history(limit = 50): WriteBatchInfo[] {
    return new JournalStore(this.ctx.db).batches(limit);
  }

  /** The window's Write button: the dry run it showed, as a job. */
  startApply(planId: string, exclude: readonly number[] = []): JobInfo {
    const planned = this.plans.get(planId);
    if (!planned) throw new SpectagApiError('not-found', 'this write plan is no longer known; make a new dry run');
    this.plans.delete(planId);
    // files unticked in the dry run are left exactly as they are (reported as skipped, with the reason)
    const unticked = new Set(exclude);
    const plan: WritePlan = {
      ...planned,
      files: planned.files.map((f) => (f.action === 'write' && unticked.has(f.fileId) ? { ...f, newGenres: f.oldGenres, action: 'skip', reason: 'unticked in the dry run' } : f)),
    };
    const total = plan.files.length;
    return this.ctx.jobs.start({
      kind: 'write',
      label: `Writing genres into ${plan.files.filter((f) => f.action === 'write').length} files`,
      restartable: false,
      run: async (job) => {
        job.progress({ phase: 'writing', total, done: 0 });
        const report = await this.apply(plan, {
          signal: job.signal,
          onProgress: (p) => job.progress({ done: p.done, total: p.total, errors: p.failed, currentPath: p.currentPath }),
        });
        return { kind: 'write', report };
      },
    });
  }

  /**
   * Undo of a batch as a job: the given one, else the latest write not undone yet (one whose files were replaced
   * but whose database could not confirm them, pending, counts too: undo checks those files).
   */
  startUndo(batchId?: number): JobInfo {
    const target = batchId ?? this.history(200).find((b) => b.kind === 'write' && b.undoneByBatchId == null && b.counts.written + b.counts.pending > 0)?.id;
    if (target == null) throw new SpectagApiError('not-found', 'there is no write to undo');
    return this.ctx.jobs.start({
      kind: 'undo-write',
      label: `Undoing write batch ${target}`,
      restartable: false,
      run: async (job) => {
        job.progress({ phase: 'restoring', done: 0 });
        const report = await this.undo(target, {
          signal: job.signal,
          onProgress: (p) => job.progress({ done: p.done, total: p.total, errors: p.failed, currentPath: p.currentPath }),
        });
        return { kind: 'undo-write', report };
      },
    });
  }
}
