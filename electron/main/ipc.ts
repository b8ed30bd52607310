// The main process's side of the preload bridge: one invoke channel, every payload checked with the API's
// zod schemas BEFORE anything reaches the engine, and only from the app's own window.
import { IPC, isApiMethod, parseInput, toErrorPayload, SpectagApiError, type CallOutcome } from '../shared/api.js';

/** The parts of Electron's ipcMain / IpcMainInvokeEvent used here (a minimal fake in tests). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: { senderFrame: { url: string } | null }, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface IpcBackend {
  /** the engine (utility process), for every method but those main answers itself */
  call(method: string, input: unknown): Promise<CallOutcome>;
  /** methods main answers itself (native dialogs) */
  local?: Partial<Record<string, (input: unknown) => Promise<unknown>>>;
}

/** Only pages of the app itself may call the engine (not a page that got navigated elsewhere). */
export function isTrustedSender(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === 'app:' && u.host === 'spectag';
  } catch {
    return false;
  }
}

/** Validate one call as it arrives from the window; the outcome never throws across the bridge. */
export async function handleCall(backend: IpcBackend, senderUrl: string | null | undefined, method: unknown, input: unknown): Promise<CallOutcome> {
  try {
    if (!isTrustedSender(senderUrl)) throw new SpectagApiError('unauthorized', 'calls are accepted from the Spectag window only');
    if (!isApiMethod(method)) throw new SpectagApiError('invalid-input', 'unknown method');
    const arg = parseInput(method, input);
    const local = backend.local?.[method];
    if (local) return { ok: true, result: (await local(arg)) ?? null };
    return await backend.call(method, arg);
  } catch (err) {
    return { ok: false, error: toErrorPayload(err) };
  }
}

export function registerIpc(ipcMain: IpcMainLike, backend: IpcBackend): () => void {
  ipcMain.handle(IPC.call, (event, method, input) => handleCall(backend, event.senderFrame?.url, method, input));
  return () => ipcMain.removeHandler(IPC.call);
}
