// How aggregating an album's tracks changes genre accuracy, measured on the dev data with the app's own
// aggregation (electron/core/albums/aggregate.ts) over out-of-fold probabilities (album_oof.py: every
// recording's probabilities come from a head that never saw it). The dev manifest names no source album or
// artist, so albums are simulated: recordings of one label in one set, shuffled and cut into albums of k tracks
// (repeated over shuffles and cross-validation seeds); mixed albums add one recording of another label of the
// same set, to see whether it is flagged and whether it drags the album's suggestion.
// Run: npx tsc -p . && node .build/native-models/tools/eval-albums.js [/tmp/spectag-album-eval] [--shuffles 20]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { aggregateAlbum } from '../../electron/core/albums/aggregate.js';

interface Recording { file: string; set: string; label: string; probabilities: Record<string, number> }

const SET_LABELS: Record<string, string[]> = {
  gtzan: ['blues', 'classical', 'country', 'disco', 'hip-hop', 'jazz', 'metal', 'pop', 'reggae', 'rock'],
  emotify: ['classical', 'electronic', 'pop', 'rock'],
};
const SURE = 0.6;

const { values, positionals } = parseArgs({ options: { shuffles: { type: 'string' }, sizes: { type: 'string' } }, allowPositionals: true });
const dir = positionals[0] ?? '/tmp/spectag-album-eval';
const SHUFFLES = Number(values.shuffles ?? 20);
const SIZES = (values.sizes ?? '3,5,10').split(',').map(Number);

if (!existsSync(dir)) {
  console.log(`skipped: no out-of-fold probabilities in ${dir} (make them with native-models/tools/album_oof.py)`);
  process.exit(0);
}

/** Restricted to the set's own labels and renormalised: the project's "restricted top-1" protocol. */
function restrict(r: Recording): Recording {
  const labels = SET_LABELS[r.set]!;
  const sum = labels.reduce((s, l) => s + (r.probabilities[l] ?? 0), 0) || 1;
  return { ...r, probabilities: Object.fromEntries(labels.map((l) => [l, (r.probabilities[l] ?? 0) / sum])) };
}

function best(p: Record<string, number>): [string, number] {
  return Object.entries(p).reduce((a, b) => (b[1] > a[1] ? b : a));
}

/** A seeded shuffle (mulberry32), so runs repeat exactly. */
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Alternatives to the app's mean of probabilities, for comparison: majority vote, and mean log-probability. */
function vote(album: Recording[]): string {
  const n = new Map<string, number>();
  for (const r of album) n.set(best(r.probabilities)[0], (n.get(best(r.probabilities)[0]) ?? 0) + 1);
  const top = Math.max(...n.values());
  const tied = [...n].filter(([, c]) => c === top).map(([g]) => g);
  if (tied.length === 1) return tied[0]!;
  return aggregateAlbum(album.map((r, i) => ({ fileId: i, probabilities: Object.fromEntries(tied.map((g) => [g, r.probabilities[g]!])) }))).suggested!;
}
function logMean(album: Recording[]): string {
  const s = new Map<string, number>();
  for (const r of album) for (const [g, p] of Object.entries(r.probabilities)) s.set(g, (s.get(g) ?? 0) + Math.log(Math.max(p, 1e-6)));
  return [...s].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}

interface Tally { n: number; right: number; sureN: number; sureRight: number }
const tally = (): Tally => ({ n: 0, right: 0, sureN: 0, sureRight: 0 });
const add = (t: Tally, right: boolean, sure: boolean, weight = 1) => {
  t.n += weight;
  t.right += right ? weight : 0;
  if (sure) {
    t.sureN += weight;
    t.sureRight += right ? weight : 0;
  }
};
const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}` : '–');

const files = readdirSync(dir).filter((f) => /^oof-.*\.json$/.test(f)).sort();
const byFeatures = new Map<string, string[]>();
for (const f of files) {
  const feat = /^oof-(.+)-seed\d+\.json$/.exec(f)![1]!;
  (byFeatures.get(feat) ?? byFeatures.set(feat, []).get(feat)!).push(f);
}

console.log(`album aggregation on simulated albums: ${SHUFFLES} shuffles × ${[...byFeatures.values()][0]?.length ?? 0} cross-validation seeds; accuracy = share of tracks given the right genre (restricted top-1 per set); "sure" = confidence ≥ ${SURE}: share of tracks covered, and their accuracy`);
for (const [feat, seeds] of byFeatures) {
  for (const set of Object.keys(SET_LABELS)) {
    for (const k of SIZES) {
      const track = tally();
      const mean = tally();
      const voted = tally();
      const logm = tally();
      const stray = { albums: 0, flagged: 0, falseFlags: 0, others: 0, majorityRight: 0, majorityN: 0 };
      for (const seedFile of seeds) {
        const recs = (JSON.parse(readFileSync(join(dir, seedFile), 'utf8')) as Recording[]).filter((r) => r.set === set).map(restrict);
        const byLabel = new Map<string, Recording[]>();
        for (const r of recs) (byLabel.get(r.label) ?? byLabel.set(r.label, []).get(r.label)!).push(r);
        for (let s = 0; s < SHUFFLES; s++) {
          for (const [label, list] of byLabel) {
            const order = shuffled(list, s * 7919 + label.length * 31 + k);
            for (let a = 0; a + k <= order.length; a += k) {
              const album = order.slice(a, a + k);
              const agg = aggregateAlbum(album.map((r, i) => ({ fileId: i, probabilities: r.probabilities })), { unsureBelow: SURE });
              for (const r of album) {
                const [g, p] = best(r.probabilities);
                add(track, g === label, p >= SURE);
                add(mean, agg.suggested === label, !agg.unsure);
                add(voted, vote(album) === label, false);
                add(logm, logMean(album) === label, false);
              }
              // the same album with its last track swapped for one of another label of this set
              const others = recs.filter((r) => r.label !== label);
              if (others.length && k >= 3) {
                const strayRec = shuffled(others, s * 104729 + a + k)[0]!;
                const mixed = [...album.slice(0, k - 1), strayRec];
                const m = aggregateAlbum(mixed.map((r, i) => ({ fileId: i, probabilities: r.probabilities })), { unsureBelow: SURE });
                stray.albums++;
                if (m.outliers.includes(k - 1)) stray.flagged++;
                stray.falseFlags += m.outliers.filter((i) => i !== k - 1).length;
                stray.others += k - 1;
                stray.majorityN += k - 1;
                if (m.suggested === label) stray.majorityRight += k - 1;
              }
            }
          }
        }
      }
      if (!track.n) continue;
      console.log(`\n${feat} ${set} albums of ${k}: tracks ${pct(track.right, track.n)} % (sure: ${pct(track.sureN, track.n)} % of tracks at ${pct(track.sureRight, track.sureN)} %)`
        + ` → album mean ${pct(mean.right, mean.n)} % (sure: ${pct(mean.sureN, mean.n)} % at ${pct(mean.sureRight, mean.sureN)} %); vote ${pct(voted.right, voted.n)} %, log-mean ${pct(logm.right, logm.n)} %`);
      if (stray.albums) {
        console.log(`  one stray of another label: flagged ${pct(stray.flagged, stray.albums)} % of strays, ${pct(stray.falseFlags, stray.others)} % of the other tracks flagged wrongly; the album's genre still right for ${pct(stray.majorityRight, stray.majorityN)} % of its own tracks`);
      }
    }
  }
}
