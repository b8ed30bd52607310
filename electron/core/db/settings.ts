// The app's settings in the library database (table app_settings): a row only for a setting the person changed;
// a value that no longer fits its setting (written by a newer Spectag, or edited by hand) reads as the default.
import { AppSettingsPatchSchema, AppSettingsSchema, DEFAULT_APP_SETTINGS, type AppSettings, type AppSettingsPatch } from '../../shared/settings.js';
import type { Db } from './open.js';

export class SettingsStore {
  constructor(readonly db: Db) {}

  all(): AppSettings {
    const out: Record<string, unknown> = { ...DEFAULT_APP_SETTINGS };
    const shape = AppSettingsSchema.shape;
    for (const r of this.db.prepare('SELECT key, value FROM app_settings').all() as { key: string; value: string }[]) {
      if (!Object.hasOwn(shape, r.key)) continue;
      let v: unknown;
      try {
        v = JSON.parse(r.value);
      } catch {
        continue;
      }
      if (shape[r.key as keyof AppSettings].safeParse(v).success) out[r.key] = v;
    }
    return out as AppSettings;
  }

  get<K extends keyof AppSettings>(key: K): AppSettings[K] {
    return this.all()[key];
  }

  /** Changes the settings in `patch` together, or none of them (an unknown key or a bad value throws). */
  update(patch: AppSettingsPatch): AppSettings {
    const checked = AppSettingsPatchSchema.parse(patch);
    const put = this.db.prepare(`INSERT INTO app_settings(key, value, updated_at) VALUES (?, ?, ?)
      ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
    const now = Date.now();
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(checked)) if (v !== undefined) put.run(k, JSON.stringify(v), now);
    })();
    return this.all();
  }
}
