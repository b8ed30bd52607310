// Watching the library roots while the app is open: new, changed and deleted audio files are collected and,
// after a quiet moment, handed over as ONE batch (an album copied in is one rescan, not twelve).
import { watch, type FSWatcher } from 'chokidar';
import { basename, sep } from 'node:path';

export interface RootWatcherOptions {
  /** quiet time after the last change before the batch is handed over */
  debounceMs: number;
  /** a batch is handed over at the latest this long after its first change, even while changes go on */
  maxWaitMs?: number;
  /** the roots (from those watched) in which something changed */
  onBatch(roots: string[]): void;
}

const AUDIO = /\.(mp3|flac|ogg|oga|opus|m4a|mp4|aac|wav|aif|aiff|wma)$/i;

export class RootWatcher {
  private watcher: FSWatcher | null = null;
  private roots: string[] = [];
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private firstAt = 0;
  private isReady: Promise<void> = Promise.resolve();

  constructor(private readonly opts: RootWatcherOptions) {}

  setRoots(roots: string[]): void {
    const next = [...new Set(roots)].sort();
    if (next.join('\n') === this.roots.join('\n')) return;
    const added = next.filter((r) => !this.roots.includes(r));
    const removed = this.roots.filter((r) => !next.includes(r));
    this.roots = next;
    if (!this.watcher) {
      if (!next.length) return;
      this.watcher = watch(next, {
        ignoreInitial: true,
        followSymlinks: true,
        // hidden and system folders are never part of the library (the scanner skips them too)
        ignored: (path: string) => {
          const name = basename(path);
          return name.startsWith('.') || name === '@eaDir' || name === '$RECYCLE.BIN' || name === 'lost+found';
        },
        awaitWriteFinish: false,
      });
      const w = this.watcher;
      this.isReady = new Promise((resolve) => w.once('ready', () => resolve()));
      for (const ev of ['add', 'change', 'unlink', 'addDir', 'unlinkDir'] as const) {
        this.watcher.on(ev, (path: string) => this.onChange(ev, path));
      }
      this.watcher.on('error', () => {
        // a folder that vanished or ran out of inotify watches: the next manual scan still sees everything
      });
      return;
    }
    if (added.length) this.watcher.add(added);
    if (removed.length) void this.watcher.unwatch(removed);
  }

  private onChange(event: string, path: string): void {
    if ((event === 'add' || event === 'change' || event === 'unlink') && !AUDIO.test(path)) return;
    const root = this.roots.find((r) => path === r || path.startsWith(r.endsWith(sep) ? r : r + sep));
    if (!root) return;
    if (!this.pending.size) this.firstAt = Date.now();
    this.pending.add(root);
    if (this.timer) clearTimeout(this.timer);
    const maxWait = this.opts.maxWaitMs ?? this.opts.debounceMs * 10;
    const wait = Math.max(0, Math.min(this.opts.debounceMs, this.firstAt + maxWait - Date.now()));
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = null;
    const roots = [...this.pending];
    this.pending.clear();
    if (roots.length) this.opts.onBatch(roots);
  }

  /** Resolves once the initial walk of the watchers is done (tests wait on it before touching files). */
  ready(): Promise<void> {
    return this.isReady;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.watcher?.close();
    this.watcher = null;
  }
}
