// Listening to one track: plan excerpts → decode with ffmpeg → log-mel spectrogram per excerpt → levels,
// silence, picture, and (when a model step wants them) the model patches. The unit of work of the pool.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DecodeError, decodeExcerpts, type DecodeErrorKind, type DecodedExcerpt } from '../audio/decode.js';
import { planExcerpts, plannedSeconds, type Excerpt, type ExcerptPlanOptions } from '../audio/excerpt-plan.js';
import { measureLevels, type AudioLevels } from '../audio/levels.js';
import { probeDurationSec } from '../audio/probe-duration.js';
import { LogMelComputer, MEL, toPatches, type MelSpectrogram } from '../spectrogram/mel.js';
import { renderSpectrogramImage } from '../spectrogram/image.js';
import type { ExcerptSpan } from '../../shared/analysis.js';

export interface TrackJob {
  fileId: number;
  path: string;
  /** duration the scanner read from the file's header; null when unknown */
  durationSec: number | null;
  /** where to write the spectrogram PNG (absolute); null: no picture */
  imagePath: string | null;
  /** return the model patches (per excerpt) with the result */
  wantPatches: boolean;
  excerpts?: ExcerptPlanOptions;
  /** per ffmpeg run, ms */
  timeoutMs?: number;
}

export interface TrackSuccess {
  ok: true;
  excerpts: ExcerptSpan[];
  warning: string | null;
  levels: AudioLevels;
  frames: number;
  patchCount: number;
  analysedSec: number;
  imageWritten: boolean;
  decodeMs: number;
  spectrogramMs: number;
  /** per excerpt, its 187 × 96 patches; only when asked for and the track is not silent */
  patches: Float32Array[][] | null;
}

export interface TrackFailure {
  ok: false;
  kind: DecodeErrorKind | 'internal';
  message: string;
  decodeMs: number;
}

export type TrackOutcome = TrackSuccess | TrackFailure;

export interface TrackContext {
  signal?: AbortSignal;
  ffmpegPath?: string;
  onProcess?: (event: { pid: number; running: boolean }) => void;
  /** reused between tracks of one thread */
  mel?: LogMelComputer;
}

/** Patches toPatches() would make from a spectrogram of `frames` frames. */
export function patchCount(frames: number): number {
  if (frames <= 0) return 0;
  return frames < MEL.patchFrames ? 1 : Math.floor(frames / MEL.patchFrames);
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
  const decodeOpts = { signal: ctx.signal, timeoutMs: job.timeoutMs, ffmpegPath: ctx.ffmpegPath, onProcess: ctx.onProcess };
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
    const mel = ctx.mel ?? new LogMelComputer();
    const specs: MelSpectrogram[] = decoded.map((e) => mel.compute(e.pcm));
    const levels = measureLevels(decoded.map((e) => e.pcm));
    let imageWritten = false;
    if (job.imagePath) {
      writeAtomically(job.imagePath, renderSpectrogramImage(specs).png);
      imageWritten = true;
    }
    const frames = specs.reduce((a, s) => a + s.frames, 0);
    const patches = job.wantPatches && !levels.silent ? specs.map((s) => toPatches(s)) : null;
    return {
      ok: true,
      excerpts: decoded.map((e) => ({ startSec: e.startSec, durationSec: e.durationSec })),
      warning,
      levels,
      frames,
      patchCount: specs.reduce((a, s) => a + patchCount(s.frames), 0),
      analysedSec: plannedSeconds(decoded),
      imageWritten,
      decodeMs: t1 - t0,
      spectrogramMs: performance.now() - t1,
      patches,
    };
  } catch (err) {
    return { ok: false, kind: 'internal', message: `${job.path}: ${(err as Error).message ?? String(err)}`, decodeMs: t1 - t0 };
  }
}
