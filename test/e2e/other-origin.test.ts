// Another web page on 127.0.0.1 (another port: browsers share cookies across ports) in the same browser as
// the window of `spectag serve`, in real Chromium: the window plays its track (a signed media URL), while the
// other page cannot play a track and sees no token in any cookie. Skips, saying why,
// where /usr/bin/chromium or the built window is absent.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { browserSkipReason, CHROMIUM, CHROMIUM_ARGS, startServe, stopServe } from './browser.js';
import { makeBulkLibrary } from '../helpers/bulk-library.js';
import { spectag } from '../helpers/cli.js';

const skip = browserSkipReason();
if (skip) console.log(`# other-origin e2e skipped: ${skip}`);

describe('another local web page cannot use the window\'s access', { skip: skip ?? false }, () => {
  let dir: string;
  let serve: Awaited<ReturnType<typeof startServe>>;
  let other: Server;
  let otherUrl: string;
  let browser: Browser;
  let context: BrowserContext;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-origin-'));
    const music = join(dir, 'Music');
    makeBulkLibrary(music, 2, 2);
    const db = join(dir, 'library.sqlite');
    assert.equal(spectag(['scan', music, '--db', db]).code, 0);
    serve = await startServe([db, '--no-model']);
    const port = new URL(serve.url).port;
    // the hostile page: tries the track by the plain URL, with whatever the browser sends along
    other = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><audio id="a" src="http://127.0.0.1:${port}/media/audio/1" preload="auto"></audio>`);
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
    otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext();
  });
  after(async () => {
    await browser?.close();
    other?.close();
    if (serve) await stopServe(serve.child);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the window plays the track it shows', async () => {
    const page = await context.newPage();
    await page.goto(serve.url);
    await page.locator('[data-row="0"]').click();
    await page.getByTestId('track-view').waitFor();
    await page.getByRole('button', { name: 'Play' }).click();
    // (polled with evaluate: the window's CSP forbids the string evaluation waitForFunction uses)
    const deadline = Date.now() + 20_000;
    while (((await page.evaluate('document.querySelector("audio")?.readyState ?? 0')) as number) < 1 && Date.now() < deadline) await page.waitForTimeout(100);
    assert.ok(((await page.evaluate('document.querySelector("audio").readyState')) as number) >= 1, 'the window loaded its track');
    const src = (await page.evaluate('document.querySelector("audio").currentSrc')) as string;
    assert.match(src, /\/media\/audio\/\d+\?exp=\d+&sig=[0-9a-f]{64}/);
  });

  it('a page on another port of 127.0.0.1 cannot play it or read a token', async () => {
    assert.deepEqual(await context.cookies(), [], 'the window left no cookie in the browser');
    const page = await context.newPage();
    await page.goto(otherUrl);
    await page.waitForFunction('document.getElementById("a").error != null || document.getElementById("a").readyState >= 1', undefined, { timeout: 20_000 });
    assert.equal(await page.evaluate('document.getElementById("a").readyState'), 0, 'the track did not load');
    assert.notEqual(await page.evaluate('document.getElementById("a").error && document.getElementById("a").error.code'), null);
    assert.equal(await page.evaluate('document.cookie'), '');
  });
});
