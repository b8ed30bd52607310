// What the long runs (a scan, the analysis queue) share to report progress and store results: a throttled progress
// meter with rate and ETA over the time the run was active, and a writer that stores results in batches (one
// transaction per batch, not per file).

/** The fields a meter fills in; the rest of the progress object is the run's own. */
export interface MeteredProgress {
  done: number;
  rate: number;
  etaSec: number | null;
}

export interface ProgressMeterOptions<P> {
  onProgress?: (p: P) => void;
  /** events at most this often, unless forced (ms) */
  intervalMs: number;
  /** what is left to do, or null when it cannot be told yet (no ETA then) */
  remaining: (p: P) => number | null;
  /** time not to count as working time (a pause), ms up to `now` */
  idleMs?: (now: number) => number;
  /** last touches before each event (e.g. whether the run is paused) */
  beforeEmit?: (p: P) => void;
}

/** Throttled progress events; a forced one (a phase change, the end) always goes out. */
export class ProgressMeter<P extends MeteredProgress> {
  readonly started = Date.now();
  private lastEmit = 0;

  constructor(readonly progress: P, private readonly opts: ProgressMeterOptions<P>) {}

  emit(force = false): void {
    const { onProgress, intervalMs, remaining, idleMs, beforeEmit } = this.opts;
    if (!onProgress) return;
    const now = Date.now();
    if (!force && now - this.lastEmit < intervalMs) return;
    this.lastEmit = now;
    const p = this.progress;
    beforeEmit?.(p);
    const secs = (now - this.started - (idleMs?.(now) ?? 0)) / 1000;
    p.rate = secs > 0 ? p.done / secs : 0;
    const left = remaining(p);
    p.etaSec = p.rate > 0 && left != null ? left / p.rate : null;
    onProgress({ ...p });
  }

  /** ms since the run started */
  get elapsedMs(): number {
    return Date.now() - this.started;
  }
}

/**
 * Collects results and hands them to `write` in batches: when `size` are waiting, after `delayMs` (when given)
 * once the first one waits, and on flush().
 */
export class BatchWriter<T> {
  private items: T[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly write: (batch: T[]) => void, private readonly size: number, private readonly delayMs: number | null = null) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length >= this.size) this.flush();
    else if (this.delayMs != null) this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.items.length) return;
    const batch = this.items;
    this.items = [];
    this.write(batch);
  }
}
