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
  /** interrupted (Ctrl-C); what was done so far is saved */
  CANCELLED: 130,
} as const;

export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** aborted on SIGINT/SIGTERM */
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
