#!/usr/bin/env node
// `spectag`: the headless entry point to the same engine the desktop app uses.
import { parseArgs } from 'node:util';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { COMMANDS } from './commands/index.js';
import { EXIT, UsageError, stoppedExitCode, type CliIo } from './command.js';
import { DatabaseDamagedError, DatabaseTooNewError, NoLibraryError, damagedDatabaseMessage, isDatabaseDamaged } from '../db/open.js';
import { resolveDbPath } from '../db/paths.js';
import { SpectagApiError } from '../../shared/api-errors.js';

async function help(): Promise<string> {
  const commands = await Promise.all(COMMANDS.map((c) => c.load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'spectag: offline genre tagging for your music library',
    '',
    'Usage: spectag <command> [options]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Common options: --db FILE (or SPECTAG_DB) selects the library database.',
    'Run `spectag <command> --help` for a command\'s options.',
  ].join('\n');
}

/** A command that a signal stopped: one line saying so, and the shell's exit code for that signal. */
function stopped(name: string, io: CliIo): number {
  const sig = typeof io.signal.reason === 'string' ? io.signal.reason : 'SIGINT';
  if (sig === 'SIGPIPE') return EXIT.BROKEN_PIPE; // the reader of our output left: nobody to tell
  io.stderr.write(`spectag ${name}: stopped by ${sig}; what was finished is saved\n`);
  return stoppedExitCode(io.signal);
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write((await help()) + '\n');
    return name ? EXIT.OK : EXIT.USAGE;
  }
  if (name === '--version') {
    io.stdout.write('spectag 0.1.0\n');
    return EXIT.OK;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr.write(`spectag: unknown command "${name}"\n\n${await help()}\n`);
    return EXIT.USAGE;
  }
  const cmd = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${cmd.usage}\n`);
    return EXIT.OK;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: cmd.options, allowPositionals: cmd.allowPositionals, strict: true });
  } catch (err) {
    io.stderr.write(`spectag ${name}: ${(err as Error).message}\n${cmd.usage}\n`);
    return EXIT.USAGE;
  }
  try {
    const code = await cmd.run(parsed, io);
    return io.signal.aborted ? stopped(name, io) : code;
  } catch (err) {
    if (io.signal.aborted) return stopped(name, io);
    // a value the engine's services refuse (e.g. "!!!" as a genre) is a bad command line too
    if (err instanceof UsageError || (err instanceof SpectagApiError && err.code === 'invalid-input')) {
      io.stderr.write(`spectag ${name}: ${err.message}\n${cmd.usage}\n`);
      return EXIT.USAGE;
    }
    if (err instanceof DatabaseDamagedError) {
      io.stderr.write(`spectag ${name}: ${err.message}\n`);
      return EXIT.FAILED;
    }
    // damage found later, on reading a page: the file the command was given
    if (isDatabaseDamaged(err)) {
      const db = parsed.values.db;
      io.stderr.write(`spectag ${name}: ${damagedDatabaseMessage(resolveDbPath(typeof db === 'string' ? db : undefined, io.env), err)}\n`);
      return EXIT.FAILED;
    }
    if (err instanceof DatabaseTooNewError || err instanceof NoLibraryError) {
      io.stderr.write(`spectag ${name}: ${err.message}\n`);
      return EXIT.FAILED;
    }
    io.stderr.write(`spectag ${name}: ${(err as Error).message ?? String(err)}\n`);
    return EXIT.FAILED;
  }
}

// run when executed directly (not when imported by tests)
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const controller = new AbortController();
  // the first signal asks the command to stop (workers and ffmpeg runs ended, the database closed); a second
  // one while it winds down ends the process at once (SQLite's journal keeps the database consistent)
  const stop = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(sig === 'SIGTERM' ? EXIT.TERMINATED : EXIT.CANCELLED);
    controller.abort(sig);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // `spectag list | head -1`: the reader is gone. As a Unix tool killed by SIGPIPE would, stop without a word
  // (a long command winds down as on a signal) and exit 141 (128 + SIGPIPE's 13), instead of a stack trace.
  const closedPipe = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && !controller.signal.aborted) throw err;
    process.exitCode = EXIT.BROKEN_PIPE;
    if (!controller.signal.aborted) controller.abort('SIGPIPE');
  };
  process.stdout.on('error', closedPipe);
  process.stderr.on('error', closedPipe);
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal }).then(
    (code) => {
      process.exitCode = controller.signal.reason === 'SIGPIPE' ? EXIT.BROKEN_PIPE : code;
    },
  );
}
