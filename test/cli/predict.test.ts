// spectag predict through the real CLI and the shipped model, on ffmpeg-made audio: the text output names each
// suggestion as people tag it (the vocabulary's name, a style under its genre), the same suggestions as --json
// gives by id.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpeg } from '../helpers/ffmpeg.js';
import { spectag } from '../helpers/cli.js';
import { vocabularyLabel } from '../../electron/shared/genre-vocabulary.js';

interface PredictJson {
  files: { path: string; ok: boolean; unsure: boolean; top: { genre: string; probability: number }[] }[];
}

describe('spectag predict', () => {
  let dir: string;
  let files: string[];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spectag-predict-'));
    // a chord over a kick-like pulse, and pink noise: two different sounds, 35 s each (longer than one window)
    files = [join(dir, 'Chord – ünïcode.mp3'), join(dir, 'noise.ogg')];
    ffmpeg(['-f', 'lavfi', '-i', 'aevalsrc=0.3*sin(2*PI*220*t)+0.3*sin(2*PI*277*t)+0.3*sin(2*PI*330*t)+0.6*sin(2*PI*55*t)*exp(-20*mod(t\\,0.5)):s=44100:d=35', '-c:a', 'libmp3lame', '-b:a', '128k', files[0]!]);
    ffmpeg(['-f', 'lavfi', '-i', 'anoisesrc=color=pink:duration=35:sample_rate=44100:amplitude=0.3', '-c:a', 'libvorbis', files[1]!]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('names the suggestions as people tag them, the same ones --json gives by id', () => {
    const json = spectag(['predict', '--json', ...files]);
    assert.equal(json.code, 0, json.err);
    const byPath = new Map((JSON.parse(json.out) as PredictJson).files.map((f) => [f.path, f]));
    const text = spectag(['predict', ...files]);
    assert.equal(text.code, 0, text.err);
    const lines = text.out.trim().split('\n');
    for (const path of files) {
      const f = byPath.get(path);
      assert.ok(f?.ok && f.top.length > 0, `${path}: predicted`);
      const line = lines.find((l) => l.startsWith(`${path}\t`));
      assert.ok(line, `${path}: a line of its own`);
      const shown = `${f.unsure ? 'unsure: ' : ''}${f.top.map((t) => `${vocabularyLabel(t.genre)} ${(t.probability * 100).toFixed(0)}%`).join(', ')}`;
      assert.equal(line.slice(path.length + 1), shown);
      // a name, never an id such as "drum-and-bass" or "rock-and-roll"
      assert.match(line.slice(path.length + 1), /^(unsure: )?[A-Z&]/);
      assert.doesNotMatch(line, /\t(unsure: )?[a-z]+-/);
    }
  });
});
