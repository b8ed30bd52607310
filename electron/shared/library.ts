// Types shared by the engine, the CLI and (later) the renderer: what Spectag knows about a library file.
// Plain TypeScript only: no node:*, no electron, no DOM.

/** ok: read fine; error: could not be read (see errorKind); missing: was in the library, not on disk now. */
export type FileStatus = 'ok' | 'error' | 'missing';

export const SCAN_ERROR_KINDS = ['permission-denied', 'unreadable', 'not-audio', 'truncated', 'empty'] as const;
export type ScanErrorKind = (typeof SCAN_ERROR_KINDS)[number];

/** Containers the scanner recognises by content (magic bytes), whatever the extension says. */
export const CONTAINERS = ['mp3', 'flac', 'ogg', 'opus', 'mp4', 'wav', 'aiff', 'asf'] as const;
export type Container = (typeof CONTAINERS)[number];

export interface TrackTags {
  title: string | null;
  artist: string | null;
  albumArtist: string | null;
  album: string | null;
  trackNo: number | null;
  trackOf: number | null;
  discNo: number | null;
  discOf: number | null;
  year: number | null;
  /** Genres as a list, in file order, de-duplicated (case-insensitively), multi-value joins split. */
  genres: string[];
  /** the compilation flag (ID3 TCMP, MP4 cpil, Vorbis COMPILATION); null or absent when the file has none */
  compilation?: boolean | null;
}

export interface AudioProps {
  container: Container | null;
  codec: string | null;
  durationSec: number | null;
  sampleRate: number | null;
  channels: number | null;
  /** bits per second */
  bitrate: number | null;
  lossless: boolean | null;
  hasCover: boolean;
}

export interface LibraryFile extends TrackTags, AudioProps {
  id: number;
  rootId: number;
  path: string;
  size: number;
  mtimeMs: number;
  status: FileStatus;
  errorKind: ScanErrorKind | null;
  errorMessage: string | null;
  firstSeenAt: number;
  scannedAt: number | null;
  missingSince: number | null;
}

export type ScanPhase = 'walking' | 'reading' | 'finishing' | 'done';

export interface ScanProgress {
  phase: ScanPhase;
  /** audio candidates found by the walk so far */
  seen: number;
  /** candidates handled (unchanged, read, or failed) */
  done: number;
  errors: number;
  currentPath: string | null;
  /** files per second over the current phase */
  rate: number;
  /** seconds left, when it can be estimated */
  etaSec: number | null;
}

export interface ScanReport {
  roots: string[];
  seen: number;
  added: number;
  updated: number;
  moved: number;
  unchanged: number;
  missing: number;
  errors: number;
  cancelled: boolean;
  durationMs: number;
  /**
   * roots that could not be walked (not found, not a folder, permission), and folders below a root that could
   * not be read (`folder` set: the rest of that root was scanned), with the reason
   */
  rootErrors: { root: string; message: string; folder?: string }[];
  /**
   * paths that were not indexed because they name a file already indexed under another path (hard links, links
   * to files, roots inside roots): the first path found is kept (roots in the order given, then names in order).
   * `paths` lists the first 1,000.
   */
  folded: { count: number; paths: { path: string; keptPath: string }[] };
}

export const SORT_KEYS = [
  'path', 'title', 'artist', 'albumArtist', 'album', 'year', 'trackNo', 'genre', 'durationSec',
  'container', 'codec', 'bitrate', 'sampleRate', 'size', 'mtimeMs', 'status', 'scannedAt',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface FileQuery {
  /** files that have this genre (case-insensitive, exact genre name) */
  genre?: string;
  /** files with no genre tag at all */
  missingGenre?: boolean;
  status?: FileStatus;
  /** words that must all appear in title, artist, album artist, album or path */
  text?: string;
  sort?: SortKey;
  descending?: boolean;
  limit?: number;
  offset?: number;
}

export interface LibraryStats {
  roots: { path: string; files: number; lastScanAt: number | null }[];
  files: number;
  byStatus: Record<FileStatus, number>;
  byContainer: Record<string, number>;
  errorsByKind: Record<string, number>;
  withGenre: number;
  withoutGenre: number;
  topGenres: { genre: string; files: number }[];
  totalDurationSec: number;
  totalBytes: number;
}
