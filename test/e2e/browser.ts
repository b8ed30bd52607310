// Shared by the browser tests and bench:ui: where Chromium and the built window are, how Chromium is
// started (headless, no network chatter, sandbox off for containers), and `spectag serve` as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Debian's Chromium; SPECTAG_CHROMIUM names another build (one unpacked without installing it system-wide) */
export const CHROMIUM = process.env.SPECTAG_CHROMIUM ?? '/usr/bin/chromium';
export const REPO = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
const DIST = join(REPO, 'renderer', 'dist', 'index.html');
const CLI = join(REPO, '.build', 'electron', 'core', 'cli', 'main.js');

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** Why browser tests cannot run here, or null (`needWindow: false`: a missing window build is for the caller to report). */
export function browserSkipReason(needWindow = true): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is absent (install it with: apt-get install -y chromium)`;
  if (needWindow && !existsSync(DIST)) return 'renderer/dist is not built (npm run build:renderer)';
  return null;
}

/** Start `spectag serve` on a free port (`env`: added to this process's environment); resolves with the token link it prints. */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`spectag serve did not start: ${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Open: (http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`spectag serve exited (${code}): ${out}`)));
  });
}

export async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode != null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode == null) child.kill('SIGKILL');
}

/**
 * Waits until a JavaScript expression is true in the page, polled with evaluate: the window's CSP forbids the
 * string evaluation that Playwright's waitForFunction falls back to while it polls.
 */
export async function until(page: { evaluate(expr: string): Promise<unknown> }, expr: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(expr))) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${expr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
