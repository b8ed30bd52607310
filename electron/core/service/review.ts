// The review feature: recording decisions (accept a suggestion, correct, reject; bulk accept above a
// confidence; a genre for the tracks "more like this"; `spectag decide`), and this session's undo. Every
// way in goes through record(): one normalisation of genre names, the person's names for the model's
// genres, the change event, and the retraining the personal model may then be due for.
import { resolve } from 'node:path';
import { SpectagApiError } from '../../shared/api-errors.js';
import { confidenceThresholds, defaultModelThresholds } from '../model/calibration.js';
import type { BulkAcceptInput, BulkAcceptPreview, DecideInput, LibraryRow, ReviewResult, SuggestionSource } from '../../shared/api.js';
import type { LibraryFile } from '../../shared/library.js';
import { splitGenres } from '../../shared/genres.js';
import type { DecisionSource } from '../../shared/tags.js';
import { DecisionStore, DecisionWrittenError, InvalidGenreError } from '../db/decisions.js';
import { FileStore } from '../db/files.js';
import type { LibraryView } from '../db/library-view.js';
import { PersonalStore } from '../db/personal.js';
import { PredictionStore } from '../db/predictions.js';
import type { AnalysisService } from './analysis.js';
import type { EngineContext } from './context.js';
import type { PersonalService } from './personal.js';
import type { VocabularyService } from './vocabulary.js';

