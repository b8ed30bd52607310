// Proves that the README's install command alone (`npm ci`, whose `prepare` builds the engine and the
// window) gives `spectag serve` everything it needs: run first by `npm test`, before the test script builds
// anything itself, so on a fresh clone it checks exactly what a new user gets. Starts `spectag serve` on an
// empty library, loads the printed link in Chromium and waits for the first-run dialog of the real window.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserSkipReason, CHROMIUM, CHROMIUM_ARGS, startServe, stopServe } from './browser.js';

async function main(): Promise<number> {
  const skip = browserSkipReason(false);
  if (skip) {
    console.log(`installed window: check skipped: ${skip}`);
    return 0;
  }
  const dir = mkdtempSync(join(tmpdir(), 'spectag-installed-'));
  const serve = await startServe([join(dir, 'library.sqlite'), '--no-model']);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const res = await page.goto(serve.url);
    if (!res?.ok()) throw new Error(`${serve.url} answered ${res?.status()}: ${(await res?.text())?.trim()}`);
    await page.getByRole('dialog', { name: 'Welcome' }).waitFor({ timeout: 20_000 });
    if (errors.length) throw new Error(`the window threw: ${errors.join('; ')}`);
    console.log('installed window: `spectag serve` serves the built window (first-run dialog shown)');
    return 0;
  } catch (err) {
    console.error(`installed window: FAILED: ${(err as Error).message}\nThe install command must build everything \`spectag serve\` needs (package.json "prepare").`);
    return 1;
  } finally {
    await browser.close();
    await stopServe(serve.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
