// What the migration tests start from: a scratch folder for their database files (removed after the test
// file), and the tags and audio properties of a file as a scan stores them.
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AudioProps, TrackTags } from '../../electron/shared/library.js';

/** A fresh folder for this test file's databases: `at('lib.sqlite')` is a path in it. */
export function scratchFolder(prefix: string): { at(name: string): string } {
  const dir = mkdtempSync(join(tmpdir(), `spectag-${prefix}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return { at: (name) => join(dir, name) };
}

export function trackTags(t: Partial<TrackTags> = {}): TrackTags {
  return { title: 'T', artist: 'A', albumArtist: null, album: 'B', trackNo: 1, trackOf: null, discNo: null, discOf: null, year: 2001, genres: [], ...t };
}

export function audioProps(a: Partial<AudioProps> = {}): AudioProps {
  return { container: 'mp3', codec: 'MPEG 1 Layer 3', durationSec: 200, sampleRate: 44100, channels: 2, bitrate: 320_000, lossless: false, hasCover: false, ...a };
}

