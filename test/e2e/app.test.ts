// End to end in a real browser (Debian's Chromium driven by playwright-core) against `spectag serve` on a
// library of real audio files made by ffmpeg: onboarding → scan → analysis with the genre model → review
// with the keyboard → dry run → write → the tags in the files → undo. Screenshots of the main screens go to
// test-output/. Skips, saying why, where /usr/bin/chromium or the built window is absent.
// A second suite shows "Your genres" on a library whose track embeddings are synthetic (no audio needed):
// retrain, the validation report, a personal suggestion in the table and the track view, the queue driven
// by it, more like this with undo.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { browserSkipReason, CHROMIUM, CHROMIUM_ARGS, REPO, startServe, stopServe } from './browser.js';
import { makeBulkLibrary } from '../helpers/bulk-library.js';
import { readAudioFile } from '../../electron/core/library/read-file.js';
import { buildSyntheticLibrary } from '../personal/synthetic-library.js';
import { DecisionStore } from '../../electron/core/db/decisions.js';
import { openDatabase } from '../../electron/core/db/open.js';

async function genresIn(path: string): Promise<string[]> {
  const r = await readAudioFile(path);
  assert.ok(r.ok, `${path} readable`);
  return r.ok ? r.tags.genres : [];
}

const OUT = join(REPO, 'test-output');
const skip = browserSkipReason();
if (skip) console.log(`# e2e skipped: ${skip}`);

type ServedWindow = Awaited<ReturnType<typeof openWindow>>;

/** `spectag serve` on a database and a fresh browser page; `shot` saves a screenshot to test-output/. */
async function openWindow(serveArgs: string[]) {
  const serve = await startServe(serveArgs);
  const { chromium } = await import('playwright-core');
  // playwright gives every launch a fresh, temporary profile (its own --user-data-dir)
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1440, height: 880 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    serve, page, errors,
    shot: async (name: string) => {
      mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: join(OUT, `${name}.png`) });
    },
    close: async () => {
      await browser.close();
      await stopServe(serve.child);
    },
  };
}

