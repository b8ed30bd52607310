// The engine's check of a genre name given by a person, for the ways in that do not record a decision (a decision
// is checked by DecisionStore.record with the same function): renaming or merging genres, excluding one from the
// personal model. The window's and web mode's API schema run it too, so every way in gives the same reason.
import { SpectagApiError } from '../../shared/api-errors.js';
import { normalizeGenreName } from '../../shared/genres.js';
import { decidedGenreProblem } from '../db/decisions.js';

/** The name, normalised (normalizeGenreName), when it can be decided; SpectagApiError('invalid-input') with the reason otherwise. */
export function requireGenreName(name: string): string {
  const problem = decidedGenreProblem(name);
  if (problem) throw new SpectagApiError('invalid-input', problem);
  return normalizeGenreName(name);
}
