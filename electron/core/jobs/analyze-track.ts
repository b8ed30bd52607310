// Listening to one track: plan excerpts → decode with ffmpeg (one run, 32 kHz) → levels, silence, EfficientAT's
// log-mel (the picture), and (when a model step wants them) the front ends' inputs. The unit of work of the pool.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DecodeError, decodeExcerpts, type DecodeErrorKind, type DecodedExcerpt } from '../audio/decode.js';
import { planExcerpts, plannedSeconds, type Excerpt, type ExcerptPlanOptions } from '../audio/excerpt-plan.js';
import { measureLevels, type AudioLevels } from '../audio/levels.js';
import { probeDurationSec } from '../audio/probe-duration.js';
import { renderSpectrogramImage } from '../spectrogram/image.js';
import {
  LISTEN_SAMPLE_RATE, TrackListener, efficientAtFrames, musicnnPatchOffsets, type InputRequest, type TrackInputs,
} from '../model/track-inputs.js';
import type { ExcerptSpan } from '../../shared/analysis.js';
import { audioStreamHash } from '../audio/stream-hash.js';

export interface TrackJob {
  fileId: number;
  path: string;
  /** duration the scanner read from the file's header; null when unknown */
  durationSec: number | null;
  /** where to write the spectrogram PNG (absolute); null: no picture */
  imagePath: string | null;
  /** the model step's inputs to make (model/track-inputs.ts); null: listening only */
  model: InputRequest | null;
  excerpts?: ExcerptPlanOptions;
  /** per ffmpeg run, ms */
  timeoutMs?: number;
  /** also take the audio's identity (audio/stream-hash.ts), stored with the analysis */
  hashAudio?: boolean;
  /**
   * the identity of the audio the file's analysis was made of (a file changed since): when the audio still has
   * it, only the tags changed, and the track is not listened to again (TrackSameAudio)
   */
  knownAudioHash?: string | null;
}

export interface TrackSuccess {
  ok: true;
  excerpts: ExcerptSpan[];
  warning: string | null;
  levels: AudioLevels;
  /** EfficientAT spectrogram frames over the excerpts */
  frames: number;
  /** musicnn patches the excerpts hold */
  patchCount: number;
  analysedSec: number;
  imageWritten: boolean;
  decodeMs: number;
  spectrogramMs: number;
  /** the model step's inputs; only when asked for and the track is not silent */
  inputs: TrackInputs | null;
  /** the audio's identity (null: not asked for, or ffmpeg could not give it) */
  audioHash: string | null;
  sameAudio?: false;
}

/** The audio is what the stored analysis heard (job.knownAudioHash): nothing was decoded. */
export interface TrackSameAudio {
  ok: true;
  sameAudio: true;
  audioHash: string;
  decodeMs: number;
}

export interface TrackFailure {
  ok: false;
  kind: DecodeErrorKind | 'internal';
  message: string;
  decodeMs: number;
}

export type TrackOutcome = TrackSuccess | TrackSameAudio | TrackFailure;

export interface TrackContext {
  signal?: AbortSignal;
  ffmpegPath?: string;
  onProcess?: (event: { pid: number; running: boolean }) => void;
  /** reused between tracks of one thread */
  listener?: TrackListener;
}

