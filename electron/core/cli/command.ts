// The shape of one `spectag` sub-command, and the exit codes scripts can rely on.
import type { Writable } from 'node:stream';

export const EXIT = {
  OK: 0,
  /** the command finished, but some files failed (each one is reported) */
  PARTIAL: 1,
  /** bad command line */
  USAGE: 2,
  /** nothing could be done: database refused, no usable root, ... */
  FAILED: 3,
  /** interrupted by SIGINT (Ctrl-C), 128 + 2 by shell convention; what was done so far is saved */
  CANCELLED: 130,
  /** stopped by SIGTERM, 128 + 15 by shell convention; what was done so far is saved */
  TERMINATED: 143,
  /** the reader of the output went away (`spectag list | head -1`), 128 + SIGPIPE's 13 as for any Unix tool */
  BROKEN_PIPE: 141,
} as const;

/** The exit code of a command stopped by a signal: 143 for SIGTERM, 130 for SIGINT (and any other abort). */
export function stoppedExitCode(signal: AbortSignal): number {
  if (signal.reason === 'SIGPIPE') return EXIT.BROKEN_PIPE;
  return signal.reason === 'SIGTERM' ? EXIT.TERMINATED : EXIT.CANCELLED;
}

export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** aborted on SIGINT/SIGTERM, with the signal's name as its reason */
  signal: AbortSignal;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** node:util parseArgs option spec */
  options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;
  allowPositionals: boolean;
  run(args: { values: Record<string, unknown>; positionals: string[] }, io: CliIo): Promise<number>;
}

export class UsageError extends Error {}
