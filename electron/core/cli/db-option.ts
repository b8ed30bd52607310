// The --db option shared by every command that touches the library database.
import { openDatabase, type Db } from '../db/open.js';
import { resolveDbPath } from '../db/paths.js';
import type { CliIo } from './command.js';

export const DB_OPTION = { db: { type: 'string' } } as const;

/** Opens an existing library (NoLibraryError where there is none: nothing is created). */
export function openCliDb(values: Record<string, unknown>, io: CliIo): { db: Db; path: string } {
  const path = resolveDbPath(typeof values.db === 'string' ? values.db : undefined, io.env);
  return { db: openDatabase(path, { mustExist: true }), path };
}
