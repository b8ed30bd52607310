// Tags carrying bidi controls, in a real browser (Debian's Chromium via playwright-core) against `spectag
// serve`: an RTL override (U+202E, never closed) in an album name or a genre reverses that value only, never
// the year, track number or percentages printed beside it. Checked on screen: the x positions of the digits.
// Skips, saying why, where /usr/bin/chromium or the built window is absent.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, CHROMIUM, CHROMIUM_ARGS, startServe, stopServe } from './browser.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { id3v24Tag } from '../helpers/id3.js';
import { spectag } from '../helpers/cli.js';

const RLO = '\u202E';
const skip = browserSkipReason();
if (skip) console.log(`# bidi e2e skipped: ${skip}`);

/**
 * Left edges on screen of the characters of `text` inside the first element matching `selector` whose text
 * holds it (each character measured with a Range).
 */
// runs in the page (the tests compile without the DOM's types)
const CHAR_XS = `(selector, text) => {
  const root = document.querySelector(selector);
  if (!root) throw new Error('no ' + selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const at = n.textContent.indexOf(text);
    if (at < 0) continue;
    return [...text].map((_, i) => {
      const range = document.createRange();
      range.setStart(n, at + i);
      range.setEnd(n, at + i + 1);
      return range.getBoundingClientRect().left;
    });
  }
  throw new Error('"' + text + '" is not in ' + selector + ': ' + root.textContent);
}`;

async function charXs(page: Page, selector: string, text: string): Promise<number[]> {
  return (await page.evaluate(`(${CHAR_XS})(${JSON.stringify(selector)}, ${JSON.stringify(text)})`)) as number[];
}

const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

describe('bidi controls in tags stay inside their value in the window', { skip: skip ?? false }, () => {
  let dir: string;
  let serve: Awaited<ReturnType<typeof startServe>>;
  let browser: Browser;
  let page: Page;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-bidi-'));
    const music = join(dir, 'Music');
    mkdirSync(music);
    const mp3 = join(dir, 'src.mp3');
    ffmpeg([...SOUNDS.tone(2), '-c:a', 'libmp3lame', '-b:a', '96k', '-map_metadata', '-1', '-write_id3v2', '0', mp3]);
    const tag = id3v24Tag({ TIT2: ['Song'], TPE1: ['Artist'], TALB: [`${RLO}Album 0`], TDRC: ['2013'], TRCK: ['7'], TCON: [`${RLO}Rock`] });
    writeFileSync(join(music, 'track.mp3'), Buffer.concat([tag, readFileSync(mp3)]));
    const db = join(dir, 'library.sqlite');
    const r = spectag(['scan', music, '--db', db]);
    assert.equal(r.code, 0, r.err);
    serve = await startServe([db, '--no-model']);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 880 } });
    await page.goto(serve.url);
    await page.locator('[data-row="0"]').click();
    await page.getByTestId('track-view').waitFor();
  });
  after(async () => {
    await browser?.close();
    if (serve) await stopServe(serve.child);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the year after an overridden album name reads 2013, to the right of the album', async () => {
    const byline = '[data-testid="track-view"] header';
    assert.ok(increasing(await charXs(page, byline, '2013')), 'the digits of 2013 run left to right');
    const album = await charXs(page, byline, 'Album 0');
    const year = await charXs(page, byline, '2013');
    assert.ok(Math.max(...album) < Math.min(...year), 'the year stays after the album');
  });

  it('the track number after the album cell reads (#7)', async () => {
    assert.ok(increasing(await charXs(page, '[data-testid="track-view"]', '(#7)')));
  });

  it('a genre with an override keeps its count in order in the genre filter and its chip next to the others', async () => {
    const label = await page.locator('[data-testid="genre-filter"] option', { hasText: 'Rock' }).first().textContent();
    assert.ok(label?.includes('\u2068') && label.includes('\u2069 (1)'), `the genre is an isolate of its own in "${label}"`);
  });
});
