// npm run bench:ui [-- --rows N]: the review window on a 100,000-row library in Debian's Chromium, against
// `spectag serve`. Prints time to first rows, scroll frame times and long tasks while scrolling, filter
// latency (status, genre, text search) and a jump to the end, for the track table and then for the Albums
// view (10,000 albums of 10 tracks; before the window opens: the grouping of the tracks into albums and the
// first aggregation of every album's suggestion, timed in the engine). Targets: first rows < 1 s, filter
// < 100 ms, no long task > 50 ms while scrolling. The library database is synthetic (rows only, no audio files):
// the window never touches audio until a track is played.
// --keep keeps the generated library and prints its path; --db FILE runs on it again.
// --trace FILE: also records a Chromium performance trace of the scroll (open it in DevTools' Performance
// panel) and prints the renderer main thread's CPU time by kind of work: unlike wall-clock long tasks, CPU
// time hardly depends on what else the machine is doing.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { DecisionStore } from '../../electron/core/db/decisions.js';
import { PredictionStore } from '../../electron/core/db/predictions.js';
import { MODEL_GENRES } from '../../electron/shared/genres-model.js';
import { EngineService } from '../../electron/core/service/engine.js';
import { browserSkipReason, CHROMIUM_ARGS, startServe, stopServe } from '../e2e/browser.js';

const { values } = parseArgs({ options: { rows: { type: 'string' }, keep: { type: 'boolean' }, trace: { type: 'string' }, db: { type: 'string' } } });
const ROWS = Number(values.rows ?? 100_000);
const skip = browserSkipReason();
if (skip) {
  console.log(`bench:ui skipped: ${skip}`);
  process.exit(0);
}

const GENRES = ['Rock', 'Jazz', 'Hip-Hop', 'Classical', 'Electronic', 'Metal', 'Pop', 'Blues', 'Folk', 'Soul'];
// --db FILE: reuse a library made by an earlier run with --keep (generating 100,000 rows takes minutes)
const reuse = values.db != null && existsSync(values.db);
const dir = reuse ? null : mkdtempSync(join(tmpdir(), 'spectag-bench-ui-'));
const dbPath = reuse ? values.db! : join(dir!, 'library.sqlite');

