// Type-ahead over the genre vocabulary for the review's genre picker: word-start matches before substring
// matches (of the name, then of its other spellings: "dnb" finds Drum & Bass), then the genres used most; hidden
// genres are never offered; what was typed can be a new genre.

export interface PickerGenre {
  genre: string;
  /** how much it is used (files with it + decisions with it): the tie-breaker */
  uses: number;
  hidden?: boolean;
  /** a style's parent genre, shown beside it */
  parent?: string;
  /** other spellings that find it */
  aliases?: readonly string[];
}

export interface PickerOption {
  genre: string;
  parent?: string;
  /** true: not in the vocabulary yet; picking it adds it */
  isNew: boolean;
}

function fold(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Ranked options for what was typed (at most `limit`). */
export function rankGenres(query: string, vocabulary: readonly PickerGenre[], limit = 8): PickerOption[] {
  const q = fold(query.trim());
  const visible = vocabulary.filter((v) => !v.hidden);
  let scored: { v: PickerGenre; score: number }[];
  if (!q) {
    scored = visible.map((v) => ({ v, score: 0 }));
  } else {
    scored = [];
    for (const v of visible) {
      const name = fold(v.genre);
      let score = -1;
      if (name === q) score = 3;
      else if (name.startsWith(q)) score = 2;
      else if (name.split(/[\s\-/&]+/).some((w) => w.startsWith(q))) score = 1;
      else if (name.includes(q)) score = 0;
      // another spelling: just below the same kind of match on the name
      for (const a of (v.aliases ?? []).map(fold)) {
        if (a === q || a.startsWith(q)) score = Math.max(score, 1.5);
        else if (a.split(/[\s\-/&]+/).some((w) => w.startsWith(q))) score = Math.max(score, 0.5);
      }
      if (score >= 0) scored.push({ v, score });
    }
  }
  scored.sort((a, b) => b.score - a.score || b.v.uses - a.v.uses || a.v.genre.localeCompare(b.v.genre));
  const out: PickerOption[] = scored.slice(0, limit).map((s) => ({ genre: s.v.genre, isNew: false, ...(s.v.parent ? { parent: s.v.parent } : {}) }));
  const typed = query.trim().replace(/\s+/g, ' ');
  const exact = vocabulary.some((v) => fold(v.genre) === q || (v.aliases ?? []).some((a) => fold(a) === q));
  if (typed && !exact && !/[;\0]/.test(typed)) out.push({ genre: typed, isNew: true });
  return out;
}
