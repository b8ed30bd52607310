// Option values several commands share, checked the same way everywhere (a bad value is a usage error, exit 2).
import { UsageError } from './command.js';
import { BACKEND_NAMES, INFERENCE_BACKENDS, type BackendName, type InferenceBackend } from '../../shared/genres-model.js';

/** A whole number option within [min, max]; undefined when not given. */
export function wholeNumber(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value == null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}`);
  return n;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T | undefined {
  if (value == null) return undefined;
  if (!(allowed as readonly unknown[]).includes(value)) throw new UsageError(`${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** --backend of the genre model (analyze, predict): an ONNX Runtime provider or TF.js; undefined: the first that works. */
export function inferenceBackendOption(value: unknown): InferenceBackend | undefined {
  return oneOf(value, INFERENCE_BACKENDS, '--backend');
}

/** --backend of the personal model's training (TF.js); undefined: the first that works. */
export function trainingBackendOption(value: unknown): BackendName | undefined {
  return oneOf(value, BACKEND_NAMES, '--backend');
}

/** A probability option (--min-confidence): a number from 0 to 1, or a percentage ("85%"); undefined when not given. */
export function probability(value: unknown, name: string): number | undefined {
  if (value == null) return undefined;
  const text = String(value).trim();
  const n = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
  if (!text || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`${name} must be a number from 0 to 1 (or a percentage such as 85%)`);
  return n;
}

/** --model: whose suggestions, the default genre model's or the personal model's ("yours"). */
export function suggestionSourceOption(value: unknown): 'default' | 'personal' | undefined {
  return oneOf(value, ['default', 'personal'] as const, '--model');
}
