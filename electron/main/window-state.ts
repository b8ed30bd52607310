// Remembers the window's size, position and maximised state between runs (a JSON file in userData).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW: WindowState = { width: 1360, height: 860, maximized: false };

/** The saved state, if it is sane and (when displays are given) lies mostly on one of them. */
export function loadWindowState(file: string, displays: { x: number; y: number; width: number; height: number }[] = []): WindowState {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<WindowState>;
    const ok = (n: unknown, min: number) => typeof n === 'number' && Number.isFinite(n) && n >= min;
    if (!ok(s.width, 400) || !ok(s.height, 300)) return { ...DEFAULT_WINDOW };
    const state: WindowState = { width: Math.min(s.width!, 10_000), height: Math.min(s.height!, 10_000), maximized: s.maximized === true };
    if (typeof s.x === 'number' && typeof s.y === 'number') {
      const cx = s.x + state.width / 2;
      const cy = s.y + state.height / 2;
      const visible = displays.length === 0 || displays.some((d) => cx >= d.x && cx < d.x + d.width && cy >= d.y && cy < d.y + d.height);
      if (visible) {
        state.x = s.x;
        state.y = s.y;
      }
    }
    return state;
  } catch {
    return { ...DEFAULT_WINDOW };
  }
}

export function saveWindowState(file: string, state: WindowState): void {
  try {
    writeFileSync(`${file}.tmp`, JSON.stringify(state));
    renameSync(`${file}.tmp`, file);
  } catch {
    // losing the window position is not worth an error dialog
  }
}
