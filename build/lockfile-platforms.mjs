// Keeps package-lock.json complete for every platform. Some registries (this project's development
// mirror among them) lack rollup's native packages for other platforms; `npm install` then silently
// leaves them out of the lock, and `npm ci` refuses the lock as out of sync. This adds the missing
// optional platform entries (name, version, os/cpu/libc from the package name), which npm ci skips on
// other platforms and fetches by version where they match. Run after changing dependencies:
//   node build/lockfile-platforms.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));

/** "@rollup/rollup-linux-arm64-musl" → { os: ['linux'], cpu: ['arm64'], libc: ['musl'] } */
function platformOf(name) {
  const parts = name.split('/').pop().split('-').slice(1); // drop the "rollup" prefix
  const os = parts[0] === 'win32' ? 'win32' : parts[0];
  const cpuName = parts[1];
  const cpu = { 'arm': 'arm', 'arm64': 'arm64', 'x64': 'x64', 'ia32': 'ia32', 'loong64': 'loong64', 'ppc64': 'ppc64', 'riscv64': 'riscv64', 's390x': 's390x' }[cpuName];
  if (!os || !cpu) return null;
  const abi = parts[2] ?? '';
  const libc = abi.startsWith('musl') ? ['musl'] : abi.startsWith('gnu') && os === 'linux' ? ['glibc'] : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) };
}

let added = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  if (!key.endsWith('node_modules/rollup') || !pkg.optionalDependencies) continue;
  const base = key.slice(0, -'rollup'.length);
  for (const [name, version] of Object.entries(pkg.optionalDependencies)) {
    const entry = `${base}${name}`;
    if (lock.packages[entry]) continue;
    const platform = platformOf(name);
    if (!platform) throw new Error(`cannot tell the platform of ${name}`);
    lock.packages[entry] = { version, ...(pkg.dev ? { dev: true } : {}), optional: true, ...platform };
    added++;
  }
}
if (added) {
  lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => a.localeCompare(b, 'en')));
  writeFileSync(LOCK, JSON.stringify(lock, null, 2) + '\n');
}
console.log(`package-lock.json: ${added} platform entries added`);
