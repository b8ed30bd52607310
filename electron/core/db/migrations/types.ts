// Shape of one numbered schema migration. Files are named NNN-what.ts; an existing one is never edited.
import type { Database } from 'better-sqlite3';

export interface Migration {
  /** the `PRAGMA user_version` this migration brings the database to */
  version: number;
  name: string;
  up(db: Database): void;
}
