// Keeps native modules (better-sqlite3) built for the runtime about to use them, so nobody has to think
// about it: `node build/native-modules.mjs node` before tests (plain Node's ABI), `... electron` before
// `npm start` / `npm run dist` (Electron's ABI, via electron-builder install-app-deps = @electron/rebuild).
// A stamp beside the compiled module records which runtime it was built for; nothing is rebuilt twice.
// The electron step also fetches Electron's binary when it is missing (npm ci skips it, see .npmrc).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const target = process.argv[2];
if (target !== 'node' && target !== 'electron') {
  console.error('usage: node build/native-modules.mjs node|electron');
  process.exit(2);
}
const moduleDir = join(require.resolve('better-sqlite3/package.json'), '..');
const stampFile = join(moduleDir, 'build', 'Release', 'spectag-runtime.txt');
const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function loadsInNode() {
  const r = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { stdio: 'pipe' });
  return r.status === 0;
}

if (target === 'node') {
  const want = `node-${process.versions.modules}`;
  if (stamp === want || (stamp === '' && loadsInNode())) {
    if (stamp !== want && existsSync(join(moduleDir, 'build', 'Release'))) writeFileSync(stampFile, want);
    process.exit(0);
  }
  if (!loadsInNode()) {
    console.log(`better-sqlite3 was built for ${stamp || 'another runtime'}; rebuilding for Node ${process.version}…`);
    execFileSync(npm, ['rebuild', 'better-sqlite3'], { stdio: 'inherit' });
  }
  writeFileSync(stampFile, want);
} else {
  // npm ci skips Electron's binary (.npmrc): fetch it the first time the app is started or packaged
  const electronDir = join(require.resolve('electron/package.json'), '..');
  if (!existsSync(join(electronDir, 'path.txt'))) {
    console.log('Downloading the Electron binary (once)…');
    execFileSync(process.execPath, [join(electronDir, 'install.js')], { stdio: 'inherit' });
  }
  const electronVersion = require('electron/package.json').version;
  const want = `electron-${electronVersion}`;
  if (stamp === want) process.exit(0);
  console.log(`Building native modules for Electron ${electronVersion} (electron-builder install-app-deps)…`);
  execFileSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['electron-builder', 'install-app-deps'], { stdio: 'inherit' });
  writeFileSync(stampFile, want);
}
