// The person's genre vocabulary: the genres in their files, in their decisions and those the model can
// suggest (under the person's spelling), with rename, merge and hide. Renaming a genre records a decision
// for every file that has it, so the next write puts the new name into the files (after a dry run).
// The choices (renames of model genres, hidden genres) live in the database (migration 007).
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Db } from './open.js';
import { DecisionStore } from './decisions.js';
import { FileStore } from './files.js';
import { GENRE_VOCABULARY, matchVocabulary, vocabularyEntry } from '../../shared/genre-vocabulary.js';

/** Every genre the default model can suggest: the ids of the genre vocabulary. */
const MODEL_GENRES: readonly string[] = GENRE_VOCABULARY.map((e) => e.id);

/** What the person chose about names. */
export interface VocabularySettings {
  /** model genre (lower case, as the model names it) → the person's name for it */
  modelNames: Record<string, string>;
  /** genres (lower case) not offered in pickers and suggestions */
  hidden: string[];
}

/**
 * Where Spectag up to schema version 6 kept these choices: a JSON file beside the database. Read once into
 * the database (see importLegacyVocabulary) and renamed to `*.imported`.
 */
export function vocabularySettingsPath(dbPath: string): string | null {
  if (dbPath === ':memory:') return null;
  return join(dirname(dbPath), `${basename(dbPath, extname(dbPath)) || 'library'}.vocabulary.json`);
}

/**
 * Moves the choices of a legacy JSON file into the database, keeping what the database already has (it is
 * newer), then renames the file to `<file>.imported` so it is read once and the person can see it is no
 * longer used. Returns what was imported; null when there was no file. An unreadable file is left alone.
 */
export function importLegacyVocabulary(db: Db, file: string, now = Date.now()): VocabularySettings | null {
  if (!existsSync(file)) return null;
  let raw: Partial<VocabularySettings>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<VocabularySettings>;
  } catch {
    return null;
  }
  const modelNames: Record<string, string> = {};
  if (typeof raw.modelNames === 'object' && raw.modelNames) {
    for (const [g, n] of Object.entries(raw.modelNames)) if (typeof n === 'string' && n.trim()) modelNames[g.toLowerCase()] = n.trim();
  }
  const hidden = Array.isArray(raw.hidden) ? raw.hidden.filter((h): h is string => typeof h === 'string' && h.trim() !== '').map((h) => h.toLowerCase()) : [];
  const name = db.prepare('INSERT INTO vocabulary_model_names(model_genre, name, updated_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  const hide = db.prepare('INSERT INTO vocabulary_hidden(genre, hidden_at) VALUES (?, ?) ON CONFLICT DO NOTHING');
  db.transaction(() => {
    for (const [g, n] of Object.entries(modelNames)) name.run(g, n, now);
    for (const h of hidden) hide.run(h, now);
  })();
  try {
    renameSync(file, `${file}.imported`);
  } catch {
    // a read-only folder: the import runs again next time and changes nothing (the database wins)
  }
  return { modelNames, hidden };
}

/** "hip-hop" → "Hip-Hop", "r&b" → "R&B": how a model genre is shown when the library has no spelling of it. */
export function titleCase(genre: string): string {
  return genre.replace(/(^|[\s\-/&])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase()).replace(/^R&b$/i, 'R&B');
}

export class VocabularyStore {
  /**
   * `legacyFile`: a JSON file of an older Spectag to import first (vocabularySettingsPath); it is renamed to
   * `*.imported` once its contents are in the database.
   */
  constructor(private readonly db: Db, legacyFile: string | null = null) {
    if (legacyFile) importLegacyVocabulary(db, legacyFile);
  }

  /** The choices as stored. */
  settings(): VocabularySettings {
    const names = this.db.prepare('SELECT model_genre AS g, name FROM vocabulary_model_names').all() as { g: string; name: string }[];
    return { modelNames: Object.fromEntries(names.map((r) => [r.g, r.name])), hidden: [...this.hiddenSet()] };
  }

  /** Hidden genres, lower case (read once per use: one query, not one per row). */
  hiddenSet(): Set<string> {
    return new Set(this.db.prepare('SELECT genre FROM vocabulary_hidden').pluck().all() as string[]);
  }

