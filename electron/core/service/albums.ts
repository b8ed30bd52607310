// The albums feature: the library grouped into albums after every scan, one suggestion per album aggregated
// from its tracks' predictions (and the personal model's where it offers one), the Albums view's rows, and
// album decisions (accept the album's suggestion, correct, reject, bulk accept by album confidence) recorded
// as one review step each through the review service, so undo, the write and the personal model see them.
import { sep } from 'node:path';
import { SpectagApiError } from '../../shared/api-errors.js';
import { defaultModelThresholds } from '../model/calibration.js';
import type {
  AlbumDecisionResult, AlbumDetails, AlbumPage, AlbumQuery, AlbumRow, AlbumStatus, AlbumTrack, BulkAcceptAlbumsInput,
  BulkAcceptAlbumsPreview, DecideAlbumInput,
} from '../../shared/api.js';
import { vocabularyPath } from '../../shared/genre-vocabulary.js';
import { aggregateAlbum } from '../albums/aggregate.js';
import { groupAlbums } from '../albums/grouping.js';
import { AlbumStore, type AlbumDerived, type AlbumEvidenceRow, type AlbumRecord } from '../db/albums.js';
import type { LibraryView } from '../db/library-view.js';
import type { AnalysisService } from './analysis.js';
import type { EngineContext } from './context.js';
import type { ReviewService } from './review.js';
import type { VocabularyService } from './vocabulary.js';

/** Same genre, or one is the other's parent in the shipped vocabulary ("electronic" / "drum-and-bass"). */
export function relatedGenres(a: string, b: string): boolean {
  if (a === b) return true;
  return vocabularyPath(a).some((e) => e.id === b) || vocabularyPath(b).some((e) => e.id === a);
}

/** The derived part of one album from its tracks' evidence. */
export function deriveAlbum(tracks: readonly AlbumEvidenceRow[]): AlbumDerived {
  const inFiles = new Map<string, { genre: string; tracks: number }>();
  for (const t of tracks) {
    for (const g of t.genres) {
      const e = inFiles.get(g.toLowerCase()) ?? inFiles.set(g.toLowerCase(), { genre: g, tracks: 0 }).get(g.toLowerCase())!;
      e.tracks++;
    }
  }
  const agg = aggregateAlbum(tracks.map((t) => ({ fileId: t.fileId, probabilities: t.probabilities })), { related: relatedGenres });
  // the personal model: aggregated the same way, shown where it offers the genre it comes to
  const withPersonal = tracks.filter((t) => t.personal != null);
  let personal: AlbumDerived['personal'] = null;
  if (withPersonal.length) {
    const p = aggregateAlbum(withPersonal.map((t) => ({ fileId: t.fileId, probabilities: t.personal!.probabilities })));
    const offered = withPersonal.some((t) => t.personal!.offered && bestOf(t.personal!.probabilities) === p.suggested);
    if (p.suggested && !p.unsure && offered) personal = { genre: p.suggested, probability: p.confidence ?? 0 };
  }
  const scope = tracks.filter((t) => t.choice !== 'out');
  const decided = scope.filter((t) => t.decided).length;
  const written = scope.filter((t) => t.written).length;
  let status: AlbumStatus;
  if (scope.length && written === scope.length) status = 'written';
  else if (scope.length && decided === scope.length) status = 'decided';
  else if (decided > 0) status = 'partly-decided';
  else if (agg.analysed === 0) status = 'unanalysed';
  else status = agg.unsure ? 'unsure' : 'suggested';
  return {
    genres: [...inFiles.values()].sort((a, b) => b.tracks - a.tracks || a.genre.localeCompare(b.genre)),
    untagged: tracks.filter((t) => t.genres.length === 0).length,
    analysed: agg.analysed, suggested: agg.suggested, suggestion: agg.genres, confidence: agg.confidence, agreement: agg.agreement,
    unsure: agg.unsure, outliers: agg.outliers, personal, decided, written, status,
  };
}

