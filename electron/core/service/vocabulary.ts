// The vocabulary feature: the person's names for the default model's genres (model "hip-hop" is shown as their
// "Hip-Hop", and back), the genre list with counts, and rename / merge / hide. The name map looks at every
// genre in the library, so it is kept until a scan, a write or a vocabulary change can have altered it.
import type { GenrePrediction } from '../../shared/genres-model.js';
import { idsAtDepth, idsWithStyles, matchVocabulary, vocabularyEntry, vocabularyPath } from '../../shared/genre-vocabulary.js';
import type { LibraryRow, SuggestedGenre, SuggestionSource, VocabularyChange, VocabularyEntry } from '../../shared/api.js';
import { PredictionStore } from '../db/predictions.js';
import type { VocabularyStore } from '../db/vocabulary.js';
import type { EngineContext } from './context.js';
import { requireGenreName } from './genre-name.js';

/** The default model's genre names ↔ the person's. */
export interface GenreNames {
  /** model genre → the person's name for it */
  show(modelGenre: string): string;
  /** the person's name (any case, or any spelling the vocabulary knows) → model genre; a name the model does not know comes back unchanged */
  model(display: string): string;
  /**
   * The model genres a suggestion must hold for a track to count as "suggested <display>": the genre the name
   * means and its styles ("Classical": classical, opera, orchestral). Every "suggested G" filter asks this.
   */
  matching(display: string): string[];
  /** the person's names of every model genre */
  all: string[];
  /** "Electronic › Drum & Bass" under the person's names: how a suggestion is shown */
  label(modelGenre: string): string;
  /**
   * What accepting these suggestions writes: each at the depth the person tags at (genre, genre + style, style;
   * the setting as it is now), in their names, without repeats.
   */
  written(modelGenres: readonly string[]): string[];
}

/** Library changes after which the genre names are still right (they do not touch tags or names). */
const NAMES_KEPT_ON = new Set(['decision', 'analysis', 'personal']);

export interface VocabularyHooks {
  /** which model's suggestions are counted (null: none yet) */
  modelId(): string | null;
  /** decisions were recorded (a rename records them) */
  decisionsRecorded(): void;
  /** hidden genres changed: suggestions that offered them are made again */
  hiddenChanged(): void;
}

export class VocabularyService {
  private cached: GenreNames | null = null;

  constructor(private readonly ctx: EngineContext, readonly store: VocabularyStore, private readonly hooks: VocabularyHooks) {
    ctx.events.subscribe((e) => {
      if (e.type === 'library-changed' && !NAMES_KEPT_ON.has(e.reason)) this.cached = null;
    });
  }

  names(): GenreNames {
    if (this.cached) return this.cached;
    const map = this.store.modelNameMap();
    const back = new Map([...map].map(([m, d]) => [d.toLowerCase(), m]));
    const show = (g: string) => map.get(g) ?? g;
    const model = (d: string) => back.get(d.toLowerCase()) ?? matchVocabulary(d)?.id ?? d;
    this.cached = {
      show,
      model,
      matching: (d) => idsWithStyles(model(d)),
      all: [...map.values()],
      label: (g) => (vocabularyPath(g).length ? vocabularyPath(g).map((e) => show(e.id)).join(' › ') : show(g)),
      written: (genres) => {
        const depth = this.ctx.settings.get('genreDepth');
        const out: string[] = [];
        // a style in the set stands for its parent too ("Electronic" with "Drum & Bass": the style at this depth)
        const parents = new Set(genres.flatMap((g) => vocabularyPath(g).slice(0, -1).map((e) => e.id)));
        for (const g of genres.filter((x) => !parents.has(x))) {
          for (const id of idsAtDepth(g, depth)) {
            const name = show(id);
            if (!out.some((o) => o.toLowerCase() === name.toLowerCase())) out.push(name);
          }
        }
        return out;
      },
    };
    return this.cached;
  }

  /** A file's suggestion set by the default model (model genres, best first; [] when unsure or not analysed). */
  suggestionSet(fileId: number): { genre: string; probability: number }[] {
    const modelId = this.hooks.modelId();
    return modelId ? new PredictionStore(this.ctx.db).suggestionSet(fileId, modelId) : [];
  }

  /** What accepting a file's suggestion records: its set at the depth setting, in the person's names, hidden genres left out. */
  accepts(fileId: number): string[] {
    return this.acceptsOf(this.suggestionSet(fileId).map((t) => t.genre), this.store.hiddenSet());
  }

  /** What accepting a suggestion set (model genres) records; `hidden`: the hidden genres, read once per batch. */
  private acceptsOf(modelGenres: readonly string[], hidden: ReadonlySet<string>): string[] {
    return this.names().written(modelGenres).filter((g) => !hidden.has(g.toLowerCase()));
  }

