// Extracts per-patch musicnn outputs (MSD + MTT tags and embeddings) of a labelled folder through the
// production path (GenrePredictor.analyzeFile: excerpt plan → decode → log-mel → TF.js backbones in the
// inference workers), for training
// and evaluating the genre head. Uses ../shared/datasets/labelled-music by default (never copied into
// the repo); writes a cache OUTSIDE the repo (default /tmp/spectag-features), one JSON line per file.
// Run: npx tsc -p . && node .build/native-models/tools/extract-features.js [datasetDir] [outDir]
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { planExcerpts } from '../../electron/core/audio/excerpt-plan.js';
import { measureDuration } from '../../electron/core/model/duration.js';
import { GenrePredictor } from '../../electron/core/model/predictor.js';
import { type ManifestRow, readManifest } from './manifest.js';

async function main(): Promise<void> {
  const dataset = process.argv[2] ?? join(process.cwd(), '..', 'shared', 'datasets', 'labelled-music');
  const out = process.argv[3] ?? '/tmp/spectag-features';
  if (!existsSync(join(dataset, 'manifest.csv'))) {
    console.log(`skipped: no labelled dataset at ${dataset} (it lives in ../shared)`);
    return;
  }
  mkdirSync(out, { recursive: true });
  const cache = join(out, 'features.jsonl');
  const pooledFile = join(out, 'pooled.f32');
  const done = new Set(
    existsSync(cache) ? readFileSync(cache, 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as ManifestRow).file) : [],
  );
  const rows = readManifest(dataset).filter((r) => !done.has(r.file));
  console.log(`${rows.length} files to extract (${done.size} cached) → ${cache}`);
  const predictor = await GenrePredictor.create({ backbones: ['musicnn-msd', 'musicnn-mtt'], allOutputs: true });
  console.log(`backend: ${(await predictor.backend).name}`);
  const t0 = Date.now();
  let n = 0;
  await Promise.all(
    rows.map(async (r) => {
      const path = join(dataset, r.file);
      const duration = await measureDuration(path);
      try {
        // every patch of the default listening plan (the head's patch budget is studied on these)
        const res = await predictor.analyzeFile(path, { plan: planExcerpts(duration) });
        // pooled features (1506 per patch) go to a binary side file; the JSON line says where
        const pooled: Record<string, { offset: number; length: number }> = {};
        for (const [k, v] of Object.entries(res.outputs)) {
          if (!v.pooled || !v.tags || !v.embedding) throw new Error(`${k}: outputs missing`);
          const offset = existsSync(pooledFile) ? statSync(pooledFile).size : 0;
          appendFileSync(pooledFile, Buffer.from(v.pooled.buffer, v.pooled.byteOffset, v.pooled.byteLength));
          pooled[k] = { offset, length: v.pooled.length };
        }
        const outputs = Object.fromEntries(
          Object.entries(res.outputs).map(([k, v]) => [k, { tags: Array.from(v.tags!), embedding: Array.from(v.embedding!), pooled: pooled[k] }]),
        );
        appendFileSync(cache, JSON.stringify({ ...r, durationSec: duration, startSec: res.startSec, outputs }) + '\n');
      } catch (err) {
        console.log(`${r.file}: ${(err as Error).message}`);
      }
      if (++n % 20 === 0) console.log(`${n}/${rows.length} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }),
  );
  await predictor.close();
  console.log(`done: ${n} files in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

await main();
