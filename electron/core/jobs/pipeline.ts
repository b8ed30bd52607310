// The identity of the listening pipeline: every setting that changes what analysis produces. A stored
// analysis made by another pipeline is outdated, and its file is analysed again.
import { basename, dirname, extname, join } from 'node:path';
import { EXCERPT_DEFAULTS, type ExcerptPlanOptions } from '../audio/excerpt-plan.js';
import { MEL } from '../spectrogram/mel.js';

/** Bump when decoding, the spectrogram or the levels change in a way the settings below do not show (the model input
 * or stored numbers change; a different picture style alone does not need it). */
export const LISTEN_PIPELINE_VERSION = 1;

export function listeningPipelineId(excerpts: ExcerptPlanOptions = {}): string {
  const e = { ...EXCERPT_DEFAULTS, ...excerpts };
  return [
    `listen/${LISTEN_PIPELINE_VERSION}`,
    `mel(${MEL.sampleRate},${MEL.nFft},${MEL.hop},${MEL.nMels},${MEL.fMin}-${MEL.fMax},slaney,reflect)`,
    `excerpts(${e.count}x${e.excerptSec}s,${e.spanFrom}-${e.spanTo},whole<=${e.wholeTrackMaxSec}s)`,
    'mono(avg)',
  ].join(' ');
}

/** Where analysis keeps its files (spectrogram pictures) for a database at `dbPath`: a folder beside it. */
export function analysisCacheDirFor(dbPath: string): string {
  return join(dirname(dbPath), `${basename(dbPath, extname(dbPath)) || 'library'}-cache`);
}