/** Write a file so that readers never see half of it: temp file in the same folder, then rename. */
function writeAtomically(path: string, data: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** A note when less audio came out than the header promised (truncated file, or a wrong duration). */
function shortfallWarning(plan: readonly Excerpt[], got: readonly DecodedExcerpt[], durationSec: number | null): string | null {
  if (durationSec == null || got.length === 0) return null;
  const last = got[got.length - 1]!;
  const plannedLast = plan[got.length - 1]!;
  const missing = plan.length - got.length;
  const shortBy = plannedLast.durationSec - last.durationSec;
  if (missing === 0 && shortBy <= Math.max(1, plannedLast.durationSec * 0.05)) return null;
  const endsAt = last.startSec + last.durationSec;
  return `the audio ends at about ${endsAt.toFixed(1)} s although the file's header says ${durationSec.toFixed(1)} s (truncated file?)`;
}

export async function analyzeTrack(job: TrackJob, ctx: TrackContext = {}): Promise<TrackOutcome> {
  const t0 = performance.now();
  // the audio's identity: one more ffmpeg run (the packets copied, nothing decoded: ~30 ms for a 4-minute MP3)
  // beside the decode; a failure only means the analysis is stored without it
  const hashing = job.hashAudio || job.knownAudioHash
    ? audioStreamHash(job.path, { signal: ctx.signal, ffmpegPath: ctx.ffmpegPath, onProcess: ctx.onProcess }).catch(() => null)
    : null;
  if (hashing && job.knownAudioHash) {
    const audioHash = await hashing;
    if (audioHash != null && audioHash === job.knownAudioHash) return { ok: true, sameAudio: true, audioHash, decodeMs: performance.now() - t0 };
  }
  const outcome = await listenToTrack(job, ctx, t0);
  // awaited on every path: no ffmpeg outlives its job
  const audioHash = hashing ? await hashing : null;
  return outcome.ok ? { ...outcome, audioHash } : outcome;
}

async function listenToTrack(job: TrackJob, ctx: TrackContext, t0: number): Promise<Omit<TrackSuccess, 'audioHash'> | TrackFailure> {
  const decodeOpts = { signal: ctx.signal, timeoutMs: job.timeoutMs, ffmpegPath: ctx.ffmpegPath, onProcess: ctx.onProcess, sampleRate: LISTEN_SAMPLE_RATE } as const;
  // no duration from the scanner: ask ffmpeg, so that the excerpts still come from the middle of the track
  const durationSec = job.durationSec ?? (await probeDurationSec(job.path, decodeOpts));
  let plan = planExcerpts(durationSec, job.excerpts);
  let decoded: DecodedExcerpt[];
  let warning: string | null = null;
  try {
    if (plan.length === 0) throw new DecodeError('empty', job.path, 'the file says it lasts 0 s: there is no audio to listen to');
    try {
      decoded = await decodeExcerpts(job.path, plan, decodeOpts);
      warning = shortfallWarning(plan, decoded, durationSec);
    } catch (err) {
      // nothing where the header said the audio would be: listen from the start instead, and say so
      if (!(err instanceof DecodeError && err.kind === 'truncated')) throw err;
      plan = planExcerpts(null, job.excerpts);
      decoded = await decodeExcerpts(job.path, plan, decodeOpts).catch((again: unknown) => {
        throw again instanceof DecodeError && again.kind === 'empty' ? err : again;
      });
      warning = `${err.message.slice(job.path.length + 2)}; analysed from the start instead`;
    }
  } catch (err) {
    const decodeMs = performance.now() - t0;
    if (err instanceof DecodeError) return { ok: false, kind: err.kind, message: err.message, decodeMs };
    return { ok: false, kind: 'internal', message: `${job.path}: ${(err as Error).message ?? String(err)}`, decodeMs };
  }
  const t1 = performance.now();
  try {
    const listener = ctx.listener ?? new TrackListener();
    const pcms = decoded.map((e) => e.pcm);
    const levels = measureLevels(pcms, LISTEN_SAMPLE_RATE);
    const want = job.model && !levels.silent ? job.model : { musicnnPatches: null, efficientat: false };
    const { inputs, windows } = listener.listen(decoded, want, !!job.imagePath);
    let imageWritten = false;
    if (job.imagePath) {
      writeAtomically(job.imagePath, renderSpectrogramImage(decoded.map((e, i) => ({ durationSec: e.durationSec, windows: windows[i]! }))).png);
      imageWritten = true;
    }
    return {
      ok: true,
      excerpts: decoded.map((e) => ({ startSec: e.startSec, durationSec: e.durationSec })),
      warning,
      levels,
      frames: efficientAtFrames(pcms.map((p) => p.length)),
      patchCount: musicnnPatchOffsets(decoded.map((e) => e.durationSec), Infinity).length,
      analysedSec: plannedSeconds(decoded),
      imageWritten,
      decodeMs: t1 - t0,
      spectrogramMs: performance.now() - t1,
      inputs: job.model && !levels.silent ? inputs : null,
    };
  } catch (err) {
    return { ok: false, kind: 'internal', message: `${job.path}: ${(err as Error).message ?? String(err)}`, decodeMs: t1 - t0 };
  }
}
