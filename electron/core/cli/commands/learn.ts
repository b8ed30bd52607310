// spectag learn: train the personal genre model on the library's own tags and reviewed decisions, and print
// its album-grouped validation against the default model (per genre precision/recall, what is offered).
import { EXIT, UsageError, type Command } from '../command.js';
import { trainingBackendOption, wholeNumber } from '../options.js';
import { DB_OPTION } from '../db-option.js';
import { learnPhases, openCliEngine } from '../engine.js';
import { BACKEND_NAMES } from '../../../shared/genres-model.js';
import type { GenreScore, LearnReport, PersonalSettings } from '../../../shared/personal.js';

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
const pct = (v: number | null): string => (v == null ? '   -  ' : `${(100 * v).toFixed(1).padStart(5)} %`);
const score = (s: GenreScore): string => `${pct(s.precision)} / ${pct(s.recall)}`;

export function formatLearnReport(r: LearnReport): string {
  const lines: string[] = [];
  const t = r.tracks;
  if (!r.trained) {
    lines.push(`No personal model was trained: ${r.reason ?? 'unknown reason'}.`);
  } else {
    lines.push(
      `Personal genre model v${r.version}: ${r.genres.length} genres learned from ${t.labelled} tracks ` +
        `(${t.fromTags} from file tags, ${t.fromDecisions} from your decisions); trained on ${r.backend}.`,
    );
  }
  if (r.defaultModel) lines.push(`Embeddings and comparison: default model ${r.defaultModel.id} (${r.defaultModel.versions.join(', ')}).`);
  lines.push(
    `Tracks analysed without a usable genre: ${t.unlabelled}; with only genres not learned: ${t.withoutLearnedGenre}; ` +
      `tags ignored in excluded folders: ${t.excludedByFolder}.`,
  );
  const v = r.validation;
  if (v) {
    const g = v.groups;
    lines.push(
      '',
      `Validation: ${v.scheme}.`,
      `Held out: ${v.heldOutTracks} tracks in ${g.album + g.artist + g.folder + g.track} groups ` +
        `(${g.album} albums, ${g.artist} artists, ${g.folder} folders, ${g.track} single tracks).`,
      `Accuracy (best genre is one of the track's genres): personal ${pct(v.personalAccuracy).trim()}, default ${pct(v.defaultAccuracy).trim()}` +
        ` → ${v.beatsDefault ? 'the personal model is better overall' : 'the default model is as good or better overall'}.`,
      '',
      `${'genre'.padEnd(24)} ${'tracks'.padStart(6)} ${'held'.padStart(5)}  ${'personal prec / recall'.padEnd(22)}  ${'default prec / recall'.padEnd(22)}  offered`,
    );
    for (const x of r.genres) {
      const def = x.defaultKnows ? score(x.default) : '(cannot name it)';
      lines.push(`${x.genre.slice(0, 24).padEnd(24)} ${String(x.examples).padStart(6)} ${String(x.heldOut).padStart(5)}  ${score(x.personal).padEnd(22)}  ${def.padEnd(22)}  ${x.offered ? 'yes' : 'no '}${x.arbitration?.tracks ? `  (said ${x.arbitration.tracks}×: yours right ${x.arbitration.personalRight}, default ${x.arbitration.defaultRight})` : ''}`);
    }
    lines.push(
      '',
      `A genre is offered when, on the held-out tracks your model gives it, your model is right more often than the default model; elsewhere the default suggestion stays.`,
      `Offered: ${r.offeredGenres.join(', ') || 'none'}.`,
    );
  }
  const few = r.notLearned.filter((n) => n.reason === 'too-few');
  const excluded = r.notLearned.filter((n) => n.reason === 'excluded');
  if (few.length) lines.push(`Not learned (fewer than ${r.settings.minPerGenre} tracks): ${few.map((n) => `${n.genre} (${n.examples})`).join(', ')}.`);
  if (excluded.length) lines.push(`Excluded by you: ${excluded.map((n) => `${n.genre} (${n.examples})`).join(', ')}.`);
  if (r.trained) {
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    lines.push(
      `Suggestions stored for ${r.predicted} tracks. Took ${s(r.timings.totalMs)} (loading ${s(r.timings.loadMs)}, validation ${s(r.timings.validateMs)}, ` +
        `final training ${s(r.timings.trainMs)}, suggestions ${s(r.timings.predictMs)}).`,
    );
  }
  return lines.join('\n') + '\n';
}

