// Messages between the analyzer and its worker threads.
import type { TrackJob, TrackOutcome } from './analyze-track.js';

export type ToWorker =
  | { type: 'track'; id: number; job: TrackJob }
  | { type: 'cancel'; id: number }
  /** abort everything, wait until every ffmpeg has exited, then answer 'closed' */
  | { type: 'close' };

export type FromWorker =
  | { type: 'result'; id: number; outcome: TrackOutcome }
  /** an ffmpeg child started (running) or ended: the pool reaps the running ones if the thread dies */
  | { type: 'process'; pid: number; running: boolean }
  | { type: 'closed' };

export interface WorkerConfig {
  ffmpegPath?: string;
}
