// The pure parts of the review window's layout and words, under plain Node: the remembered column and pane
// layout, the spectrogram's axes (checked against the engine's own mel filterbank), the seek keys, the page
// cache's fresh-row lookup the cursor follows, and sizes in one unit system.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  COLUMNS, emptyLayout, gridTemplate, minTableWidth, parseLayout, shownColumns, trackPaneWidth, withColumn, TRACK_PANE,
} from '../../renderer/src/lib/layout.js';
import { frequencyTicks, imageSegments, timeForImageX, timeTicks } from '../../renderer/src/lib/timeline.js';
import { commandForKey, KEY_HELP, SEEK_STEP_SEC } from '../../renderer/src/lib/review.js';
import { PageCache } from '../../renderer/src/lib/virtual.js';
import { formatBytes } from '../../electron/shared/units.js';
import { MEL, melBandCentresHz } from '../../electron/core/spectrogram/mel.js';

describe('review layout (remembered)', () => {
  it('hides and resizes columns, never below their minimum, and survives a round trip through storage', () => {
    let l = withColumn(emptyLayout(), 'album', { hidden: true });
    l = withColumn(l, 'title', { width: 10 });
    l = withColumn(l, 'artist', { width: 333.4 });
    const again = parseLayout(JSON.stringify(l));
    assert.deepEqual(again, l);
    const shown = shownColumns(again).map((c) => c.id);
    assert.ok(!shown.includes('album') && shown.includes('title'));
    const title = COLUMNS.find((c) => c.id === 'title')!;
    assert.equal(again.columns.title?.width, title.min, 'clamped to the minimum');
    assert.match(gridTemplate(shownColumns(again), again), new RegExp(`^28px 84px ${title.min}px 333px `));
    assert.equal(withColumn(again, 'artist', { width: null }).columns.artist?.width, undefined, 'back to automatic');
  });

  it('ignores a damaged or hand-edited store', () => {
    for (const bad of [null, '', '{', '[]', '{"trackPane":"wide","columns":{"title":{"width":"x","hidden":1},"nope":{}}}']) {
      const l = parseLayout(bad);
      assert.equal(l.trackPane, null, String(bad));
      assert.deepEqual(shownColumns(l).map((c) => c.id), COLUMNS.map((c) => c.id));
    }
  });

  it('fits every default column next to the default track pane in a 1280 px window', () => {
    const available = 1280 - TRACK_PANE.default - 6 - 15; // splitter, the rows' scroll bar
    const withYours = shownColumns(emptyLayout());
    assert.ok(minTableWidth(withYours, emptyLayout()) <= available, `${minTableWidth(withYours, emptyLayout())} > ${available}`);
  });

  it('keeps the track pane within what leaves the table usable', () => {
    assert.equal(trackPaneWidth(emptyLayout(), 1280), TRACK_PANE.default);
    assert.equal(trackPaneWidth({ ...emptyLayout(), trackPane: 5000 }, 1280), 1280 - TRACK_PANE.minTable);
    assert.equal(trackPaneWidth({ ...emptyLayout(), trackPane: 10 }, 1280), TRACK_PANE.min);
  });
});

describe('spectrogram axes', () => {
  it('puts each frequency label on the picture row of the mel band centred there', () => {
    const centres = melBandCentresHz();
    for (const t of frequencyTicks()) {
      const hz = Number(t.label.replace('k', '')) * (t.label.endsWith('k') ? 1000 : 1);
      // the band whose centre is nearest, and its row's middle (row 0 at the top = the highest band)
      let best = 0;
      centres.forEach((c, m) => {
        if (Math.abs(c - hz) < Math.abs(centres[best]! - hz)) best = m;
      });
      const rowMiddle = (MEL.nMels - 1 - best + 0.5) / MEL.nMels;
      assert.ok(Math.abs(t.at - rowMiddle) <= 0.5 / MEL.nMels + 1e-9, `${t.label}: ${t.at} vs row ${rowMiddle}`);
    }
    const labels = frequencyTicks().map((t) => t.label);
    assert.deepEqual(labels, ['250', '500', '1k', '2k', '4k', '8k']);
  });

  it('labels round track times inside each excerpt, where clicking seeks to that time', () => {
    const segs = imageSegments([{ startSec: 30, durationSec: 10 }, { startSec: 95, durationSec: 10 }, { startSec: 160, durationSec: 10 }]);
    const ticks = timeTicks(segs, 600);
    assert.ok(ticks.length >= 6, `${ticks.length} ticks`);
    for (const t of ticks) {
      const [m, s] = t.label.split(':').map(Number) as [number, number];
      const back = timeForImageX(t.at, segs)!;
      assert.ok(Math.abs(back - (m * 60 + s)) < 1e-6, `${t.label} at ${t.at} → ${back}`);
    }
    for (let i = 1; i < ticks.length; i++) assert.ok((ticks[i]!.at - ticks[i - 1]!.at) * 600 >= 8, 'labels do not pile up');
    assert.equal(ticks[0]!.label, '0:30');
  });
});

describe('seek keys and the cursor\'s fresh rows', () => {
  it('seeks the preview with ← and → (not in a text field), and says so in the help', () => {
    assert.equal(commandForKey({ key: 'ArrowLeft' }), 'seekBack');
    assert.equal(commandForKey({ key: 'ArrowRight' }), 'seekForward');
    assert.equal(commandForKey({ key: 'ArrowLeft', inTextField: true }), null);
    assert.ok(KEY_HELP.some((k) => k.keys === '← / →' && k.what.includes(`${SEEK_STEP_SEC} s`)));
  });

  it('finds a row only among rows fetched since the data changed, when asked to', () => {
    const cache = new PageCache<{ id: number }>(2);
    const g = cache.reset();
    cache.put(g, 0, [{ id: 1 }, { id: 2 }]);
    cache.put(g, 1, [{ id: 3 }, { id: 4 }]);
    const g2 = cache.invalidate();
    assert.equal(cache.indexOf((r) => r.id === 3), 2, 'stale rows are still shown');
    assert.equal(cache.indexOf((r) => r.id === 3, true), -1, 'but are not where the track is now');
    cache.put(g2, 0, [{ id: 1 }, { id: 3 }]);
    assert.equal(cache.indexOf((r) => r.id === 3, true), 1);
  });
});

describe('sizes', () => {
  it('prints decimal SI units with three significant digits, the same in the window and the CLI', () => {
    const cases: [number, string][] = [
      [0, '0 B'], [999, '999 B'], [1000, '1.00 kB'], [1_880_000_000, '1.88 GB'], [1_700_000_000, '1.70 GB'],
      [18_804_000_000, '18.8 GB'], [188_040_000_000, '188 GB'], [999_600, '1.00 MB'], [2.5e12, '2.50 TB'],
    ];
    for (const [n, s] of cases) assert.equal(formatBytes(n), s, String(n));
    assert.equal(formatBytes(-1), '–');
  });
});
