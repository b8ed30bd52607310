// Types shared by the engine, the CLI and (later) the renderer: what "listening" to a track produced.
// Plain TypeScript only: no node:*, no electron, no DOM.

/**
 * Why a file could not be analysed. missing / permission-denied: the file is gone or unreadable now;
 * empty: no audio samples at all; undecodable: ffmpeg cannot decode it; truncated: the container is cut
 * off; timeout: decoding took too long; crashed: the analysis died repeatedly on this file;
 * model-failed: the model step threw for this track.
 */
export const ANALYSIS_ERROR_KINDS = [
  'missing', 'permission-denied', 'empty', 'undecodable', 'truncated', 'timeout', 'crashed', 'model-failed',
] as const;
export type AnalysisErrorKind = (typeof ANALYSIS_ERROR_KINDS)[number];

/** ok: listened to (and classified, when a model step ran); silent: near-silent, not classified; error: see errorKind. */
export type AnalysisStatus = 'ok' | 'silent' | 'error';

/** Why a file is waiting in the analysis queue. */
export const QUEUE_REASONS = ['new', 'changed', 'pipeline', 'model', 'image-missing', 'retry'] as const;
export type QueueReason = (typeof QUEUE_REASONS)[number];

export interface ExcerptSpan {
  startSec: number;
  durationSec: number;
}

export interface TrackAnalysis {
  fileId: number;
  /** the listening pipeline (decode + spectrogram settings) that produced this row */
  pipeline: string;
  /** the model step that ran, or null when only listening ran (or the track was silent / failed) */
  modelId: string | null;
  status: AnalysisStatus;
  errorKind: AnalysisErrorKind | null;
  errorMessage: string | null;
  /** something odd that did not stop the analysis, e.g. the audio ends before its header says */
  warning: string | null;
  /** seconds of audio decoded and turned into spectrograms */
  analysedSec: number;
  /** the excerpts actually analysed (start and length, seconds) */
  excerpts: ExcerptSpan[];
  /** RMS level over the excerpts, dBFS (−120 for digital silence) */
  rmsDb: number | null;
  /** peak sample level, dBFS */
  peakDb: number | null;
  /** share of 50 ms blocks below −60 dBFS */
  silentFraction: number | null;
  /** spectrogram frames over all excerpts, and the model patches they make */
  frames: number;
  patches: number;
  /** absolute path of the spectrogram PNG, when there is one */
  imagePath: string | null;
  analysedAt: number;
  decodeMs: number | null;
  spectrogramMs: number | null;
}

export type AnalysisPhase = 'queueing' | 'analysing' | 'finishing' | 'done';

export interface AnalysisProgress {
  phase: AnalysisPhase;
  /** tracks this run will analyse (the queue, capped by --limit) */
  total: number;
  /** tracks finished this run (ok, silent or error) */
  done: number;
  errors: number;
  silent: number;
  paused: boolean;
  /** tracks per second since the run started (pauses excluded) */
  rate: number;
  /** seconds left, when it can be estimated */
  etaSec: number | null;
  currentPath: string | null;
}

export interface AnalysisReport {
  pipeline: string;
  modelId: string | null;
  /** tracks whose stored embeddings a new head re-scored without listening (absent: no model step) */
  rescored?: number;
  /** files put in the queue by this run, by reason */
  queuedByReason: Partial<Record<QueueReason, number>>;
  /** tracks finished this run */
  analysed: number;
  /**
   * changed files whose audio is the same as when they were analysed (only their tags changed, by Spectag or
   * another tool): their analysis was kept, nothing was listened to again
   */
  audioUnchanged: number;
  ok: number;
  silent: number;
  errors: number;
  /** tries repeated within the run after a transient failure (ffmpeg or a worker killed from outside) */
  retried: number;
  /** still in the queue after this run (limit reached, cancelled, or waiting for a retry) */
  remaining: number;
  cancelled: boolean;
  durationMs: number;
  /** summed over tracks: wall time of the ffmpeg runs, and time computing spectrograms, levels and images */
  decodeMs: number;
  spectrogramMs: number;
  /** seconds of audio decoded */
  audioSec: number;
}

export interface AnalysisStats {
  pipeline: string;
  analysed: number;
  ok: number;
  silent: number;
  errors: number;
  /** rows made by another pipeline version (they are re-queued by the next analysis) */
  outdated: number;
  queued: number;
  errorsByKind: Record<string, number>;
}
