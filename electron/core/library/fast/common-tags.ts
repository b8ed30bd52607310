// From native tags (ID3 frames, Vorbis fields, iTunes atoms, ...) to the common fields the library stores,
// by music-metadata 11's rules, so that the fast readers and music-metadata give a file the same title,
// artist, album, numbers, year and genres: which tag type wins (its priority order), single versus plural
// artist fields, "3/12" track numbers, years from dates. Only the fields Spectag stores are followed.

export type TagType = 'APEv2' | 'vorbis' | 'ID3v2.4' | 'ID3v2.3' | 'ID3v2.2' | 'exif' | 'asf' | 'iTunes' | 'AIFF' | 'ID3v1';
type Origin = TagType | 'artificial';

const PRIORITY: Record<Origin, number> = {
  APEv2: 2, vorbis: 3, 'ID3v2.4': 4, 'ID3v2.3': 5, 'ID3v2.2': 6, exif: 7, asf: 8, iTunes: 9, AIFF: 10, ID3v1: 11, artificial: 500,
};

type Common = 'title' | 'artist' | 'artists' | 'albumartist' | 'albumartists' | 'album' | 'track' | 'disk' | 'totaltracks' | 'totaldiscs' | 'year' | 'date' | 'genre'
  | 'compilation';

const ID3V2: Record<string, Common> = {
  TIT2: 'title', TPE1: 'artist', 'TXXX:ARTISTS': 'artists', TPE2: 'albumartist', TALB: 'album', TDRV: 'date', TPOS: 'disk',
  TCON: 'genre', TRCK: 'track', TDRC: 'date', TYER: 'year', 'TXXX:DISCOGS_ARTISTS': 'artists', 'TXXX:DISCOGS_ARTIST_NAME': 'artists',
  'TXXX:DISCOGS_ALBUM_ARTISTS': 'albumartist', 'TXXX:DISCOGS_RELEASED': 'date', 'TXXX:STYLE': 'genre', TCMP: 'compilation',
};
const VORBIS: Record<string, Common> = {
  TITLE: 'title', ARTIST: 'artist', ARTISTS: 'artists', ALBUMARTIST: 'albumartist', 'ALBUM ARTIST': 'albumartist', ALBUM: 'album',
  DATE: 'date', TRACKNUMBER: 'track', DISCNUMBER: 'disk', GENRE: 'genre', TRACKTOTAL: 'totaltracks', DISCTOTAL: 'totaldiscs',
  TOTALTRACKS: 'totaltracks', TOTALDISCS: 'totaldiscs', DISCOGS_ARTISTS: 'artists', DISCOGS_ARTIST_NAME: 'artists',
  DISCOGS_ALBUM_ARTISTS: 'albumartist', DISCOGS_RELEASED: 'date', STYLE: 'genre', COMPILATION: 'compilation',
};
const ITUNES: Record<string, Common> = {
  '©NAM': 'title', '©ART': 'artist', AART: 'albumartist', '----:COM.APPLE.ITUNES:BAND': 'albumartist', '©ALB': 'album', '©DAY': 'date',
  TRKN: 'track', DISK: 'disk', '©GEN': 'genre', GNRE: 'genre', '----:COM.APPLE.ITUNES:ARTISTS': 'artists', CPIL: 'compilation',
};
const ASF: Record<string, Common> = {
  Title: 'title', Author: 'artist', 'WM/AlbumArtist': 'albumartist', 'WM/AlbumTitle': 'album', 'WM/Year': 'date',
  'WM/TrackNumber': 'track', 'WM/PartOfSet': 'disk', 'WM/Genre': 'genre', 'WM/ARTISTS': 'artists', 'WM/IsCompilation': 'compilation',
};
const RIFF_INFO: Record<string, Common> = {
  IART: 'artist', ICRD: 'date', INAM: 'title', TITL: 'title', IPRD: 'album', ITRK: 'track', IPRT: 'track', GNRE: 'genre', YEAR: 'year',
  IGNR: 'genre', IRPD: 'album',
};
const ID3V1: Record<string, Common> = { title: 'title', artist: 'artist', album: 'album', year: 'year', track: 'track', genre: 'genre' };
const AIFF: Record<string, Common> = { NAME: 'title', AUTH: 'artist' };

/** Which common field a native tag feeds (undefined: none we store). Keys compare as music-metadata compares them. */
function commonName(type: TagType, id: string): Common | undefined {
  switch (type) {
    case 'ID3v2.3': case 'ID3v2.4': return ID3V2[id.toUpperCase()];
    case 'vorbis': return VORBIS[id];
    case 'iTunes': return ITUNES[id.toUpperCase()];
    case 'asf': return ASF[id];
    case 'exif': return RIFF_INFO[id];
    case 'ID3v1': return ID3V1[id];
    case 'AIFF': return AIFF[id];
    default: return undefined;
  }
}

const SINGLE = new Set<Common>(['title', 'artist', 'albumartist', 'album', 'year', 'date', 'totaltracks', 'totaldiscs', 'track', 'disk', 'compilation']);

