// The embedded cover of a track, for the window: read from the file only when the window first asks for it
// (the scan only notes that there is one), kept in the cache folder beside the spectrograms under a name
// that changes with the file, and shrunk by ffmpeg to a thumbnail for the library table.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile, type IPicture } from 'music-metadata';
import { NotRegularFileError, regularFileStat } from '../library/regular-file.js';

export type CoverSize = 'cover' | 'cover-thumb';

/** Thumbnail edge, px: twice the table's 22 px, sharp on high-density screens. */
export const THUMB_PX = 64;

export class NoCoverError extends Error {}

const EXT: Record<string, string> = { 'image/jpeg': 'jpg', 'image/jpg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp', 'image/bmp': 'bmp' };

/** The front cover when the file says which one that is, else the first picture. */
export function frontCover(pictures: readonly IPicture[] | undefined): IPicture | null {
  if (!pictures?.length) return null;
  return pictures.find((p) => /front/i.test(p.type ?? '')) ?? pictures.find((p) => /^cover/i.test(p.type ?? '')) ?? pictures[0]!;
}

function runFfmpeg(bin: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(bin, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { timeout: 20_000 }, (err, _out, stderr) => {
      if (err) reject(new Error(String(stderr).trim().split('\n').pop() || err.message));
      else resolve();
    });
  });
}

export class CoverCache {
  private readonly dir: string;
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(cacheDir: string, private readonly ffmpeg: string) {
    this.dir = join(cacheDir, 'covers');
  }

  /**
   * The cached picture (whole or thumbnail) of a file, extracted on first use. The name carries the file's
   * size and modification time, so a file retagged with another cover gets a new picture; older ones of
   * that file are removed then. Throws NoCoverError when the file has no picture.
   */
  async path(fileId: number, file: { path: string; size: number; mtimeMs: number }, size: CoverSize): Promise<string> {
    const stem = `${fileId}-${file.size}-${Math.round(file.mtimeMs)}`;
    const key = `${stem}-${size}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const job = (size === 'cover' ? this.full(fileId, stem, file.path) : this.thumb(fileId, stem, file)).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, job);
    return job;
  }

  /** A picture made before (a few stat calls: the cache folder may hold thousands). */
  private cached(name: string, exts: readonly string[]): string | null {
    for (const ext of exts) {
      const p = join(this.dir, `${name}.${ext}`);
      if (existsSync(p)) return p;
    }
    return null;
  }

  private async full(fileId: number, stem: string, audioPath: string): Promise<string> {
    const hit = this.cached(stem, [...new Set(Object.values(EXT))]);
    if (hit) return hit;
    try {
      await regularFileStat(audioPath); // a FIFO would hold a thread of the pool for good
    } catch (err) {
      if (err instanceof NotRegularFileError) throw new NoCoverError(err.message);
      throw err;
    }
    const meta = await parseFile(audioPath, { skipCovers: false, duration: false, skipPostHeaders: true });
    const pic = frontCover(meta.common.picture);
    if (!pic || !pic.data.length) throw new NoCoverError(`${audioPath}: no embedded picture`);
    const ext = EXT[pic.format.toLowerCase()] ?? 'jpg';
    mkdirSync(this.dir, { recursive: true });
    this.forgetOlder(fileId, stem);
    const out = join(this.dir, `${stem}.${ext}`);
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, pic.data);
    renameSync(tmp, out);
    return out;
  }

  private async thumb(fileId: number, stem: string, file: { path: string; size: number; mtimeMs: number }): Promise<string> {
    const prefix = `${stem}-thumb`;
    const hit = this.cached(prefix, ['jpg']);
    if (hit) return hit;
    const source = await this.full(fileId, stem, file.path);
    const out = join(this.dir, `${prefix}.jpg`);
    const tmp = join(this.dir, `${prefix}.${process.pid}.tmp.jpg`);
    try {
      await runFfmpeg(this.ffmpeg, ['-i', source, '-frames:v', '1',
        '-vf', `scale=${THUMB_PX}:${THUMB_PX}:force_original_aspect_ratio=decrease`, '-q:v', '4', tmp]);
      renameSync(tmp, out);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw new Error(`${file.path}: the cover could not be shrunk (${(err as Error).message})`);
    }
    return out;
  }

  /** Pictures of this file id from an earlier version of the file. */
  private forgetOlder(fileId: number, stem: string): void {
    for (const n of readdirSync(this.dir)) {
      if (n.startsWith(`${fileId}-`) && !n.startsWith(`${stem}.`) && !n.startsWith(`${stem}-thumb.`)) rmSync(join(this.dir, n), { force: true });
    }
  }
}
