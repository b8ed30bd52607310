// Version 13: the app's settings, one row per setting that differs from its default, the value as JSON (a
// setting added later needs no migration: its default applies until the person changes it).
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 13,
  name: 'app-settings',
  up(db) {
    db.exec(`
      CREATE TABLE app_settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `);
  },
};
