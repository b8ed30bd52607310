// The pure modules behind the window's components: keyboard review (keymap, decisions, cursor), the
// virtual table's arithmetic and page cache, genre type-ahead, spectrogram time axes, formatting.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { afterDecision, commandForKey, decisionFor, moveCursor, nextToReview, KEY_HELP, type ReviewTarget } from '../../renderer/src/lib/review.js';
import { PageCache, pagesFor, scrollToReveal, visibleRange } from '../../renderer/src/lib/virtual.js';
import { rankGenres } from '../../renderer/src/lib/typeahead.js';
import { excerptLabels, genreHue, imageSegments, imageXForTime, probabilityBars, timeForImageX, IMAGE_COLUMNS_PER_SEC } from '../../renderer/src/lib/timeline.js';
import { formatDuration, formatEta, formatPercent, formatRate, shortPath } from '../../renderer/src/lib/format.js';
import { DecideSchema, type ReviewStatus } from '../../electron/shared/api.js';
import type { GenrePrediction } from '../../electron/shared/genres-model.js';

describe('review keymap', () => {
  it('maps the mail-client keys and leaves text fields alone', () => {
    assert.equal(commandForKey({ key: 'j' }), 'next');
    assert.equal(commandForKey({ key: 'ArrowUp' }), 'prev');
    assert.equal(commandForKey({ key: 'a' }), 'accept');
    assert.equal(commandForKey({ key: 'Enter' }), 'accept');
    assert.equal(commandForKey({ key: 'c' }), 'correct');
    assert.equal(commandForKey({ key: '+' }), 'addGenre');
    assert.equal(commandForKey({ key: 'r' }), 'reject');
    assert.equal(commandForKey({ key: 'z', ctrlKey: true }), 'undo');
    assert.equal(commandForKey({ key: 'z', metaKey: true }), 'undo');
    assert.equal(commandForKey({ key: 'Z', ctrlKey: true, shiftKey: true }), null, 'redo is not undo');
    assert.equal(commandForKey({ key: 'a', ctrlKey: true }), null, 'select-all stays the browser\'s');
    assert.equal(commandForKey({ key: 'a', inTextField: true }), null, 'typing "a" in the search box');
    assert.equal(commandForKey({ key: 'Escape', inTextField: true }), 'escape');
    assert.equal(commandForKey({ key: ' ' }), 'play');
    assert.equal(commandForKey({ key: 'q' }), null);
  });

  it('documents every key it handles', () => {
    const help = KEY_HELP.map((k) => k.keys).join(' ');
    for (const key of ['j', 'k', 'n', 'a', 'y', 'c', '+', 'r', 'u', 'Space', '/', 'b', '?']) assert.ok(help.includes(key), key);
    assert.equal(commandForKey({ key: 'y' }), 'acceptYours');
  });
});

