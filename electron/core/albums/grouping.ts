// Which album each track belongs to: album + album artist from the tags, the folder where tags are missing,
// compilations (a compilation flag, "Various Artists", or many artists in one folder under one album title)
// and multi-disc sets (disc folders "CD1", "Disc 2"; titles "… (Disc 2)") kept as one album.
import { basename, dirname, sep } from 'node:path';

export interface GroupableTrack {
  id: number;
  path: string;
  /** the library folder the track was found under (loose tracks directly in it make no album) */
  root: string;
  album: string | null;
  albumArtist: string | null;
  artist: string | null;
  compilation: boolean | null;
  discNo: number | null;
  discOf: number | null;
  year: number | null;
  hasCover: boolean;
}

export interface AlbumGroup {
  /** stable while the same tags and folders make the album: the database keeps the album's id for it */
  key: string;
  groupedBy: 'tags' | 'folder';
  title: string;
  /** the album artist; "Various Artists" for a compilation; null when the tracks name none */
  artist: string | null;
  compilation: boolean;
  /** the folder holding the album (the common folder of its tracks) */
  folder: string;
  year: number | null;
  discs: number;
  /** a track with an embedded picture: the album's cover */
  coverFileId: number | null;
  fileIds: number[];
}

export const VARIOUS_ARTISTS = 'Various Artists';

/** A disc's own folder inside an album folder: "CD1", "cd 2", "Disc 1", "Disk 02 - Live", "DVD1". */
const DISC_FOLDER = /^(cd|disc|disk|dvd)[\s._-]*\d+\b/i;
/** A disc number at the end of an album title: "Title (Disc 2)", "Title [CD1]", "Title - Disc 2", "Title, CD 2". */
const DISC_SUFFIX = /\s*(?:[([]\s*(?:cd|disc|disk)\s*\d+\s*[)\]]|[-–:,]\s*(?:cd|disc|disk)\s*\d+)\s*$/i;
const VARIOUS = /^(various( artists)?|va|v\.a\.|diverse|verschiedene( interpreten)?|artistes divers)$/i;

/** The album's folder for a track: its folder, or the folder above when it is a disc's folder. */
export function albumFolder(path: string): string {
  const dir = dirname(path);
  return DISC_FOLDER.test(basename(dir)) ? dirname(dir) : dir;
}

/** The album title without a disc number ("Mellon Collie (Disc 2)" → "Mellon Collie"). */
export function albumTitle(album: string): string {
  const t = album.replace(DISC_SUFFIX, '').trim();
  return t || album.trim();
}

const fold = (s: string) => s.normalize('NFC').toLocaleLowerCase().replace(/\s+/g, ' ').trim();

export function isVariousArtists(name: string | null): boolean {
  return name != null && VARIOUS.test(name.trim());
}

/** The commonest value (ties: the first met), null when there is none. */
function commonest<T>(values: readonly (T | null)[]): T | null {
  const counts = new Map<T, number>();
  let best: T | null = null;
  for (const v of values) {
    if (v == null) continue;
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    if (best == null || n > counts.get(best)!) best = v;
  }
  return best;
}

function commonFolder(folders: readonly string[]): string {
  let common = folders[0] ?? '';
  for (const f of folders) {
    while (common && f !== common && !f.startsWith(common.endsWith(sep) ? common : common + sep)) {
      const up = dirname(common);
      if (up === common) return common;
      common = up;
    }
  }
  return common;
}

/**
 * Groups tracks into albums. A track with an album tag belongs to (album title, album artist) when it names
 * a real album artist, else to (album title, album folder): a compilation without album artist stays one
 * album however many track artists it has, and the same title by different artists in different folders
 * ("Greatest Hits") stays apart. A track without album tag joins the one tagged album of its folder, else
 * its folder is the album; loose tracks directly in a library folder make no album.
 */
export function groupAlbums(tracks: readonly GroupableTrack[]): AlbumGroup[] {
  const keyOf = new Map<number, string>();
  const byFolderTitle = new Map<string, Set<string>>();
  const byFolder = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, k: string, v: string) => (m.get(k) ?? m.set(k, new Set()).get(k)!).add(v);
  for (const t of tracks) {
    if (!t.album) continue;
    const folder = albumFolder(t.path);
    const title = fold(albumTitle(t.album));
    const key = t.albumArtist && !isVariousArtists(t.albumArtist) ? `t\0${title}\0${fold(t.albumArtist)}` : `f\0${title}\0${folder}`;
    keyOf.set(t.id, key);
    add(byFolderTitle, `${folder}\0${title}`, key);
    add(byFolder, folder, key);
  }
  // a track of a tagged album missing the album artist joins the album of that title in its folder, when only one
  for (const t of tracks) {
    const key = keyOf.get(t.id);
    if (!key?.startsWith('f\0') || !t.album || isVariousArtists(t.albumArtist)) continue;
    const others = [...byFolderTitle.get(`${albumFolder(t.path)}\0${fold(albumTitle(t.album))}`)!].filter((k) => k !== key);
    if (others.length === 1) keyOf.set(t.id, others[0]!);
  }
  for (const t of tracks) {
    if (t.album) continue;
    const folder = albumFolder(t.path);
    const tagged = byFolder.get(folder);
    if (tagged?.size === 1) keyOf.set(t.id, [...tagged][0]!);
    else if (folder !== t.root && dirname(t.path) !== t.root) keyOf.set(t.id, `d\0${folder}`);
  }

  const members = new Map<string, GroupableTrack[]>();
  for (const t of tracks) {
    const key = keyOf.get(t.id);
    if (key) (members.get(key) ?? members.set(key, []).get(key)!).push(t);
  }
  const groups: AlbumGroup[] = [];
  for (const [key, list] of members) {
    list.sort((a, b) => (a.discNo ?? 0) - (b.discNo ?? 0) || a.path.localeCompare(b.path));
    const folder = commonFolder([...new Set(list.map((t) => albumFolder(t.path)))]);
    const byFolderOnly = key.startsWith('d\0');
    const titles = list.map((t) => (t.album ? albumTitle(t.album) : null));
    const albumArtist = commonest(list.map((t) => (t.albumArtist && !isVariousArtists(t.albumArtist) ? t.albumArtist : null)));
    const artists = list.map((t) => t.artist);
    const topArtist = commonest(artists);
    const topShare = topArtist == null ? 0 : artists.filter((a) => a === topArtist).length / list.length;
    const distinctArtists = new Set(artists.filter((a) => a != null).map((a) => fold(a!))).size;
    const compilation = albumArtist == null && (
      list.some((t) => t.compilation === true || isVariousArtists(t.albumArtist)) || (distinctArtists >= 3 && topShare < 0.5));
    const discFolders = new Set(list.map((t) => dirname(t.path))).size;
    groups.push({
      key,
      groupedBy: byFolderOnly ? 'folder' : 'tags',
      title: commonest(titles) ?? basename(folder),
      artist: albumArtist ?? (compilation ? VARIOUS_ARTISTS : distinctArtists <= 1 || topShare >= 0.5 ? topArtist : null),
      compilation,
      folder,
      year: commonest(list.map((t) => t.year)),
      discs: Math.max(1, discFolders, new Set(list.map((t) => t.discNo).filter((n) => n != null)).size, ...list.map((t) => t.discOf ?? 1)),
      coverFileId: list.find((t) => t.hasCover)?.id ?? null,
      fileIds: list.map((t) => t.id),
    });
  }
  return groups;
}
