// Opening the library database: pragmas, schema migrations keyed by PRAGMA user_version,
// and refusal of a database written by a newer Spectag.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export type Db = Database.Database;

export class DatabaseTooNewError extends Error {
  constructor(readonly path: string, readonly found: number, readonly supported: number) {
    super(
      `${path}: this library database has schema version ${found}, but this Spectag understands up to ` +
        `version ${supported}. It was written by a newer Spectag; update Spectag (the file was not changed).`,
    );
    this.name = 'DatabaseTooNewError';
  }
}

/** SQLite says the file is damaged (or not a database at all), here or in an error's causes. */
export function isDatabaseDamaged(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && (e.code.startsWith('SQLITE_CORRUPT') || e.code === 'SQLITE_NOTADB')) return true;
  }
  return false;
}

/**
 * What to tell a person whose library database is damaged: which file, that nothing was changed (a damaged
 * database is detected on reading, before anything is written), and the ways back.
 */
export function damagedDatabaseMessage(file: string, err: unknown): string {
  const path = resolve(file);
  return [
    `${path}: the library database is damaged (${(err as Error)?.message ?? String(err)}).`,
    'Nothing was changed: no music file was written, and the database file was left as it is.',
    'To recover:',
    `  - restore ${basename(path)} from a backup (with its -wal file next to it, if there is one), or`,
    `  - see what is damaged: spectag doctor --db ${path} (an integrity check), or`,
    '  - start a new library with --db FILE (or SPECTAG_DB) and scan your folders again: the genres Spectag',
    '    wrote are in your files; decisions not yet written are lost with the damaged file.',
  ].join('\n');
}

/**
 * The library database is damaged, found on opening it: the message names the file and the ways back (every
 * entry point shows it as it is: the command line, `spectag serve`, the desktop window). `reason` is SQLite's.
 */
export class DatabaseDamagedError extends Error {
  readonly reason: string;
  constructor(readonly path: string, cause: unknown) {
    super(damagedDatabaseMessage(path, cause), { cause });
    this.name = 'DatabaseDamagedError';
    this.reason = (cause as Error)?.message ?? String(cause);
  }
}

/**
 * There is no Spectag library at the path a command was given: no such file, or a file that is not (yet) a
 * Spectag library. Only what starts a library (`spectag scan`, `spectag serve`, the desktop window) creates
 * one; every other command refuses, so a mistyped --db leaves no folder or empty database behind.
 */
export class NoLibraryError extends Error {
  constructor(readonly path: string, readonly reason: 'missing' | 'not-a-library') {
    super(
      `${resolve(path)}: there is no Spectag library here (${reason === 'missing' ? 'no such file' : 'the file is not a Spectag library database'}). ` +
        'Nothing was created or changed. Check --db (or SPECTAG_DB); `spectag scan <folder> --db FILE` starts a new library.',
    );
    this.name = 'NoLibraryError';
  }
}

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

export interface OpenOptions {
  /** apply migrations only up to this version (tests of a single migration) */
  targetVersion?: number;
  readonly?: boolean;
  /**
   * The library must exist already (every command that only reads or changes a library): a missing file, or
   * one that is not a Spectag database, is refused with NoLibraryError and nothing is created or migrated.
   */
  mustExist?: boolean;
}

export function openDatabase(path: string, opts: OpenOptions = {}): Db {
  const mustExist = path !== ':memory:' && opts.mustExist === true;
  if (mustExist && !existsSync(path)) throw new NoLibraryError(path, 'missing');
  if (path !== ':memory:' && !opts.readonly && !mustExist) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: (opts.readonly ?? false) || mustExist });
  try {
    const found = db.pragma('user_version', { simple: true }) as number;
    // version 0: an empty file, or another program's SQLite database; a Spectag library is never at 0
    if (mustExist && found === 0) throw new NoLibraryError(path, 'not-a-library');
    if (found > SCHEMA_VERSION) throw new DatabaseTooNewError(path, found, SCHEMA_VERSION);
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      migrate(db, opts.targetVersion ?? SCHEMA_VERSION);
      // refresh the planner's statistics where they are missing or stale (cheap: SQLite limits the work)
      db.pragma('optimize = 0x10002');
    }
    return db;
  } catch (err) {
    db.close();
    throw isDatabaseDamaged(err) ? new DatabaseDamagedError(path, err) : err;
  }
}

/** Apply each pending migration in its own transaction, bumping user_version with it. */
export function migrate(db: Db, target: number = SCHEMA_VERSION, migrations: readonly Migration[] = MIGRATIONS): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const m of migrations) {
    if (m.version <= current || m.version > target) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
