// The spectrogram picture: a valid indexed PNG, 128 rows (EfficientAT's bands), low notes at the bottom, visible
// excerpt bars, 31.25 columns per second (the renderer's time axis).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, encodeIndexedPng } from '../../electron/core/spectrogram/png.js';
import { IMAGE_COLUMNS_PER_SEC, renderSpectrogramImage } from '../../electron/core/spectrogram/image.js';
import { EFFICIENTAT_MEL, efficientAtLogMel, kaldiMelBanks } from '../../electron/core/spectrogram/efficientat-mel.js';
import { IMAGE_COLUMNS_PER_SEC as RENDERER_COLUMNS_PER_SEC } from '../../renderer/src/lib/timeline.js';
import { VIRIDIS } from '../../electron/core/spectrogram/colormap.js';
import { readIndexedPng } from './png-reader.js';

const RATE = EFFICIENTAT_MEL.sampleRate;

function tone(hz: number, seconds: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < out.length; i++) out[i] = 0.5 * Math.sin((2 * Math.PI * hz * i) / RATE);
  return out;
}

/** The centre frequency of EfficientAT's mel band m (its peak bin). */
function bandCentreHz(m: number): number {
  const b = kaldiMelBanks()[m]!;
  let best = 0;
  for (let j = 1; j < b.weights.length; j++) if (b.weights[j]! > b.weights[best]!) best = j;
  return ((b.start + best) * RATE) / EFFICIENTAT_MEL.nFft;
}

const excerpt = (pcm: Float32Array) => ({ durationSec: pcm.length / RATE, windows: [efficientAtLogMel(pcm)] });

describe('PNG writer', () => {
  it('CRC-32 is the standard one', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  });

  it('round-trips pixels and palette', () => {
    const pixels = Uint8Array.from({ length: 7 * 3 }, (_, i) => i % 4);
    const palette = Uint8Array.from([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]);
    const png = readIndexedPng(encodeIndexedPng(7, 3, pixels, palette));
    assert.deepEqual([png.width, png.height], [7, 3]);
    assert.deepEqual(png.chunks, ['IHDR', 'PLTE', 'IDAT', 'IEND']);
    assert.deepEqual(png.pixels, pixels);
    assert.deepEqual(png.palette, palette);
  });

  it('refuses inconsistent input', () => {
    assert.throws(() => encodeIndexedPng(2, 2, new Uint8Array(3), new Uint8Array(3)));
    assert.throws(() => encodeIndexedPng(0, 2, new Uint8Array(0), new Uint8Array(3)));
  });
});

describe('spectrogram image', () => {
  it('128 rows, viridis colours, white bars between excerpts, a low tone at the bottom and a high one at the top', () => {
    const low = excerpt(tone(bandCentreHz(24), 2));
    const high = excerpt(tone(bandCentreHz(120), 2));
    const img = renderSpectrogramImage([low, high, low]);
    const png = readIndexedPng(img.png);
    assert.equal(png.height, 128);
    assert.equal(png.width, img.width);
    // the renderer places excerpts and the play head by the same columns per second
    assert.equal(IMAGE_COLUMNS_PER_SEC, RENDERER_COLUMNS_PER_SEC);
    const cols = Math.ceil(2 * IMAGE_COLUMNS_PER_SEC);
    assert.equal(img.width, 3 * cols + 2 * 2);
    assert.deepEqual(img.excerptStarts, [0, cols + 2, 2 * cols + 4]);
    // palette: first entry is viridis' darkest, the separator is white
    assert.deepEqual([...png.palette.subarray(0, 3)], [...VIRIDIS.subarray(0, 3)]);
    const sepIndex = png.pixels[img.excerptStarts[1]! - 1]!;
    assert.deepEqual([...png.palette.subarray(sepIndex * 3, sepIndex * 3 + 3)], [255, 255, 255]);
    for (const x of [cols, cols + 1, 2 * cols + 2, 2 * cols + 3]) {
      for (let y = 0; y < 128; y++) assert.equal(png.pixels[y * png.width + x], sepIndex, `separator at x=${x}`);
    }
    // the brightest pixel of a middle column sits at row 127 - band (± 1: a pure tone's window main lobe spans more
    // than one of the narrow low bands)
    const brightestRow = (x: number) => {
      let best = 0;
      for (let y = 1; y < 128; y++) if (png.pixels[y * png.width + x]! > png.pixels[best * png.width + x]!) best = y;
      return best;
    };
    assert.ok(Math.abs(brightestRow(Math.floor(cols / 2)) - (127 - 24)) <= 1, String(brightestRow(Math.floor(cols / 2))));
    assert.ok(Math.abs(brightestRow(img.excerptStarts[1]! + Math.floor(cols / 2)) - (127 - 120)) <= 1);
    // compact: well under the raw size
    assert.ok(img.png.length < img.width * 128, `${img.png.length} bytes`);
  });

  it('an excerpt cut into several windows is drawn as one, columns spread over all its frames', () => {
    const pcm = tone(bandCentreHz(40), 25);
    const whole = renderSpectrogramImage([{ durationSec: 25, windows: [efficientAtLogMel(pcm)] }]);
    const parts = renderSpectrogramImage([{ durationSec: 25, windows: [efficientAtLogMel(pcm.subarray(0, 12.5 * RATE)), efficientAtLogMel(pcm.subarray(12.5 * RATE))] }]);
    assert.equal(parts.width, Math.ceil(25 * IMAGE_COLUMNS_PER_SEC));
    assert.equal(parts.width, whole.width);
    const [a, b] = [readIndexedPng(whole.png), readIndexedPng(parts.png)];
    // the same picture but for the columns at the seam (reflection at a window's edges)
    let differ = 0;
    for (let i = 0; i < a.pixels.length; i++) if (a.pixels[i] !== b.pixels[i]) differ++;
    assert.ok(differ <= 4 * 128, `${differ} pixels differ`);
    // the last column is drawn, not left dark
    assert.ok(b.pixels[(127 - 40) * b.width + b.width - 1]! > 32);
  });

  it('a silent track renders uniformly dark', () => {
    const img = renderSpectrogramImage([excerpt(new Float32Array(RATE))]);
    const png = readIndexedPng(img.png);
    assert.ok(png.pixels.every((p) => p === 0));
  });
});
