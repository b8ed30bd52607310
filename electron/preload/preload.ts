// The one bridge between the window and the app: window.spectag, every SpectagApi method (answering
// outcomes) plus onEvent. Sandboxed preloads may only require 'electron', so the method list is written out
// here; the type check below fails the build if it ever differs from the API.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent, ApiEventListener, SpectagBridge } from '../shared/api.js';
import type { API_METHOD_NAMES } from '../shared/api-names.js';

const CALL = 'spectag:call';
const EVENT = 'spectag:event';
const METHODS = [
  'status', 'libraryStats', 'queryLibrary', 'getTrack', 'addRoot', 'pickFolder', 'startScan', 'startAnalysis', 'listJobs',
  'controlJob', 'decide', 'undoDecision', 'bulkAcceptPreview', 'bulkAccept', 'vocabulary', 'renameGenre', 'mergeGenres',
  'hideGenre', 'planWrite', 'applyWrite', 'undoWrite', 'writeHistory',
  'personalOverview', 'learnPersonal', 'updatePersonalSettings', 'setGenreExcluded', 'setFolderExcluded', 'personalExamples',
  'personalModelVersions', 'personalModelReport', 'moreLikeThisPreview', 'moreLikeThisApply',
] as const;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const exhaustive: Same<(typeof METHODS)[number], (typeof API_METHOD_NAMES)[number]> = true;
void exhaustive;

const bridge: Record<string, unknown> = {};
for (const m of METHODS) bridge[m] = (input?: unknown) => ipcRenderer.invoke(CALL, m, input);
bridge.onEvent = (listener: ApiEventListener) => {
  const wrapped = (_e: IpcRendererEvent, event: ApiEvent) => listener(event);
  ipcRenderer.on(EVENT, wrapped);
  return () => {
    ipcRenderer.removeListener(EVENT, wrapped);
  };
};

contextBridge.exposeInMainWorld('spectag', bridge as SpectagBridge);
