#!/usr/bin/env node
// `spectag`: the headless entry point to the same engine the desktop app uses.
import { parseArgs } from 'node:util';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { COMMANDS } from './commands/index.js';
import { EXIT, UsageError, type CliIo } from './command.js';
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
    return await cmd.run(parsed, io);
  } catch (err) {
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
  const stop = () => {
    if (controller.signal.aborted) process.exit(EXIT.CANCELLED);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal }).then(
    (code) => {
      process.exitCode = code;
    },
  );
}
