// A minimal fake of the `electron` module, enough for electron/main/main.ts to boot under plain Node in a
// test: it records what main asked for (window options, protocols, handlers) and writes that as JSON to
// $FAKE_ELECTRON_REPORT once the window has been told to load. Only the Electron module is faked.
import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Report {
  singleInstanceLock: boolean;
  schemes: unknown[];
  handledProtocols: string[];
  ipcChannels: string[];
  windows: { options: Record<string, unknown>; url: string | null; windowOpen: unknown; navigations: { url: string; prevented: boolean }[] }[];
  utilityForks: { modulePath: string; env: Record<string, string | undefined> }[];
  menu: boolean;
  permissionDenied: boolean | null;
  crashReporter: unknown;
}

const report: Report = {
  singleInstanceLock: false, schemes: [], handledProtocols: [], ipcChannels: [], windows: [], utilityForks: [], menu: false,
  permissionDenied: null, crashReporter: null,
};
const userData = mkdtempSync(join(tmpdir(), 'spectag-fake-electron-'));

function flush(): void {
  const file = process.env.FAKE_ELECTRON_REPORT;
  if (file) writeFileSync(file, JSON.stringify(report, null, 2));
}

class FakeApp extends EventEmitter {
  isPackaged = false;
  private readyResolve: () => void = () => {};
  private readyPromise = new Promise<void>((r) => (this.readyResolve = r));
  constructor() {
    super();
    setTimeout(() => this.readyResolve(), 10);
  }
  setName(): void {}
  getPath(): string {
    return userData;
  }
  requestSingleInstanceLock(): boolean {
    report.singleInstanceLock = true;
    return true;
  }
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  quit(): void {
    flush();
  }
}
export const app = new FakeApp();

class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((d: { url: string }) => unknown) | null = null;
  setWindowOpenHandler(h: (d: { url: string }) => unknown): void {
    this.windowOpenHandler = h;
  }
  send(): void {}
}

export class BrowserWindow extends EventEmitter {
  static all: BrowserWindow[] = [];
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.all;
  }
  webContents = new FakeWebContents();
  private entry: Report['windows'][number];
  constructor(options: Record<string, unknown>) {
    super();
    this.entry = { options, url: null, windowOpen: null, navigations: [] };
    report.windows.push(this.entry);
    BrowserWindow.all.push(this);
  }
  async loadURL(url: string): Promise<void> {
    this.entry.url = url;
    // exercise the guards main installed, as a hostile page would
    this.entry.windowOpen = this.webContents.windowOpenHandler?.({ url: 'https://evil.example/' }) ?? null;
    for (const url2 of ['https://evil.example/', 'file:///etc/passwd', 'app://spectag/index.html#x']) {
      let prevented = false;
      this.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, url2);
      this.entry.navigations.push({ url: url2, prevented });
    }
    flush();
  }
  isDestroyed(): boolean {
    return false;
  }
  isMaximized(): boolean {
    return false;
  }
  maximize(): void {}
  show(): void {}
  getNormalBounds() {
    return { x: 0, y: 0, width: 1200, height: 800 };
  }
}

export const protocol = {
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    report.schemes.push(...schemes);
  },
  handle(scheme: string): void {
    report.handledProtocols.push(scheme);
  },
};

export const ipcMain = {
  handle(channel: string): void {
    report.ipcChannels.push(channel);
  },
  removeHandler(): void {},
};

export const utilityProcess = {
  fork(modulePath: string, _args: string[], opts: { env?: Record<string, string | undefined> }) {
    report.utilityForks.push({ modulePath, env: { SPECTAG_DB: opts.env?.SPECTAG_DB } });
    const p = new EventEmitter() as EventEmitter & { postMessage(m: unknown): void; kill(): boolean };
    p.postMessage = () => {};
    p.kill = () => true;
    return p;
  },
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler(h: (wc: unknown, permission: string, cb: (ok: boolean) => void) => void): void {
      h(null, 'media', (ok) => (report.permissionDenied = !ok));
    },
  },
};

export const screen = { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] };
export const Menu = {
  buildFromTemplate: (t: unknown) => t,
  setApplicationMenu: () => {
    report.menu = true;
  },
};
export const dialog = { showOpenDialog: async () => ({ canceled: true, filePaths: [] }) };
export const shell = { openExternal: async () => {}, openPath: async () => '' };
export const crashReporter = {
  start: (o: unknown) => {
    report.crashReporter = o;
  },
};
export const contextBridge = { exposeInMainWorld: () => {} };
export const ipcRenderer = { invoke: async () => null, on: () => {}, removeListener: () => {} };
export default { app, BrowserWindow, protocol, ipcMain, utilityProcess, session, screen, Menu, dialog, shell, crashReporter, contextBridge, ipcRenderer };