export const learnCommand: Command = {
  name: 'learn',
  summary: 'learn your own genres from your tags and decisions; print the validation against the default model',
  usage: `Usage: spectag learn [--db FILE] [--min-per-genre N] [--json] [options]

Trains the personal genre model on the stored embeddings of analysed tracks (run \`spectag analyze\` first;
no audio is decoded again), labelled by your reviewed decisions (weighted higher) and your files' genre
tags. Genre spellings are compared loosely ("Hip Hop" = "Hip-Hop" = "hiphop"). Whole albums are held out
together to measure it against the default model; a genre's personal suggestions are offered only where
the personal model did better on that held-out data. Each run stores a new model version and suggestions.
  --min-per-genre N      genres with fewer tracks are not learned (default 5; remembered)
  --retrain-after N      retrain automatically after N new decisions (default 25, 0 = never; remembered)
  --hidden N             hidden units of the model (default 0 = linear; remembered)
  --exclude-genre G      never learn or suggest genre G (repeatable; remembered)
  --include-genre G      undo --exclude-genre
  --exclude-folder DIR   do not trust the genre tags of files under DIR (repeatable; remembered)
  --include-folder DIR   undo --exclude-folder
  --if-due               only train when enough new decisions were made since the last model
  --refresh              do not train: store suggestions for tracks analysed since the last training
  --backend B            TF.js backend: ${BACKEND_NAMES.join(', ')} (default: the first that works)
  --json                 print the report as JSON
Exit codes: 0 trained (or nothing due), 2 usage, 3 nothing could be learned (too few tagged tracks), 130 interrupted (Ctrl-C, SIGINT), 143 stopped (SIGTERM).`,
  options: {
    ...DB_OPTION, json: { type: 'boolean' }, 'min-per-genre': { type: 'string' }, 'retrain-after': { type: 'string' }, hidden: { type: 'string' },
    'exclude-genre': { type: 'string', multiple: true }, 'include-genre': { type: 'string', multiple: true },
    'exclude-folder': { type: 'string', multiple: true }, 'include-folder': { type: 'string', multiple: true },
    'if-due': { type: 'boolean' }, refresh: { type: 'boolean' }, backend: { type: 'string' },
  },
  allowPositionals: false,
  async run({ values }, io) {
    const patch: Partial<PersonalSettings> = {};
    const min = wholeNumber(values['min-per-genre'], '--min-per-genre', 1, 1_000_000);
    if (min != null) patch.minPerGenre = min;
    const after = wholeNumber(values['retrain-after'], '--retrain-after', 0, 1_000_000);
    if (after != null) patch.retrainAfterDecisions = after;
    const hidden = wholeNumber(values.hidden, '--hidden', 0, 1024);
    if (hidden != null) patch.hiddenUnits = hidden;
    const backend = trainingBackendOption(values.backend);
    if (values.refresh && values['if-due']) throw new UsageError('--refresh and --if-due do not go together');
    const { engine, path } = openCliEngine(values, io);
    const { personal } = engine.services;
    try {
      if (Object.keys(patch).length) personal.updateSettings(patch);
      for (const g of list(values['exclude-genre'])) personal.setGenreExcluded(g, true);
      for (const g of list(values['include-genre'])) personal.setGenreExcluded(g, false);
      for (const f of list(values['exclude-folder'])) personal.setFolderExcluded(f, true);
      for (const f of list(values['include-folder'])) personal.setFolderExcluded(f, false);

      if (values.refresh) {
        const n = personal.refreshSuggestions(false);
        const active = personal.retrainState().activeVersion;
        if (values.json) io.stdout.write(JSON.stringify({ db: path, version: active, refreshed: n }, null, 2) + '\n');
        else io.stdout.write(active != null ? `Personal suggestions (model v${active}) stored for ${n} tracks.\n` : 'No personal model yet: run `spectag learn` first.\n');
        return EXIT.OK;
      }
      if (values['if-due']) {
        const state = personal.retrainState();
        if (!state.due) {
          if (values.json) io.stdout.write(JSON.stringify({ db: path, trained: false, retrain: state }, null, 2) + '\n');
          else io.stdout.write(`Not due: ${state.newDecisions} new decisions since the last model (retraining after ${state.threshold || 'never'}), default model unchanged.\n`);
          return EXIT.OK;
        }
      }
      const report = await personal.learn(values['if-due'] ? 'auto' : 'manual', { backend, signal: io.signal, onPhase: learnPhases(io, values.json === true) });
      if (values.json) io.stdout.write(JSON.stringify({ db: path, ...report }, null, 2) + '\n');
      else io.stdout.write(formatLearnReport(report));
      return report.trained ? EXIT.OK : EXIT.FAILED;
    } catch (err) {
      if (io.signal.aborted) return EXIT.CANCELLED;
      throw err;
    } finally {
      await engine.close();
    }
  },
};