describe('review decisions', () => {
  const t: ReviewTarget = { id: 7, genres: ['Rock'], suggested: 'Metal', accepts: ['Metal'], decided: null };
  // a suggestion set: the table shows its best genre, accepting records the whole set at the depth setting
  const set: ReviewTarget = { id: 8, genres: [], suggested: 'Orchestral', accepts: ['Classical', 'Orchestral', 'Video Game Music'], decided: null };

  it('builds the decision each command records, valid for the API schema', () => {
    const cases = [
      [decisionFor('accept', t), { fileId: 7, action: 'accept', genres: ['Metal'] }],
      [decisionFor('reject', t), { fileId: 7, action: 'reject' }],
      [decisionFor('correct', t, 'Punk'), { fileId: 7, action: 'correct', genres: ['Punk'] }],
      [decisionFor('addGenre', t, 'Punk'), { fileId: 7, action: 'correct', genres: ['Metal', 'Punk'] }],
      [decisionFor('addGenre', { ...t, decided: ['Jazz'] }, 'Blues'), { fileId: 7, action: 'correct', genres: ['Jazz', 'Blues'] }],
      [decisionFor('addGenre', { ...t, suggested: null, accepts: [] }, 'Blues'), { fileId: 7, action: 'correct', genres: ['Rock', 'Blues'] }],
      [decisionFor('accept', set), { fileId: 8, action: 'accept', genres: ['Classical', 'Orchestral', 'Video Game Music'] }],
      [decisionFor('addGenre', set, 'Chiptune'), { fileId: 8, action: 'correct', genres: ['Classical', 'Orchestral', 'Video Game Music', 'Chiptune'] }],
      [decisionFor('addGenre', { ...t, decided: ['Jazz'] }, 'jazz'), { fileId: 7, action: 'correct', genres: ['Jazz'] }],
    ] as const;
    for (const [got, want] of cases) {
      assert.deepEqual(got, want);
      assert.ok(DecideSchema.safeParse(got).success, JSON.stringify(got));
    }
  });

  it('cannot accept without a suggestion, nor correct without a pick', () => {
    assert.equal(decisionFor('accept', { ...t, suggested: null, accepts: [] }), null);
    assert.equal(decisionFor('accept', { ...t, accepts: [] }), null, 'a suggestion of hidden genres only records nothing');
    // "yours": the personal model's suggestion, recorded as an accepted suggestion
    assert.deepEqual(decisionFor('acceptYours', { ...t, personal: { genre: 'Shoegaze' } }), { fileId: 7, action: 'accept', genres: ['Shoegaze'] });
    assert.equal(decisionFor('acceptYours', t), null);
    assert.equal(decisionFor('correct', t), null);
    assert.equal(decisionFor('addGenre', t, ''), null);
  });

  it('moves the cursor within the list and on to the next track to review', () => {
    assert.equal(moveCursor(-1, 'next', 10, 5), 0);
    assert.equal(moveCursor(9, 'next', 10, 5), 9);
    assert.equal(moveCursor(0, 'prev', 10, 5), 0);
    assert.equal(moveCursor(2, 'pageDown', 10, 5), 7);
    assert.equal(moveCursor(8, 'pageDown', 10, 5), 9);
    assert.equal(moveCursor(3, 'last', 10, 5), 9);
    assert.equal(moveCursor(3, 'next', 0, 5), -1);
    const statuses: (ReviewStatus | undefined)[] = ['accepted', 'written', undefined, 'rejected', 'unsure', 'suggested'];
    assert.equal(nextToReview(0, statuses.length, (i) => statuses[i]), 4);
    assert.equal(nextToReview(4, statuses.length, (i) => statuses[i]), 5);
    assert.equal(nextToReview(5, statuses.length, (i) => statuses[i]), -1);
    assert.equal(afterDecision(3, 10, true), 4);
    assert.equal(afterDecision(9, 10, true), 9);
    assert.equal(afterDecision(3, 10, false), 3);
  });
});

describe('virtual table', () => {
  it('renders only the rows on screen plus overscan, at any depth of 100,000 rows', () => {
    assert.deepEqual(visibleRange(0, 280, 28, 100_000, 5), { start: 0, end: 16 });
    assert.deepEqual(visibleRange(28 * 50_000, 280, 28, 100_000, 5), { start: 49_995, end: 50_016 });
    assert.deepEqual(visibleRange(28 * 99_995, 280, 28, 100_000, 5), { start: 99_990, end: 100_000 });
    assert.deepEqual(visibleRange(0, 280, 28, 0), { start: 0, end: 0 });
    assert.deepEqual(pagesFor({ start: 190, end: 410 }, 200), [0, 1, 2]);
    assert.deepEqual(pagesFor({ start: 0, end: 0 }, 200), []);
    assert.equal(scrollToReveal(10, 0, 280, 28), 28 * 11 - 280);
    assert.equal(scrollToReveal(3, 0, 280, 28), null);
    assert.equal(scrollToReveal(3, 200, 280, 28), 84);
  });

  it('ignores pages that arrive for an older query and keeps stale rows visible until refreshed', () => {
    const cache = new PageCache<{ id: number }>(2, 3);
    const g1 = cache.generation;
    assert.deepEqual(cache.claimMissing([0, 1]), [0, 1]);
    assert.deepEqual(cache.claimMissing([0, 1]), [], 'on their way already');
    assert.ok(cache.put(g1, 0, [{ id: 1 }, { id: 2 }]));
    const g2 = cache.reset();
    assert.equal(cache.put(g1, 1, [{ id: 3 }, { id: 4 }]), false, 'a slow page of the old filter');
    assert.equal(cache.row(2), undefined);
    cache.claimMissing([0]);
    cache.put(g2, 0, [{ id: 10 }, { id: 11 }]);
    cache.invalidate();
    assert.equal(cache.row(1)?.id, 11, 'stale rows stay on screen');
    assert.deepEqual(cache.claimMissing([0]), [0], 'but are fetched again');
    assert.ok(cache.update((r) => r.id === 11, (r) => ({ id: r.id + 100 })));
    assert.equal(cache.indexOf((r) => r.id === 111), 1);
    for (let p = 1; p <= 4; p++) cache.put(cache.generation, p, [{ id: p * 2 }, { id: p * 2 + 1 }]);
    assert.equal(cache.row(0), undefined, 'least recently stored page dropped beyond the limit');
  });
});

