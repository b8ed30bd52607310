// npm run eval:personal -- [folder] [--seed N] [--work DIR] [--keep] [--min-per-genre N] [--limit N] [--extra-splits N] [--json FILE]
//   (training knobs for measuring the speed/quality trade-off: [--target-steps N] [--hidden N])
// How much the personal model adds over the default one, measured through the production path: copy a labelled folder into a temp
// library, write the owner's labels of a random half (whole groups: album/artist tags where the files have
// them, else single files) into the files' genre tags with the tag writer, scan, analyse with the default
// model (`spectag analyze`'s path), learn (`spectag learn`'s path), and score the other half: default model
// vs personal model vs what the app shows (personal where offered, else default) on the owner's labels.
// Labels: manifest.csv (file,label,set) when present, else each file's parent folder name; used as the
// owner wrote them (e.g. "hiphop", "drum_bass"), compared through the genre-name normaliser.
// Default folder: ../shared/datasets/labelled-music (skipped with a message when absent). Nothing of it is
// copied into the repo: the temp library lives under the OS temp folder (or --work).
//
// A fair default model: the shipped head was trained on these very dev files, so it would be scored
// in-sample. A held-out run cross-fits the default head over the two halves: a head trained on the tagged half
// only (what the personal model sees too) predicts the scored half, and a head trained on the scored half
// predicts the tagged half, where `learn` compares the two models to decide what to offer. As with a person's
// own library, the default model never predicts a file it was trained on (eval-personal-heldout.sh):
//   npm run eval:personal -- --work W --split-only     # W/default-train-files.json, W/default-scored-files.json
//   python native-models/tools/train_genre_head.py FEATURES <the shipped head's options> \
//          --train-files W/default-train-files.json --out W/head-tagged     (and the scored files → W/head-scored)
//   npm run eval:personal -- --work W --default-head W/head-tagged/head.json --default-head-tagged W/head-scored/head.json
// For version 2's default head (genre-head-2) eval-personal-heldout-2.sh does the same with efficientat_head.py export
// --train-files.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase, type Db } from '../../electron/core/db/open.js';
import { scanLibrary } from '../../electron/core/library/scan.js';
import { DecisionStore } from '../../electron/core/db/decisions.js';
import { applyWrite, planWrite } from '../../electron/core/tags/write.js';
import { Analyzer } from '../../electron/core/jobs/analyzer.js';
import { startGenreStep } from '../../electron/core/model/genre-step.js';
import { NATIVE_MODELS_DIR } from '../../electron/core/model/paths.js';
import { SHIPPED_HEAD_DIR } from '../../electron/core/model/genre-head.js';
import { GenrePredictor } from '../../electron/core/model/predictor.js';
import { PredictionStore } from '../../electron/core/db/predictions.js';
import { walkRoot } from '../../electron/core/library/walk.js';
import { learnPersonalModel } from '../../electron/core/personal/learn.js';
import { PersonalStore } from '../../electron/core/db/personal.js';
import { formatLearnReport } from '../../electron/core/cli/commands/learn.js';
import { rng, shuffleInPlace } from '../../electron/core/personal/train.js';
import { genreKey, type LearnReport } from '../../electron/shared/personal.js';

interface Item {
  source: string;
  /** path inside the temp library */
  rel: string;
  label: string;
  set: string;
}

