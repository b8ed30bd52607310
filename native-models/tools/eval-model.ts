// npm run eval:model -- [folder] [--limit N] [--set NAME] [--workers N] [--backend B]
// Runs the PRODUCTION inference path (GenrePredictor: excerpt plan → decode → log-mel → musicnn in workers →
// genre head) over a labelled folder and prints accuracy, per-genre precision/recall, the confusion matrix,
// and accuracy against patches per track (1/3/5/10: the head re-applied to the first k evenly spread patches).
// Labels: manifest.csv (file,label,set) when present, else each file's parent folder name.
// Default folder: ../shared/datasets/labelled-music (skipped with a message when absent).
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { GenrePredictor, type PatchOutputs } from '../../electron/core/model/predictor.js';
import { inferenceBackendOption } from '../../electron/core/cli/options.js';
import { walkRoot } from '../../electron/core/library/walk.js';
import { spreadIndices } from '../../electron/core/model/track-inputs.js';

/** Dataset label names → the model's vocabulary. */
const ALIASES: Record<string, string> = {
  hiphop: 'hip-hop', 'hip hop': 'hip-hop', dubstep: 'electronic', trapedm: 'electronic', drum_bass: 'electronic',
  house: 'electronic', techno: 'electronic',
};

interface Item {
  path: string;
  label: string;
  set: string;
}

function items(folder: string): Item[] {
  const manifest = join(folder, 'manifest.csv');
  if (existsSync(manifest)) {
    const [head, ...lines] = readFileSync(manifest, 'utf8').trim().split('\n');
    const cols = head!.split(',');
    return lines.map((l) => {
      const c = l.split(',');
      const label = c[cols.indexOf('label')]!;
      return { path: join(folder, c[cols.indexOf('file')]!), label: ALIASES[label] ?? label, set: c[cols.indexOf('set')] ?? 'all' };
    });
  }
  return [...walkRoot(folder)].map((f) => {
    const label = basename(dirname(f.path)).toLowerCase();
    return { path: f.path, label: ALIASES[label] ?? label, set: 'all' };
  });
}

function subset(res: PatchOutputs, k: number): PatchOutputs {
  const n = res.startSec.length;
  if (k >= n) return res;
  const pick = spreadIndices(n, k);
  const outputs: PatchOutputs['outputs'] = {};
  const take = (a: Float32Array): Float32Array => {
    const w = a.length / n;
    const out = new Float32Array(pick.length * w);
    pick.forEach((p, i) => out.set(a.subarray(p * w, (p + 1) * w), i * w));
    return out;
  };
  for (const [name, o] of Object.entries(res.outputs)) {
    outputs[name] = Object.fromEntries(Object.entries(o).map(([k, a]) => [k, take(a)]));
  }
  return { startSec: pick.map((p) => res.startSec[p]!), windows: res.windows, outputs };
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { limit: { type: 'string' }, set: { type: 'string' }, workers: { type: 'string' }, backend: { type: 'string' } },
  });
  const folder = positionals[0] ?? join(process.cwd(), '..', 'shared', 'datasets', 'labelled-music');
  if (!existsSync(folder)) {
    console.log(`skipped: ${folder} is absent (the labelled dev data lives in ../shared)`);
    return;
  }
  const backend = inferenceBackendOption(values.backend);
  let list = items(folder).filter((i) => !values.set || i.set === values.set);
  if (values.limit) list = list.slice(0, Number(values.limit));
  // listen to up to 10 patches (a 30 s clip whole); the shipped budget and the others are subsets of them,
  // chosen by the same spread rule as production
  const shipped = await GenrePredictor.create({ backend, workers: 1 });
  const budget = shipped.patchesPerTrack ?? 10;
  await shipped.close();
  // the shipped head reads musicnn alone: the other analysis backbones need not run here
  const predictor = await GenrePredictor.create({
    backend, workers: values.workers ? Number(values.workers) : undefined, patchesPerTrack: 10, backbones: ['musicnn-msd'],
  });
  const genres = predictor.genres;
  console.log(`${list.length} files from ${folder}; model ${predictor.modelId} ${predictor.modelVersion}; backend ${(await predictor.backend).name}`);
  const t0 = Date.now();
  const done: { item: Item; raw: PatchOutputs }[] = [];
  let failed = 0;
  // raw patch outputs come back from the production path; the head is applied here so the same run gives
  // the accuracy for fewer patches per track as well
  await Promise.all(
    list.map(async (item) => {
      try {
        done.push({ item, raw: await predictor.analyzeFile(item.path) });
      } catch (err) {
        failed++;
        console.log(`${relative(folder, item.path)}: ${(err as Error).message}`);
      }
    }),
  );
  const secs = (Date.now() - t0) / 1000;
  console.log(`analysed ${done.length} files (${failed} failed) in ${secs.toFixed(0)} s: ${(done.length / secs).toFixed(2)} tracks/s\n`);
  await predictor.close();

  const sets = [...new Set(done.map((d) => d.item.set))].sort();
  for (const set of sets) {
    const rows = done.filter((d) => d.item.set === set);
    // argmax over the labels this source uses (e.g. Emotify's 4), as the source is scored
    const labels = genres.filter((g) => rows.some((r) => r.item.label === g));
    const unknown = [...new Set(rows.map((r) => r.item.label).filter((l) => !genres.includes(l)))];
    if (unknown.length) console.log(`(${set}: labels outside the model's vocabulary ignored: ${unknown.join(', ')})`);
    const scored = rows.filter((r) => genres.includes(r.item.label));
    const predict = (r: { raw: PatchOutputs }, k = Infinity): string => {
      const p = predictor.fromOutputs(Number.isFinite(k) ? subset(r.raw, k) : r.raw).prediction.probabilities;
      return labels.reduce((best, g) => (p[g]! > p[best]! ? g : best), labels[0]!);
    };
    const preds = scored.map((r) => predict(r, budget));
    const acc = preds.filter((p, i) => p === scored[i]!.item.label).length / Math.max(1, scored.length);
    console.log(`== ${set}: ${scored.length} files, ${budget} patches per track, argmax over ${labels.length} labels: accuracy ${pct(acc)}`);
    console.log('genre        precision  recall   n');
    for (const g of labels) {
      const tp = preds.filter((p, i) => p === g && scored[i]!.item.label === g).length;
      const np = preds.filter((p) => p === g).length;
      const n = scored.filter((r) => r.item.label === g).length;
      console.log(`${g.padEnd(12)} ${(np ? pct(tp / np) : '-').padStart(8)}  ${pct(tp / Math.max(1, n)).padStart(7)}  ${n}`);
    }
    console.log(`confusion (rows: label, columns: predicted)\n${''.padEnd(12)}${labels.map((g) => g.slice(0, 5).padStart(6)).join('')}`);
    for (const g of labels) {
      const row = labels.map((h) => String(preds.filter((p, i) => p === h && scored[i]!.item.label === g).length).padStart(6));
      console.log(`${g.padEnd(12)}${row.join('')}`);
    }
    const byK = [1, 3, 5, 10].map((k) => {
      const a = scored.filter((r) => predict(r, k) === r.item.label).length / Math.max(1, scored.length);
      return `${k}: ${pct(a)}`;
    });
    console.log(`accuracy vs patches per track — ${byK.join(', ')}\n`);
  }
}

await main();