function makeLibrary(): void {
  const t = Date.now();
  const db = openDatabase(dbPath);
  const files = new FileStore(db);
  const predictions = new PredictionStore(db);
  const decisions = new DecisionStore(db);
  const root = '/music';
  const rootId = files.ensureRoot(root);
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      const artist = `Artist ${Math.floor(i / 100)}`;
      const album = `Album ${Math.floor(i / 10)}`;
      const genre = GENRES[i % GENRES.length]!;
      const id = files.saveRead(
        rootId,
        { path: `${root}/${artist}/${album}/${String((i % 12) + 1).padStart(2, '0')} Track ${i}.mp3`, size: 4_000_000 + i, mtimeMs: 1.7e12 + i, fileKey: `1:${i}` },
        {
          ok: true, contentId: `c${i}`,
          tags: { title: `Track ${i}`, artist, albumArtist: artist, album, trackNo: (i % 12) + 1, trackOf: 12, discNo: null, discOf: null, year: 1960 + (i % 60), genres: i % 7 === 0 ? [] : [genre] },
          audio: { container: 'mp3', codec: 'MPEG 1 Layer 3', durationSec: 180 + (i % 120), sampleRate: 44100, channels: 2, bitrate: 320_000, lossless: false, hasCover: false },
        },
        null,
      );
      // most tracks analysed by the model; some decided
      if (i % 5 !== 4) {
        // an album's tracks mostly sound like one genre; one in ten leans elsewhere
        const albumNo = Math.floor(i / 10);
        const g = MODEL_GENRES[(i % 10 === 7 ? albumNo + 5 : albumNo) % MODEL_GENRES.length]!;
        const p = 0.35 + ((i * 7919) % 650) / 1000;
        const probabilities = Object.fromEntries(MODEL_GENRES.map((m) => [m, m === g ? p : (1 - p) / (MODEL_GENRES.length - 1)]));
        predictions.save(id, {
          modelId: 'bench-model', modelVersion: '1', genres: [...MODEL_GENRES], probabilities,
          top: p >= 0.5 ? [{ genre: g, probability: p }] : [], unsure: p < 0.5, excerpts: [],
        }, {});
      }
      // one album in ten decided (one track in ten, as before)
      if (Math.floor(i / 10) % 10 === 3) decisions.record(id, [genre], 'accepted');
    }
  })();
  db.close();
  console.log(`library: ${ROWS.toLocaleString('en-US')} rows generated in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number) => s[Math.min(s.length - 1, Math.floor(f * s.length))] ?? NaN;
  return { p50: q(0.5), p95: q(0.95), max: s[s.length - 1] ?? NaN, n: s.length };
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

interface TraceEvent { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { name?: string } }

/** Main-thread CPU time of the page's renderer in a trace: total, and by kind of work (nested kinds overlap). */
function mainThreadCpu(file: string): { totalMs: number; byKind: [string, number][] } {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(raw) ? raw : raw.traceEvents ?? [];
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return { totalMs: NaN, byKind: [] };
  const mine = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X');
  const kinds = ['EventDispatch', 'FireAnimationFrame', 'UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'MajorGC', 'MinorGC'];
  const byKind = new Map<string, number>();
  let total = 0;
  for (const e of mine) {
    if (e.name === 'RunTask') total += e.tdur ?? 0;
    else if (kinds.includes(e.name)) byKind.set(e.name, (byKind.get(e.name) ?? 0) + (e.tdur ?? 0));
  }
  return { totalMs: total / 1000, byKind: [...byKind].map(([k, v]) => [k, v / 1000] as [string, number]).sort((a, b) => b[1] - a[1]) };
}

type BenchPage = import('playwright-core').Page;

/** 240 frames of fast scrolling in a virtualised list: frame times, long tasks, frames with only placeholders. */
async function scrollFrames(page: BenchPage, scrollerId: string): Promise<{ frames: number[]; longTasks: number[]; blank: number; scrollTop: number }> {
  // in-page code as strings: the root tsconfig has no DOM types (the window's code is type-checked by svelte-check)
  return (await page.evaluate(`(async () => {
    const el = document.querySelector('[data-testid="${scrollerId}"]');
    const longTasks = [];
    const t0 = performance.now();
    const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) { longTasks.push(e.duration); window.__lt = (window.__lt || []).concat([[Math.round(e.startTime - t0), Math.round(e.duration)]]); } });
    obs.observe({ type: 'longtask' });
    const frames = [];
    let blank = 0;
    await new Promise((resolve) => {
      let last = performance.now();
      let n = 0;
      const step = () => {
        const now = performance.now();
        frames.push(now - last);
        last = now;
        el.scrollTop += n < 120 ? 900 : 2400; // a brisk wheel, then a flung scroll bar
        if (!el.querySelector('[data-row] .badge')) blank++;
        if (++n < 240) requestAnimationFrame(step);
        else resolve();
      };
      requestAnimationFrame(step);
    });
    await new Promise((r) => setTimeout(r, 300));
    obs.disconnect();
    return { frames: frames.slice(1), longTasks, blank, scrollTop: el.scrollTop };
  })()`)) as { frames: number[]; longTasks: number[]; blank: number; scrollTop: number };
}

/** A filter change: time to the first row of the new result on screen, and to the match count shown. */
async function timeChange(page: BenchPage, countId: string, apply: () => Promise<unknown>, debounceMs = 0) {
  const before = await page.getByTestId(countId).textContent();
  const start = (await page.evaluate('performance.now()')) as number;
  await apply();
  const [rows, counted] = (await page.evaluate(`(async (prev) => {
    const count = () => document.querySelector('[data-testid="${countId}"]')?.textContent;
    let rows = null;
    const started = performance.now();
    for (;;) {
      const now = performance.now();
      if (now - started > 20000) return [NaN, NaN];
      if (rows == null && count() !== prev && document.querySelector('[data-row="0"] .badge')) rows = now;
      if (rows != null && document.querySelector('[data-counted="true"]')) return [rows, now];
      await new Promise((r) => requestAnimationFrame(r));
    }
  })(${JSON.stringify(before)})`)) as [number, number];
  return { total: rows - start, net: rows - start - debounceMs, counted: counted - start - debounceMs, count: await page.getByTestId(countId).textContent() };
}

if (!reuse) makeLibrary();

/** The engine's side of albums at this size: grouping every track, then aggregating every album's suggestion. */
async function albumsInEngine(): Promise<{ groupMs: number; aggregateMs: number; albums: number }> {
  const engine = new EngineService({ dbPath, host: 'cli', model: false, retrain: 'explicit' });
  try {
    let t = performance.now();
    const { albums } = engine.services.albums.regroup();
    const groupMs = performance.now() - t;
    engine.db.prepare('UPDATE albums SET stale = 1').run();
    t = performance.now();
    engine.services.albums.refresh();
    return { groupMs, aggregateMs: performance.now() - t, albums };
  } finally {
    await engine.close();
  }
}
const engineAlbums = await albumsInEngine();
const serve = await startServe([dbPath, '--no-model']);
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });

  // 1. first rows: from navigation to the first row painted with data
  const t0 = Date.now();
  await page.goto(serve.url);
  await page.waitForSelector('[data-row="0"] .badge');
  const firstRows = Date.now() - t0;
  const inPage = (await page.evaluate("performance.getEntriesByName('spectag:first-rows')[0]?.startTime ?? NaN")) as number;
  await page.waitForSelector('[data-counted="true"]');
  const countText = await page.getByTestId('row-count').textContent();

  // 2. opening a track (click → its track view painted), with its long tasks: reported on its own, and
  // settled before the scroll is measured
  await page.evaluate(`(() => { window.__openLt = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__openLt.push(e.duration); }).observe({ type: 'longtask' }); })()`);
  const openStart = (await page.evaluate('performance.now()')) as number;
  await page.locator('[data-row="0"]').click();
  const openEnd = (await page.evaluate(`(async () => {
    while (!document.querySelector('[data-testid="track-view"]')) await new Promise((r) => requestAnimationFrame(r));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now();
  })()`)) as number;
  await page.waitForTimeout(300);
  const openLongTasks = (await page.evaluate('window.__openLt')) as number[];

  // 3. scrolling: 240 frames of fast scrolling, frame times and long tasks
  if (values.trace) {
    await browser.startTracing(page, { path: values.trace, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'disabled-by-default-v8.cpu_profiler'] });
  }
  const scroll = await scrollFrames(page, 'library-scroller');
  if (values.trace) await browser.stopTracing();

  // 4. filters: time from the change to the new first row on screen
  const timeFilter = (apply: () => Promise<unknown>, debounceMs = 0) => timeChange(page, 'row-count', apply, debounceMs);
  const byStatus = await timeFilter(() => page.getByTestId('status-filter').selectOption('suggested'));
  const byGenre = await timeFilter(() => page.getByTestId('genre-filter').selectOption({ index: 3 }));
  const clearGenre = await timeFilter(() => page.getByTestId('genre-filter').selectOption(''));
  await page.getByTestId('status-filter').selectOption('');
  await page.waitForTimeout(500);
  const bySearch = await timeFilter(() => page.getByTestId('search').fill('Track 4242'), 150);
  await page.getByTestId('search').fill('');
  await page.waitForTimeout(500);

  // 5. jump to the last row (deep page) with the keyboard
  await page.locator('[data-row="0"]').click();
  const jumpStart = Date.now();
  await page.keyboard.press('End');
  await page.waitForSelector(`[data-row="${ROWS - 1}"] .badge`);
  const jump = Date.now() - jumpStart;

  // 6. the Albums view: open it, scroll, filter, jump, as for the tracks
  const albumsStart = Date.now();
  await page.locator('[data-view="albums"]').click();
  await page.waitForSelector('[data-testid="albums-scroller"] [data-row="0"] .badge');
  const albumsOpen = Date.now() - albumsStart;
  await page.waitForSelector('[data-counted="true"]');
  const albumCount = await page.getByTestId('album-count').textContent();
  const albumScroll = await scrollFrames(page, 'albums-scroller');
  const albumByStatus = await timeChange(page, 'album-count', () => page.getByTestId('album-status-filter').selectOption('suggested'));
  const albumByGenre = await timeChange(page, 'album-count', () => page.getByTestId('album-genre-filter').selectOption({ index: 3 }));
  const albumClear = await timeChange(page, 'album-count', () => page.getByTestId('album-genre-filter').selectOption(''));
  await page.getByTestId('album-status-filter').selectOption('');
  await page.waitForTimeout(500);
  const albumText = `Album ${Math.floor(ROWS / 10) - 7}`;
  const albumBySearch = await timeChange(page, 'album-count', () => page.getByTestId('album-search').fill(albumText), 150);
  await page.getByTestId('album-search').fill('');
  await page.waitForTimeout(500);
  await page.locator('[data-testid="albums-scroller"] [data-row="0"]').click();
  const albumJumpStart = Date.now();
  await page.keyboard.press('End');
  await page.waitForSelector(`[data-testid="albums-scroller"] [data-row="${engineAlbums.albums - 1}"] .badge`);
  const albumJump = Date.now() - albumJumpStart;

  if (process.env.UI_BENCH_DEBUG) console.log('long tasks [start ms after scroll start, duration]:', JSON.stringify(await page.evaluate('window.__lt || []')), 'frames > 40 ms at', JSON.stringify(scroll.frames.map((d, i) => [i, Math.round(d)]).filter(([, d]) => (d ?? 0) > 40)));
  const f = stats(scroll.frames);
  const lt = stats(scroll.longTasks);
  console.log(`\nbench:ui — ${countText}, Chromium ${browser.version()}, headless, --disable-gpu`);
  console.log(`first rows (navigation → first row with data): ${firstRows} ms  [in page: first page fetched ${inPage.toFixed(0)} ms after navigation start]  target < 1000 ms`);
  console.log(`open a track (click → track view painted): ${ms(openEnd - openStart)}; long tasks: ${openLongTasks.length ? openLongTasks.map((d) => ms(d)).join(', ') : 'none'}`);
  console.log(`scroll, ${f.n} frames: frame time p50 ${ms(f.p50)}, p95 ${ms(f.p95)}, max ${ms(f.max)}; frames showing only placeholders: ${scroll.blank}`);
  console.log(`long tasks while scrolling: ${lt.n}${lt.n ? ` (max ${ms(lt.max)})` : ''}  target: none > 50 ms`);
  if (values.trace) {
    const cpu = mainThreadCpu(values.trace);
    console.log(`main-thread CPU while scrolling: ${ms(cpu.totalMs)} (${ms(cpu.totalMs / scroll.frames.length)} a frame); ${cpu.byKind.map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}  [trace: ${values.trace}]`);
  }
  console.log('filters (change → first rows of the result on screen; → match count shown):');
  console.log(`  status "suggested": ${ms(byStatus.total)}; counted ${ms(byStatus.counted)} → ${byStatus.count}`);
  console.log(`  genre: ${ms(byGenre.total)}; counted ${ms(byGenre.counted)} → ${byGenre.count}`);
  console.log(`  back to all: ${ms(clearGenre.total)}; counted ${ms(clearGenre.counted)}`);
  console.log(`  text "Track 4242": ${ms(bySearch.net)} after the 150 ms typing pause (${ms(bySearch.total)} from the keystroke); counted ${ms(bySearch.counted)} → ${bySearch.count}`);
  console.log(`jump to the last row (End): ${jump} ms`);
  const af = stats(albumScroll.frames);
  const alt = stats(albumScroll.longTasks);
  console.log(`\nalbums — ${albumCount} (engine: grouping ${ROWS.toLocaleString('en-US')} tracks into ${engineAlbums.albums.toLocaleString('en-US')} albums ${ms(engineAlbums.groupMs)}, first aggregation of every album's suggestion ${ms(engineAlbums.aggregateMs)}; after a scan / an analysis)`);
  console.log(`open the Albums view (click → first album row with data): ${albumsOpen} ms`);
  console.log(`scroll, ${af.n} frames: frame time p50 ${ms(af.p50)}, p95 ${ms(af.p95)}, max ${ms(af.max)}; frames showing only placeholders: ${albumScroll.blank}; long tasks: ${alt.n}${alt.n ? ` (max ${ms(alt.max)})` : ''}`);
  console.log('filters (change → first albums of the result on screen; → match count shown):');
  console.log(`  status "suggested": ${ms(albumByStatus.total)}; counted ${ms(albumByStatus.counted)} → ${albumByStatus.count}`);
  console.log(`  genre in the files: ${ms(albumByGenre.total)}; counted ${ms(albumByGenre.counted)} → ${albumByGenre.count}`);
  console.log(`  back to all: ${ms(albumClear.total)}; counted ${ms(albumClear.counted)}`);
  console.log(`  text "${albumText}": ${ms(albumBySearch.net)} after the 150 ms typing pause; counted ${ms(albumBySearch.counted)} → ${albumBySearch.count}`);
  console.log(`jump to the last album (End): ${albumJump} ms`);
  const filterWorst = Math.max(byStatus.total, byGenre.total, clearGenre.total, bySearch.net);
  const albumWorst = Math.max(albumByStatus.total, albumByGenre.total, albumClear.total, albumBySearch.net);
  console.log(`\ntargets: first rows ${firstRows < 1000 ? 'met' : 'MISSED'}, filter ${filterWorst < 100 ? 'met' : 'MISSED'} (worst ${ms(filterWorst)}), long tasks ${lt.n === 0 || lt.max <= 50 ? 'met' : 'MISSED'}`);
  console.log(`albums: open ${albumsOpen < 1000 ? 'met' : 'MISSED'} (${albumsOpen} ms), filter ${albumWorst < 100 ? 'met' : 'MISSED'} (worst ${ms(albumWorst)}, tracks ${ms(filterWorst)}), long tasks ${alt.n === 0 || alt.max <= 50 ? 'met' : 'MISSED'}`);
} finally {
  await browser.close();
  await stopServe(serve.child);
  if (values.keep) console.log(`database kept: ${dbPath}`);
  else if (dir && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}
