// The one bridge between the window and the app: window.spectag = { call, onEvent }. A sandboxed preload may
// only require 'electron', so it carries no list of methods: it forwards (method, input) on the call channel,
// and the main process checks the method name and validates the input (electron/main/ipc.ts). The channel
// names are written out here, typed against electron/shared's IPC constants: a renamed channel fails the build.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent, ApiEventListener, SpectagBridge } from '../shared/api.js';
import type { IPC } from '../shared/api-names.js';

const CALL: (typeof IPC)['call'] = 'spectag:call';
const EVENT: (typeof IPC)['event'] = 'spectag:event';

const bridge: SpectagBridge = {
  call: (method, input) => ipcRenderer.invoke(CALL, method, input),
  onEvent: (listener: ApiEventListener) => {
    const wrapped = (_e: IpcRendererEvent, event: ApiEvent) => listener(event);
    ipcRenderer.on(EVENT, wrapped);
    return () => {
      ipcRenderer.removeListener(EVENT, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('spectag', bridge);
