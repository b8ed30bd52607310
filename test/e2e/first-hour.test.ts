// A new user's first hour in the window, in Debian's Chromium at 1280×720 against `spectag serve`, on real
// files made by ffmpeg (an AIFF with a cover, MP3/FLAC/Ogg, one genre name long enough to be cut): nothing
// clipped; the track pane and the columns resize, hide and are remembered; covers and the spectrogram's axes;
// an AIFF plays (ffmpeg transcodes it) and ←/→ seek; every dialog closes with Escape and gives the focus
// back; undo under a status filter keeps the place; unsure tracks show no stray confidence; More like this
// offers only real neighbours; a track suggested several genres shows "+N" (naming them) and is found by any of
// them; the write plan unticks files; the words after a write and an undo. The
// screenshots of this layout are the README's (renderer/docs).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, CHROMIUM, CHROMIUM_ARGS, REPO, startServe, stopServe, until as untilTrue } from './browser.js';
import { ffmpeg, SOUNDS } from '../helpers/ffmpeg.js';
import { spectag } from '../helpers/cli.js';
import { openDatabase } from '../../electron/core/db/open.js';
import { PredictionStore } from '../../electron/core/db/predictions.js';
import { readAudioFile } from '../../electron/core/library/read-file.js';
import { MODEL_GENRES, type GenrePrediction } from '../../electron/shared/genres-model.js';
import { formatBytes } from '../../electron/shared/units.js';

const skip = browserSkipReason();
if (skip) console.log(`# e2e skipped: ${skip}`);

const OUT = join(REPO, 'test-output');
const DOCS = join(REPO, 'renderer', 'docs');
const LONG_GENRE = 'Progressive Death Metal';

/** Embeddings of two sounds: tracks of one sound are near each other, far from the other's. */
function embedding(sound: 0 | 1, wobble: number): Record<string, Float32Array> {
  const v = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7 + sound * 3) % 5 === 0 ? 1 + wobble * ((i % 3) - 1) : 0.05 * wobble));
  return { 'musicnn-msd': v(200), 'musicnn-mtt': v(200) };
}

/** What the model says of a track: `genre` at `p`, and `more` members of its suggestion set after it. */
function prediction(genre: string, p: number, unsure = false, more: [string, number][] = []): GenrePrediction {
  const probabilities: Record<string, number> = {};
  for (const g of MODEL_GENRES) probabilities[g] = g === genre ? p : (1 - p) / (MODEL_GENRES.length - 1);
  for (const [g, x] of more) probabilities[g] = x;
  return {
    modelId: 'spectag-genre', modelVersion: '1+e2e', genres: [...MODEL_GENRES], probabilities,
    top: unsure ? [] : [{ genre, probability: p }, ...more.map(([g, x]) => ({ genre: g, probability: x }))], unsure,
    excerpts: [{ startSec: 0, durationSec: 3, probabilities: MODEL_GENRES.map((g) => probabilities[g]!) }],
  };
}

