// Genre strings as found in tags: splitting joined multi-value strings and cleaning them into a list.

/**
 * Split the raw genre values read from one file into a clean list.
 * - `;` always separates values (beets and Picard join with "; ").
 * - `/` separates values only where the tag format uses it as a join (ID3v2.2/2.3 TCON),
 *   because elsewhere it is part of names such as "R&B/Soul".
 * - Values are trimmed, empties dropped, duplicates (case-insensitive) removed, order kept.
 */
export function splitGenres(values: readonly string[], opts: { slashJoins?: boolean } = {}): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    for (const part of value.split(opts.slashJoins ? /[;/\0]/ : /[;\0]/)) {
      const g = normalizeGenreName(part);
      if (!g) continue;
      const key = g.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(g);
    }
  }
  return out;
}

/** A genre name as it is kept: trimmed, each run of white space (line breaks and tabs too) one space. */
export function normalizeGenreName(name: string): string {
  return name.trim().replace(/\s+/g, ' ');
}

/** The longest genre name Spectag accepts, in characters (Unicode code points). */
export const MAX_GENRE_LENGTH = 200;

/** Half of a UTF-16 surrogate pair without its other half: not a character, and no tag encoding can store it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Control characters other than white space (which normalizeGenreName turns into a space): NUL, escapes, bells. */
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]/;

/** Text that no tag stores as it reads, or that the window cannot show (the name normalised). */
function genreTextProblem(g: string): string | null {
  if (!g) return 'a genre name may not be empty';
  if (LONE_SURROGATE.test(g)) {
    return 'a genre name must be valid Unicode text: it contains half of a character (a lone UTF-16 surrogate), which no tag can store';
  }
  // (counted by code point, but a string of many times the limit is not spread into an array to say so)
  const length = g.length > 4 * MAX_GENRE_LENGTH ? g.length : [...g].length;
  if (length > MAX_GENRE_LENGTH) return `a genre name may be at most ${MAX_GENRE_LENGTH} characters long (this one has ${length})`;
  if (g.includes(';')) return 'a genre name may not contain ";": tags use it to separate genres';
  if (CONTROL.test(g)) return 'a genre name may not contain control characters (NUL, terminal escapes, ...)';
  return null;
}

/**
 * Why a genre name cannot be decided, or null when it can: the one check for every way in (the window, web mode,
 * `spectag decide`, the vocabulary editor, the personal model's genres). Empty names, more than MAX_GENRE_LENGTH
 * characters, ";" (the separator in tags), control characters and broken Unicode are refused. A bare number ("17") or a name that starts with a
 * number in parentheses ("(17)", "(17)Rock", and "(RX)", "(CR)") is how ID3 tags (MP3, WAV, AIFF) refer to a
 * genre of the ID3v1 list: every tag reader shows that list's name instead ("Rock"), so such a genre could never
 * be read back as written. Refused rather than rewritten: the person may mean the name, or something else.
 * `nameOf` gives the ID3v1 list's name of a number, where the caller has the list.
 */
export function genreNameProblem(name: string, nameOf?: (n: number) => string | undefined): string | null {
  if (typeof name !== 'string') return 'a genre name must be text';
  const g = normalizeGenreName(name);
  const text = genreTextProblem(g);
  if (text) return text;
  const m = /^(\d+)$/.exec(g) ?? /^\((\d+|RX|CR)\)/i.exec(g);
  if (!m) return null;
  const code = m[1]!.toUpperCase();
  const meaning = code === 'RX' ? 'Remix' : code === 'CR' ? 'Cover' : nameOf?.(Number(code));
  const what = code === 'RX' || code === 'CR' ? `the ID3 code ${code}` : `genre number ${Number(code)} of the ID3v1 list`;
  return `"${g}" is how ID3 tags (MP3, WAV, AIFF) write ${what}: every tag reader would show ` +
    `${meaning ? `"${meaning}"` : 'that genre\'s name'} instead; give the genre's name`;
}
