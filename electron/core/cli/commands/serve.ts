// spectag serve: the review window in a browser (web mode), on 127.0.0.1 only, protected by a token.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { EXIT, UsageError, type Command } from '../command.js';
import { DB_OPTION } from '../db-option.js';
import { resolveDbPath } from '../../db/paths.js';
import { EngineService } from '../../service/engine.js';
import { startServer } from '../../server/http-server.js';

/** .build/electron/core/cli/commands → the repository root holds renderer/dist. */
const DEFAULT_RENDERER = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..', '..', 'renderer', 'dist');

export const serveCommand: Command = {
  name: 'serve',
  summary: 'open the review window in a browser (web mode, 127.0.0.1 only, token-protected)',
  usage: `Usage: spectag serve [DB] [--db FILE] [--port N] [--watch] [--no-model] [--renderer DIR] [--verbose]

Serves the review window and its API on http://127.0.0.1:PORT (default 4317; 0 picks a free port).
Prints a link with a random token in its #fragment: that token is the password, for this run only.
Nothing listens on other interfaces; to use it from another machine, forward the port over SSH
(ssh -L 4317:127.0.0.1:4317 nas) and open the printed link locally.
--watch rescans library folders when files change (and analyses what is new). --no-model listens
without the genre model. --verbose logs requests (never tokens).
Exit codes: 130 stopped with Ctrl-C (SIGINT), 143 stopped by SIGTERM, 2 usage, 3 could not start (port in use,
database refused).`,
  options: { ...DB_OPTION, port: { type: 'string' }, watch: { type: 'boolean' }, 'no-model': { type: 'boolean' }, renderer: { type: 'string' }, verbose: { type: 'boolean' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length > 1) throw new UsageError('give at most one database file');
    if (positionals.length && typeof values.db === 'string') throw new UsageError('give the database either as DB or as --db, not both');
    const port = values.port == null ? 4317 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a whole number from 0 to 65535');
    const dbPath = resolveDbPath(positionals[0] ?? (typeof values.db === 'string' ? values.db : undefined), io.env);
    const engine = new EngineService({ dbPath, host: 'web', watch: values.watch === true, model: values['no-model'] !== true });
    let server;
    try {
      server = await startServer({
        engine,
        port,
        rendererDir: typeof values.renderer === 'string' ? values.renderer : DEFAULT_RENDERER,
        log: values.verbose ? (line) => io.stderr.write(`${line}\n`) : undefined,
      });
    } catch (err) {
      await engine.close();
      const e = err as NodeJS.ErrnoException;
      io.stderr.write(`spectag serve: ${e.code === 'EADDRINUSE' ? `port ${port} is in use (try --port 0)` : e.message}\n`);
      return EXIT.FAILED;
    }
    io.stdout.write(`Spectag is serving ${dbPath}\nOpen: ${server.openUrl}\nListening on 127.0.0.1:${server.port} only. Ctrl-C stops.\n`);
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    await engine.close();
    io.stdout.write('Stopped.\n');
    return EXIT.OK;
  },
};
