// The person's genre vocabulary: the genres in their files, in their decisions and those the model can
// suggest (under the person's spelling), with rename, merge and hide. Renaming a genre records a decision
// for every file that has it, so the next write puts the new name into the files (after a dry run).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Db } from '../db/open.js';
import { DecisionStore } from '../db/decisions.js';
import { MODEL_GENRES } from '../../shared/genres-model.js';

/** What the person chose about names; kept in a small JSON file beside the database. */
export interface VocabularySettings {
  /** model genre (lower case, as the model names it) → the person's name for it */
  modelNames: Record<string, string>;
  /** genres (lower case) not offered in pickers and suggestions */
  hidden: string[];
}

const EMPTY: VocabularySettings = { modelNames: {}, hidden: [] };

export function vocabularySettingsPath(dbPath: string): string | null {
  if (dbPath === ':memory:') return null;
  return join(dirname(dbPath), `${basename(dbPath, extname(dbPath)) || 'library'}.vocabulary.json`);
}

/** "hip-hop" → "Hip-Hop", "r&b" → "R&B": how a model genre is shown when the library has no spelling of it. */
export function titleCase(genre: string): string {
  return genre.replace(/(^|[\s\-/&])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase()).replace(/^R&b$/i, 'R&B');
}

export class VocabularyStore {
  private settings: VocabularySettings;

  constructor(private readonly db: Db, private readonly file: string | null) {
    this.settings = { ...EMPTY, modelNames: {}, hidden: [] };
    if (file) {
      try {
        const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<VocabularySettings>;
        this.settings = {
          modelNames: typeof raw.modelNames === 'object' && raw.modelNames ? { ...raw.modelNames } : {},
          hidden: Array.isArray(raw.hidden) ? raw.hidden.filter((h): h is string => typeof h === 'string') : [],
        };
      } catch {
        // no file yet (or unreadable): start from the defaults; the next change writes a fresh one
      }
    }
  }

  private save(): void {
    if (!this.file) return;
    const tmp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(this.settings, null, 2));
    renameSync(tmp, this.file);
  }

  isHidden(genre: string): boolean {
    return this.settings.hidden.includes(genre.toLowerCase());
  }

  setHidden(genre: string, hidden: boolean): void {
    const key = genre.toLowerCase();
    this.settings.hidden = this.settings.hidden.filter((h) => h !== key);
    if (hidden) this.settings.hidden.push(key);
    this.save();
  }

  /** Genres in the files now (readable files), by name as spelled most often. */
  genresInFiles(): Map<string, { name: string; files: number }> {
    const rows = this.db
      .prepare(`SELECT g.genre AS genre, count(DISTINCT g.file_id) AS n FROM file_genres g JOIN files f ON f.id = g.file_id
        WHERE f.status != 'missing' GROUP BY g.genre COLLATE NOCASE`)
      .all() as { genre: string; n: number }[];
    return new Map(rows.map((r) => [r.genre.toLowerCase(), { name: r.genre, files: r.n }]));
  }

  genresDecided(): Map<string, { name: string; files: number }> {
    if (!this.hasTable('decisions')) return new Map();
    const rows = this.db
      .prepare(`SELECT je.value AS genre, count(*) AS n FROM decisions d, json_each(d.genres) je
        WHERE d.id IN (SELECT max(id) FROM decisions GROUP BY file_id) GROUP BY je.value COLLATE NOCASE`)
      .all() as { genre: string; n: number }[];
    return new Map(rows.map((r) => [r.genre.toLowerCase(), { name: r.genre, files: r.n }]));
  }

  /** The person's name for a model genre: their explicit choice, else the library's spelling, else Title Case. */
  displayName(modelGenre: string, inFiles = this.genresInFiles()): string {
    const key = modelGenre.toLowerCase();
    const chosen = this.settings.modelNames[key];
    if (chosen) return chosen;
    return inFiles.get(key)?.name ?? titleCase(modelGenre);
  }

  /** model genre → display name, for every genre the model knows. */
  modelNameMap(): Map<string, string> {
    const inFiles = this.genresInFiles();
    return new Map(MODEL_GENRES.map((g) => [g, this.displayName(g, inFiles)]));
  }

  /**
   * Rename `from` to `to` everywhere: model suggestions shown as `from` are shown as `to`; every file whose
   * tags or latest decision have `from` gets a decision with `to` in its place. Returns the files changed.
   */
  rename(from: string, to: string, now = Date.now()): number {
    const fromKey = from.toLowerCase();
    for (const g of MODEL_GENRES) {
      if (this.displayName(g).toLowerCase() === fromKey) this.settings.modelNames[g] = to;
    }
    this.save();
    if (fromKey === to.toLowerCase() && from === to) return 0;
    if (!this.hasTable('decisions')) return 0;
    const decisions = new DecisionStore(this.db);
    const replace = (list: string[]) => {
      const out: string[] = [];
      for (const g of list) {
        const v = g.toLowerCase() === fromKey ? to : g;
        if (!out.some((o) => o.toLowerCase() === v.toLowerCase())) out.push(v);
      }
      return out;
    };
    type Candidate = { id: number; genres: string; d_genres: string | null; d_source: string | null };
    const candidates = this.db
      .prepare(`SELECT f.id, f.genres, d.genres AS d_genres, d.source AS d_source FROM files f
        LEFT JOIN decisions d ON d.id = (SELECT max(id) FROM decisions WHERE file_id = f.id)
        WHERE f.status = 'ok' AND (f.id IN (SELECT file_id FROM file_genres WHERE genre = ?)
          OR f.id IN (SELECT d2.file_id FROM decisions d2, json_each(d2.genres) je
                      WHERE d2.id = (SELECT max(id) FROM decisions WHERE file_id = d2.file_id) AND je.value = ? COLLATE NOCASE))`)
      .all(from, from) as Candidate[];
    let changed = 0;
    this.db.transaction(() => {
      for (const c of candidates) {
        // a pending (unwritten, not rejected) decision is the base; otherwise the file's own genres
        const base = c.d_genres != null && c.d_source !== 'rejected' ? (JSON.parse(c.d_genres) as string[]) : (JSON.parse(c.genres) as string[]);
        if (!base.some((g) => g.toLowerCase() === fromKey)) continue;
        const next = replace(base);
        if (c.d_genres != null && JSON.stringify(next) === c.d_genres) continue;
        decisions.record(c.id, next, 'corrected', now);
        changed++;
      }
    })();
    return changed;
  }

  private hasTable(name: string): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) != null;
  }
}
