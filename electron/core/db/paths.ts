// Where the library database lives by default: the per-user application-data folder, the same
// folder Electron's app.getPath('userData') gives for an app named "Spectag".
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_NAME = 'Spectag';

export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), APP_NAME);
}

/** `--db` wins, then SPECTAG_DB, then the user-data folder. */
export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.SPECTAG_DB || join(userDataDir(env), 'library.sqlite');
}