function bestOf(p: Readonly<Record<string, number>>): string | null {
  let top: string | null = null;
  for (const [g, v] of Object.entries(p)) if (top == null || v > p[top]!) top = g;
  return top;
}

export class AlbumService {
  readonly store: AlbumStore;

  constructor(
    private readonly ctx: EngineContext,
    private readonly view: LibraryView,
    private readonly parts: { analysis: AnalysisService; vocabulary: VocabularyService; review: ReviewService },
  ) {
    this.store = new AlbumStore(ctx.db);
    // a library scanned before albums existed (or by a Spectag without them) is grouped once here
    if (!ctx.db.prepare('SELECT 1 FROM album_tracks LIMIT 1').get() && ctx.db.prepare("SELECT 1 FROM files WHERE status = 'ok' LIMIT 1").get()) this.regroup();
  }

  /** Groups the library's readable tracks into albums again (after every scan). */
  regroup(): { albums: number; moved: number; removed: number } {
    return this.store.applyGroups(groupAlbums(this.store.groupingInput()));
  }

  /** Brings the stale albums' suggestions and statuses up to date (those whose tracks changed since). */
  refresh(): number {
    const modelId = this.parts.analysis.modelId;
    this.store.markModel(modelId);
    if (!this.store.hasStale()) return 0;
    const byAlbum = new Map<number, AlbumEvidenceRow[]>();
    for (const r of this.store.staleEvidence(modelId)) (byAlbum.get(r.albumId) ?? byAlbum.set(r.albumId, []).get(r.albumId)!).push(r);
    this.store.saveDerived(modelId, [...byAlbum].map(([id, tracks]) => ({ id, derived: deriveAlbum(tracks) })));
    return byAlbum.size;
  }

  /** An album under the person's genre names. */
  private row(a: AlbumRecord): AlbumRow {
    const { show } = this.parts.vocabulary.names();
    const { key: _key, ...rest } = a;
    return { ...rest, suggested: a.suggested ? show(a.suggested) : null, suggestion: a.suggestion.map((s) => ({ ...s, genre: show(s.genre) })) };
  }

  query(q: AlbumQuery): AlbumPage {
    this.refresh();
    const names = this.parts.vocabulary.names();
    const { total, rows } = this.store.query(q.suggested ? { ...q, suggested: names.matching(q.suggested) } : q);
    return { total, offset: q.offset ?? 0, rows: rows.map((r) => this.row(r)) };
  }

  private record(id: number): AlbumRecord {
    const a = this.store.byId(id);
    if (!a || a.tracks === 0) throw new SpectagApiError('not-found', `no album with id ${id}`);
    return a;
  }

  details(id: number): AlbumDetails {
    this.refresh();
    const album = this.record(id);
    const tracks: AlbumTrack[] = [];
    for (const t of this.store.tracks(id)) {
      const row = this.view.row(t.fileId);
      const file = this.view.fileById(t.fileId);
      if (!row || !file) continue;
      this.parts.vocabulary.showRows([row]);
      tracks.push({
        fileId: t.fileId, path: row.path, title: row.title, artist: row.artist, discNo: file.discNo, trackNo: file.trackNo,
        durationSec: row.durationSec, genres: row.genres, suggested: row.suggested, confidence: row.confidence, suggestions: row.suggestions,
        decided: row.decided, status: row.status, outlier: t.outlier, choice: t.choice,
      });
    }
    return { album: this.row(album), tracks };
  }

  /** Albums named on the command line: an album id, or a folder (the album there, or every album under it). */
  resolve(ref: string, cwdResolve: (p: string) => string): AlbumRecord[] {
    this.refresh();
    if (/^\d+$/.test(ref)) {
      const a = this.store.byId(Number(ref));
      return a && a.tracks > 0 ? [a] : [];
    }
    return this.store.inFolder(cwdResolve(ref), sep);
  }

  /**
   * The genres accepting an album's suggestion records: its genre set at the depth the person tags at, under
   * their names, hidden ones left out.
   */
  private acceptedGenres(a: AlbumRecord): string[] {
    const { written } = this.parts.vocabulary.names();
    const hidden = this.parts.vocabulary.store.hiddenSet();
    return written(a.suggestion.map((s) => s.genre)).filter((g) => !hidden.has(g.toLowerCase()));
  }

