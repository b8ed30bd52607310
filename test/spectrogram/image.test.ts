// The spectrogram picture: a valid indexed PNG, 96 rows, low notes at the bottom, visible excerpt bars.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, encodeIndexedPng } from '../../electron/core/spectrogram/png.js';
import { renderSpectrogramImage } from '../../electron/core/spectrogram/image.js';
import { MEL, logMelSpectrogram, melBandCentresHz } from '../../electron/core/spectrogram/mel.js';
import { VIRIDIS } from '../../electron/core/spectrogram/colormap.js';
import { readIndexedPng } from './png-reader.js';

function tone(hz: number, seconds: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * MEL.sampleRate));
  for (let i = 0; i < out.length; i++) out[i] = 0.5 * Math.sin((2 * Math.PI * hz * i) / MEL.sampleRate);
  return out;
}

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
  it('96 rows, viridis colours, white bars between excerpts, a low tone at the bottom and a high one at the top', () => {
    const centres = melBandCentresHz();
    const low = logMelSpectrogram(tone(centres[3]!, 2));
    const high = logMelSpectrogram(tone(centres[90]!, 2));
    const img = renderSpectrogramImage([low, high, low]);
    const png = readIndexedPng(img.png);
    assert.equal(png.height, 96);
    assert.equal(png.width, img.width);
    const cols = Math.ceil(low.frames / 2);
    assert.equal(img.width, 3 * cols + 2 * 2);
    assert.deepEqual(img.excerptStarts, [0, cols + 2, 2 * cols + 4]);
    // palette: first entry is viridis' darkest, the separator is white
    assert.deepEqual([...png.palette.subarray(0, 3)], [...VIRIDIS.subarray(0, 3)]);
    const sepIndex = png.pixels[img.excerptStarts[1]! - 1]!;
    assert.deepEqual([...png.palette.subarray(sepIndex * 3, sepIndex * 3 + 3)], [255, 255, 255]);
    for (const x of [cols, cols + 1, 2 * cols + 2, 2 * cols + 3]) {
      for (let y = 0; y < 96; y++) assert.equal(png.pixels[y * png.width + x], sepIndex, `separator at x=${x}`);
    }
    // the brightest pixel of a middle column sits at row 95 - band
    const brightestRow = (x: number) => {
      let best = 0;
      for (let y = 1; y < 96; y++) if (png.pixels[y * png.width + x]! > png.pixels[best * png.width + x]!) best = y;
      return best;
    };
    assert.equal(brightestRow(Math.floor(cols / 2)), 95 - 3);
    assert.equal(brightestRow(img.excerptStarts[1]! + Math.floor(cols / 2)), 95 - 90);
    // compact: well under the raw size
    assert.ok(img.png.length < img.width * 96, `${img.png.length} bytes`);
  });

  it('a silent track renders uniformly dark', () => {
    const img = renderSpectrogramImage([logMelSpectrogram(new Float32Array(16000))]);
    const png = readIndexedPng(img.png);
    assert.ok(png.pixels.every((p) => p === 0));
  });
});
