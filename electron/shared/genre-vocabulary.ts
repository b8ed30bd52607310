// The genre vocabulary shipped with the default model: AudioSet's music genres, styles and music roles under
// the names people tag with, each style under its parent genre, so a suggestion can read "Electronic › Drum &
// Bass" and be written at the depth the person tags at. Plain TypeScript: no node:* imports here.
//
// Parents follow the AudioSet ontology (Google, CC BY 4.0), with one change: AudioSet files "Swing music" under
// Country (western swing), where libraries and the people who tag them file swing under Jazz.
// `audioset` lists the AudioSet classes (indices into native-models/efficientat-mn04/labels.json) whose
// outputs speak for the entry. Ids are stable: they are stored in the database and in the model files.
import { genreKey } from './personal.js';
import type { GenreDepth } from './settings.js';

/** genre: a top-level genre; style: a genre under a parent; role: what the music is for (no parent). */
export type VocabularyKind = 'genre' | 'style' | 'role';

export interface VocabularyEntry {
  id: string;
  /** the name written into tags */
  name: string;
  parent: string | null;
  kind: VocabularyKind;
  audioset: readonly number[];
  /** other spellings people tag with, matched by genreKey (case, spaces and "&"/"and" do not count) */
  aliases: readonly string[];
}

const g = (id: string, name: string, audioset: number[], aliases: string[] = []): VocabularyEntry =>
  ({ id, name, parent: null, kind: 'genre', audioset, aliases });
const s = (id: string, name: string, parent: string, audioset: number[], aliases: string[] = []): VocabularyEntry =>
  ({ id, name, parent, kind: 'style', audioset, aliases });
const r = (id: string, name: string, audioset: number[], aliases: string[] = []): VocabularyEntry =>
  ({ id, name, parent: null, kind: 'role', audioset, aliases });

export const GENRE_VOCABULARY: readonly VocabularyEntry[] = [
  g('pop', 'Pop', [216], ['Pop Music']),
  g('hip-hop', 'Hip-Hop', [217], ['Hip Hop Music', 'Rap', 'Hip-Hop/Rap']),
  g('rock', 'Rock', [219], ['Rock Music']),
  s('metal', 'Metal', 'rock', [220], ['Heavy Metal']),
  s('punk', 'Punk', 'rock', [221], ['Punk Rock']),
  s('grunge', 'Grunge', 'rock', [222]),
  s('progressive-rock', 'Progressive Rock', 'rock', [223], ['Prog Rock', 'Prog']),
  s('rock-and-roll', 'Rock & Roll', 'rock', [224], ["Rock 'n' Roll", 'Rock n Roll']),
  s('psychedelic-rock', 'Psychedelic Rock', 'rock', [225], ['Psychedelic', 'Psych Rock']),
  g('r-and-b', 'R&B', [226], ['Rhythm and Blues', 'RnB', 'R&B/Soul']),
  g('soul', 'Soul', [227], ['Soul Music']),
  g('reggae', 'Reggae', [228]),
  g('country', 'Country', [229], ['Country Music']),
  s('bluegrass', 'Bluegrass', 'country', [231]),
  g('funk', 'Funk', [232]),
  g('folk', 'Folk', [233], ['Folk Music']),
  g('middle-eastern', 'Middle Eastern', [234], ['Middle Eastern Music', 'Arabic']),
  g('jazz', 'Jazz', [235]),
  s('swing', 'Swing', 'jazz', [230], ['Swing Music', 'Big Band']),
  g('disco', 'Disco', [236]),
  g('classical', 'Classical', [237], ['Classical Music']),
  s('opera', 'Opera', 'classical', [238]),
  s('orchestral', 'Orchestral', 'classical', [184], ['Orchestra']),
  g('electronic', 'Electronic', [239], ['Electronic Music', 'Electro']),
  s('house', 'House', 'electronic', [240], ['House Music', 'Deep House']),
  s('techno', 'Techno', 'electronic', [241]),
  s('dubstep', 'Dubstep', 'electronic', [242]),
  s('drum-and-bass', 'Drum & Bass', 'electronic', [243], ['DnB', 'D&B', 'Jungle']),
  s('electronica', 'Electronica', 'electronic', [244]),
  s('edm', 'EDM', 'electronic', [245], ['Electronic Dance Music']),
  s('ambient', 'Ambient', 'electronic', [246], ['Ambient Music']),
  s('trance', 'Trance', 'electronic', [247], ['Trance Music']),
  g('latin', 'Latin', [248], ['Latin Music', 'Music of Latin America']),
  s('salsa', 'Salsa', 'latin', [249]),
  s('flamenco', 'Flamenco', 'latin', [250]),
  g('blues', 'Blues', [251]),
  g('children', "Children's Music", [252], ['Children', 'Kids', "Children's", 'Kids Music']),
  g('new-age', 'New Age', [253], ['New-Age', 'Newage']),
  g('vocal', 'Vocal', [254], ['Vocal Music']),
  s('a-cappella', 'A Cappella', 'vocal', [255], ['A Capella', 'Acapella']),
  s('choral', 'Choral', 'vocal', [28], ['Choir', 'Choral Music']),
  g('african', 'African', [256], ['Music of Africa', 'African Music']),
  s('afrobeat', 'Afrobeat', 'african', [257], ['Afro Beat']),
  g('christian', 'Christian', [258], ['Christian Music', 'CCM']),
  s('gospel', 'Gospel', 'christian', [259], ['Gospel Music']),
  g('asian', 'Asian', [260], ['Music of Asia', 'Asian Music']),
  s('carnatic', 'Carnatic', 'asian', [261], ['Carnatic Music']),
  s('bollywood', 'Bollywood', 'asian', [262], ['Filmi']),
  g('ska', 'Ska', [263]),
  g('traditional', 'Traditional', [264], ['Traditional Music']),
  g('indie', 'Indie', [265], ['Independent', 'Independent Music']),
  r('soundtrack', 'Soundtrack', [270], ['Soundtracks', 'OST', 'Original Soundtrack', 'Score', 'Film Score', 'Film Music', 'Movie Soundtrack']),
  r('video-game', 'Video Game Music', [272], ['Video Game', 'Game', 'Game Music', 'VGM', 'Game Soundtrack', 'Videogame']),
  r('theme', 'Theme Music', [268], ['Theme', 'TV Theme']),
  r('background', 'Background Music', [267], ['Background', 'BGM']),
  r('jingle', 'Jingle', [269]),
  r('lullaby', 'Lullaby', [271], ['Lullabies']),
  r('christmas', 'Christmas', [273], ['Christmas Music', 'Xmas', 'Holiday']),
  r('dance', 'Dance', [274], ['Dance Music']),
  r('wedding', 'Wedding', [275], ['Wedding Music']),
];

