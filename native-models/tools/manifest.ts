// The labelled dev folder's manifest.csv (file, label, set per recording), read by the research tools.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ManifestRow {
  file: string;
  label: string;
  set: string;
}

export function readManifest(dir: string): ManifestRow[] {
  const lines = readFileSync(join(dir, 'manifest.csv'), 'utf8').trim().split('\n');
  const header = lines.shift()!.split(',');
  const col = (name: string): number => header.indexOf(name);
  return lines.map((l) => {
    const c = l.split(',');
    return { file: c[col('file')]!, label: c[col('label')]!, set: c[col('set')]! };
  });
}
