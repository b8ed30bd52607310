// The identity of the listening pipeline: every setting that changes what analysis produces. A stored
// analysis made by another pipeline is outdated, and its file is analysed again.
import { basename, dirname, extname, join } from 'node:path';
import { EXCERPT_DEFAULTS, type ExcerptPlanOptions } from '../audio/excerpt-plan.js';
import { MEL } from '../spectrogram/mel.js';
import { EFFICIENTAT_MEL } from '../spectrogram/efficientat-mel.js';
import { EFFICIENTAT_WINDOW_SEC, LISTEN_SAMPLE_RATE } from '../model/track-inputs.js';

/** Bump when decoding, the spectrogram or the levels change in a way the settings below do not show (the model input
 * or stored numbers change; a different picture style alone does not need it). 2: one decode at 32 kHz for both
 * front ends, 10 s excerpts, the picture from EfficientAT's spectrogram. */
export const LISTEN_PIPELINE_VERSION = 2;

export function listeningPipelineId(excerpts: ExcerptPlanOptions = {}): string {
  const e = { ...EXCERPT_DEFAULTS, ...excerpts };
  const a = EFFICIENTAT_MEL;
  return [
    `listen/${LISTEN_PIPELINE_VERSION}`,
    `decode(${LISTEN_SAMPLE_RATE})`,
    `mel(${MEL.sampleRate}:halved,${MEL.nFft},${MEL.hop},${MEL.nMels},${MEL.fMin}-${MEL.fMax},slaney,reflect,centre-patches)`,
    `eat-mel(${a.sampleRate},${a.nFft}/${a.winLength},${a.hop},${a.nMels},${a.fMin}-${a.fMax},kaldi,pre${a.preEmphasis},windows~${EFFICIENTAT_WINDOW_SEC}s)`,
    `excerpts(${e.count}x${e.excerptSec}s,${e.spanFrom}-${e.spanTo},whole<=${e.wholeTrackMaxSec}s)`,
    'mono(avg)',
  ].join(' ');
}

/** Where analysis keeps its files (spectrogram pictures) for a database at `dbPath`: a folder beside it. */
export function analysisCacheDirFor(dbPath: string): string {
  return join(dirname(dbPath), `${basename(dbPath, extname(dbPath)) || 'library'}-cache`);
}
