// The album suggestion over predictions of any genre vocabulary: a genre set when a multi-label model hears two
// genres on most tracks, a style and its parent genre agreeing (no stray), the stray only where the rest of the
// album stands without it, and the personal model's album suggestion only where it offers that genre.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateAlbum } from '../../electron/core/albums/aggregate.js';
import { deriveAlbum, relatedGenres } from '../../electron/core/service/albums.js';
import type { AlbumEvidenceRow } from '../../electron/core/db/albums.js';

const track = (fileId: number, probabilities: Record<string, number> | null) => ({ fileId, probabilities });

describe('album aggregation', () => {
  it('suggests a genre set when most tracks hear two genres (multi-label), with a confidence that falls with disagreement', () => {
    const a = aggregateAlbum([
      track(1, { electronic: 0.9, house: 0.8, rock: 0.1 }), track(2, { electronic: 0.85, house: 0.75, rock: 0.05 }),
      track(3, { electronic: 0.8, house: 0.7, rock: 0.2 }), track(4, null),
    ], { related: relatedGenres });
    assert.deepEqual(a.genres.map((g) => g.genre), ['electronic', 'house']);
    assert.equal(a.analysed, 3, 'a track not analysed yet does not count');
    assert.ok(Math.abs(a.confidence! - 0.85) < 1e-9);
    const split = aggregateAlbum([track(1, { jazz: 0.9, blues: 0.1 }), track(2, { jazz: 0.1, blues: 0.9 }), track(3, { jazz: 0.7, blues: 0.3 })]);
    assert.equal(split.suggested, 'jazz');
    assert.ok(split.confidence! < 0.6 && split.unsure, 'two of three tracks agree: unsure');
    assert.ok(Math.abs(split.agreement! - 2 / 3) < 1e-9);
  });

  it('does not call a style of the album\'s genre a stray, but does flag an unrelated sure track', () => {
    const tracks = [
      track(1, { electronic: 0.8, 'drum-and-bass': 0.1, metal: 0.1 }), track(2, { electronic: 0.7, 'drum-and-bass': 0.2, metal: 0.1 }),
      track(3, { electronic: 0.75, 'drum-and-bass': 0.15, metal: 0.1 }), track(4, { electronic: 0.2, 'drum-and-bass': 0.75, metal: 0.05 }),
      track(5, { electronic: 0.05, 'drum-and-bass': 0.05, metal: 0.9 }),
    ];
    const a = aggregateAlbum(tracks, { related: relatedGenres });
    assert.equal(a.suggested, 'electronic');
    assert.deepEqual(a.outliers, [5]);
    assert.equal(a.agreement, 0.8, 'drum and bass is electronic');
    assert.deepEqual(aggregateAlbum(tracks).outliers.sort(), [4, 5], 'without the vocabulary\'s parents both differ');
  });

  it('names no stray in an album of two, nor where the rest does not agree without it', () => {
    assert.deepEqual(aggregateAlbum([track(1, { folk: 0.9, metal: 0.1 }), track(2, { folk: 0.05, metal: 0.95 })]).outliers, []);
    const mixed = aggregateAlbum([track(1, { folk: 0.9, metal: 0.05, jazz: 0.05 }), track(2, { folk: 0.05, metal: 0.9, jazz: 0.05 }), track(3, { folk: 0.05, metal: 0.05, jazz: 0.9 })]);
    assert.deepEqual(mixed.outliers, [], 'three tracks, three genres: nobody is the stray');
  });

  it('offers the personal model\'s album suggestion only where it offers that genre', () => {
    const row = (fileId: number, personal: AlbumEvidenceRow['personal']): AlbumEvidenceRow => ({
      albumId: 1, fileId, genres: [], probabilities: { rock: 0.9, jazz: 0.1 }, personal, decided: false, written: false, choice: null,
    });
    const offered = deriveAlbum([
      row(1, { probabilities: { Shoegaze: 0.8, Rock: 0.2 }, offered: true, unsure: false }),
      row(2, { probabilities: { Shoegaze: 0.7, Rock: 0.3 }, offered: false, unsure: false }),
      row(3, null),
    ]);
    assert.deepEqual(offered.personal, { genre: 'Shoegaze', probability: 0.75 });
    assert.equal(offered.suggested, 'rock');
    const notOffered = deriveAlbum([row(1, { probabilities: { Shoegaze: 0.8, Rock: 0.2 }, offered: false, unsure: false })]);
    assert.equal(notOffered.personal, null);
  });

  it('derives the album status from the tracks its decision covers', () => {
    const row = (fileId: number, o: Partial<AlbumEvidenceRow>): AlbumEvidenceRow => ({
      albumId: 1, fileId, genres: ['Rock'], probabilities: { rock: 0.9 }, personal: null, decided: false, written: false, choice: null, ...o,
    });
    assert.equal(deriveAlbum([row(1, {}), row(2, {})]).status, 'suggested');
    assert.equal(deriveAlbum([row(1, { decided: true }), row(2, {})]).status, 'partly-decided');
    assert.equal(deriveAlbum([row(1, { decided: true }), row(2, { choice: 'out' })]).status, 'decided', 'a track moved out does not hold the album back');
    assert.equal(deriveAlbum([row(1, { decided: true, written: true }), row(2, { decided: true, written: true })]).status, 'written');
    assert.equal(deriveAlbum([row(1, { probabilities: null, genres: [] })]).status, 'unanalysed');
    assert.equal(deriveAlbum([row(1, { probabilities: null, genres: [] })]).untagged, 1);
  });
});