describe('the review window in a browser (spectag serve)', { skip: skip ?? false }, () => {
  let dir: string;
  let music: string;
  let paths: string[];
  let w: ServedWindow;
  let serve: ServedWindow['serve'];
  let page: Page;
  const shot = (name: string) => w.shot(name);
  const rowStatuses = () => page.$$eval('[data-row] .badge', (els) => els.map((e) => e.textContent?.trim() ?? ''));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-e2e-'));
    music = join(dir, 'Music');
    // five real tracks (MP3 and FLAC, tagged Rock/Jazz/Hip-Hop/Classical/Electronic), 4 s each
    paths = makeBulkLibrary(music, 5, 4);
    w = await openWindow([join(dir, 'library.sqlite')]);
    ({ serve, page } = w);
  });

  after(async () => {
    await w?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('onboards: explains what is touched, adds the folder, scans it and starts listening', async () => {
    await page.goto(serve.url);
    await page.getByRole('dialog', { name: 'Welcome' }).waitFor();
    assert.equal(new URL(page.url()).hash, '', 'the token leaves the address bar');
    await shot('onboarding');
    await page.getByTestId('root-input').fill(music);
    await page.getByTestId('add-root').click();
    await page.getByTestId('row-count').filter({ hasText: '5 tracks' }).waitFor({ timeout: 20_000 });
    // nobody asked: listening starts when the scan has found the tracks (the setting is on by default)
    await page.locator('[data-testid="job"][data-kind="analyze"]').waitFor({ timeout: 20_000 });
  });

  it('listens to the tracks as a job with progress, then shows what the model says of each', async () => {
    await page.locator('[data-testid="job"][data-kind="analyze"][data-state="done"]').waitFor({ timeout: 120_000 });
    assert.equal(await page.getByTestId('listen-hint').count(), 0, 'nothing is left to listen to');
    await page.locator('[data-view="library"]').click();
    const deadline = Date.now() + 15_000;
    let statuses = await rowStatuses();
    while (statuses.includes('unanalysed') && Date.now() < deadline) {
      await page.waitForTimeout(200);
      statuses = await rowStatuses();
    }
    // the window's rows (by path) against the model's own prediction of each track, asked through the API
    const token = new URL(serve.url).hash.slice('#token='.length);
    const call = async <T>(method: string, input: unknown): Promise<T> => {
      const res = await fetch(new URL(`api/call/${method}`, serve.url), { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ input }) });
      const outcome = (await res.json()) as { ok: boolean; result: T; error?: { message: string } };
      assert.ok(outcome.ok, `${method}: ${outcome.error?.message}`);
      return outcome.result;
    };
    const { rows } = await call<{ rows: { id: number }[] }>('queryLibrary', { sort: 'path' });
    const expected: string[] = [];
    const shown: string[] = [];
    for (const [i, row] of rows.entries()) {
      const track = await call<{ prediction: { unsure: boolean; top: { genre: string }[] } | null }>('getTrack', { id: row.id });
      assert.ok(track.prediction, `track ${row.id} has a prediction of the shipped model`);
      // the table shows the best suggestion and, when the set has more, a '+N' marker for the rest
      const more = track.prediction.top.length > 1 ? `\n+${track.prediction.top.length - 1}` : '';
      expected.push(track.prediction.unsure ? 'unsure' : `suggested ${track.prediction.top[0]!.genre}${more}`);
      const cell = (await page.locator(`[data-row="${i}"] [data-col="suggested"]`).innerText()).trim();
      shown.push(statuses[i] === 'suggested' ? `suggested ${cell}` : statuses[i]!);
    }
    assert.deepEqual(shown, expected);
  });

  it('reviews with the keyboard: correct, add a genre, reject, undo', async () => {
    await page.locator('[data-row="0"]').click();
    await page.getByTestId('track-view').waitFor();
    await page.locator('[data-testid="track-view"] img').first().waitFor({ timeout: 10_000 }).catch(() => {});
    await shot('review');
    // row 0: correct to a new genre (typed), the cursor moves on
    await page.keyboard.press('c');
    await page.getByTestId('genre-input').fill('Shoegaze');
    await page.keyboard.press('Enter');
    await page.locator('[data-row="1"][aria-selected="true"]').waitFor();
    // row 1: pick "Jazz" from the vocabulary by type-ahead, then add a second genre to the same track
    await page.keyboard.press('c');
    await page.getByTestId('genre-input').fill('jaz');
    await page.keyboard.press('Enter');
    await page.locator('[data-row="2"][aria-selected="true"]').waitFor();
    await page.keyboard.press('k');
    await page.keyboard.press('+');
    await page.getByTestId('genre-input').fill('Blues');
    await page.keyboard.press('Enter');
    await page.locator('[data-row="2"][aria-selected="true"]').waitFor();
    // row 2: reject, then undo that
    await page.keyboard.press('r');
    await page.locator('[data-row="2"] .badge', { hasText: 'rejected' }).waitFor();
    await page.keyboard.press('u');
    await page.locator('[data-row="2"] .badge', { hasText: 'rejected' }).waitFor({ state: 'detached' });
    assert.deepEqual((await rowStatuses()).slice(0, 2), ['corrected', 'corrected']);
    const decided = await page.$$eval('[data-row="1"] [data-col="decided"] .genre-chip:not([hidden])', (els) => els.map((e) => e.textContent));
    assert.deepEqual(decided, ['Jazz', 'Blues']);
  });

  it('the correction picker offers the whole genre vocabulary by type-ahead (names and other spellings), and styles under their parent', async () => {
    await page.locator('[data-row="3"]').click();
    await page.keyboard.press('c');
    const input = page.getByTestId('genre-input');
    const first = async (typed: string, expected: string) => {
      await input.fill(typed);
      const option = page.locator('[role="listbox"] [role="option"]').first();
      await option.filter({ hasText: expected }).waitFor({ timeout: 5000 });
      return (await option.innerText()).replace(/\s+/g, ' ').trim();
    };
    // none of these is in the library's files: the model's vocabulary is offered whole
    assert.equal(await first('drum', 'Drum & Bass'), 'Electronic › Drum & Bass');
    assert.equal(await first('dnb', 'Drum & Bass'), 'Electronic › Drum & Bass', 'found by another spelling');
    assert.equal(await first('vgm', 'Video Game Music'), 'Video Game Music');
    assert.equal(await first('orch', 'Orchestral'), 'Classical › Orchestral');
    assert.equal(await first('folk', 'Folk'), 'Folk');
    assert.equal(await first('sound', 'Soundtrack'), 'Soundtrack');
    // a genre outside the vocabulary can still be typed
    assert.match(await first('Chiptune', 'Chiptune'), /^Chiptune\s*— new genre$/);
    await shot('picker');
    await page.keyboard.press('Escape');
    await page.getByTestId('genre-input').waitFor({ state: 'detached' });
    assert.equal(await page.locator('[data-row="3"] .badge').innerText().then((t) => t.trim() !== 'corrected'), true, 'nothing was decided');
  });

  it('writes after a dry run, the tags are in the files, and undo restores them', async () => {
    const before = await Promise.all(paths.map(genresIn));
    await page.locator('[data-view="write"]').click();
    await page.getByTestId('dry-run').click();
    await page.getByTestId('write-plan').filter({ hasText: '2 files will change' }).waitFor();
    await shot('write-plan');
    await page.getByTestId('apply-write').click();
    await page.getByTestId('write-result').filter({ hasText: '2 written' }).waitFor({ timeout: 30_000 });
    await shot('write-done');
    const written = await Promise.all(paths.map(genresIn));
    assert.deepEqual(written[0], ['Shoegaze']);
    assert.deepEqual(written[1], ['Jazz', 'Blues']);
    assert.deepEqual(written.slice(2), before.slice(2), 'undecided files untouched');
    await page.getByTestId('undo-write').click();
    await page.getByTestId('write-result').filter({ hasText: 'Undoing' }).filter({ hasText: 'done' }).waitFor({ timeout: 30_000 });
    assert.deepEqual(await Promise.all(paths.map(genresIn)), before);
  });

  it('shows the genre vocabulary and the library chart', async () => {
    await page.locator('[data-view="vocabulary"]').click();
    await page.locator('tr[data-genre="Shoegaze"]').waitFor();
    await shot('vocabulary');
    await page.locator('[data-view="stats"]').click();
    await page.getByTestId('genre-chart').waitFor();
    await shot('library');
    assert.deepEqual(w.errors, [], 'no errors in the page');
    assert.ok(!serve.output().replace(/Open: .*\n/, '').includes(new URL(serve.url).hash.slice(7)), 'the token is printed once, in the link only');
  });
});