describe('a new user\'s first hour in the window (1280×720)', { skip: skip ?? false }, () => {
  let dir: string;
  let music: string;
  let dbPath: string;
  let serve: Awaited<ReturnType<typeof startServe>>;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const ids: Record<string, number> = {};
  const paths: Record<string, string> = {};

  /** A screenshot in test-output/ (first-hour-<name>.png); SPECTAG_DOCS_SCREENSHOTS=1 also makes it the README's renderer/docs/<name>.png. */
  const shot = async (name: string, docs = false) => {
    mkdirSync(OUT, { recursive: true });
    const file = join(OUT, `first-hour-${name}.png`);
    await page.screenshot({ path: file });
    if (docs && process.env.SPECTAG_DOCS_SCREENSHOTS === '1') copyFileSync(file, join(DOCS, `${name}.png`));
  };
  const until = (expr: string, timeoutMs?: number) => untilTrue(page, expr, timeoutMs);
  const currentId = async () => Number(await page.getByTestId('current-row-id').textContent());
  const rowId = (i: number) => page.locator(`[data-row="${i}"]`).getAttribute('data-id').then(Number);
  const select = async (name: string) => {
    await page.getByTestId('search').fill(name);
    await page.getByTestId('row-count').filter({ hasText: /^1 tracks$/ }).waitFor();
    await page.locator(`[data-row="0"][data-id="${ids[name]}"]`).click();
    await page.locator(`[data-testid="track-view"][data-file-id="${ids[name]}"]`).waitFor();
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-e2e-first-hour-'));
    music = join(dir, 'Music', 'Ünïcødé Artist');
    mkdirSync(music, { recursive: true });
    const cover = join(dir, 'cover.png');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=s=240x240', '-frames:v', '1', cover]);
    const pic = ['-i', cover, '-map', '0', '-map', '1', '-c:v', 'png', '-disposition:v', 'attached_pic'];
    const tags = (t: Record<string, string>) => Object.entries(t).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
    const make = (name: string, args: string[]) => {
      paths[name] = join(music, name);
      ffmpeg([...args, paths[name]!]);
    };
    make('01 Aiff Tone.aiff', [...SOUNDS.stereo(12), ...pic, '-c:a', 'pcm_s16be', '-write_id3v2', '1',
      ...tags({ title: 'Aiff Tone', artist: 'Ünïcødé Artist', album: 'Covers', genre: LONG_GENRE })]);
    make('02 Cover Song.mp3', [...SOUNDS.tone(8, 330), ...pic, '-c:a', 'libmp3lame', '-id3v2_version', '3',
      ...tags({ title: 'Cover Song', artist: 'Ünïcødé Artist', album: 'Covers', genre: 'Rock' })]);
    make('03 Plain.flac', [...SOUNDS.tone(6, 440), '-c:a', 'flac', ...tags({ title: 'Plain', artist: 'Someone', album: 'Plain Album', genre: 'Jazz' })]);
    make('04 Quiet.ogg', [...SOUNDS.noise(6), '-c:a', 'libvorbis', ...tags({ title: 'Quiet', artist: 'Someone', album: 'Plain Album' })]);
    make('05 Five.mp3', [...SOUNDS.tone(6, 550), '-c:a', 'libmp3lame', ...tags({ title: 'Five', artist: 'Someone', album: 'Plain Album' })]);
    make('06 Six.flac', [...SOUNDS.tone(6, 660), '-c:a', 'flac', ...tags({ title: 'Six', artist: 'Someone', album: 'Plain Album' })]);
    make('07 Seven.mp3', [...SOUNDS.tone(6, 770), '-c:a', 'libmp3lame', ...tags({ title: 'Seven', artist: 'Someone', album: 'Plain Album' })]);
    dbPath = join(dir, 'library.sqlite');
    assert.equal(spectag(['scan', join(dir, 'Music'), '--db', dbPath]).code, 0);
    // listening without the genre model: the spectrogram pictures; the suggestions are stored below as the
    // model's step stores them, so that which track is suggested or unsure is known
    const analysed = spectag(['analyze', '--db', dbPath, '--no-model', '--workers', '1']);
    assert.equal(analysed.code, 0, analysed.err);
    const db = openDatabase(dbPath);
    const store = new PredictionStore(db);
    for (const r of db.prepare('SELECT id, path FROM files').all() as { id: number; path: string }[]) ids[r.path.split('/').pop()!.replace(/^\d\d /, '').replace(/\.\w+$/, '')] = r.id;
    // "Plain" and "Seven" are suggested several genres: Video Game Music second, and third after Soundtrack
    const says: [string, string, number, boolean, 0 | 1, [string, number][]?][] = [
      ['Aiff Tone', 'metal', 0.91, false, 0], ['Cover Song', 'rock', 0.88, false, 0], ['Plain', 'jazz', 0.7, false, 1, [['video-game', 0.62]]],
      ['Quiet', 'ambient', 0.3, true, 1], ['Five', 'pop', 0.86, false, 0], ['Six', 'jazz', 0.9, false, 1],
      ['Seven', 'rock', 0.8, false, 0, [['soundtrack', 0.66], ['video-game', 0.61]]],
    ];
    says.forEach(([name, genre, p, unsure, sound, more], i) => store.save(ids[name]!, prediction(genre, p, unsure, more), embedding(sound, i / 10)));
    db.close();
    serve = await startServe([dbPath]);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(serve.url);
    await page.getByTestId('row-count').filter({ hasText: '7 tracks' }).waitFor({ timeout: 20_000 });
  });

  after(async () => {
    await browser?.close();
    if (serve) await stopServe(serve.child);
    rmSync(dir, { recursive: true, force: true });
  });

  it('lays out the review at 1280×720 with nothing clipped: every column, the toolbar, whole genre names', async () => {
    await page.locator('[data-row="0"]').click();
    await page.locator(`[data-testid="track-view"][data-file-id="${ids['Aiff Tone']}"]`).waitFor();
    await page.locator('[data-testid="track-view"] .spectro img').waitFor();
    // (the tests compile without the DOM's types: code that runs in the page is given as text)
    const problems = (await page.evaluate(`(() => {
      const out = [];
      const clipped = (el) => el.scrollWidth > el.clientWidth + 1;
      const left = document.querySelector('.left').getBoundingClientRect();
      for (const th of document.querySelectorAll('.th')) {
        const r = th.getBoundingClientRect();
        if (r.right > left.right + 1) out.push('header ' + th.textContent.trim() + ' ends at ' + r.right + ' > ' + left.right);
        const b = th.querySelector('button');
        if (b.textContent.trim() && clipped(b)) out.push('header ' + b.textContent.trim() + ' cut');
      }
      for (const cell of document.querySelectorAll('[data-row] [data-col="time"]')) {
        if (cell.getBoundingClientRect().right > left.right + 1) out.push('a Time cell is outside the pane');
        if (clipped(cell)) out.push('time ' + cell.textContent + ' cut');
      }
      if (clipped(document.querySelector('.toolbar'))) out.push('toolbar overflows');
      for (const el of document.querySelectorAll('[data-testid="track-view"] .pname, [data-testid="track-view"] .genre-chip')) {
        if (clipped(el)) out.push('genre "' + el.textContent + '" cut');
      }
      if (document.documentElement.scrollWidth > window.innerWidth) out.push('the page scrolls sideways');
      return out;
    })()`)) as string[];
    await shot('review', true);
    assert.deepEqual(problems, []);
    assert.equal((await page.getByTestId('file-genres').textContent())?.trim(), LONG_GENRE);
  });

  it('shows the cover in the track view and small ones in the table, and the spectrogram with Hz and time axes', async () => {
    const big = page.locator('[data-testid="track-cover"]');
    await big.waitFor();
    await until(`(() => { const i = document.querySelector('[data-testid="track-cover"]'); return i.complete && i.naturalWidth > 0; })()`);
    assert.equal(await big.evaluate((img) => img.naturalWidth), 240, 'the whole embedded picture');
    await until(`[...document.querySelectorAll('.cover-cell img')].filter((i) => i.complete && i.naturalWidth > 0).length >= 2`);
    const thumbs = await page.$$eval('.cover-cell img', (imgs) => imgs.map((i) => i.naturalWidth));
    assert.deepEqual(thumbs, [64, 64], 'two files have covers; thumbnails, not the whole pictures');
    const hz = await page.$$eval('[data-testid="frequency-axis"] .ftick', (els) => els.map((e) => e.textContent));
    assert.deepEqual(hz, ['250', '500', '1k', '2k', '4k', '8k']);
    const times = await page.$$eval('[data-testid="time-axis"] .ttick', (els) => els.map((e) => e.textContent ?? ''));
    assert.ok(times.length >= 3 && times.every((t) => /^\d+:\d\d$/.test(t)), times.join());
  });

  it('plays an AIFF (ffmpeg makes WAV of it on the fly) and seeks 5 s with → and ←', async () => {
    const audio = page.locator('[data-testid="track-view"] audio');
    await page.locator('[data-row="0"]').click();
    await page.keyboard.press(' ');
    const player = `document.querySelector('[data-testid="track-view"] audio')`;
    await until(`(() => { const a = ${player}; return a != null && !a.paused && a.currentTime > 0.3; })()`, 15_000);
    assert.equal(await audio.evaluate((a) => a.error), null);
    assert.ok(Math.abs((await audio.evaluate((a) => a.duration)) - 12) < 0.05, 'the whole 12 s, seekable');
    const t0 = (await audio.evaluate((a) => a.currentTime)) as number;
    await page.keyboard.press('ArrowRight');
    await until(`(() => { const a = ${player}; return a.currentTime >= ${t0 + 4.9} && a.readyState >= 2 && !a.seeking; })()`, 10_000);
    const t1 = (await audio.evaluate((a) => a.currentTime)) as number;
    await page.keyboard.press('ArrowLeft');
    await until(`(() => { const a = ${player}; return a.currentTime <= ${t1 - 4} && !a.seeking; })()`, 10_000);
    assert.equal(await audio.evaluate((a) => a.error), null);
    await page.keyboard.press(' ');
  });

  it('resizes the track pane and a column, hides a column, and remembers it all after a reload', async () => {
    const paneWidth = () => page.locator('.right').evaluate((e) => Math.round(e.getBoundingClientRect().width));
    const before = await paneWidth();
    const bar = await page.getByTestId('pane-splitter').boundingBox();
    await page.mouse.move(bar!.x + 3, bar!.y + 100);
    await page.mouse.down();
    await page.mouse.move(bar!.x - 117, bar!.y + 100, { steps: 5 });
    await page.mouse.up();
    assert.ok(Math.abs((await paneWidth()) - (before + 120)) <= 2, `${before} → ${await paneWidth()}`);
    const grip = await page.locator('.th[data-col="artist"] .grip').boundingBox();
    await page.mouse.move(grip!.x + 3, grip!.y + 5);
    await page.mouse.down();
    await page.mouse.move(grip!.x + 63, grip!.y + 5, { steps: 4 });
    await page.mouse.up();
    const artist = await page.locator('.th[data-col="artist"]').evaluate((e) => Math.round(e.getBoundingClientRect().width));
    await page.getByTestId('columns-button').click();
    await page.locator('[data-testid="columns-dialog"] input[data-column="album"]').uncheck();
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.th[data-col="album"]').count(), 0);
    const widths = { pane: await paneWidth(), artist };
    await page.reload();
    await page.getByTestId('row-count').filter({ hasText: '7 tracks' }).waitFor();
    assert.equal(await page.locator('.th[data-col="album"]').count(), 0, 'still hidden');
    assert.deepEqual({ pane: await paneWidth(), artist: await page.locator('.th[data-col="artist"]').evaluate((e) => Math.round(e.getBoundingClientRect().width)) }, widths);
    await page.getByTestId('columns-button').click();
    await page.getByRole('button', { name: 'Reset layout' }).click();
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.th[data-col="album"]').count(), 1);
  });

  it('closes every dialog with Escape and gives the focus back to where it was', async () => {
    await page.locator('[data-row="1"]').click();
    const focusedIs = async (selector: string) => (await page.evaluate(`document.activeElement === document.querySelector('${selector.replaceAll("'", "\\'")}')`)) as boolean;
    for (const [open, name] of [['b', 'Bulk accept'], ['m', 'More like this'], ['c', 'Correct: the genre is…'], ['?', 'Keyboard shortcuts']] as const) {
      await page.locator('[data-row="1"]').click();
      assert.ok(await focusedIs('[data-row="1"]'));
      await page.keyboard.press(open);
      const dialog = page.getByRole('dialog', { name });
      await dialog.waitFor();
      assert.ok(await dialog.evaluate((d) => d.contains(d.ownerDocument.activeElement)), `${name}: the focus moves into the dialog`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.ok(await focusedIs('[data-row="1"]'), `${name}: the focus is back on the row`);
    }
    // opened with the mouse: the focus goes back to the button
    for (const [button, name] of [['Bulk accept…', 'Bulk accept'], ['Columns', 'Columns']] as const) {
      await page.getByRole('button', { name: button, exact: true }).click();
      await page.getByRole('dialog', { name }).waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('dialog', { name }).waitFor({ state: 'detached' });
      assert.equal(await page.evaluate(`document.activeElement.getAttribute('aria-label') || document.activeElement.textContent.trim()`), button);
    }
  });

  it('keeps the place when undoing under a status filter', async () => {
    await page.getByTestId('search').fill('');
    await page.getByTestId('status-filter').selectOption('suggested');
    await page.getByTestId('row-count').filter({ hasText: '6 tracks' }).waitFor();
    await page.locator('[data-row="1"]').click();
    const [second, third] = [await rowId(1), await rowId(2)];
    assert.equal(await currentId(), second);
    await page.keyboard.press('r');
    await page.getByTestId('row-count').filter({ hasText: '5 tracks' }).waitFor();
    const cursorOn = (id: number) => until(`document.querySelector('[data-testid="current-row-id"]').textContent === '${id}'`);
    await cursorOn(third);
    assert.equal(await rowId(1), third, 'the rejected track left the list; the next one moved up under the cursor');
    await page.keyboard.press('u');
    await page.getByTestId('row-count').filter({ hasText: '6 tracks' }).waitFor();
    await cursorOn(second);
    assert.equal(await rowId(1), second, 'back on the undone track, in its place');
    assert.equal(await page.locator('[data-row="1"][aria-selected="true"]').count(), 1);
  });

  it('shows no confidence for an unsure track, whose Suggested column says "unsure"', async () => {
    await page.getByTestId('status-filter').selectOption('unsure');
    await page.getByTestId('row-count').filter({ hasText: /^1 tracks$/ }).waitFor();
    // the count and the rows are two requests: the row is there once it has its track
    await page.locator('[data-row="0"][data-id]').waitFor();
    assert.equal((await page.locator('[data-row="0"] [data-col="suggested"]').innerText()).trim(), 'unsure');
    assert.equal((await page.locator('[data-row="0"] [data-col="confidence"]').innerText()).trim(), '');
    await page.getByTestId('status-filter').selectOption('');
  });

  it('marks a track suggested several genres with "+N" naming the others, finds it by its second genre, and a accepts the whole set', async () => {
    const cell = (name: string) => page.locator(`[data-id="${ids[name]}"] [data-col="suggested"]`);
    const marker = (name: string) => cell(name).getByTestId('more-suggested');
    // the marker's accessible name (and tooltip) lists the rest of the set with each confidence
    await page.getByRole('img', { name: 'Also suggested: Video Game Music 62 %' }).waitFor();
    assert.equal((await marker('Plain').innerText()).trim(), '+1');
    assert.equal((await marker('Seven').innerText()).trim(), '+2');
    assert.equal(await marker('Seven').getAttribute('aria-label'), 'Also suggested: Soundtrack 66 %, Video Game Music 61 %');
    assert.equal(await marker('Seven').getAttribute('title'), 'Also suggested: Soundtrack 66 %, Video Game Music 61 %');
    assert.equal(await cell('Seven').getAttribute('title'), 'Rock 80 % · Soundtrack 66 % · Video Game Music 61 %');
    assert.ok(!(await marker('Six').isVisible()), 'a track suggested one genre has no marker');
    for (const name of ['Plain', 'Seven']) {
      const [m, c] = [await marker(name).boundingBox(), await cell(name).boundingBox()];
      assert.ok(m && c && m.x >= c.x && m.x + m.width <= c.x + c.width + 0.5, `${name}: the marker lies inside its cell at 1280×720`);
    }
    // Suggested: Video Game Music finds both, whichever place it holds in their sets
    await page.getByTestId('suggested-filter').selectOption('Video Game Music');
    await page.getByTestId('row-count').filter({ hasText: /^2 tracks$/ }).waitFor();
    await page.locator('[data-row="1"][data-id]').waitFor();
    assert.deepEqual([await rowId(0), await rowId(1)], [ids['Plain'], ids['Seven']]);
    // (the genre name is bidi-isolated in the option, as text from tags is everywhere)
    const option = (await page.getByTestId('suggested-filter').locator('option:checked').innerText()).replace(/[\u2066-\u2069]/g, '').trim();
    assert.equal(option, 'Video Game Music (2)', 'the option says how many undecided tracks are suggested it');
    const tops = await page.$$eval('.toolbar > *:not(.spacer)', (els) => els.map((e) => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2)));
    assert.ok(Math.max(...tops) - Math.min(...tops) <= 2, `every filter in one toolbar row at 1280 px: ${tops.join()}`);
    await shot('suggested-filter');
    // bulk accept starts from the genre the table is filtered by, and says how it reads it
    await page.keyboard.press('b');
    const bulk = page.getByRole('dialog', { name: 'Bulk accept' });
    await bulk.getByTestId('bulk-genre-rule').waitFor();
    assert.equal(await bulk.getByRole('combobox').inputValue(), 'Video Game Music');
    await page.keyboard.press('Escape');
    await bulk.waitFor({ state: 'detached' });
    // a (accept) records the whole set, not only the genre the table shows
    await page.locator('[data-row="0"]').click();
    await page.keyboard.press('a');
    await until(`document.querySelector('[data-id="${ids['Plain']}"] [data-col="decided"]')?.getAttribute('title') === 'Jazz; Video Game Music'`);
    await page.keyboard.press('u');
    await until(`document.querySelector('[data-id="${ids['Plain']}"] .badge')?.textContent === 'suggested'`);
    await page.getByTestId('suggested-filter').selectOption('');
    await page.getByTestId('row-count').filter({ hasText: '7 tracks' }).waitFor();
  });

  it('offers only real neighbours in More like this: positive, above the threshold, never a track just rejected', async () => {
    // "Five" and "Seven" are untagged and sound like "Cover Song"; "Quiet" and "Six" are untagged and do not.
    // Reject "Five", then ask for tracks like "Cover Song": only "Seven" is a neighbour to offer
    await select('Five');
    await page.keyboard.press('r');
    await select('Cover Song');
    await page.keyboard.press('m');
    await page.getByTestId('mlt-candidates').waitFor();
    const offered = await page.$$eval('[data-candidate]', (rows) => rows.map((r) => Number(r.getAttribute('data-candidate'))));
    const scores = await page.$$eval('[data-candidate] .score', (cells) => cells.map((c) => Number.parseFloat(c.textContent ?? '')));
    assert.deepEqual(offered, [ids['Seven']], 'neither the rejected track nor tracks of another sound');
    assert.ok(scores.every((s) => s >= 0.3), scores.join());
    await shot('more-like-this', true);
    await page.keyboard.press('Escape');
    await page.getByTestId('mlt-candidates').waitFor({ state: 'detached' });
    await page.keyboard.press('u');
  });

  it('writes after a dry run with a file unticked; the words after the write and the undo say what happened', async () => {
    await select('Six');
    await page.keyboard.press('c');
    await page.getByTestId('genre-input').fill('Bebop');
    await page.keyboard.press('Enter');
    await select('Quiet');
    await page.keyboard.press('c');
    await page.getByTestId('genre-input').fill('Drone');
    await page.keyboard.press('Enter');
    await page.getByTestId('search').fill('');
    await page.locator('[data-view="write"]').click();
    await page.getByTestId('dry-run').click();
    await page.getByTestId('write-plan').filter({ hasText: '2 files will change' }).waitFor();
    await page.locator(`[data-plan-file="${ids['Quiet']}"] input[type="checkbox"]`).uncheck();
    await page.getByTestId('apply-write').filter({ hasText: 'Write 1 file' }).waitFor();
    await shot('write-plan', true);
    await page.getByTestId('apply-write').click();
    await page.getByTestId('write-summary').filter({ hasText: '1 written' }).waitFor({ timeout: 30_000 });
    const genres = async (name: string) => {
      const r = await readAudioFile(paths[Object.keys(paths).find((p) => p.includes(name))!]!);
      return r.ok ? r.tags.genres : null;
    };
    assert.deepEqual(await genres('Six'), ['Bebop']);
    assert.deepEqual(await genres('Quiet'), [], 'the unticked file is untouched');
    assert.match((await page.getByTestId('write-summary').textContent()) ?? '', /^1 written, 0 unchanged, 1 skipped, 0 failed$/);
    await page.getByTestId('undo-write').click();
    await page.getByTestId('write-summary').filter({ hasText: '1 restored' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('batch-summary').first().filter({ hasText: '1 restored' }).waitFor();
    const history = await page.$$eval('[data-testid="batch-summary"]', (cells) => cells.map((c) => c.textContent));
    assert.equal(history[0], '1 restored');
    assert.match(history[1] ?? '', /^1 written, all undone by batch \d+$/);
    assert.deepEqual(await genres('Six'), []);
  });

  it('names the model\'s state plainly and the library\'s size as the command line does', async () => {
    const bar = (await page.getByTestId('status-bar').innerText());
    assert.doesNotMatch(bar, /not loaded yet/);
    assert.match(bar, /loads when listening starts/);
    await page.locator('[data-view="stats"]').click();
    const db = openDatabase(dbPath);
    const bytes = (db.prepare('SELECT sum(size) AS n FROM files').get() as { n: number }).n;
    db.close();
    assert.equal((await page.getByTestId('library-size').textContent())?.trim(), formatBytes(bytes));
    assert.ok(spectag(['stats', '--db', dbPath]).out.includes(formatBytes(bytes)));
    assert.deepEqual(errors, [], 'no errors in the page');
  });
});
