// A small library of albums made with ffmpeg, tagged the way taggers tag: an album whose album artist is on
// some tracks only, with a cover and one stray track; a compilation (iTunes cpil, many artists, no album
// artist); a two-disc set in CD1/CD2 folders with "(Disc N)" titles; a folder of tracks without album tags;
// two "Greatest Hits" by different artists; a loose track in the library folder. Shared by the albums tests,
// the command-line tests and the browser tests.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpeg, SOUNDS } from './ffmpeg.js';
import type { Db } from '../../electron/core/db/open.js';
import { FileStore } from '../../electron/core/db/files.js';
import { PredictionStore } from '../../electron/core/db/predictions.js';

export interface AlbumLibrary {
  root: string;
  /** album folder → file paths, in track order */
  folk: string[];
  compilation: string[];
  double: string[];
  untagged: string[];
  hitsA: string[];
  hitsB: string[];
  loose: string;
  folders: { folk: string; compilation: string; double: string; untagged: string };
  cleanup(): void;
}

const meta = (t: Record<string, string>) => Object.entries(t).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);

function make(path: string, hz: number, codec: string[], tags: Record<string, string>, extraInput: string[] = []): string {
  ffmpeg([...SOUNDS.tone(0.5, hz), ...extraInput, ...codec, ...meta(tags), path]);
  return path;
}

export function makeAlbumLibrary(): AlbumLibrary {
  const root = mkdtempSync(join(tmpdir(), 'spectag-albums-'));
  const dir = (...p: string[]) => {
    const d = join(root, ...p);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const mp3 = ['-c:a', 'libmp3lame', '-b:a', '64k', '-id3v2_version', '3'];
  const png = join(root, '.cover.png');
  ffmpeg(['-f', 'lavfi', '-i', 'color=c=teal:s=64x64', '-frames:v', '1', png]);

  const folkDir = dir('Folk Band', 'Quiet Songs');
  const folk = [1, 2, 3, 4, 5].map((n) => {
    const tags: Record<string, string> = { title: `Quiet ${n}`, artist: 'Folk Band', album: 'Quiet Songs', track: `${n}/5`, date: '1971' };
    if (n <= 2) Object.assign(tags, { album_artist: 'Folk Band', genre: 'Folk' });
    const picture = n === 1 ? ['-i', png, '-map', '0', '-map', '1', '-c:v', 'png', '-disposition:v', 'attached_pic'] : [];
    return make(join(folkDir, `0${n} Quiet ${n}.mp3`), 300 + n * 20, mp3, tags, picture);
  });

  const compDir = dir('Compilations', 'Summer Hits');
  const compilation = ['Ana', 'Bo', 'Cy', 'Dee'].map((artist, i) =>
    make(join(compDir, `0${i + 1} ${artist}.m4a`), 500 + i * 30, ['-c:a', 'aac', '-b:a', '64k'],
      { title: `Hit ${i + 1}`, artist, album: 'Summer Hits', track: `${i + 1}`, compilation: '1', date: '2003' }));

  const doubleDir = dir('Big Artist', 'Double Album');
  const double = [1, 2].flatMap((disc) => {
    const d = dir('Big Artist', 'Double Album', `CD${disc}`);
    return [1, 2, 3].map((n) =>
      make(join(d, `0${n} Part ${disc}.${n}.flac`), 200 + disc * 50 + n * 10, ['-c:a', 'flac'],
        { title: `Part ${disc}.${n}`, artist: 'Big Artist', album_artist: 'Big Artist', album: `Double Album (Disc ${disc})`, disc: `${disc}/2`, track: `${n}/3`, date: '1995' }));
  });

  const untaggedDir = dir('Untagged Mix');
  const untagged = ['a', 'b', 'c'].map((n, i) => make(join(untaggedDir, `${n}.ogg`), 700 + i * 40, ['-c:a', 'libvorbis'], { title: `Mix ${n}` }));

  const hitsA = [make(join(dir('Artist A', 'Greatest Hits'), '01 A.opus'), 800, ['-c:a', 'libopus', '-b:a', '32k'],
    { title: 'A1', artist: 'Artist A', album_artist: 'Artist A', album: 'Greatest Hits' })];
  const hitsB = [make(join(dir('Artist B', 'Greatest Hits'), '01 B.opus'), 850, ['-c:a', 'libopus', '-b:a', '32k'],
    { title: 'B1', artist: 'Artist B', album_artist: 'Artist B', album: 'Greatest Hits' })];
  const loose = make(join(root, 'loose.mp3'), 900, mp3, { title: 'Loose' });
  rmSync(png);

  return {
    root, folk, compilation, double, untagged, hitsA, hitsB, loose,
    folders: { folk: folkDir, compilation: compDir, double: doubleDir, untagged: untaggedDir },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A prediction of a test model over six genres: `genre` at `p`, the rest shared out. */
export function albumTestPrediction(genre: string, p: number, second?: [string, number]) {
  const genres = ['electronic', 'folk', 'jazz', 'metal', 'pop', 'rock'];
  const probabilities: Record<string, number> = {};
  const restShare = (1 - p - (second?.[1] ?? 0)) / (genres.length - (second ? 2 : 1));
  for (const g of genres) probabilities[g] = g === genre ? p : g === second?.[0] ? second[1] : restShare;
  return {
    modelId: 'album-test-model', modelVersion: '1', genres, probabilities,
    top: [{ genre, probability: p }], unsure: p < 0.6, excerpts: [],
  };
}

/**
 * What the genre model says of each track, stored as an analysis would store it (these are the inputs the
 * albums tests check the aggregation on): Quiet Songs folk 0.8 with one metal track; Summer Hits pop with one
 * track leaning electronic; Double Album rock 0.9; Untagged Mix jazz 0.5 (unsure); the Greatest Hits unanalysed.
 */
export function storeAlbumPredictions(db: Db, lib: AlbumLibrary): void {
  const files = new FileStore(db);
  const store = new PredictionStore(db);
  const save = (p: string, pred: ReturnType<typeof albumTestPrediction>) => store.save(files.getByPath(p)!.id, pred, {});
  lib.folk.slice(0, 4).forEach((p) => save(p, albumTestPrediction('folk', 0.8)));
  save(lib.folk[4]!, albumTestPrediction('metal', 0.9, ['folk', 0.02]));
  [0.7, 0.9, 0.65].forEach((x, i) => save(lib.compilation[i]!, albumTestPrediction('pop', x)));
  save(lib.compilation[3]!, albumTestPrediction('electronic', 0.65, ['pop', 0.3]));
  lib.double.forEach((p) => save(p, albumTestPrediction('rock', 0.9)));
  lib.untagged.forEach((p) => save(p, albumTestPrediction('jazz', 0.5)));
}
