// The keyboard-first review flow, as pure functions the window's components use: which key does what,
// which decision a command records, and where the cursor goes next (tested under plain Node).
import type { DecideInput } from '../../../electron/shared/api.js';
import type { ReviewStatus } from '../../../electron/shared/api-names.js';

export type ReviewCommand =
  | 'next' | 'prev' | 'pageDown' | 'pageUp' | 'first' | 'last' | 'nextUnreviewed'
  | 'accept' | 'acceptYours' | 'correct' | 'addGenre' | 'reject' | 'undo'
  | 'play' | 'seekBack' | 'seekForward' | 'search' | 'help' | 'bulk' | 'moreLikeThis' | 'escape';

/** How far ← / → move the preview. */
export const SEEK_STEP_SEC = 5;

/** The parts of a keyboard event the keymap looks at (no DOM types, so it runs in tests). */
export interface KeyInput {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  shiftKey?: boolean;
  /** the key went to a text field (search box, genre picker): only Escape is ours then */
  inTextField?: boolean;
}

/** Shown by the help overlay; the single source of what the keys are. */
export const KEY_HELP: { keys: string; what: string }[] = [
  { keys: 'j / ↓', what: 'next track' },
  { keys: 'k / ↑', what: 'previous track' },
  { keys: 'n', what: 'next track still to review' },
  { keys: 'a / Enter', what: 'accept the suggestion' },
  { keys: 'y', what: 'accept your own model\'s suggestion ("yours")' },
  { keys: 'c', what: 'correct: pick another genre (type to search)' },
  { keys: '+', what: 'add a second genre' },
  { keys: 'r', what: 'reject the suggestion (leave the file as it is)' },
  { keys: 'u / Ctrl+Z', what: 'undo the last decision' },
  { keys: 'Space', what: 'play / pause the preview' },
  { keys: '← / →', what: `seek the preview ${SEEK_STEP_SEC} s back / forward` },
  { keys: '/', what: 'search the library' },
  { keys: 'b', what: 'bulk accept above a confidence' },
  { keys: 'm', what: 'more like this: give similar untagged tracks this genre' },
  { keys: 'PgUp / PgDn, Home / End', what: 'jump' },
  { keys: '?', what: 'this help' },
];

export function commandForKey(k: KeyInput): ReviewCommand | null {
  if (k.key === 'Escape') return 'escape';
  if (k.inTextField) return null;
  const mod = k.ctrlKey || k.metaKey;
  if (mod && !k.altKey && (k.key === 'z' || k.key === 'Z') && !k.shiftKey) return 'undo';
  if (mod && k.key === 'f') return 'search';
  if (mod || k.altKey) return null;
  switch (k.key) {
    case 'ArrowDown': case 'j': return 'next';
    case 'ArrowUp': case 'k': return 'prev';
    case 'PageDown': return 'pageDown';
    case 'PageUp': return 'pageUp';
    case 'Home': return 'first';
    case 'End': return 'last';
    case 'n': return 'nextUnreviewed';
    case 'a': case 'Enter': return 'accept';
    case 'y': return 'acceptYours';
    case 'c': return 'correct';
    case '+': case '=': return 'addGenre';
    case 'r': return 'reject';
    case 'u': return 'undo';
    case ' ': return 'play';
    case 'ArrowLeft': return 'seekBack';
    case 'ArrowRight': return 'seekForward';
    case '/': return 'search';
    case '?': return 'help';
    case 'b': return 'bulk';
    case 'm': return 'moreLikeThis';
    default: return null;
  }
}

/** What the review needs to know about the track under the cursor. */
export interface ReviewTarget {
  id: number;
  /** genres in the file now */
  genres: string[];
  suggested: string | null;
  /** what accepting the suggestion records (its whole set at the genre depth setting); [] when nothing */
  accepts: string[];
  /** the latest decision's genres, null when none */
  decided: string[] | null;
  /** the personal model's suggestion ("yours"), when it has one */
  personal?: { genre: string } | null;
}

function dedupe(list: readonly string[]): string[] {
  const seen = new Set<string>();
  return list.filter((g) => {
    const k = g.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The decision a command records. accept: the suggestion, its whole set as the row says accepting records it
 * (not only the best genre the table shows); acceptYours: the personal model's; correct: the picked genre
 * instead; addGenre: the picked genre after what is decided so far (decision, else what accepting records, else
 * the file's genres); reject: nothing is written. Null when the command cannot decide (accept without a
 * suggestion, no pick).
 */
export function decisionFor(command: 'accept' | 'acceptYours' | 'correct' | 'addGenre' | 'reject', t: ReviewTarget, picked?: string): DecideInput | null {
  switch (command) {
    case 'accept':
      return t.accepts.length ? { fileId: t.id, action: 'accept', genres: t.accepts.slice(0, 8) } : null;
    case 'acceptYours':
      return t.personal ? { fileId: t.id, action: 'accept', genres: [t.personal.genre] } : null;
    case 'reject':
      return { fileId: t.id, action: 'reject' };
    case 'correct':
      return picked ? { fileId: t.id, action: 'correct', genres: [picked] } : null;
    case 'addGenre': {
      if (!picked) return null;
      const base = t.decided?.length ? t.decided : t.accepts.length ? t.accepts : t.genres;
      return { fileId: t.id, action: 'correct', genres: dedupe([...base, picked]).slice(0, 8) };
    }
  }
}

export const REVIEWED: ReadonlySet<ReviewStatus> = new Set(['accepted', 'corrected', 'rejected', 'written', 'confirmed']);
/** Statuses the "next to review" key stops at. */
export const TO_REVIEW: ReadonlySet<ReviewStatus> = new Set(['suggested', 'unsure']);

/** Cursor after a move, clamped to the list. */
export function moveCursor(current: number, command: ReviewCommand, total: number, pageRows: number): number {
  if (total <= 0) return -1;
  const at = current < 0 ? -1 : current;
  switch (command) {
    case 'next': return Math.min(total - 1, at + 1);
    case 'prev': return Math.max(0, at - 1);
    case 'pageDown': return Math.min(total - 1, at + Math.max(1, pageRows));
    case 'pageUp': return Math.max(0, at - Math.max(1, pageRows));
    case 'first': return 0;
    case 'last': return total - 1;
    default: return Math.max(0, Math.min(total - 1, at));
  }
}

/**
 * The next row after `from` whose status is still to review, looking at most `window` rows ahead among
 * the rows known (`statusAt` answers undefined for rows not loaded). -1 when none is known.
 */
export function nextToReview(from: number, total: number, statusAt: (i: number) => ReviewStatus | undefined, window = 2000): number {
  for (let i = from + 1; i < Math.min(total, from + 1 + window); i++) {
    const s = statusAt(i);
    if (s && TO_REVIEW.has(s)) return i;
  }
  return -1;
}

/** Where the cursor goes after a decision: on to the next track (the mail-client habit) unless it was the last. */
export function afterDecision(current: number, total: number, advance: boolean): number {
  if (!advance) return current;
  return Math.min(total - 1, current + 1);
}
