// The plain constants of the app API (method names, review statuses, sort keys, thresholds), without zod,
// so the window's bundle and the sandboxed preload can use them. electron/shared/api.ts re-exports them.

/** Every method of SpectagApi, in one list (api.ts checks at compile time that it matches the interface). */
export const API_METHOD_NAMES = [
  'status', 'libraryStats', 'queryLibrary', 'getTrack', 'addRoot', 'pickFolder', 'startScan', 'startAnalysis', 'listJobs',
  'controlJob', 'decide', 'undoDecision', 'bulkAcceptPreview', 'bulkAccept', 'vocabulary', 'renameGenre', 'mergeGenres',
  'hideGenre', 'planWrite', 'applyWrite', 'undoWrite', 'writeHistory',
  'personalOverview', 'learnPersonal', 'updatePersonalSettings', 'setGenreExcluded', 'setFolderExcluded', 'personalExamples',
  'personalModelVersions', 'personalModelReport', 'moreLikeThisPreview', 'moreLikeThisApply',
  'queryAlbums', 'getAlbum', 'decideAlbum', 'setAlbumMembership', 'bulkAcceptAlbumsPreview', 'bulkAcceptAlbums',
  'appSettings', 'updateAppSettings', 'removeRootPreview', 'removeRoot',
] as const;

/**
 * unanalysed: not listened to yet; suggested: the model has a confident suggestion; unsure: analysed, but
 * nothing confident (or silent); accepted / corrected / rejected: the latest review decision, not yet in the
 * file; written: Spectag wrote the decided genres into the file; confirmed: the decision is what the file
 * says already (nothing was or needs to be written); error: the file or its analysis failed (or is missing).
 */
export const REVIEW_STATUSES = ['unanalysed', 'suggested', 'unsure', 'accepted', 'corrected', 'rejected', 'written', 'confirmed', 'error'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export const LIBRARY_SORT_KEYS = [
  'path', 'title', 'artist', 'album', 'year', 'genre', 'suggested', 'confidence', 'status', 'durationSec', 'container',
] as const;
export type LibrarySortKey = (typeof LIBRARY_SORT_KEYS)[number];

/**
 * An album's review status. unanalysed: none of its tracks listened to; suggested / unsure: its aggregated
 * suggestion is confident or not; partly-decided: some of the tracks its decision covers are decided;
 * decided: all of them; written: all of them have their decided genres in the files.
 */
export const ALBUM_STATUSES = ['unanalysed', 'suggested', 'unsure', 'partly-decided', 'decided', 'written'] as const;
export type AlbumStatus = (typeof ALBUM_STATUSES)[number];

export const ALBUM_SORT_KEYS = ['title', 'artist', 'year', 'folder', 'tracks', 'suggested', 'confidence', 'agreement', 'status'] as const;
export type AlbumSortKey = (typeof ALBUM_SORT_KEYS)[number];

/** Which model's suggestions drive the review queue: the default genre model, or the person's own ("yours"). */
export const SUGGESTION_SOURCES = ['default', 'personal'] as const;
export type SuggestionSource = (typeof SUGGESTION_SOURCES)[number];

/**
 * beets-style recommendation levels over calibrated probabilities: strong = apply confidently, medium = ask;
 * suggest = a genre worth listing beside the best one. The engine takes them from the model's own calibration
 * (electron/core/model/calibration.ts); these are what it uses where a head does not state a level.
 */
export interface ConfidenceThresholds {
  strong: number;
  medium: number;
  suggest: number;
}

export const FALLBACK_CONFIDENCE_THRESHOLDS: ConfidenceThresholds = { strong: 0.85, medium: 0.6, suggest: 0.25 };

/** What a newly trained personal head is calibrated with (stored in the head, read back like any head's). */
export const PERSONAL_CONFIDENCE_THRESHOLDS: ConfidenceThresholds = { strong: 0.85, medium: 0.5, suggest: 0.2 };

/**
 * What the media endpoint (web mode) and protocol (desktop) serve for a track: audio: the file itself, or,
 * where the browser engine cannot decode its format (AIFF, WMA, ALAC, ...), the same audio transcoded to WAV
 * as it is played, seekable; audio-wav: always that WAV (the window's fallback when a file fails to play);
 * spectrogram: the analysis picture; cover / cover-thumb: the embedded front cover, whole or as a small
 * thumbnail, read from the file when first asked for (never during a scan).
 */
export const MEDIA_KINDS = ['audio', 'audio-wav', 'spectrogram', 'cover', 'cover-thumb'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/** IPC channel names between the preload and the main process. */
export const IPC = { call: 'spectag:call', event: 'spectag:event' } as const;