/** Why a library file cannot be decided (null: it can): only files the scan read as audio get a genre. */
export function undecidableReason(f: LibraryFile): string | null {
  if (f.status === 'error') return `could not be read (${f.errorKind ?? 'error'}: ${f.errorMessage ?? 'unknown reason'}); no genre can be written into it`;
  if (f.status === 'missing') return 'missing: it was not found at the last scan (scan its folder again once it is back)';
  return null;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Files named by path on the command line, and what became of each. */
export interface FileDecisions {
  recorded: { path: string; fileId: number; decisionId: number; genres: string[]; confidence?: number | null }[];
  /** paths that are neither a library file nor a folder with scanned files */
  unknown: string[];
  /** library files that cannot be decided, with the reason (unreadable, missing) */
  refused: { path: string; reason: string }[];
  /** (accepting suggestions) files left undecided, with the reason: no suggestion, below the confidence, decided already */
  notAccepted: { path: string; reason: string }[];
}

/** How many review steps undo can take back. */
const UNDO_DEPTH = 1000;
/** Above this many files a change event asks for a full refresh instead of naming the rows. */
const NAMED_ROWS = 50;

export class ReviewService {
  private readonly decisions: DecisionStore;
  /** this session's review steps, newest last: what "undo" takes back (a bulk accept is one step) */
  private readonly undoStack: { decisionIds: number[]; fileIds: number[] }[] = [];

  constructor(
    private readonly ctx: EngineContext,
    private readonly view: LibraryView,
    private readonly parts: { vocabulary: VocabularyService; analysis: AnalysisService; personal: PersonalService },
  ) {
    this.decisions = new DecisionStore(ctx.db);
  }

  /**
   * Records `genres` (trimmed, blanks and repeats dropped; [] = leave the file as it is) for each file, as one
   * transaction; tells the window (`rows`: refresh just these files' rows, or, for many or a bulk step,
   * everything) and the personal model. Returns the decision ids, in file order.
   */
  private record(
    fileIds: readonly number[], genres: readonly string[] | ((fileId: number) => string[]), source: DecisionSource,
    rows: 'named' | 'all' = 'named',
  ): number[] {
    const now = Date.now();
    let ids: number[];
    try {
      ids = this.ctx.db.transaction(() =>
        fileIds.map((id) => this.decisions.record(id, splitGenres(typeof genres === 'function' ? genres(id) : genres), source, now)),
      )();
    } catch (err) {
      // a genre no tag could read back as written ("17", "(17)Rock"): the caller's input, named with the reason
      if (err instanceof InvalidGenreError) throw new SpectagApiError('invalid-input', err.message);
      throw err;
    }
    this.ctx.events.changed('decision', rows === 'named' && fileIds.length <= NAMED_ROWS ? [...fileIds] : null);
    this.parts.personal.scheduleRetrain();
    return ids;
  }

  private pushUndo(decisionIds: number[], fileIds: number[]): void {
    if (!decisionIds.length) return;
    this.undoStack.push({ decisionIds, fileIds });
    if (this.undoStack.length > UNDO_DEPTH) this.undoStack.shift();
  }

  private result(fileId: number): ReviewResult {
    return { fileId, decision: this.decisions.latest(fileId), status: this.view.row(fileId)?.status ?? 'unanalysed' };
  }

  /** One review step in the window: accept the suggestion (under the person's name for it), correct, reject. */
  decide(input: DecideInput): ReviewResult {
    const file = this.view.fileById(input.fileId);
    if (!file) throw new SpectagApiError('not-found', `no file with id ${input.fileId}`);
    const refused = undecidableReason(file);
    if (refused) throw new SpectagApiError('conflict', `${file.path}: ${refused}`);
    let genres: string[];
    if (input.action === 'reject') genres = [];
    else if (input.genres?.length) genres = input.genres;
    else {
      // the whole suggestion set, at the depth the person tags at, in their spellings
      genres = this.suggestedGenres(input.fileId);
      if (!genres.length) throw new SpectagApiError('conflict', 'there is no suggestion to accept for this file; pick a genre instead');
    }
    const source = input.action === 'accept' ? 'accepted' : input.action === 'reject' ? 'rejected' : 'corrected';
    this.pushUndo(this.record([input.fileId], genres, source), [input.fileId]);
    return this.result(input.fileId);
  }

  /**
   * The library files paths name (`spectag decide`): a file, or every file scanned under a folder. A path that
   * is neither is `unknown`. Files keep the order given, each once.
   */
  filesAt(paths: readonly string[]): { files: LibraryFile[]; unknown: string[] } {
    const store = new FileStore(this.ctx.db);
    const seen = new Set<number>();
    const files: LibraryFile[] = [];
    const unknown: string[] = [];
    for (const p of paths) {
      const abs = resolve(p);
      const one = store.getByPath(abs);
      const found = one ? [one] : store.filesUnder(abs);
      if (!found.length) unknown.push(abs);
      for (const f of found) if (!seen.has(f.id) && seen.add(f.id)) files.push(f);
    }
    return { files, unknown };
  }

  /**
   * `spectag decide`: the genres (or a rejection: none) for files named by path (a folder: every file scanned
   * under it), recorded together as one step. Files the scan could not read are refused, with the reason.
   */
  decideFiles(paths: readonly string[], genres: readonly string[] | 'reject'): FileDecisions {
    const { files, unknown } = this.filesAt(paths);
    const refused: FileDecisions['refused'] = [];
    const found: { path: string; fileId: number }[] = [];
    for (const f of files) {
      const reason = undecidableReason(f);
      if (reason) refused.push({ path: f.path, reason });
      else found.push({ path: f.path, fileId: f.id });
    }
    const chosen = genres === 'reject' ? [] : splitGenres(genres);
    const ids = this.record(found.map((f) => f.fileId), chosen, genres === 'reject' ? 'rejected' : 'cli');
    this.pushUndo(ids, found.map((f) => f.fileId));
    return { recorded: found.map((f, i) => ({ ...f, decisionId: ids[i]!, genres: chosen })), unknown, refused, notAccepted: [] };
  }

  /**
   * `spectag decide --accept-suggestions`: the same rule as the window's bulk accept (undecided files whose
   * suggestion, from the default or the personal model, reaches `minConfidence`; never a hidden genre), over
   * the files paths name, or the whole library when none are named. One review step. Every named file left
   * undecided is returned with the reason.
   */
  acceptSuggestions(paths: readonly string[] | null, minConfidence: number, suggestions: SuggestionSource = 'default'): FileDecisions {
    const candidates = this.bulkCandidates({ minConfidence, suggestions });
    let scope: LibraryFile[] | null = null;
    const unknown: string[] = [];
    const refused: FileDecisions['refused'] = [];
    if (paths) {
      const at = this.filesAt(paths);
      unknown.push(...at.unknown);
      scope = [];
      for (const f of at.files) {
        const reason = undecidableReason(f);
        if (reason) refused.push({ path: f.path, reason });
        else scope.push(f);
      }
    }
    const inScope = scope ? new Set(scope.map((f) => f.id)) : null;
    const chosen = inScope ? candidates.filter((c) => inScope.has(c.id)) : candidates;
    // the default model: each file's suggestion set members that reach the confidence, at the depth setting
    const genresOf = new Map(chosen.map((c) => [c.id, c.genres]));
    const fileIds = scope ? scope.filter((f) => genresOf.has(f.id)).map((f) => f.id) : chosen.map((c) => c.id);
    const ids = this.record(fileIds, (id) => genresOf.get(id)!, 'accepted', 'all');
    this.pushUndo(ids, fileIds);
    const rows = new Map(this.view.rows(scope ? scope.map((f) => f.id) : fileIds, suggestions).map((r) => [r.id, r]));
    const paths_ = scope ? new Map(scope.map((f) => [f.id, f.path])) : new Map([...rows].map(([id, r]) => [id, r.path]));
    const recorded = fileIds.map((id, i) => ({
      path: paths_.get(id)!, fileId: id, decisionId: ids[i]!, genres: [...genresOf.get(id)!], confidence: rows.get(id)?.confidence ?? null,
    }));
    const notAccepted = (scope ?? []).filter((f) => !genresOf.has(f.id)).map((f) => ({ path: f.path, reason: this.notAcceptedReason(rows.get(f.id), minConfidence, suggestions) }));
    return { recorded, unknown, refused, notAccepted };
  }

  /** What accepting a file's suggestion records: its suggestion set at the depth setting, in the person's names ([]: none). */
  suggestedGenres(fileId: number): string[] {
    return this.parts.vocabulary.accepts(fileId);
  }

  /** Why a file's suggestion was not accepted, from its review row before the step. */
  private notAcceptedReason(row: LibraryRow | undefined, minConfidence: number, source: SuggestionSource): string {
    switch (row?.status ?? 'unanalysed') {
      case 'unanalysed':
        return source === 'personal'
          ? 'your model offers no suggestion for it (it suggests only the genres where it beat the default model; `spectag learn` reports them)'
          : 'not analysed yet (`spectag analyze` listens to it)';
      case 'unsure':
        return 'unsure: the model has no confident suggestion for it';
      case 'error':
        return 'its analysis failed (`spectag doctor` lists why)';
      case 'suggested': {
        const genre = row?.suggested ?? '?';
        const shown = source === 'personal' ? genre : this.parts.vocabulary.names().show(genre);
        if ((row?.confidence ?? 0) < minConfidence) return `its suggestion ${shown} (${pct(row?.confidence ?? 0)}) is below --min-confidence ${pct(minConfidence)}`;
        return `its suggestion ${shown} is a hidden genre`;
      }
      default:
        return `already decided (${row!.status}); give --genre to decide it again`;
    }
  }

  /**
   * Decisions for several files as one review step (an album decision, a bulk accept of albums): one undo takes
   * them all back. Returns the decision ids, in file order.
   */
  decideStep(fileIds: readonly number[], genres: readonly string[] | ((fileId: number) => string[]), source: DecisionSource): number[] {
    const ids = this.record(fileIds, genres, source);
    this.pushUndo(ids, [...fileIds]);
    return ids;
  }

  /** Takes back this session's latest review step; null when there is none. */
  undoDecision(): ReviewResult | null {
    const last = this.undoStack.pop();
    if (!last) return null;
    const latestIds = new Set(last.fileIds.map((f) => this.decisions.latest(f)?.id));
    if (last.decisionIds.some((id) => !latestIds.has(id))) {
      throw new SpectagApiError('conflict', 'a file was decided again since; undo that first');
    }
    try {
      this.decisions.remove(last.decisionIds);
    } catch (err) {
      // a decision already written into the file is undone with the write batch, not here
      if (!(err instanceof DecisionWrittenError)) throw err;
      this.undoStack.push(last);
      throw new SpectagApiError('conflict', 'this decision is already written into the file; undo the write instead');
    }
    this.ctx.events.changed('decision', last.fileIds.length === 1 ? last.fileIds : null);
    return this.result(last.fileIds[0]!);
  }

  /**
   * Undecided files whose suggestions clear the confidence (hidden genres never), with the genres to record: the
   * members of the default model's suggestion set that clear it (in the person's names), or the personal
   * model's one genre.
   */
  private bulkCandidates(q: BulkAcceptInput): { id: number; genres: string[] }[] {
    const hidden = this.parts.vocabulary.store.hiddenSet();
    if (q.suggestions === 'personal') {
      // the personal model's offered, confident suggestions, already in the person's names
      return new PersonalStore(this.ctx.db).confidentUndecided(q.minConfidence, q.genre)
        .filter((r) => !hidden.has(r.genre.toLowerCase())).map((r) => ({ id: r.id, genres: [r.genre] }));
    }
    const modelId = this.parts.analysis.modelId;
    if (!modelId) return [];
    const names = this.parts.vocabulary.names();
    return new PredictionStore(this.ctx.db)
      .confidentUndecided(modelId, q.minConfidence, q.genre ? names.matching(q.genre) : undefined)
      .map((r) => ({ id: r.id, genres: names.written(r.genres).filter((g) => !hidden.has(g.toLowerCase())) }))
      .filter((r) => r.genres.length > 0);
  }

  bulkAcceptPreview(q: BulkAcceptInput): BulkAcceptPreview {
    const by = new Map<string, number>();
    const rows = this.bulkCandidates(q);
    for (const r of rows) for (const g of r.genres) by.set(g, (by.get(g) ?? 0) + 1);
    return {
      count: rows.length,
      byGenre: [...by].map(([genre, count]) => ({ genre, count })).sort((a, b) => b.count - a.count),
      // the levels of the model whose suggestions these are: the active personal head's, or the default head's
      thresholds: q.suggestions === 'personal'
        ? confidenceThresholds(new PersonalStore(this.ctx.db).active()?.head, defaultModelThresholds())
        : defaultModelThresholds(),
    };
  }

  /** Accepts them all as one review step (one undo takes the batch back). */
  bulkAccept(q: BulkAcceptInput): { accepted: number } {
    const rows = this.bulkCandidates(q);
    const genresOf = new Map(rows.map((r) => [r.id, r.genres]));
    const ids = this.record(rows.map((r) => r.id), (id) => genresOf.get(id)!, 'accepted', 'all');
    this.pushUndo(ids, rows.map((r) => r.id));
    return { accepted: ids.length };
  }

  /** "More like this": the genre for the chosen tracks, as one review step. */
  applyGenre(fileIds: readonly number[], genre: string): { decided: number } {
    const ids = [...new Set(fileIds)];
    const files = new FileStore(this.ctx.db);
    const missing = ids.filter((id) => files.getById(id)?.status !== 'ok');
    if (missing.length) throw new SpectagApiError('invalid-input', `not readable library files: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ' …' : ''}`);
    const decisionIds = this.record(ids, [genre.trim()], 'corrected');
    this.pushUndo(decisionIds, ids);
    return { decided: decisionIds.length };
  }
}
