// Running the compiled `spectag` command in a child process, as a script would.
import { spawn, spawnSync } from 'node:child_process';

export const SPECTAG_CLI = new URL('../../electron/core/cli/main.js', import.meta.url).pathname;

export function spectag(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [SPECTAG_CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

export interface Finished {
  code: number | null;
  /** the signal that killed the process, when no handler of ours ended it */
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/**
 * `spectag` started in the background: `ready(pattern)` waits until its stdout or stderr matches (or rejects when
 * it exits first), `finished(ms)` waits for its exit (rejects, killing it, when it takes longer: a hang).
 */
export function startSpectag(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [SPECTAG_CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exit = new Promise<Finished>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out, err })));
  let exited = false;
  void exit.then(() => (exited = true));
  return {
    child,
    output: () => ({ out, err }),
    async ready(pattern: RegExp, ms = 120_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!pattern.test(out) && !pattern.test(err)) {
        if (exited) throw new Error(`spectag ${args[0]} exited before ${pattern}:\n${out}\n${err}`);
        if (Date.now() > deadline) throw new Error(`spectag ${args[0]}: no ${pattern} in ${ms} ms:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async finished(ms = 60_000): Promise<Finished> {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`spectag ${args[0]} still running after ${ms} ms (hangs):\n${out}\n${err}`));
        }, ms);
      });
      try {
        return await Promise.race([exit, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