  /**
   * One album decision as one review step: the tracks its decision covers (not those moved out; accepting
   * also leaves out the tracks that clearly disagree with the suggestion, unless the person kept them in).
   */
  decide(input: DecideAlbumInput): AlbumDecisionResult {
    this.refresh();
    const album = this.record(input.albumId);
    let genres: string[];
    if (input.action === 'reject') genres = [];
    else if (input.action === 'correct' || input.genres?.length) genres = input.genres ?? [];
    else {
      if (!album.suggested || album.unsure) throw new SpectagApiError('conflict', `album "${album.title}" has no confident suggestion to accept; pick a genre instead`);
      genres = this.acceptedGenres(album);
      if (!genres.length) throw new SpectagApiError('conflict', `the suggestion for album "${album.title}" is a hidden genre; pick a genre instead`);
    }
    const leftOut: number[] = [];
    const decided: number[] = [];
    for (const t of this.store.tracks(album.id)) {
      const out = t.choice === 'out' || (input.action === 'accept' && !input.genres?.length && t.outlier && t.choice !== 'in');
      (out ? leftOut : decided).push(t.fileId);
    }
    const source = input.action === 'accept' ? 'accepted' : input.action === 'reject' ? 'rejected' : 'corrected';
    this.parts.review.decideStep(decided, genres, source);
    this.refresh();
    return { albumId: album.id, decided, leftOut, genres, album: this.row(this.record(album.id)) };
  }

  setMembership(fileId: number, choice: 'in' | 'out' | 'auto'): AlbumDetails {
    const albumId = this.store.albumOf(fileId);
    if (albumId == null) throw new SpectagApiError('not-found', `track ${fileId} is in no album`);
    this.store.setMembership(fileId, choice === 'auto' ? null : choice);
    this.ctx.events.changed('decision', [fileId]);
    return this.details(albumId);
  }

  /** Undecided albums whose suggestion clears the bars, with the tracks accepting them would decide. */
  private bulkCandidates(q: BulkAcceptAlbumsInput): { album: AlbumRecord; genres: string[]; fileIds: number[] }[] {
    this.refresh();
    const genre = q.genre ? this.parts.vocabulary.names().matching(q.genre) : undefined;
    return this.store.confidentUndecided(q.minConfidence, q.minAgreement ?? 0, genre)
      .map((album) => ({
        album, genres: this.acceptedGenres(album),
        fileIds: this.store.tracks(album.id).filter((t) => t.choice === 'in' || (t.choice == null && !t.outlier)).map((t) => t.fileId),
      }))
      .filter((c) => c.genres.length && c.fileIds.length);
  }

  bulkAcceptPreview(q: BulkAcceptAlbumsInput): BulkAcceptAlbumsPreview {
    const by = new Map<string, { genre: string; albums: number; tracks: number }>();
    let tracks = 0;
    const cands = this.bulkCandidates(q);
    for (const c of cands) {
      const label = c.genres.join('; ');
      const e = by.get(label) ?? by.set(label, { genre: label, albums: 0, tracks: 0 }).get(label)!;
      e.albums++;
      e.tracks += c.fileIds.length;
      tracks += c.fileIds.length;
    }
    return { albums: cands.length, tracks, byGenre: [...by.values()].sort((a, b) => b.tracks - a.tracks), thresholds: defaultModelThresholds() };
  }

  /** Accepts them all as one review step (one undo takes the batch back). */
  bulkAccept(q: BulkAcceptAlbumsInput): { albums: number; tracks: number } {
    const cands = this.bulkCandidates(q);
    const genresOf = new Map(cands.flatMap((c) => c.fileIds.map((f) => [f, c.genres] as const)));
    const ids = this.parts.review.decideStep([...genresOf.keys()], (f) => [...genresOf.get(f)!], 'accepted');
    return { albums: cands.length, tracks: ids.length };
  }
}
