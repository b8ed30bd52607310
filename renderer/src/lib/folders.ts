// Adding a library folder, as onboarding and the Folders section both do it.
import { api, errorMessage } from './api.js';
import { app } from './state.svelte.js';

/** The native folder dialog (the desktop app): the chosen path (none when cancelled), or why it failed. */
export async function pickFolderPath(): Promise<{ path?: string; problem?: string }> {
  try {
    return { path: (await api.pickFolder()) ?? undefined };
  } catch (err) {
    return { problem: errorMessage(err) };
  }
}

/** Adds the folder to the library (the engine scans it) and refreshes the status; why it was refused, or null. */
export async function addFolder(path: string): Promise<string | null> {
  try {
    await api.addRoot({ path: path.trim() });
    await app.refreshStatus();
    return null;
  } catch (err) {
    return errorMessage(err);
  }
}
