// The Albums view in a real browser (Debian's Chromium, playwright-core) against `spectag serve`, on the
// ffmpeg-made album library scanned by `spectag scan`, with the genre model's predictions stored for its tracks:
// the albums with their suggestion and agreement, accept an album with one key (its stray track left apart),
// open its tracks and keep the stray in, correct another album, bulk accept by album confidence, the dry
// run and write of one album, the tags in the files. Screenshots to test-output/ (albums, album-tracks).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, CHROMIUM, CHROMIUM_ARGS, REPO, startServe, stopServe, until } from './browser.js';
import { makeAlbumLibrary, storeAlbumPredictions, type AlbumLibrary } from '../helpers/album-library.js';
import { spectag } from '../helpers/cli.js';
import { openDatabase } from '../../electron/core/db/open.js';
import { readAudioFile } from '../../electron/core/library/read-file.js';

const OUT = join(REPO, 'test-output');
const skip = browserSkipReason();
if (skip) console.log(`# e2e skipped: ${skip}`);

describe('the Albums view in a browser (spectag serve)', { skip: skip ?? false }, () => {
  let lib: AlbumLibrary;
  let dir: string;
  let serve: Awaited<ReturnType<typeof startServe>>;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const shot = async (name: string) => {
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, `${name}.png`) });
  };
  const search = async (text: string, title: string) => {
    await page.getByTestId('album-search').fill(text);
    await page.getByTestId('album-count').filter({ hasText: /^1 albums?$/ }).waitFor();
    await page.locator(`[data-testid="albums-scroller"] [data-row="0"][data-album="${title}"]`).waitFor();
    await page.locator('[data-testid="albums-scroller"] [data-row="1"]').waitFor({ state: 'detached' });
    await page.getByTestId('album-search').press('Enter');
    await page.locator('[data-testid="albums-scroller"] [data-row="0"][aria-selected="true"]').waitFor();
  };
  const status = () => page.locator('[data-testid="albums-scroller"] [data-row="0"] .badge').innerText();

  before(async () => {
    lib = makeAlbumLibrary();
    dir = mkdtempSync(join(tmpdir(), 'spectag-e2e-albums-'));
    const db = join(dir, 'library.sqlite');
    const scan = spectag(['scan', lib.root, '--db', db]);
    assert.equal(scan.code, 0, scan.err);
    const conn = openDatabase(db);
    storeAlbumPredictions(conn, lib);
    conn.close();
    serve = await startServe([db, '--no-model']);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 880 } });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    if (serve) await stopServe(serve.child);
    rmSync(dir, { recursive: true, force: true });
    lib?.cleanup();
  });

  it('lists the albums with their suggestion, confidence and agreement', async () => {
    await page.goto(serve.url);
    await page.locator('[data-view="albums"]').click();
    await page.getByTestId('album-count').filter({ hasText: '6 albums' }).waitFor();
    await page.locator('[data-testid="albums-scroller"] [data-row="5"] .badge').waitFor();
    const titles = await page.$$eval('[data-testid="albums-scroller"] [data-row]', (els) => els.map((e) => e.getAttribute('data-album')));
    assert.deepEqual([...titles].sort(), ['Double Album', 'Greatest Hits', 'Greatest Hits', 'Quiet Songs', 'Summer Hits', 'Untagged Mix']);
    await page.locator('[data-album="Quiet Songs"]').click();
    await page.getByTestId('album-panel').filter({ hasText: '80 % of 5 tracks agree' }).waitFor();
    assert.match(await page.locator('[data-album="Quiet Songs"] [data-col="agreement"]').innerText(), /80 %\s*1 stray/);
    // the album's cover is the picture embedded in its first track
    await until(page, `(document.querySelector('[data-testid="album-cover"]')?.naturalWidth ?? 0) > 0`);
    await shot('albums');
  });

  it('accepts an album with a, leaving the stray track apart; Enter opens its tracks, x keeps the stray in', async () => {
    await search('quiet', 'Quiet Songs');
    await page.keyboard.press('a');
    await page.locator('[data-testid="albums-scroller"] [data-row="0"] .badge', { hasText: 'partly-decided' }).waitFor();
    await page.locator('[data-testid="album-tracks"] tr[data-outlier="true"] .badge', { hasText: 'suggested' }).waitFor();
    await page.keyboard.press('Enter');
    for (let i = 0; i < 4; i++) await page.keyboard.press('j');
    await page.locator('[data-testid="album-tracks"] tr.cursor[data-outlier="true"]').waitFor();
    await shot('album-tracks');
    await page.keyboard.press('x');
    await page.locator('[data-testid="album-tracks"] tr[data-outlier="true"][data-choice="in"]').waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('a');
    await page.locator('[data-testid="albums-scroller"] [data-row="0"] .badge', { hasText: /^decided$/ }).waitFor();
    assert.equal(await status(), 'decided');
  });

  it('corrects an album with c, then undoes it with u', async () => {
    await search('double', 'Double Album');
    await page.keyboard.press('c');
    await page.getByTestId('genre-input').fill('Art Rock');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="albums-scroller"] [data-row="0"] .badge', { hasText: /^decided$/ }).waitFor();
    // the album's track list is reloaded after the badge changes: wait for its sixth chip before counting
    const chips = page.locator('[data-testid="album-tracks"] .genre-chip', { hasText: 'Art Rock' });
    await chips.nth(5).waitFor();
    assert.equal(await chips.count(), 6);
    await page.keyboard.press('u');
    await page.locator('[data-testid="albums-scroller"] [data-row="0"] .badge', { hasText: 'suggested' }).waitFor();
  });

  it('bulk accepts albums above a confidence', async () => {
    await page.getByTestId('album-search').fill('');
    await page.getByTestId('album-count').filter({ hasText: '6 albums' }).waitFor();
    await page.getByTestId('albums-scroller').click();
    await page.keyboard.press('b');
    await page.getByTestId('album-bulk-count').filter({ hasText: '1 albums, 6 tracks' }).waitFor();
    await page.getByRole('button', { name: 'medium' }).click();
    await page.getByTestId('album-bulk-count').filter({ hasText: '2 albums, 10 tracks' }).waitFor();
    await page.getByTestId('album-bulk-accept').click();
    await page.getByRole('dialog', { name: 'Bulk accept albums' }).waitFor({ state: 'detached' });
    await search('summer', 'Summer Hits');
    assert.equal(await status(), 'decided');
  });

  it('dry-runs and writes one album with w; its genres are in the files, and tracks that have them already are not rewritten', async () => {
    await search('quiet', 'Quiet Songs');
    const before = lib.folk.map((p) => readFileSync(p));
    await page.keyboard.press('w');
    // two of the five tracks are tagged "Folk" already: the album's genre is what they have, so they are left as they are
    await page.getByTestId('album-plan-counts').filter({ hasText: '3 to write · 2 unchanged' }).waitFor();
    await page.getByTestId('album-write').click();
    await page.locator('[data-testid="albums-scroller"] [data-row="0"] .badge', { hasText: 'written' }).waitFor({ timeout: 30_000 });
    for (const [i, p] of lib.folk.entries()) {
      const r = await readAudioFile(p);
      assert.deepEqual(r.ok && r.tags.genres.map((g) => g.toLowerCase()), ['folk'], p);
      if (i < 2) assert.ok(readFileSync(p).equals(before[i]!), `${p} already had the genre: not rewritten`);
      else assert.ok(!readFileSync(p).equals(before[i]!), `${p} written`);
    }
    const untouched = await readAudioFile(lib.double[0]!);
    assert.deepEqual(untouched.ok && untouched.tags.genres, [], 'other albums are not written');
    assert.deepEqual(errors, [], 'no errors in the page');
  });
});
