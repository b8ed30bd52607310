// The app's own settings (not the personal model's, which live with it): what the person chose once and the
// engine, the window and the command line all follow. Plain TypeScript and zod: the window's bundle uses it.
import { z } from 'zod';

/** How deep a genre from the vocabulary is written: "Electronic" / "Electronic; Drum & Bass" / "Drum & Bass". */
export const GENRE_DEPTHS = ['genre', 'genre+style', 'style'] as const;
export type GenreDepth = (typeof GENRE_DEPTHS)[number];

/** Every setting with the type of its value. A new one gets a default in DEFAULT_APP_SETTINGS. */
export const AppSettingsSchema = z.strictObject({
  /** scanning a folder that brings new tracks starts listening to them */
  listenAfterScan: z.boolean(),
  /** the depth at which an accepted suggestion from the vocabulary is written */
  genreDepth: z.enum(GENRE_DEPTHS),
  /**
   * watch the library folders and rescan what changes; null: as the app was started (the desktop app watches,
   * `spectag serve` only with --watch)
   */
  watchFolders: z.boolean().nullable(),
});
export type AppSettings = z.infer<typeof AppSettingsSchema>;

/** What a change may carry: any subset of the settings. */
export const AppSettingsPatchSchema = AppSettingsSchema.partial();
export type AppSettingsPatch = z.infer<typeof AppSettingsPatchSchema>;

export const DEFAULT_APP_SETTINGS: AppSettings = {
  listenAfterScan: true,
  genreDepth: 'genre+style',
  watchFolders: null,
};
