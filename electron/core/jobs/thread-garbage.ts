// Freeing what a worker thread's tracks leave behind. A track's decoded audio, pipe chunks and spectrograms are
// ArrayBuffers (~8 MB a track in an analysis thread; the model inputs, ~2 MB, die in the inference worker), and V8
// frees a dead ArrayBuffer only when it collects that thread's heap, which the ArrayBuffers themselves trigger only
// after about 64 MB of them have piled up since the last collection; the C allocator then keeps each thread's
// high-water mark resident. Measured on bench:analyze (2 cores): ~64 MB of such an arena per thread. Every ffmpeg
// spawned afterwards forks the larger process too (the fork copies the page tables: ~18 ms of kernel time per spawn
// from a 350 MB process, ~1 ms from a 50 MB one). Collecting once a thread's ArrayBuffers pass a bound keeps them near
// it. The bound is a trade: a collection costs CPU (marking, then the freed pages are faulted in again). Measured on
// 2 cores at load ~11 (CPU inflated), a listening thread's median CPU per track rose by ~35 ms at 16 MB (a collection
// after every track) and ~20 ms at 32 MB; at 48 MB bench:analyze's listening-alone runs showed no difference in node's
// CPU per track (82 and 81 ms before, 84 and 76 after), and end to end ~25 MB less at the peak.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Above this many bytes of ArrayBuffers (live and dead) a thread collects after its track. */
export const THREAD_GARBAGE_BOUND = 48 * 1024 * 1024;

let collector: (() => void) | null | undefined;

/**
 * V8's collector as a function (the `--expose-gc` one, fetched from a fresh context after setting the flag, as
 * Node's documentation of v8.setFlagsFromString shows for other flags), or null where the runtime refuses it.
 */
function gc(): (() => void) | null {
  if (collector !== undefined) return collector;
  try {
    setFlagsFromString('--expose-gc');
    const fn: unknown = runInNewContext('typeof gc === "function" ? gc : null');
    collector = typeof fn === 'function' ? () => (fn as () => void)() : null;
  } catch {
    collector = null;
  }
  return collector;
}

/**
 * Bytes of ArrayBuffers this thread holds now, live and dead (Node's count, per thread, lowered as soon as a buffer is
 * freed; V8's own external-memory figure lags behind its collections).
 */
export function threadExternalBytes(): number {
  return process.memoryUsage().arrayBuffers;
}

/**
 * Call between tracks: collects this thread's heap when its ArrayBuffers exceed `bound` bytes. Returns whether it
 * collected (false also where the runtime offers no collector: then V8's own schedule frees them, later).
 */
export function releaseTrackGarbage(bound = THREAD_GARBAGE_BOUND): boolean {
  if (threadExternalBytes() <= bound) return false;
  const collect = gc();
  if (!collect) return false;
  collect();
  return true;
}
