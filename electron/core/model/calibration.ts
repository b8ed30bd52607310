// The confidence levels Spectag works with come from the genre model's own calibration (its head.json, or a
// personal head as stored): `confidentThreshold` (below it a suggestion is "unsure"; at or above it, worth
// asking about: the "medium" level of bulk accept), `suggestThreshold` (genres listed beside the best one), and
// an optional `strongThreshold` (apply confidently). What a head does not state falls back to
// FALLBACK_CONFIDENCE_THRESHOLDS (electron/shared/api-names.ts): the one place these numbers are written.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FALLBACK_CONFIDENCE_THRESHOLDS, type ConfidenceThresholds } from '../../shared/api-names.js';
import { NATIVE_MODELS_DIR } from './paths.js';
import { SHIPPED_HEAD_DIR } from './genre-head.js';

/** The calibration fields of a head (head.json, or a personal head); any may be missing. */
export interface HeadCalibration {
  confidentThreshold?: unknown;
  suggestThreshold?: unknown;
  strongThreshold?: unknown;
}

const probability = (v: unknown): number | null => (typeof v === 'number' && v > 0 && v < 1 ? v : null);

/** A head's confidence levels, each from its calibration where it states one, else the fallback. */
export function confidenceThresholds(head: HeadCalibration | null | undefined, fallback: ConfidenceThresholds = FALLBACK_CONFIDENCE_THRESHOLDS): ConfidenceThresholds {
  const medium = probability(head?.confidentThreshold) ?? fallback.medium;
  return {
    // strong is never below medium, whatever a head says
    strong: Math.max(medium, probability(head?.strongThreshold) ?? fallback.strong),
    medium,
    suggest: Math.min(medium, probability(head?.suggestThreshold) ?? fallback.suggest),
  };
}

const cached = new Map<string, ConfidenceThresholds>();

/**
 * The shipped default head's levels (its head.json read once per folder); the fallback where it is absent. The
 * default head is the one the analysis scores with (SHIPPED_HEAD_DIR), not the musicnn-only head of the TF.js
 * fallback: its unsure threshold is what "medium" has to mean in bulk accept.
 */
export function defaultModelThresholds(modelsDir: string = NATIVE_MODELS_DIR): ConfidenceThresholds {
  let levels = cached.get(modelsDir);
  if (!levels) {
    let head: HeadCalibration | null = null;
    try {
      head = JSON.parse(readFileSync(join(modelsDir, SHIPPED_HEAD_DIR, 'head.json'), 'utf8')) as HeadCalibration;
    } catch {
      // no model shipped (a listening-only install): the fallback levels
    }
    levels = confidenceThresholds(head);
    cached.set(modelsDir, levels);
  }
  return levels;
}
