// Runs every compiled test file under .build/test with Node's built-in test runner.
// (Node 20's `node --test` takes no globs, so the files are listed here.)
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = '.build/test';
const filter = process.argv[2];
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'bench') walk(p);
    } else if (name.endsWith('.test.js') && (!filter || p.includes(filter)) && existsSync(p.replace(/^\.build\//, '').replace(/\.js$/, '.ts'))) {
      // (a compiled test whose source was moved or deleted is left behind by tsc: it is not run)
      files.push(p);
    }
  }
})(root);
if (files.length === 0) {
  console.error(`no test files found under ${root}${filter ? ` matching ${filter}` : ''}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