  /** A suggestion set (model genres) under the person's names, each with its parent ("Classical › Orchestral"). */
  showSet(set: readonly { genre: string; probability: number }[]): SuggestedGenre[] {
    const { show, label } = this.names();
    return set.map((t) => ({ genre: show(t.genre), label: label(t.genre), probability: t.probability }));
  }

  /**
   * Library rows as the person sees them: the default model's suggestion and set under their names, and what
   * accepting records (the personal model speaks their names already; accepting records its one genre).
   */
  showRows<R extends Pick<LibraryRow, 'suggested' | 'suggestions' | 'accepts'>>(rows: R[], source: SuggestionSource = 'default'): R[] {
    if (source === 'personal') {
      for (const r of rows) r.accepts = r.suggested ? [r.suggested] : [];
      return rows;
    }
    const { show } = this.names();
    const hidden = this.store.hiddenSet();
    for (const r of rows) {
      const set = r.suggestions.map((t) => t.genre);
      if (r.suggested) r.suggested = show(r.suggested);
      r.suggestions = this.showSet(r.suggestions);
      r.accepts = this.acceptsOf(set, hidden);
    }
    return rows;
  }

  /** A prediction of the default model under the person's genre names. */
  showPrediction(p: GenrePrediction): GenrePrediction {
    const { show } = this.names();
    return {
      ...p,
      genres: p.genres.map(show),
      probabilities: Object.fromEntries(Object.entries(p.probabilities).map(([g, v]) => [show(g), v])),
      top: p.top.map((t) => ({ ...t, genre: show(t.genre) })),
    };
  }

  /** Undecided files per suggested genre (the person's name, lower case). */
  suggestedCounts(): Map<string, number> {
    const modelId = this.hooks.modelId();
    if (!modelId) return new Map();
    const { show } = this.names();
    const rows = new PredictionStore(this.ctx.db).countSuggested(modelId, true);
    return new Map(rows.map((r) => [show(r.genre).toLowerCase(), r.n]));
  }

  /** Every genre in the files, the decisions and the model, most used first. */
  list(): VocabularyEntry[] {
    const inFiles = this.store.genresInFiles();
    const decided = this.store.genresDecided();
    const suggested = this.suggestedCounts();
    const modelNames = this.names().all;
    const model = new Set(modelNames.map((n) => n.toLowerCase()));
    const hidden = this.store.hiddenSet();
    const keys = new Set([...inFiles.keys(), ...decided.keys(), ...model]);
    const out: VocabularyEntry[] = [];
    const { model: idOf, show } = this.names();
    for (const key of keys) {
      const name = inFiles.get(key)?.name ?? decided.get(key)?.name ?? modelNames.find((n) => n.toLowerCase() === key) ?? key;
      // the vocabulary entry it is (the model's names, and a library's own spelling of one: "Drum and Bass")
      const entry = model.has(key) ? vocabularyEntry(idOf(name)) : undefined;
      const parent = entry?.parent ? show(entry.parent) : undefined;
      const aliases = entry ? [entry.name, ...entry.aliases].filter((a) => a.toLowerCase() !== key) : undefined;
      out.push({
        genre: name, inFiles: inFiles.get(key)?.files ?? 0, suggested: suggested.get(key) ?? 0, decided: decided.get(key)?.files ?? 0,
        hidden: hidden.has(name.toLowerCase()), model: model.has(key), ...(parent ? { parent } : {}), ...(aliases?.length ? { aliases } : {}),
      });
    }
    return out.sort((a, b) => b.inFiles + b.decided - (a.inFiles + a.decided) || a.genre.localeCompare(b.genre));
  }

  rename(from: string, to: string): VocabularyChange {
    return this.renamed(this.store.rename(from, requireGenreName(to)));
  }

  merge(from: readonly string[], into: string): VocabularyChange {
    into = requireGenreName(into);
    let filesChanged = 0;
    for (const g of from) if (g.toLowerCase() !== into.toLowerCase() || g !== into) filesChanged += this.store.rename(g, into);
    return this.renamed(filesChanged);
  }

  hide(genre: string, hidden: boolean): VocabularyChange {
    this.store.setHidden(genre, hidden);
    this.hooks.hiddenChanged();
    this.ctx.events.changed('vocabulary');
    return { filesChanged: 0 };
  }

  private renamed(filesChanged: number): VocabularyChange {
    this.ctx.events.changed('vocabulary');
    if (filesChanged) this.hooks.decisionsRecorded();
    return { filesChanged };
  }
}
