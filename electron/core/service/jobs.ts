// Long engine jobs (scan, analysis, writes) for the app: one AbortSignal each, throttled progress events,
// and pause/resume. Pausing stops the run at a safe point; resuming starts it again, which is cheap because
// every engine job skips the work it already finished (a rescan stats unchanged files, the analysis queue
// lives in the database).
import type { JobInfo, JobKind, JobProgress, JobResult } from '../../shared/api.js';
import { SpectagApiError } from '../../shared/api-errors.js';

export interface JobContext {
  signal: AbortSignal;
  /** report progress; rate and ETA are computed here when the job does not give them */
  progress(p: Partial<JobProgress>): void;
}

export interface JobSpec {
  kind: JobKind;
  label: string;
  /** true: pause aborts the run and resume runs it again */
  restartable: boolean;
  run(ctx: JobContext): Promise<JobResult>;
  /** a job that can hold still without stopping (the analysis queue) pauses in place instead of restarting */
  pauseInPlace?: { pause(): void; resume(): void };
  /** called once when the job reaches an end state (done, failed or cancelled) */
  onFinished?(job: JobInfo): void;
}

interface Entry {
  info: JobInfo;
  spec: JobSpec;
  controller: AbortController | null;
  /** why the current run was aborted */
  stopping: 'pause' | 'cancel' | null;
  runStartedAt: number;
}

const EMPTY_PROGRESS: JobProgress = { phase: 'starting', done: 0, total: null, errors: 0, rate: 0, etaSec: null, currentPath: null };

export class JobRunner {
  private readonly jobs = new Map<string, Entry>();
  private seq = 0;
  private lastEmit = new Map<string, number>();

  constructor(private readonly emit: (job: JobInfo) => void, private readonly progressIntervalMs = 200) {}

  /** Only one job of a kind may run at a time (two scans of one database would fight over its rows). */
  running(kind?: JobKind): JobInfo | undefined {
    for (const e of this.jobs.values()) {
      if ((e.info.state === 'running' || e.info.state === 'paused') && (!kind || e.info.kind === kind)) return e.info;
    }
    return undefined;
  }

  start(spec: JobSpec): JobInfo {
    const busy = this.running(spec.kind);
    if (busy) throw new SpectagApiError('conflict', `a ${spec.kind} job is already running (${busy.label})`);
    const id = `${spec.kind}-${++this.seq}-${Date.now().toString(36)}`;
    const info: JobInfo = {
      id, kind: spec.kind, label: spec.label, state: 'running', canPause: spec.restartable, startedAt: Date.now(),
      finishedAt: null, progress: { ...EMPTY_PROGRESS }, result: null, error: null,
    };
    const entry: Entry = { info, spec, controller: null, stopping: null, runStartedAt: Date.now() };
    this.jobs.set(id, entry);
    this.prune();
    void this.runOnce(entry);
    return { ...info };
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((e) => ({ ...e.info })).sort((a, b) => b.startedAt - a.startedAt);
  }

  get(id: string): JobInfo {
    const e = this.jobs.get(id);
    if (!e) throw new SpectagApiError('not-found', `no job ${id}`);
    return { ...e.info };
  }

  pause(id: string): JobInfo {
    const e = this.entry(id);
    if (e.info.state !== 'running') return { ...e.info };
    if (e.spec.pauseInPlace) {
      e.spec.pauseInPlace.pause();
      e.info.state = 'paused';
      e.info.progress = { ...e.info.progress, rate: 0, etaSec: null };
      this.publish(e, true);
      return { ...e.info };
    }
    if (!e.spec.restartable) throw new SpectagApiError('conflict', `a ${e.info.kind} job cannot be paused; cancel it instead`);
    e.stopping = 'pause';
    this.announceStop(e, 'pausing');
    e.controller?.abort();
    return { ...e.info };
  }

  resume(id: string): JobInfo {
    const e = this.entry(id);
    if (e.info.state !== 'paused') return { ...e.info };
    if (e.spec.pauseInPlace && e.controller) {
      e.spec.pauseInPlace.resume();
      e.info.state = 'running';
      this.publish(e, true);
      return { ...e.info };
    }
    const other = [...this.jobs.values()].find((o) => o !== e && o.info.kind === e.info.kind && o.info.state === 'running');
    if (other) throw new SpectagApiError('conflict', `another ${e.info.kind} job is running`);
    e.info.state = 'running';
    e.stopping = null;
    void this.runOnce(e);
    this.publish(e, true);
    return { ...e.info };
  }

