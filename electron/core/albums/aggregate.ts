// One genre suggestion for an album out of its tracks' predictions: the mean of the tracks' probabilities per
// genre (whatever genres a prediction holds), a confidence that falls when the tracks disagree, and the tracks
// that clearly disagree (one metal track among folk songs), so they can be decided apart.

/** What one track says: its genre probabilities (null: not analysed). */
export interface TrackEvidence {
  fileId: number;
  probabilities: Readonly<Record<string, number>> | null;
}

export interface AlbumSuggestion {
  /** the album's genres, best first: the best one and those nearly as strongly and surely supported */
  genres: { genre: string; score: number }[];
  /** the best genre (null: no analysed track) */
  suggested: string | null;
  /** mean probability of the best genre over the analysed tracks: high only when the tracks agree on it */
  confidence: number | null;
  /** share of analysed tracks whose own best genre is (related to) the album's */
  agreement: number | null;
  /** the best genre's confidence is below the threshold: a question, not a suggestion */
  unsure: boolean;
  analysed: number;
  /** tracks whose own best genre is sure, unrelated to the album's genres, and the album's genre is weak in them */
  outliers: number[];
}

export interface AggregateOptions {
  /** below this confidence the album is unsure (the track model's threshold by default) */
  unsureBelow?: number;
  /** true when two genre ids are the same genre or one is the other's parent ("Electronic" / "Electronic › House") */
  related?: (a: string, b: string) => boolean;
}

/** A track is sure of its own genre from here (the model's confident threshold). */
const SURE = 0.6;
/** ... and the album's genre is weak in it below this share of its own genre's probability. */
const WEAK_SHARE = 0.35;
/** Secondary genres: at least this mean probability and this share of the best genre's. */
const SECOND_MIN = 0.5;
const SECOND_SHARE = 0.75;
/** Outliers are named only where the album has this many analysed tracks (with two, who is the stray?). */
const MIN_TRACKS_FOR_OUTLIERS = 3;

function best(p: Readonly<Record<string, number>>): [string, number] | null {
  let top: [string, number] | null = null;
  for (const [g, v] of Object.entries(p)) if (top == null || v > top[1]) top = [g, v];
  return top;
}

/** Mean probability per genre over these tracks (a genre a prediction lacks counts as 0 there). */
function meanScores(tracks: readonly Readonly<Record<string, number>>[]): Map<string, number> {
  const sum = new Map<string, number>();
  for (const p of tracks) for (const [g, v] of Object.entries(p)) sum.set(g, (sum.get(g) ?? 0) + v);
  for (const [g, v] of sum) sum.set(g, v / tracks.length);
  return sum;
}

export function aggregateAlbum(tracks: readonly TrackEvidence[], opts: AggregateOptions = {}): AlbumSuggestion {
  const related = opts.related ?? ((a: string, b: string) => a === b);
  const unsureBelow = opts.unsureBelow ?? SURE;
  const analysed = tracks.filter((t): t is TrackEvidence & { probabilities: Record<string, number> } => t.probabilities != null);
  if (!analysed.length) return { genres: [], suggested: null, confidence: null, agreement: null, unsure: false, analysed: 0, outliers: [] };
  const ranked = [...meanScores(analysed.map((t) => t.probabilities))].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const [top, topScore] = ranked[0]!;
  const genres = [{ genre: top, score: topScore }];
  for (const [g, s] of ranked.slice(1)) {
    if (s >= SECOND_MIN && s >= SECOND_SHARE * topScore) genres.push({ genre: g, score: s });
  }
  const own = analysed.map((t) => ({ t, own: best(t.probabilities)! }));
  const agreeing = own.filter((o) => genres.some((g) => related(o.own[0], g.genre))).length;
  const outliers: number[] = [];
  if (analysed.length >= MIN_TRACKS_FOR_OUTLIERS) {
    for (const { t, own: [g, p] } of own) {
      if (p < SURE || genres.some((x) => related(g, x.genre))) continue;
      if ((t.probabilities[top] ?? 0) > WEAK_SHARE * p) continue;
      // the album's genre must stand without this track: it is the best of the others too, and most of them agree
      const others = analysed.filter((o) => o !== t).map((o) => o.probabilities);
      const rest = [...meanScores(others)].sort((a, b) => b[1] - a[1])[0];
      const restAgree = own.filter((o) => o.t !== t && related(o.own[0], top)).length;
      if (rest && related(rest[0], top) && restAgree * 2 > others.length) outliers.push(t.fileId);
    }
  }
  return {
    genres, suggested: top, confidence: topScore, agreement: agreeing / analysed.length,
    unsure: topScore < unsureBelow, analysed: analysed.length, outliers,
  };
}