function items(folder: string): Item[] {
  const manifest = join(folder, 'manifest.csv');
  const raw: { path: string; label: string; set: string }[] = existsSync(manifest)
    ? (() => {
      const [head, ...lines] = readFileSync(manifest, 'utf8').trim().split('\n');
      const cols = head!.split(',');
      return lines.map((l) => {
        const c = l.split(',');
        return { path: join(folder, c[cols.indexOf('file')]!), label: c[cols.indexOf('label')]!, set: c[cols.indexOf('set')] ?? 'all' };
      });
    })()
    : [...walkRoot(folder)].map((f) => ({ path: f.path, label: basename(dirname(f.path)), set: 'all' }));
  // one folder per source set: the label folders of the dataset would hand the answer to the grouping
  const seen = new Set<string>();
  return raw.map((r) => {
    let rel = join(r.set, basename(r.path));
    for (let i = 2; seen.has(rel); i++) rel = join(r.set, `${i}-${basename(r.path)}`);
    seen.add(rel);
    return { source: r.path, rel, label: r.label, set: r.set };
  });
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

interface TagMeta { artist: string | null; album_artist: string | null; album: string | null }

/** Whole groups go to one side: album tags, else artist tags, else the file alone. */
function groupFromTags(m: TagMeta | undefined, it: Item): string {
  if (m?.album) return `album:${(m.album_artist ?? m.artist ?? '').toLowerCase()}|${m.album.toLowerCase()}`;
  if (m?.artist) return `artist:${m.artist.toLowerCase()}`;
  return `file:${it.rel}`;
}

/** Per owner label, a random half of its groups is tagged (so every label is on both sides where it can be). */
function splitHalf(list: readonly Item[], groupOf: (it: Item) => string, seed: number): Set<string> {
  const random = rng(seed);
  const groupsByLabel = new Map<string, string[]>();
  for (const it of list) {
    const g = groupOf(it);
    const gs = groupsByLabel.get(it.label) ?? [];
    if (!gs.includes(g)) gs.push(g);
    groupsByLabel.set(it.label, gs);
  }
  const taggedGroups = new Set<string>();
  for (const gs of groupsByLabel.values()) {
    shuffleInPlace(gs, random);
    const half = gs.length === 1 ? (random() < 0.5 ? 1 : 0) : Math.round(gs.length / 2);
    for (const g of gs.slice(0, half)) taggedGroups.add(g);
  }
  return new Set(list.filter((it) => taggedGroups.has(groupOf(it))).map((it) => it.rel));
}

interface Scored { label: string; key: string; set: string; def: string | null; defOwn: string | null; per: string | null; app: string | null }
interface Acc { def: number; per: number; app: number; n: number }

/** Default vs personal vs app (personal where offered) on the untagged half; prints the tables when asked. */
function scoreHalf(db: Db, libRoot: string, list: readonly Item[], tagged: ReadonlySet<string>, learn: LearnReport, minPerGenre: number, print: boolean): { scored: Scored[]; all: Acc; learned: Acc } {
  const rows = db.prepare(`SELECT f.path, p.probabilities AS dp, pp.probabilities AS pp, pp.offered AS offered
      FROM files f JOIN predictions p ON p.file_id = f.id AND p.model_id = ?
      LEFT JOIN personal_predictions pp ON pp.file_id = f.id`).all(learn.defaultModel!.id) as { path: string; dp: string; pp: string | null; offered: number | null }[];
  const byPath = new Map(rows.map((r) => [r.path, r]));
  const test = list.filter((it) => !tagged.has(it.rel));
  const learned = new Set(learn.genres.map((g) => g.key));
  const ownerKeys = new Set(list.map((it) => genreKey(it.label)));
  const trainCount = new Map<string, number>();
  for (const it of list.filter((x) => tagged.has(x.rel))) trainCount.set(genreKey(it.label), (trainCount.get(genreKey(it.label)) ?? 0) + 1);
  const scored: Scored[] = [];
  let missing = 0;
  for (const it of test) {
    const r = byPath.get(join(libRoot, it.rel));
    if (!r) {
      missing++;
      continue;
    }
    const dp = JSON.parse(r.dp) as Record<string, number>;
    const def = argmax(dp);
    const defOwn = argmax(dp, (g) => ownerKeys.has(genreKey(g)));
    const per = r.pp ? argmax(JSON.parse(r.pp) as Record<string, number>) : null;
    const app = r.offered === 1 ? per : def;
    const k = (g: string | null) => (g == null ? null : genreKey(g));
    scored.push({ label: it.label, key: genreKey(it.label), set: it.set, def: k(def), defOwn: k(defOwn), per: k(per), app: k(app) });
  }
  const acc = (xs: Scored[], f: (s: Scored) => string | null) => (xs.length ? xs.filter((s) => f(s) === s.key).length / xs.length : 0);
  const summary = (xs: Scored[]): Acc => ({ def: acc(xs, (s) => s.def), per: acc(xs, (s) => s.per), app: acc(xs, (s) => s.app), n: xs.length });
  const inLearned = scored.filter((s) => learned.has(s.key));
  if (print) {
    console.log(`\n---- the untagged half: ${scored.length} files scored${missing ? ` (${missing} not analysed)` : ''} ----`);
    console.log(`accuracy on the owner's labels        default  default*  personal  app (personal where offered)`);
    const line = (name: string, xs: Scored[]) =>
      console.log(`${name.padEnd(36)} ${pct(acc(xs, (s) => s.def)).padStart(8)}  ${pct(acc(xs, (s) => s.defOwn)).padStart(8)}  ${pct(acc(xs, (s) => s.per)).padStart(8)}  ${pct(acc(xs, (s) => s.app)).padStart(8)}   n=${xs.length}`);
    line('all scored files', scored);
    line(`labels with ≥ ${minPerGenre} tagged examples`, inLearned);
    for (const set of [...new Set(scored.map((s) => s.set))].sort()) line(`  set ${set}`, scored.filter((s) => s.set === set));
    console.log('(default*: the default model\'s argmax restricted to genres the owner uses — a generous reading of it)');
    console.log(`\nper owner label       tagged  scored  default recall  personal recall  offered`);
    for (const key of [...new Set(scored.map((s) => s.key))].sort()) {
      const xs = scored.filter((s) => s.key === key);
      const g = learn.genres.find((x) => x.key === key);
      console.log(`${(xs[0]!.label).padEnd(20)} ${String(trainCount.get(key) ?? 0).padStart(7)} ${String(xs.length).padStart(7)}  ${pct(acc(xs, (s) => s.def)).padStart(14)}  ${pct(acc(xs, (s) => s.per)).padStart(15)}  ${g ? (g.offered ? 'yes' : 'no') : 'not learned'}`);
    }
    const gain = acc(inLearned, (s) => s.per) - acc(inLearned, (s) => s.def);
    console.log(`\npersonal − default on labels with ≥ ${minPerGenre} examples: ${(100 * gain).toFixed(1)} points (target ≥ 15)`);
  }
  return { scored, all: summary(scored), learned: summary(inLearned) };
}

function argmax(p: Record<string, number>, allowed?: (g: string) => boolean): string | null {
  let best: string | null = null;
  for (const [g, v] of Object.entries(p)) if ((!allowed || allowed(g)) && (best == null || v > p[best]!)) best = g;
  return best;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seed: { type: 'string' }, work: { type: 'string' }, 'min-per-genre': { type: 'string' }, limit: { type: 'string' },
      json: { type: 'string' }, keep: { type: 'boolean' }, 'extra-splits': { type: 'string' }, 'target-steps': { type: 'string' }, hidden: { type: 'string' },
      'split-only': { type: 'boolean' }, 'default-head': { type: 'string' }, 'default-head-tagged': { type: 'string' },
    },
  });
  const folder = positionals[0] ?? join(process.cwd(), '..', 'shared', 'datasets', 'labelled-music');
  if (!existsSync(folder)) {
    console.log(`skipped: ${folder} is absent (the labelled dev data lives in ../shared)`);
    return;
  }
  if (values['default-head'] && Number(values['extra-splits'] ?? 0) > 0) {
    throw new Error('--extra-splits scores other halves, which a held-out head (--default-head) has seen: use one or the other');
  }
  if (values['default-head-tagged'] && !values['default-head']) throw new Error('--default-head-tagged goes with --default-head (the other half\'s head)');
  if (values['split-only'] && !values.work) throw new Error('--split-only needs --work DIR (the split is kept there)');
  const seed = Number(values.seed ?? 1);
  const minPerGenre = Number(values['min-per-genre'] ?? 5);
  const work = values.work ?? mkdtempSync(join(tmpdir(), 'spectag-eval-personal-'));
  const libRoot = join(work, 'library');
  const dbPath = join(work, 'library.sqlite');
  let list = items(folder);
  if (values.limit) list = shuffled(list, seed + 1).slice(0, Number(values.limit));
  const started = Date.now();

  // ---- 1. the temp library and the split (by group: album/artist tags where present, else the file)
  const prepared = existsSync(join(work, 'split.json'));
  let tagged: Set<string>;
  if (!prepared) {
    rmSync(libRoot, { recursive: true, force: true });
    for (const it of list) {
      mkdirSync(dirname(join(libRoot, it.rel)), { recursive: true });
      copyFileSync(it.source, join(libRoot, it.rel));
      // the copies are the temp library's own files: writable, whatever the source's permissions
      chmodSync(join(libRoot, it.rel), 0o644);
    }
    // a scratch database: scan (for the album/artist tags), decide the owner's labels, write them into the files
    const scratchPath = join(work, 'scratch.sqlite');
    rmSync(scratchPath, { force: true });
    const scratch = openDatabase(scratchPath);
    await scanLibrary(scratch, [libRoot]);
    const meta = new Map((scratch.prepare('SELECT id, path, artist, album_artist, album FROM files').all() as (TagMeta & { id: number; path: string })[])
      .map((f) => [f.path, f]));
    const groupOf = (it: Item) => groupFromTags(meta.get(join(libRoot, it.rel)), it);
    tagged = splitHalf(list, groupOf, seed);
    const decisions = new DecisionStore(scratch);
    const ids: number[] = [];
    for (const it of list.filter((x) => tagged.has(x.rel))) {
      const id = meta.get(join(libRoot, it.rel))?.id;
      if (id == null) throw new Error(`${it.rel} was not scanned`);
      decisions.record(id, [it.label], 'cli');
      ids.push(id);
    }
    const report = await applyWrite(scratch, planWrite(scratch, { fileIds: ids }, 'replace'));
    scratch.close();
    rmSync(scratchPath, { force: true });
    rmSync(`${scratchPath}-wal`, { force: true });
    rmSync(`${scratchPath}-shm`, { force: true });
    console.log(`labels written into ${report.written} of ${ids.length} files (${report.failed} failed) in ${(report.durationMs / 1000).toFixed(1)} s`);
    if (report.failed) for (const f of report.files.filter((x) => x.status === 'failed').slice(0, 5)) console.log(`  ${f.path}: ${f.message}`);
    writeFileSync(join(work, 'split.json'), JSON.stringify({ seed, tagged: [...tagged] }));
  } else {
    tagged = new Set((JSON.parse(readFileSync(join(work, 'split.json'), 'utf8')) as { tagged: string[] }).tagged);
    console.log(`reusing the prepared library in ${work}`);
  }
  console.log(`${list.length} files from ${folder}: ${tagged.size} tagged with the owner's labels, ${list.length - tagged.size} to predict (seed ${seed})`);
  // the tagged half, as paths inside the dataset: what a held-out default head may be trained on
  const datasetPaths = (inTagged: boolean) => list.filter((it) => tagged.has(it.rel) === inTagged).map((it) => relative(folder, it.source).split('\\').join('/'));
  const trainFiles = join(work, 'default-train-files.json');
  const scoredFiles = join(work, 'default-scored-files.json');
  writeFileSync(trainFiles, JSON.stringify(datasetPaths(true), null, 1));
  writeFileSync(scoredFiles, JSON.stringify(datasetPaths(false), null, 1));
  if (values['split-only']) {
    console.log(`split kept in ${work}; the two halves' dataset paths: ${trainFiles} (tagged), ${scoredFiles} (scored)`);
    return;
  }
  const modelsDir = values['default-head'] ? heldOutModels(values['default-head'], join(work, 'models-scored')) : undefined;
  console.log(values['default-head']
    ? `default model: the head in ${values['default-head']} (it must have been trained on ${trainFiles} only)`
    : 'default model: the shipped head (trained on all the dev files, so in-sample when the folder is the dev data)');
  if (values['default-head-tagged']) console.log(`default model on the tagged half: the head in ${values['default-head-tagged']} (trained on ${scoredFiles} only)`);

  // ---- 2. scan and analyse, exactly as `spectag scan` + `spectag analyze` (resumable with --work)
  const db: Db = openDatabase(dbPath);
  try {
    await scanLibrary(db, [libRoot]);
    const genre = await startGenreStep(undefined, process.stderr, modelsDir);
    if (!genre) throw new Error('the default genre model could not start');
    const t0 = Date.now();
    let report;
    try {
      let last = 0;
      report = await new Analyzer(db, {
        modelStep: genre.step,
        onProgress: (p) => {
          if (Date.now() - last > 15000) {
            last = Date.now();
            console.log(`  analysed ${p.done}/${p.total ?? '?'} (${p.rate.toFixed(2)} tracks/s)`);
          }
        },
      }).run();
    } finally {
      await genre.close();
    }
    const secs = (Date.now() - t0) / 1000;
    console.log(`analysed ${report.analysed} tracks in ${secs.toFixed(0)} s (${report.ok} ok, ${report.errors} failed, ${report.remaining} still queued)`);

    // ---- 2b. cross-fitting: the tagged half's default predictions from the head that never saw those files
    if (values['default-head-tagged']) await crossFitTagged(db, libRoot, list, tagged, heldOutModels(values['default-head-tagged'], join(work, 'models-tagged')));

    // ---- 3. learn, as `spectag learn --min-per-genre N`
    new PersonalStore(db).updateSettings({ minPerGenre, ...(values.hidden ? { hiddenUnits: Number(values.hidden) } : {}) });
    const train = values['target-steps'] ? { targetSteps: Number(values['target-steps']) } : undefined;
    const learn = await learnPersonalModel(db, { seed, train });
    console.log('\n---- spectag learn (validation inside the tagged half) ----');
    process.stdout.write(formatLearnReport(learn));
    if (!learn.trained) return;

    // ---- 4. score the untagged half against the owner's labels
    const main = scoreHalf(db, libRoot, list, tagged, learn, minPerGenre, true);
    console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s; learning ${(learn.timings.totalMs / 1000).toFixed(2)} s on ${learn.backend}`);

    // ---- 5. optional: more random halves over the same analysed audio, to see how much one split varies.
    // Shortcut (said so in the output): the labels go into the copy's files.genres directly instead of
    // through the tag writer + rescan, which step 1 has already exercised; analysis and learning are the same.
    const extra = Number(values['extra-splits'] ?? 0);
    const rowsOut: { seed: number; def: number; per: number; app: number; n: number }[] = [
      { seed, def: main.learned.def, per: main.learned.per, app: main.learned.app, n: main.learned.n },
    ];
    if (extra > 0) {
      const meta = new Map((db.prepare('SELECT path, artist, album_artist, album FROM files').all() as { path: string; artist: string | null; album_artist: string | null; album: string | null }[]).map((f) => [f.path, f]));
      const groupOf = (it: Item) => groupFromTags(meta.get(join(libRoot, it.rel)), it);
      const copyPath = join(work, 'resplit.sqlite');
      for (let i = 1; i <= extra; i++) {
        const s2 = seed + i;
        rmSync(copyPath, { force: true });
        await db.backup(copyPath);
        const copy = openDatabase(copyPath);
        try {
          const t2 = splitHalf(list, groupOf, s2);
          const set = copy.prepare('UPDATE files SET genres = ? WHERE path = ?');
          copy.transaction(() => {
            for (const it of list) set.run(JSON.stringify(t2.has(it.rel) ? [it.label] : []), join(libRoot, it.rel));
            copy.exec('DELETE FROM personal_predictions; DELETE FROM personal_models;');
          })();
          const l2 = await learnPersonalModel(copy, { seed: s2, train });
          if (!l2.trained) continue;
          const sc = scoreHalf(copy, libRoot, list, t2, l2, minPerGenre, false);
          rowsOut.push({ seed: s2, def: sc.learned.def, per: sc.learned.per, app: sc.learned.app, n: sc.learned.n });
        } finally {
          copy.close();
          for (const f of [copyPath, `${copyPath}-wal`, `${copyPath}-shm`]) rmSync(f, { force: true });
        }
      }
      console.log(`\n---- ${rowsOut.length} random halves over the same analysed audio (labels set in a database copy for the extra ones) ----`);
      console.log(`seed   default  personal  app      gain (personal − default), labels with ≥ ${minPerGenre} tagged examples`);
      for (const r of rowsOut) console.log(`${String(r.seed).padEnd(5)} ${pct(r.def).padStart(8)} ${pct(r.per).padStart(9)} ${pct(r.app).padStart(8)}  ${(100 * (r.per - r.def)).toFixed(1).padStart(6)} points  n=${r.n}`);
      const gains = rowsOut.map((r) => 100 * (r.per - r.def));
      console.log(`gain: mean ${(gains.reduce((a, b) => a + b, 0) / gains.length).toFixed(1)}, min ${Math.min(...gains).toFixed(1)}, max ${Math.max(...gains).toFixed(1)} points`);
    }
    if (values.json) writeFileSync(values.json, JSON.stringify({ seed, minPerGenre, learn, scored: main.scored, splits: rowsOut }, null, 2));
  } finally {
    db.close();
    if (!values.work && !values.keep) rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Replaces the default model's predictions of the tagged files by those of another head (same backbones, so the
 * same embeddings), under the analysed model's id and version, so `learn` reads them as the default model's.
 */
async function crossFitTagged(db: Db, libRoot: string, list: readonly Item[], tagged: ReadonlySet<string>, modelsDir: string): Promise<void> {
  const t0 = Date.now();
  const predictor = await GenrePredictor.create({ modelsDir });
  const store = new PredictionStore(db);
  const rowFor = db.prepare(`SELECT f.id, p.model_id AS modelId, p.model_version AS modelVersion FROM files f
    JOIN predictions p ON p.file_id = f.id WHERE f.path = ?`);
  let n = 0;
  try {
    for (const it of list.filter((x) => tagged.has(x.rel))) {
      const row = rowFor.get(join(libRoot, it.rel)) as { id: number; modelId: string; modelVersion: string } | undefined;
      if (!row) continue;
      const { prediction, embeddings } = await predictor.predictFile(join(libRoot, it.rel));
      store.save(row.id, { ...prediction, modelId: row.modelId, modelVersion: row.modelVersion }, embeddings);
      n++;
    }
  } finally {
    await predictor.close();
  }
  console.log(`cross-fitted: ${n} tagged files predicted again by the other half's head in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

/** A models folder with the shipped backbones and another genre head. */
function heldOutModels(headFile: string, dir: string): string {
  if (!existsSync(headFile)) throw new Error(`${headFile}: no such head`);
  rmSync(dir, { recursive: true, force: true });
  // the held-out head is loaded where the shipped one is; every backbone the analysis runs comes along
  mkdirSync(join(dir, SHIPPED_HEAD_DIR), { recursive: true });
  for (const entry of readdirSync(NATIVE_MODELS_DIR)) {
    if (entry.startsWith('musicnn-') || entry.startsWith('efficientat-')) symlinkSync(join(NATIVE_MODELS_DIR, entry), join(dir, entry));
  }
  copyFileSync(headFile, join(dir, SHIPPED_HEAD_DIR, 'head.json'));
  return dir;
}

function shuffled<T>(a: T[], seed: number): T[] {
  const out = a.slice();
  shuffleInPlace(out, rng(seed));
  return out;
}

await main();