  cancel(id: string): JobInfo {
    const e = this.entry(id);
    if (e.info.state === 'paused' && e.spec.pauseInPlace && e.controller) {
      e.stopping = 'cancel';
      this.announceStop(e, 'cancelling');
      e.controller.abort();
      e.spec.pauseInPlace.resume();
    } else if (e.info.state === 'paused') {
      this.finish(e, 'cancelled', e.info.result, null);
    } else if (e.info.state === 'running') {
      e.stopping = 'cancel';
      this.announceStop(e, 'cancelling');
      e.controller?.abort();
    }
    return { ...e.info };
  }

  /**
   * Say at once that the job is stopping: the work in flight (a track being decoded, a file being written)
   * may take seconds to wind down, and "running" meanwhile would be a lie.
   */
  private announceStop(e: Entry, phase: 'pausing' | 'cancelling'): void {
    e.info.progress = { ...e.info.progress, phase, rate: 0, etaSec: null };
    this.publish(e, true);
  }

  /** Abort every running job and wait until they have stopped (shutdown). */
  async stopAll(timeoutMs = 10_000): Promise<void> {
    for (const e of this.jobs.values()) if (e.info.state === 'running' || e.info.state === 'paused') this.cancel(e.info.id);
    const until = Date.now() + timeoutMs;
    while ([...this.jobs.values()].some((e) => e.info.state === 'running') && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private entry(id: string): Entry {
    const e = this.jobs.get(id);
    if (!e) throw new SpectagApiError('not-found', `no job ${id}`);
    return e;
  }

  private async runOnce(e: Entry): Promise<void> {
    const controller = new AbortController();
    e.controller = controller;
    e.runStartedAt = Date.now();
    const ctx: JobContext = {
      signal: controller.signal,
      progress: (p) => {
        if (e.info.state === 'paused' && e.spec.pauseInPlace) {
          // in-flight work finishing while paused: keep the counts, not the rate
          e.info.progress = { ...e.info.progress, ...p, rate: 0, etaSec: null };
          this.publish(e, false);
          return;
        }
        const next: JobProgress = { ...e.info.progress, ...p };
        // the run's own phases ("analysing") do not hide that it is stopping
        if (e.stopping) next.phase = e.stopping === 'cancel' ? 'cancelling' : 'pausing';
        if (p.rate == null) {
          const secs = (Date.now() - e.runStartedAt) / 1000;
          next.rate = secs > 0.2 ? next.done / secs : 0;
        }
        if (p.etaSec === undefined) {
          next.etaSec = next.total != null && next.rate > 0 ? Math.max(0, (next.total - next.done) / next.rate) : null;
        }
        e.info.progress = next;
        this.publish(e, false);
      },
    };
    this.publish(e, true);
    try {
      const result = await e.spec.run(ctx);
      if (e.stopping === 'pause') {
        e.info.state = 'paused';
        e.info.result = result;
        e.info.progress = { ...e.info.progress, rate: 0, etaSec: null, phase: 'paused' };
        this.publish(e, true);
      } else {
        this.finish(e, e.stopping === 'cancel' || controller.signal.aborted ? 'cancelled' : 'done', result, null);
      }
    } catch (err) {
      if (e.stopping === 'pause') {
        e.info.state = 'paused';
        this.publish(e, true);
      } else if (e.stopping === 'cancel') {
        this.finish(e, 'cancelled', null, null);
      } else {
        this.finish(e, 'failed', null, err instanceof Error ? err.message : String(err));
      }
    } finally {
      e.controller = null;
    }
  }

  private finish(e: Entry, state: 'done' | 'failed' | 'cancelled', result: JobResult | null, error: string | null): void {
    e.info.state = state;
    e.info.result = result;
    e.info.error = error;
    e.info.finishedAt = Date.now();
    e.info.progress = { ...e.info.progress, phase: state, etaSec: null, currentPath: null };
    this.publish(e, true);
    try {
      e.spec.onFinished?.({ ...e.info });
    } catch {
      // a listener's failure must not turn a finished job into a failed one
    }
  }

  private publish(e: Entry, force: boolean): void {
    const now = Date.now();
    const last = this.lastEmit.get(e.info.id) ?? 0;
    if (!force && now - last < this.progressIntervalMs) return;
    this.lastEmit.set(e.info.id, now);
    this.emit({ ...e.info, progress: { ...e.info.progress } });
  }

  /** Keep the 50 newest finished jobs (their results are what the UI shows). */
  private prune(): void {
    const finished = [...this.jobs.values()].filter((e) => e.info.finishedAt != null).sort((a, b) => a.info.startedAt - b.info.startedAt);
    while (finished.length > 50) {
      const old = finished.shift()!;
      this.jobs.delete(old.info.id);
      this.lastEmit.delete(old.info.id);
    }
  }
}
