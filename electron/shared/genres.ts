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
      const g = part.trim().replace(/\s+/g, ' ');
      if (!g) continue;
      const key = g.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(g);
    }
  }
  return out;
}