describe('genre type-ahead', () => {
  const vocab = [
    { genre: 'Rock', uses: 500 }, { genre: 'Hard Rock', uses: 40 }, { genre: 'Progressive Rock', uses: 90 }, { genre: 'Rockabilly', uses: 3 },
    { genre: 'Electronic', uses: 200 }, { genre: 'Électro-swing', uses: 5 }, { genre: 'Drone', uses: 2, hidden: true },
  ];

  it('ranks exact, then prefix, then word-start, then substring matches, by use', () => {
    assert.deepEqual(rankGenres('rock', vocab).map((o) => o.genre), ['Rock', 'Rockabilly', 'Progressive Rock', 'Hard Rock']);
    assert.deepEqual(rankGenres('elec', vocab).map((o) => o.genre), ['Electronic', 'Électro-swing', 'elec']);
    assert.equal(rankGenres('swing', vocab)[0]?.genre, 'Électro-swing');
  });

  it('never offers hidden genres, offers what was typed as new, and refuses separators', () => {
    assert.ok(!rankGenres('dro', vocab).some((o) => o.genre === 'Drone' && !o.isNew));
    assert.deepEqual(rankGenres('Shoegaze ', vocab), [{ genre: 'Shoegaze', isNew: true }]);
    assert.deepEqual(rankGenres('rock', vocab).filter((o) => o.isNew), [], 'an existing name is not new');
    assert.deepEqual(rankGenres('a;b', vocab).filter((o) => o.isNew), []);
    assert.equal(rankGenres('', vocab, 3).length, 3);
  });
});

describe('spectrogram time axes', () => {
  const excerpts = [{ startSec: 30, durationSec: 10 }, { startSec: 90, durationSec: 10 }, { startSec: 150, durationSec: 10 }];

  it('maps track time to the picture of side-by-side excerpts and back', () => {
    const segs = imageSegments(excerpts);
    const cols = Math.ceil(10 * IMAGE_COLUMNS_PER_SEC);
    const width = 3 * cols + 2 * 2;
    assert.equal(segs.length, 3);
    assert.ok(Math.abs(segs[1]!.x - (cols + 2) / width) < 1e-12);
    assert.equal(imageXForTime(10, segs), null, 'before the first excerpt');
    assert.equal(imageXForTime(30, segs), 0);
    const x = imageXForTime(95, segs)!;
    assert.ok(Math.abs(timeForImageX(x, segs)! - 95) < 1e-9);
    assert.equal(imageXForTime(120, segs), null, 'between excerpts');
    assert.equal(timeForImageX(segs[1]!.x - 0.5 / width, segs), 90, 'a click on a separator starts the next excerpt');
  });

  it('labels each excerpt with its best genre and sorts the probability bars', () => {
    const p: GenrePrediction = {
      modelId: 'm', modelVersion: '1', genres: ['jazz', 'metal', 'pop'], probabilities: { jazz: 0.2, metal: 0.7, pop: 0.1 },
      top: [{ genre: 'metal', probability: 0.7 }], unsure: false,
      excerpts: [{ startSec: 30, durationSec: 3, probabilities: [0.8, 0.1, 0.1] }, { startSec: 90, durationSec: 3, probabilities: [0.1, 0.85, 0.05] }],
    };
    assert.deepEqual(excerptLabels(p).map((l) => l.genre), ['jazz', 'metal']);
    assert.deepEqual(excerptLabels(p, (g) => g.toUpperCase())[1], { startSec: 90, durationSec: 3, genre: 'METAL', probability: 0.85 });
    assert.deepEqual(probabilityBars(p).map((b) => b.genre), ['metal', 'jazz', 'pop']);
    assert.deepEqual(excerptLabels(null), []);
    assert.equal(genreHue('Rock'), genreHue('rock'));
    assert.ok(genreHue('Rock') >= 0 && genreHue('Rock') < 360);
  });
});

describe('formatting', () => {
  it('reads like a person would say it', () => {
    assert.equal(formatDuration(59.6), '1:00');
    assert.equal(formatDuration(3725), '1:02:05');
    assert.equal(formatDuration(null), '–');
    assert.equal(formatEta(null), 'estimating…');
    assert.equal(formatEta(3), 'almost done');
    assert.equal(formatEta(42), '40 s left');
    assert.equal(formatEta(600), '10 min left');
    assert.equal(formatEta(7500), '2 h 5 min left');
    assert.equal(formatRate(0, 'files'), '– files/s');
    assert.equal(formatRate(3.14, 'tracks'), '3.1 tracks/s');
    assert.equal(formatRate(1234.4, 'files'), '1234 files/s');
    assert.equal(formatPercent(0.853), '85 %');
    assert.equal(shortPath('/home/me/Music/A/B/song.mp3', 2), '…/B/song.mp3');
  });
});
