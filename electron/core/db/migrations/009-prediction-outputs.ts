// Version 9: per-track backbone outputs kept beside the embeddings in a prediction row (EfficientAT's 527 AudioSet
// logits, mean over the track's windows), for heads and the personal model to read without listening again. Kept
// apart from `embedding`, which the personal model reads whole.
import type { Migration } from './types.js';

export const migration: Migration = {
  version: 9,
  name: 'prediction-outputs',
  up(db) {
    db.exec(`
      -- little-endian float32 values of each output, concatenated in outputs_spec order
      ALTER TABLE predictions ADD COLUMN outputs BLOB;
      -- JSON array [{backbone, output, size}]: size = floats of the whole output (the width in backbone.json)
      ALTER TABLE predictions ADD COLUMN outputs_spec TEXT NOT NULL DEFAULT '[]';
    `);
  },
};
