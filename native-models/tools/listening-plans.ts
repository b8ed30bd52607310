// Prints the app's listening plan (which excerpts `spectag analyze` decodes) for every file of a labelled
// folder, one JSON line per file, so research scripts outside Node (efficientat_features.py) hear exactly
// what the app hears. Run: npx tsc -p . && node .build/native-models/tools/listening-plans.js [datasetDir] > plans.jsonl
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { planExcerpts } from '../../electron/core/audio/excerpt-plan.js';
import { measureDuration } from '../../electron/core/model/duration.js';
import { readManifest } from './manifest.js';

const dataset = process.argv[2] ?? join(process.cwd(), '..', 'shared', 'datasets', 'labelled-music');
if (!existsSync(join(dataset, 'manifest.csv'))) {
  console.error(`skipped: no labelled dataset at ${dataset} (it lives in ../shared)`);
} else {
  for (const row of readManifest(dataset)) {
    const durationSec = await measureDuration(join(dataset, row.file));
    console.log(JSON.stringify({ ...row, durationSec, plan: planExcerpts(durationSec) }));
  }
}
