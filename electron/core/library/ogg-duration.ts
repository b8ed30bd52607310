// Duration of an Ogg Vorbis/Opus/FLAC stream from the granule position of its last page. music-metadata
// only finds it by reading every page; the last page sits within the final 64 KiB of the file.
import { readSync } from 'node:fs';

const TAIL = 64 * 1024;

/** The granule position of the last Ogg page of the file, or null when none is found. */
export function lastGranulePosition(fd: number, size: number): bigint | null {
  const len = Math.min(size, TAIL);
  const buf = Buffer.allocUnsafe(len);
  const n = readSync(fd, buf, 0, len, size - len);
  const tail = buf.subarray(0, n);
  for (let i = tail.lastIndexOf('OggS'); i >= 0; i = i > 0 ? tail.lastIndexOf('OggS', i - 1) : -1) {
    if (i + 14 > tail.length || tail[i + 4] !== 0) continue; // stream structure version is always 0
    const granule = tail.readBigInt64LE(i + 6);
    if (granule >= 0n) return granule;
  }
  return null;
}

/** Opus counts granules at 48 kHz and starts after `pre-skip` samples (read from the OpusHead packet). */
export function oggDurationSec(fd: number, size: number, head: Buffer, sampleRate: number | undefined, opus: boolean): number | null {
  const granule = lastGranulePosition(fd, size);
  if (granule == null) return null;
  if (opus) {
    const at = head.indexOf('OpusHead');
    const preSkip = at >= 0 && at + 12 <= head.length ? head.readUInt16LE(at + 10) : 0;
    const samples = Number(granule) - preSkip;
    return samples > 0 ? samples / 48000 : null;
  }
  return sampleRate && granule > 0n ? Number(granule) / sampleRate : null;
}
