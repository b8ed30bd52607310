// The migration chain as a whole: numbered without gaps, and a database newer than the app is refused.
// Each migration has its own test, migration-NNN.test.ts beside this file, starting from the version before it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { DatabaseTooNewError, SCHEMA_VERSION, openDatabase } from '../../electron/core/db/open.js';
import { MIGRATIONS } from '../../electron/core/db/migrations/index.js';
import { scratchFolder } from './migration-fixtures.js';

const dir = scratchFolder('migrate');

describe('migrations', () => {
  it('are numbered 1, 2, 3... without gaps, and the app schema version is the last', () => {
    assert.deepEqual(MIGRATIONS.map((m) => m.version), MIGRATIONS.map((_, i) => i + 1));
    assert.equal(SCHEMA_VERSION, MIGRATIONS.length);
  });

  it('refuses a database written by a newer Spectag, with a clear message, and leaves the file untouched', () => {
    const path = dir.at('newer.sqlite');
    openDatabase(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const bytes = readFileSync(path);
    const mtime = statSync(path).mtimeMs;
    assert.throws(() => openDatabase(path), (err: unknown) => {
      assert.ok(err instanceof DatabaseTooNewError);
      assert.match(err.message, new RegExp(`schema version ${SCHEMA_VERSION + 1}`));
      assert.match(err.message, /newer Spectag/);
      assert.ok(err.message.includes(path));
      return true;
    });
    assert.deepEqual(readFileSync(path), bytes);
    assert.equal(statSync(path).mtimeMs, mtime);
  });
});
