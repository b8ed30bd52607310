// Version 14: an analysis belongs to the audio, not to the file's bytes. Each analysis keeps the identity of the
// audio it heard (an MD5 of the audio packets, audio/stream-hash.ts), so that a file whose tags alone changed
// (a write by Spectag, or by any other tool) keeps its analysis instead of being listened to again.
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 14,
  name: 'audio-identity',
  up(db) {
    // NULL: analysed before this version. Such an analysis is kept across Spectag's own writes (they compare the
    // audio before and after, and fill it in); a change by another tool makes the file be listened to once more.
    db.exec('ALTER TABLE analysis ADD COLUMN audio_hash TEXT');
  },
};