  isHidden(genre: string): boolean {
    return this.db.prepare('SELECT 1 FROM vocabulary_hidden WHERE genre = ?').get(genre.toLowerCase()) != null;
  }

  setHidden(genre: string, hidden: boolean, now = Date.now()): void {
    const key = genre.toLowerCase();
    if (hidden) this.db.prepare('INSERT INTO vocabulary_hidden(genre, hidden_at) VALUES (?, ?) ON CONFLICT DO NOTHING').run(key, now);
    else this.db.prepare('DELETE FROM vocabulary_hidden WHERE genre = ?').run(key);
  }

  /** Genres in the files now (readable files), by name as spelled most often. */
  genresInFiles(): Map<string, { name: string; files: number }> {
    return new Map(new FileStore(this.db).genreCounts().map((r) => [r.genre.toLowerCase(), { name: r.genre, files: r.files }]));
  }

  genresDecided(): Map<string, { name: string; files: number }> {
    const rows = this.db
      .prepare(`SELECT je.value AS genre, count(*) AS n FROM decisions d, json_each(d.genres) je
        WHERE d.id IN (SELECT max(id) FROM decisions GROUP BY file_id) GROUP BY je.value COLLATE NOCASE`)
      .all() as { genre: string; n: number }[];
    return new Map(rows.map((r) => [r.genre.toLowerCase(), { name: r.genre, files: r.n }]));
  }

  /**
   * How the library spells the vocabulary's entries: vocabulary id → the spelling in the most files among those
   * that mean it (its name or an alias, compared by genreKey: "Drum and Bass", "drum & bass", "DnB" all mean
   * drum-and-bass; "Hip Hop" means hip-hop). Also the person's decisions, for genres picked but not yet written.
   */
  librarySpellings(): Map<string, string> {
    const out = new Map<string, string>();
    const decided = [...this.genresDecided().values()].map((d) => ({ genre: d.name, files: d.files }));
    // one walk of the genre index (file_genres_by_genre covers it): the library's distinct spellings, most used first
    const inFiles = this.db.prepare('SELECT genre, count(*) AS files FROM file_genres GROUP BY genre').all() as { genre: string; files: number }[];
    const all = [...inFiles, ...decided].sort((a, b) => b.files - a.files || (a.genre < b.genre ? -1 : a.genre > b.genre ? 1 : 0));
    for (const { genre } of all) {
      const entry = matchVocabulary(genre);
      if (entry && !out.has(entry.id)) out.set(entry.id, genre);
    }
    return out;
  }

  /**
   * The person's name for a model genre: their explicit choice, else the library's spelling of it, else the
   * vocabulary's name ("Drum & Bass"), else Title Case.
   */
  displayName(modelGenre: string, spellings = this.librarySpellings(), chosen = this.settings().modelNames): string {
    const key = modelGenre.toLowerCase();
    return chosen[key] ?? spellings.get(key) ?? vocabularyEntry(key)?.name ?? titleCase(modelGenre);
  }

  /** model genre → display name, for every genre the model knows (the whole vocabulary). */
  modelNameMap(): Map<string, string> {
    const spellings = this.librarySpellings();
    const chosen = this.settings().modelNames;
    return new Map(MODEL_GENRES.map((g) => [g, this.displayName(g, spellings, chosen)]));
  }

  /**
   * Rename `from` to `to` everywhere: model suggestions shown as `from` are shown as `to`; every file whose
   * tags or latest decision have `from` gets a decision with `to` in its place. Returns the files changed.
   */
  rename(from: string, to: string, now = Date.now()): number {
    const fromKey = from.toLowerCase();
    const names = this.modelNameMap();
    const setName = this.db.prepare(`INSERT INTO vocabulary_model_names(model_genre, name, updated_at) VALUES (?, ?, ?)
      ON CONFLICT(model_genre) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at`);
    for (const g of MODEL_GENRES) {
      if (names.get(g)?.toLowerCase() === fromKey) setName.run(g, to, now);
    }
    if (fromKey === to.toLowerCase() && from === to) return 0;
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
}
