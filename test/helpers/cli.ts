// Running the compiled `spectag` command in a child process, as a script would.
import { spawnSync } from 'node:child_process';

export const SPECTAG_CLI = new URL('../../electron/core/cli/main.js', import.meta.url).pathname;

export function spectag(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [SPECTAG_CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
