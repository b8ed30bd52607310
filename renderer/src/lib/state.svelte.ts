// The window's shared state (Svelte 5 runes): engine status, jobs, vocabulary, the current view, messages,
// kept current by the engine's events. Everything goes through lib/api.ts.
import type { AppStatus, JobInfo, VocabularyEntry, ApiEvent, SuggestionSource } from '../../../electron/shared/api.js';
import { api, onEvent, onConnectionState, errorMessage, type ConnectionState } from './api.js';
import { LAYOUT_KEY, parseLayout, type ReviewLayout } from './layout.js';

export type View = 'library' | 'albums' | 'vocabulary' | 'personal' | 'write' | 'stats' | 'folders';

const SUGGESTIONS_KEY = 'spectag-suggestions';

export interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

class AppState {
  status = $state<AppStatus | null>(null);
  jobs = $state<JobInfo[]>([]);
  vocabulary = $state<VocabularyEntry[]>([]);
  view = $state<View>('library');
  /** bumped when the library's rows may have changed (views refetch) */
  libraryVersion = $state(0);
  /** the file ids of the last change, when known (a decision); null = anything may have changed */
  lastChangedIds = $state<number[] | null>(null);
  /** bumped when the personal model changed (a training, settings): the "Your genres" page refetches */
  personalVersion = $state(0);
  /** whose suggestions drive the review queue: the default model's or the person's own ("yours"); kept per window */
  suggestions = $state<SuggestionSource>(localStorage.getItem(SUGGESTIONS_KEY) === 'personal' ? 'personal' : 'default');
  toasts = $state<Toast[]>([]);
  connection = $state<ConnectionState>('connected');
  engineMessage = $state<string | null>(null);
  showHelp = $state(false);
  /** an analysis just ended: status.unanalysed is from before it until refreshStatus() answers */
  statusStale = $state(false);
  /** the review screen's pane and column layout, as the person left it */
  layout = $state<ReviewLayout>(parseLayout(localStorage.getItem(LAYOUT_KEY)));
  /** the open dialogs, innermost last (Modal.svelte): while one is open the review keys are off */
  private modals = $state<number[]>([]);
  private modalSeq = 0;
  private toastSeq = 0;
  private bumpTimer: ReturnType<typeof setTimeout> | null = null;
  private bumpPending = false;

  /** Enough to show the window (status decides onboarding); jobs and the vocabulary follow in the background. */
  async init(): Promise<void> {
    onConnectionState((s) => (this.connection = s));
    onEvent((e) => this.onEngineEvent(e));
    await this.refreshStatus();
    void this.refreshJobs();
    // the vocabulary looks at every genre of the library: not worth delaying the first rows for
    setTimeout(() => void this.refreshVocabulary(), 300);
  }

  async refreshStatus(): Promise<void> {
    try {
      this.status = await api.status();
    } catch (err) {
      this.error(err);
    }
  }

  async refreshJobs(): Promise<void> {
    this.jobs = await api.listJobs();
  }

  async refreshVocabulary(): Promise<void> {
    try {
      this.vocabulary = await api.vocabulary();
    } catch (err) {
      this.error(err);
    }
  }

  private onEngineEvent(e: ApiEvent): void {
    if (e.type === 'job') {
      const i = this.jobs.findIndex((j) => j.id === e.job.id);
      if (i >= 0) this.jobs[i] = e.job;
      else this.jobs = [e.job, ...this.jobs];
      if (e.job.state === 'failed') this.toast(`${e.job.label}: ${e.job.error ?? 'failed'}`, 'error');
      // the model is loaded by the first analysis: the status bar names its backend from then on
      if (e.job.kind === 'analyze' && e.job.state === 'running' && !this.status?.backend) void this.refreshStatus();
      // once an analysis ends, the count of tracks waiting to be heard is stale until the status comes back
      // (the listening hint would show the count from before the analysis for a moment)
      if (e.job.kind === 'analyze' && e.job.state !== 'running' && e.job.state !== 'paused') {
        this.statusStale = true;
        void this.refreshStatus().finally(() => (this.statusStale = false));
      }
    } else if (e.type === 'library-changed') {
      this.libraryChanged(e.fileIds);
      if (e.reason === 'personal' || e.reason === 'decision') this.personalVersion++;
      if (e.reason === 'scan' || e.reason === 'roots' || e.reason === 'write') void this.refreshStatus();
      if (e.reason !== 'decision' && e.reason !== 'personal') void this.refreshVocabulary();
    } else if (e.type === 'engine') {
      this.engineMessage = e.state === 'crashed' ? e.message : null;
      if (e.state === 'restarted') {
        this.toast(e.message, 'info');
        this.libraryChanged(null);
      }
    }
  }

  /** Coalesce bursts of changes (analysis progress) into one refetch at most every 1.5 s, never losing the last. */
  libraryChanged(fileIds: number[] | null): void {
    if (fileIds) {
      this.lastChangedIds = fileIds;
      this.libraryVersion++;
      return;
    }
    if (this.bumpTimer) {
      this.bumpPending = true;
      return;
    }
    this.lastChangedIds = null;
    this.libraryVersion++;
    this.bumpTimer = setTimeout(() => {
      this.bumpTimer = null;
      if (this.bumpPending) {
        this.bumpPending = false;
        this.libraryChanged(null);
      }
    }, 1500);
  }

  /** a scan is reading the disk: covers wait until it is done */
  get scanning(): boolean {
    return this.jobs.some((j) => j.kind === 'scan' && (j.state === 'running' || j.state === 'paused'));
  }

  get modalOpen(): boolean {
    return this.modals.length > 0;
  }

  openModal(): number {
    const token = ++this.modalSeq;
    this.modals = [...this.modals, token];
    return token;
  }

  closeModal(token: number): void {
    this.modals = this.modals.filter((t) => t !== token);
  }

  isTopModal(token: number): boolean {
    return this.modals[this.modals.length - 1] === token;
  }

  setLayout(layout: ReviewLayout): void {
    this.layout = layout;
    localStorage.setItem(LAYOUT_KEY, JSON.stringify(layout));
  }

  setSuggestions(source: SuggestionSource): void {
    this.suggestions = source;
    localStorage.setItem(SUGGESTIONS_KEY, source);
  }

  toast(text: string, kind: Toast['kind'] = 'info'): void {
    const id = ++this.toastSeq;
    this.toasts = [...this.toasts, { id, text, kind }];
    setTimeout(() => (this.toasts = this.toasts.filter((t) => t.id !== id)), kind === 'error' ? 8000 : 4000);
  }

  error(err: unknown): void {
    this.toast(errorMessage(err), 'error');
  }

  has(feature: keyof AppStatus['features']): boolean {
    return this.status?.features[feature] ?? false;
  }
}

export const app = new AppState();
