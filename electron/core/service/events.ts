// The engine's event bus: what the window is told (job progress, "the library changed, refresh"), and what
// the feature services listen to among themselves (a rename or a scan makes the genre names stale).
import type { ApiEvent, ApiEventListener, LIBRARY_CHANGE_REASONS } from '../../shared/api.js';

export type ChangeReason = (typeof LIBRARY_CHANGE_REASONS)[number];

export class EngineEvents {
  private readonly listeners = new Set<ApiEventListener>();

  subscribe(listener: ApiEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: ApiEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // one broken listener (a closed socket) must not stop the others
      }
    }
  }

  /** "The library changed": `fileIds` when only these rows need a refresh, null for everything. */
  changed(reason: ChangeReason, fileIds: number[] | null = null): void {
    this.emit({ type: 'library-changed', reason, fileIds });
  }

  clear(): void {
    this.listeners.clear();
  }
}