function toIntOrNull(v: string | number): number | null {
  const n = Number.parseInt(String(v), 10);
  return Number.isNaN(n) ? null : n;
}

function normalizeTrack(v: string | number): { no: number | null; of: number | null } {
  const split = v.toString().split('/');
  return { no: Number.parseInt(split[0]!, 10) || null, of: Number.parseInt(split[1]!, 10) || null };
}

function joinArtists(artists: string[]): string {
  if (artists.length > 2) return `${artists.slice(0, -1).join(', ')} & ${artists[artists.length - 1]}`;
  return artists.join(' & ');
}

/** The common fields read-file.ts takes from a parse (the shape of music-metadata's `common`, these fields only). */
export interface CommonFields {
  title?: string;
  artist?: string;
  artists?: string[];
  albumartist?: string;
  album?: string;
  track: { no: number | null; of: number | null };
  disk: { no: number | null; of: number | null };
  year?: number;
  genre?: string[];
  /** the compilation flag: '1' or 1 is true, anything else false (music-metadata's rule) */
  compilation?: boolean;
}

export class CommonTags {
  readonly common: CommonFields = { track: { no: null, of: null }, disk: { no: null, of: null } };
  /** tag types that gave at least one native tag, in order (music-metadata's `native` keys) */
  readonly tagTypes: TagType[] = [];
  private readonly origin = new Map<Common, number>();
  private readonly values = new Map<Common, unknown>();

  /** One native tag, in the order the file holds it (the order decides between equals). */
  add(type: TagType, id: string, value: string | number): void {
    if (!this.tagTypes.includes(type)) this.tagTypes.push(type);
    const name = commonName(type, id);
    if (name) this.postMap(type, name, value);
  }

  /** Whether this native tag feeds a stored field (others need not be decoded). */
  wants(type: TagType, id: string): boolean {
    return commonName(type, id) !== undefined;
  }

  /** A tag type that was present but whose tags feed nothing we store still counts as present. */
  registerType(type: TagType): void {
    if (!this.tagTypes.includes(type)) this.tagTypes.push(type);
  }

  private get<T>(id: Common): T | undefined {
    return this.values.get(id) as T | undefined;
  }

  private postMap(type: Origin, id: Common, value: string | number): void {
    switch (id) {
      case 'artist': return this.singularArtist(type, value, 'artist', 'artists');
      case 'albumartist': return this.singularArtist(type, value, 'albumartist', 'albumartists');
      case 'artists': return this.pluralArtist(type, value, 'artist', 'artists');
      case 'albumartists': return this.pluralArtist(type, value, 'albumartist', 'albumartists');
      case 'totaltracks':
        this.common.track.of = toIntOrNull(value);
        return;
      case 'totaldiscs':
        this.common.disk.of = toIntOrNull(value);
        return;
      case 'track': case 'disk': {
        const of = this.common[id].of;
        this.common[id] = normalizeTrack(value);
        this.common[id].of = of != null ? of : this.common[id].of;
        return;
      }
      case 'year':
        this.set(type, id, Number.parseInt(String(value), 10));
        return;
      case 'date': {
        const year = Number.parseInt(String(value).substr(0, 4), 10);
        if (!Number.isNaN(year)) this.common.year = year;
        this.set(type, id, value);
        return;
      }
      default:
        this.set(type, id, value);
    }
  }

  private singularArtist(type: Origin, value: string | number, single: Common, plural: Common): void {
    if (this.origin.get(single) === PRIORITY[type]) return this.postMap('artificial', plural, value);
    if (!this.get(plural)) this.set('artificial', plural, value);
    this.set(type, single, value);
  }

  private pluralArtist(type: Origin, value: string | number, single: Common, plural: Common): void {
    const list = this.get<unknown[]>(plural);
    if (!this.get(single) || this.origin.get(single) === PRIORITY.artificial) {
      if (!list || !list.includes(value)) this.set('artificial', single, joinArtists([...((list ?? []) as string[]), String(value)]));
    }
    this.set(type, plural, value);
  }

  private set(type: Origin, id: Common, value: unknown): void {
    const prio0 = this.origin.get(id) || 1000;
    const prio1 = PRIORITY[type];
    if (SINGLE.has(id)) {
      if (prio1 > prio0) return;
      this.values.set(id, value);
      this.origin.set(id, prio1);
    } else {
      const list = this.values.get(id) as unknown[] | undefined;
      if (prio1 === prio0) {
        if (!list!.includes(value)) list!.push(value);
      } else if (prio1 < prio0) {
        this.values.set(id, [value]);
        this.origin.set(id, prio1);
      } else return;
    }
    switch (id) {
      case 'title': this.common.title = value as string; break;
      case 'artist': this.common.artist = value as string; break;
      case 'artists': this.common.artists = this.values.get(id) as string[]; break;
      case 'albumartist': this.common.albumartist = value as string; break;
      case 'album': this.common.album = value as string; break;
      case 'year': this.common.year = value as number; break;
      case 'genre': this.common.genre = this.values.get(id) as string[]; break;
      case 'compilation': this.common.compilation = value === '1' || value === 1; break;
      default: break;
    }
  }
}