describe('"Your genres" in a browser (spectag serve, synthetic embeddings)', { skip: skip ?? false }, () => {
  let dir: string;
  let w: ServedWindow;
  let page: Page;
  let dubId: number;
  let shoegazeSeed: number;
  const shot = (name: string) => w.shot(name);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-e2e-personal-'));
    const dbPath = join(dir, 'library.sqlite');
    // Dub and Shoegaze the default model cannot name (it hears reggae and rock); untagged tracks of each sound
    const { db, tracks } = buildSyntheticLibrary(dbPath, [
      { spellings: ['Shoegaze'], albums: 4, tracksPerAlbum: 4, defaultSays: 'rock', untagged: 4 },
      { spellings: ['Dub'], albums: 4, tracksPerAlbum: 4, defaultSays: 'reggae', untagged: 4 },
      { spellings: ['Hip-Hop', 'Hip Hop'], albums: 4, tracksPerAlbum: 4, defaultSays: 'hip-hop', untagged: 4 },
    ]);
    dubId = tracks.find((t) => !t.tagged && t.genre === 1)!.fileId;
    shoegazeSeed = tracks.filter((t) => t.tagged && t.genre === 0).pop()!.fileId;
    // one reviewed decision, so the page shows that decisions count
    new DecisionStore(db).record(tracks.find((t) => t.tagged && t.genre === 2)!.fileId, ['Hip-Hop'], 'accepted');
    db.close();
    openDatabase(dbPath).close();
    w = await openWindow([dbPath, '--no-model']);
    page = w.page;
  });

  after(async () => {
    await w?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('learns the genres from the tags on the "Your genres" page, with held-out numbers against the default model', async () => {
    await page.goto(w.serve.url);
    await page.locator('[data-view="personal"]').click();
    await page.locator('tr[data-personal-genre="Dub"]').waitFor();
    await page.getByTestId('retrain').click();
    await page.getByTestId('personal-active').filter({ hasText: 'version 1' }).waitFor({ timeout: 60_000 });
    const dub = page.locator('tr[data-personal-genre="Dub"]');
    await dub.locator('.badge', { hasText: 'suggested' }).waitFor();
    assert.match((await dub.locator('td').nth(4).textContent()) ?? '', /cannot name it/);
    const accuracy = Number.parseFloat((await page.getByTestId('personal-accuracy').textContent()) ?? '');
    assert.ok(accuracy > 80, `personal accuracy ${accuracy} %`);
    // examples per genre: the tracks it learns Hip-Hop from, the reviewed decision first
    await page.locator('tr[data-personal-genre="Hip-Hop"] button.link').click();
    await page.getByTestId('personal-examples').locator('.badge', { hasText: 'your decision' }).waitFor();
    await shot('your-genres');
  });

  it('shows "yours" beside the default suggestion, drives the queue by it, and applies more like this (undoable)', async () => {
    await page.locator('[data-view="library"]').click();
    // the synthetic tracks are titled "Track <file id - 1>"
    const only = async (id: number) => {
      await page.getByTestId('search').fill(`track ${id - 1}.flac`);
      await page.locator('[data-row="0"] .cell').getByText(`Track ${id - 1}`, { exact: true }).waitFor();
      await page.getByTestId('row-count').filter({ hasText: /^1 tracks$/ }).waitFor();
      await page.locator('[data-row="0"]').click();
      await page.locator(`[data-testid="track-view"][data-file-id="${id}"]`).waitFor();
    };
    await only(dubId);
    // the default model's suggestion, and "yours" in the next column
    assert.equal((await page.locator('[data-row="0"] [data-col="suggested"]').innerText()).trim(), 'Reggae');
    assert.equal((await page.locator('[data-row="0"] [data-col="yours"]').innerText()).trim(), 'Dub');
    await page.getByTestId('personal-suggestion').filter({ hasText: 'Dub' }).waitFor();
    await shot('review-yours');
    // the review queue by the personal model: y accepts "yours"
    await page.getByTestId('suggestions-source').selectOption('personal');
    await page.locator('[data-row="0"] [data-col="suggested"]').filter({ hasText: 'Dub' }).waitFor();
    await page.locator('[data-row="0"] .badge', { hasText: 'suggested' }).waitFor();
    await page.locator('[data-row="0"]').click();
    await page.keyboard.press('y');
    await page.locator('[data-row="0"] .badge', { hasText: 'accepted' }).waitFor();
    await page.keyboard.press('u');
    await page.locator('[data-row="0"] .badge', { hasText: 'suggested' }).waitFor();
    await page.getByTestId('suggestions-source').selectOption('default');
    // more like this from a tagged Shoegaze track: its untagged look-alikes, then one undo takes them back
    await only(shoegazeSeed);
    await page.keyboard.press('m');
    await page.getByTestId('mlt-candidates').waitFor();
    assert.equal(await page.getByTestId('mlt-genre').inputValue(), 'Shoegaze');
    const ticked = await page.locator('[data-candidate] input:checked').count();
    assert.ok(ticked >= 1, 'the nearest tracks are ticked');
    await shot('more-like-this');
    await page.getByTestId('mlt-apply').click();
    await page.getByTestId('search').fill('');
    await page.getByTestId('status-filter').selectOption('corrected');
    await page.getByTestId('row-count').filter({ hasText: new RegExp(`^${ticked} tracks$`) }).waitFor();
    await page.locator('[data-row="0"]').click();
    await page.keyboard.press('u');
    await page.getByTestId('row-count').filter({ hasText: /^0 tracks$/ }).waitFor();
    assert.deepEqual(w.errors, [], 'no errors in the page');
  });
});
