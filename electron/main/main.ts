// The desktop app's main process: one window, its menu and security settings, the engine in a utility
// process (so scans, analysis and writes never freeze the UI), the validated IPC bridge, the app and media
// protocols, window state, crash handling. Thin glue: everything it calls lives in electron/core.
import { app, BrowserWindow, crashReporter, dialog, ipcMain, Menu, protocol, screen, session, shell, utilityProcess, type MenuItemConstructorOptions } from 'electron';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IPC, type ApiEvent } from '../shared/api.js';
import { EngineClient } from './engine-client.js';
import { registerIpc } from './ipc.js';
import { createMediaHandler, MEDIA_SCHEME } from './media-protocol.js';
import { APP_ORIGIN, APP_SCHEME, createAppHandler } from './app-protocol.js';
import { loadWindowState, saveWindowState } from './window-state.js';

const here = fileURLToPath(new URL('.', import.meta.url));
/** .build/electron/main → the app root (repository, or resources/app.asar when packaged) */
const appRoot = join(here, '..', '..', '..');
const distDir = join(appRoot, 'renderer', 'dist');
// compiled as CommonJS (electron/preload/package.json): sandboxed preloads run as plain scripts
const preload = join(here, '..', 'preload', 'preload.js');

// the same folder the CLI uses (electron/core/db/paths.ts), so `spectag` and the app share one library
app.setName('Spectag');
crashReporter.start({ uploadToServer: false });

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

if (!app.requestSingleInstanceLock()) {
  // a second launch focuses the first window instead of opening the same database twice
  app.quit();
} else {
  let win: BrowserWindow | null = null;
  const userData = app.getPath('userData');
  const stateFile = join(userData, 'window-state.json');
  const crashLog = join(userData, 'crash.log');
  const log = (line: string) => {
    try {
      appendFileSync(crashLog, line + '\n');
    } catch {
      // nowhere to write: the event still reaches the window
    }
  };
  const sendToWindow = (e: ApiEvent) => {
    if (win && !win.isDestroyed()) win.webContents.send(IPC.event, e);
  };

  const resources = app.isPackaged ? process.resourcesPath : null;
  const engine = new EngineClient({
    spawn: () =>
      utilityProcess.fork(join(here, 'engine-host.js'), [], {
        serviceName: 'Spectag engine',
        stdio: 'inherit',
        env: {
          ...process.env,
          SPECTAG_DB: process.env.SPECTAG_DB ?? join(userData, 'library.sqlite'),
          // packaged: ffmpeg and the models are extra resources beside app.asar (build/electron-builder.yml)
          ...(resources && !process.env.SPECTAG_FFMPEG && existsSync(join(resources, 'ffmpeg'))
            ? { SPECTAG_FFMPEG: join(resources, 'ffmpeg', process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg') }
            : {}),
          ...(resources && !process.env.SPECTAG_MODELS_DIR ? { SPECTAG_MODELS_DIR: join(resources, 'native-models') } : {}),
        },
      }),
    onEvent: sendToWindow,
    log,
  });

  const pickFolder = async (): Promise<string | null> => {
    const r = win ? await dialog.showOpenDialog(win, { properties: ['openDirectory'], title: 'Choose your music folder' }) : null;
    return r && !r.canceled && r.filePaths[0] ? r.filePaths[0] : null;
  };

  const createWindow = () => {
    const state = loadWindowState(stateFile, screen.getAllDisplays().map((d) => d.workArea));
    win = new BrowserWindow({
      ...state,
      minWidth: 900,
      minHeight: 560,
      show: false,
      backgroundColor: '#15171c',
      title: 'Spectag',
      webPreferences: {
        preload,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        spellcheck: false,
      },
    });
    if (state.maximized) win.maximize();
    win.once('ready-to-show', () => win?.show());
    const remember = () => {
      if (!win || win.isDestroyed()) return;
      const b = win.getNormalBounds();
      saveWindowState(stateFile, { ...b, maximized: win.isMaximized() });
    };
    win.on('close', remember);
    win.on('resized', remember);
    win.on('moved', remember);
    // the window shows our page only: no navigation away, no new windows (links open in the browser)
    win.webContents.on('will-navigate', (e, url) => {
      if (!url.startsWith(APP_ORIGIN + '/')) e.preventDefault();
    });
    win.webContents.setWindowOpenHandler(({ url }) => {
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
    win.webContents.on('render-process-gone', (_e, details) => {
      log(`${new Date().toISOString()} window renderer gone: ${details.reason} (${details.exitCode})`);
      if (details.reason !== 'clean-exit' && win && !win.isDestroyed()) win.reload();
    });
    void win.loadURL(`${APP_ORIGIN}/index.html`);
  };

  const buildMenu = () => {
    const template: MenuItemConstructorOptions[] = [
      ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
      {
        label: 'File',
        submenu: [
          {
            label: 'Add Music Folder…',
            accelerator: 'CmdOrCtrl+O',
            click: async () => {
              const path = await pickFolder();
              if (path) await engine.call('addRoot', { path });
            },
          },
          { label: 'Rescan Library', accelerator: 'CmdOrCtrl+R', click: () => void engine.call('startScan', {}) },
          { type: 'separator' },
          process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
        ],
      },
      { role: 'editMenu' },
      {
        label: 'View',
        submenu: [
          { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' },
          ...(app.isPackaged ? [] : [{ type: 'separator' as const }, { role: 'reload' as const }, { role: 'toggleDevTools' as const }]),
        ],
      },
      { role: 'windowMenu' },
      {
        role: 'help',
        submenu: [{ label: 'Crash Log Folder', click: () => void shell.openPath(userData) }],
      },
    ];
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  };

  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  app.on('web-contents-created', (_e, contents) => {
    // no <webview>, ever
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });

  void app.whenReady().then(() => {
    // nothing may be granted to the page (camera, notifications, ...)
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    protocol.handle(APP_SCHEME, createAppHandler(distDir));
    protocol.handle(MEDIA_SCHEME, createMediaHandler(engine));
    engine.start();
    registerIpc(ipcMain, { call: (m, i) => engine.call(m, i), local: { pickFolder: () => pickFolder() } });
    buildMenu();
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let quitting = false;
  app.on('before-quit', (e) => {
    if (quitting) return;
    // let the engine finish its current database transaction and stop its jobs cleanly
    e.preventDefault();
    quitting = true;
    void engine.stop().finally(() => app.quit());
  });
}