const byId = new Map(GENRE_VOCABULARY.map((e) => [e.id, e]));

export function vocabularyEntry(id: string): VocabularyEntry | undefined {
  return byId.get(id);
}

/** The entry and its ancestors, top-level genre first. */
export function vocabularyPath(id: string): VocabularyEntry[] {
  const path: VocabularyEntry[] = [];
  for (let e = byId.get(id); e; e = e.parent ? byId.get(e.parent) : undefined) path.unshift(e);
  return path;
}

/**
 * The entry and its styles ("classical": classical, opera, orchestral): what a suggestion of the genre covers,
 * so "suggested Classical" finds the tracks suggested "Classical › Orchestral" too (accepting either records
 * Classical at the genre depths that write it).
 */
export function idsWithStyles(id: string): string[] {
  return [id, ...GENRE_VOCABULARY.filter((e) => e.parent === id).map((e) => e.id)];
}

/** "Electronic › Drum & Bass": how a suggestion is shown. */
export function vocabularyLabel(id: string): string {
  return vocabularyPath(id).map((e) => e.name).join(' › ');
}

/** The depth the person tags at (an app setting): the top-level genre only, the genre and its style, or the style only. */
export { GENRE_DEPTHS, type GenreDepth } from './settings.js';

/**
 * The vocabulary ids a suggestion of `id` puts into the tags at `depth`. A genre or a role is itself at every
 * depth; a style is its top-level genre ("genre"), both ("genre+style") or itself ("style").
 */
export function idsAtDepth(id: string, depth: GenreDepth): string[] {
  const path = vocabularyPath(id);
  if (path.length === 0) return [id];
  if (path.length === 1 || depth === 'style') return [path[path.length - 1]!.id];
  if (depth === 'genre') return [path[0]!.id];
  return path.map((e) => e.id);
}

const byKey = new Map<string, VocabularyEntry>();
for (const e of GENRE_VOCABULARY) {
  for (const spelling of [e.name, e.id, ...e.aliases]) {
    const key = genreKey(spelling);
    if (key && !byKey.has(key)) byKey.set(key, e);
  }
}

/** The vocabulary entry a tag spelling means ("hip hop", "Drum'n'Bass", "OST"), or undefined. */
export function matchVocabulary(spelling: string): VocabularyEntry | undefined {
  return byKey.get(genreKey(spelling));
}
