// spectag stats: a summary of the library.
import { EXIT, type Command } from '../command.js';
import { DB_OPTION } from '../db-option.js';
import { openCliEngine } from '../engine.js';
import { formatBytes } from '../../../shared/units.js';

export const statsCommand: Command = {
  name: 'stats',
  summary: 'summary of the library: files by status, container, error kind, top genres',
  usage: 'Usage: spectag stats [--json] [--db FILE]',
  options: { ...DB_OPTION, json: { type: 'boolean' } },
  allowPositionals: false,
  async run({ values }, io) {
    const { engine, path } = openCliEngine(values, io);
    try {
      const s = engine.services.library.stats();
      if (values.json) {
        io.stdout.write(JSON.stringify({ db: path, ...s }, null, 2) + '\n');
        return EXIT.OK;
      }
      const lines = [
        `Library: ${path}`,
        ...s.roots.map((r) => `  root ${r.path}: ${r.files} files, last scan ${r.lastScanAt ? new Date(r.lastScanAt).toISOString() : 'never'}`),
        `Files: ${s.files} (${s.byStatus.ok} ok, ${s.byStatus.error} unreadable, ${s.byStatus.missing} missing)`,
        `Playing time: ${(s.totalDurationSec / 3600).toFixed(1)} h, ${formatBytes(s.totalBytes)} (1 GB = 10^9 bytes)`,
        `Genre tags: ${s.withGenre} files with, ${s.withoutGenre} without`,
        `Containers: ${Object.entries(s.byContainer).map(([k, n]) => `${k} ${n}`).join(', ') || '-'}`,
        `Errors: ${Object.entries(s.errorsByKind).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
        `Top genres: ${s.topGenres.map((g) => `${g.genre} (${g.files})`).join(', ') || '-'}`,
      ];
      io.stdout.write(lines.join('\n') + '\n');
      return EXIT.OK;
    } finally {
      await engine.close();
    }
  },
};
