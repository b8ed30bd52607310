// spectag settings: show or change the app's settings (the same ones as the window's settings), e.g. the depth at
// which accepted genres are written.
import { EXIT, UsageError, type Command } from '../command.js';
import { DB_OPTION } from '../db-option.js';
import { openCliEngine } from '../engine.js';
import { GENRE_DEPTHS, type AppSettingsPatch, type GenreDepth } from '../../../shared/settings.js';

const DEPTH_MEANING: Record<GenreDepth, string> = {
  'genre': 'genre only: "Electronic › Drum & Bass" writes "Electronic"',
  'genre+style': 'genre and style: "Electronic › Drum & Bass" writes "Electronic; Drum & Bass"',
  'style': 'style only: "Electronic › Drum & Bass" writes "Drum & Bass"',
};

export const settingsCommand: Command = {
  name: 'settings',
  summary: 'show or change the app settings (genre depth, listening after a scan)',
  usage: `Usage: spectag settings [--genre-depth genre|genre+style|style] [--listen-after-scan on|off] [--json] [--db FILE]

Without options, prints the settings. The settings live in the library database: the window and every command
follow them.
--genre-depth: how deep an accepted suggestion is written. ${GENRE_DEPTHS.map((d) => `${d}: ${DEPTH_MEANING[d]}`).join('; ')}.
  A genre without styles ("Soundtrack", "Jazz") is written as it is at every depth.
--listen-after-scan: a scan that finds new tracks starts listening to them.
Exit codes: 0 done, 2 usage.`,
  options: { ...DB_OPTION, 'genre-depth': { type: 'string' }, 'listen-after-scan': { type: 'string' }, json: { type: 'boolean' } },
  allowPositionals: false,
  async run({ values }, io) {
    const patch: AppSettingsPatch = {};
    const depth = values['genre-depth'];
    if (typeof depth === 'string') {
      if (!(GENRE_DEPTHS as readonly string[]).includes(depth)) throw new UsageError(`--genre-depth must be one of ${GENRE_DEPTHS.join(', ')} (got "${depth}")`);
      patch.genreDepth = depth as GenreDepth;
    }
    const listen = values['listen-after-scan'];
    if (typeof listen === 'string') {
      if (!['on', 'off'].includes(listen)) throw new UsageError(`--listen-after-scan must be on or off (got "${listen}")`);
      patch.listenAfterScan = listen === 'on';
    }
    const { engine } = openCliEngine(values, io);
    try {
      const settings = Object.keys(patch).length ? await engine.updateAppSettings(patch) : await engine.appSettings();
      if (values.json) io.stdout.write(JSON.stringify(settings, null, 2) + '\n');
      else {
        io.stdout.write(`genre depth: ${settings.genreDepth} (${DEPTH_MEANING[settings.genreDepth]})\n`);
        io.stdout.write(`listen after scan: ${settings.listenAfterScan ? 'on' : 'off'}\n`);
      }
      return EXIT.OK;
    } finally {
      await engine.close();
    }
  },
};
