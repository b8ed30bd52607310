// Honest validation of the personal model: folds built from whole groups (an album, else an artist, else an
// album-like folder, else one track), so no album is on both sides; per-genre precision/recall of the
// personal model and of the default model on the same held-out tracks.
import type { GenreScore } from '../../shared/personal.js';
import { rng, shuffleInPlace } from './train.js';

/**
 * Deals whole groups to `folds` folds, keeping every genre spread over the folds: groups are taken
 * largest first (ties in seeded random order), each into the fold that has the fewest tracks of the
 * group's main genre so far (then the fewest tracks overall).
 */
export function assignFolds(tracks: readonly { group: string; keys: readonly string[] }[], folds: number, seed: number): Int32Array {
  const groups = new Map<string, number[]>();
  tracks.forEach((t, i) => {
    const g = groups.get(t.group);
    if (g) g.push(i);
    else groups.set(t.group, [i]);
  });
  const list = [...groups.values()];
  shuffleInPlace(list, rng(seed));
  list.sort((a, b) => b.length - a.length); // stable: equal sizes keep the shuffled order
  const perGenre = new Map<string, number[]>();
  const total = new Array<number>(folds).fill(0);
  const out = new Int32Array(tracks.length);
  for (const members of list) {
    const votes = new Map<string, number>();
    for (const i of members) for (const k of tracks[i]!.keys) votes.set(k, (votes.get(k) ?? 0) + 1);
    const main = [...votes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? '';
    const counts = perGenre.get(main) ?? new Array<number>(folds).fill(0);
    perGenre.set(main, counts);
    let best = 0;
    for (let f = 1; f < folds; f++) {
      if (counts[f]! < counts[best]! || (counts[f] === counts[best] && total[f]! < total[best]!)) best = f;
    }
    for (const i of members) out[i] = best;
    counts[best]! += members.length;
    total[best]! += members.length;
  }
  return out;
}

/**
 * Top-1 scores over held-out tracks: `truth[i]` the genres a track has, `predicted[i]` the one genre a
 * model put first (null: none of the scored genres). A track counts as right when its best genre is one
 * of its genres.
 */
export function scoreTopOne(truth: readonly (readonly string[])[], predicted: readonly (string | null)[], keys: readonly string[]): {
  accuracy: number;
  perGenre: Map<string, GenreScore & { heldOut: number }>;
} {
  let right = 0;
  const per = new Map(keys.map((k) => [k, { heldOut: 0, predicted: 0, correct: 0 }]));
  truth.forEach((t, i) => {
    const p = predicted[i] ?? null;
    const ok = p != null && t.includes(p);
    if (ok) right++;
    for (const k of t) {
      const s = per.get(k);
      if (s) s.heldOut++;
    }
    if (p != null) {
      const s = per.get(p);
      if (s) {
        s.predicted++;
        if (ok) s.correct++;
      }
    }
  });
  const perGenre = new Map<string, GenreScore & { heldOut: number }>();
  for (const [k, s] of per) {
    const precision = s.predicted ? s.correct / s.predicted : null;
    const recall = s.heldOut ? s.correct / s.heldOut : 0;
    const f1 = precision != null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perGenre.set(k, { precision, recall, f1, predicted: s.predicted, correct: s.correct, heldOut: s.heldOut });
  }
  return { accuracy: truth.length ? right / truth.length : 0, perGenre };
}

/**
 * When the personal model's suggestion of a genre is offered: its held-out F1 for that genre is higher
 * than the default model's (0 when the default cannot name the genre) and it got at least one held-out
 * track right. Ties go to the default model, which is calibrated on far more data.
 */
export function offeredOver(personal: GenreScore, defaultScore: GenreScore): boolean {
  return personal.correct > 0 && personal.f1 > defaultScore.f1;
}
