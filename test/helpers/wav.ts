// Writing exact test signals as WAV files for the real decoder (float samples, no encoder in between).
import { writeFileSync } from 'node:fs';

/** A 32-bit float PCM WAV file (WAVE_FORMAT_IEEE_FLOAT), interleaved channels. */
export function writeFloatWav(path: string, channels: Float32Array[], sampleRate: number): void {
  const n = channels[0]!.length;
  const c = channels.length;
  const data = Buffer.alloc(n * c * 4);
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) data.writeFloatLE(channels[ch]![i]!, (i * c + ch) * 4);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(3, 20);
  h.writeUInt16LE(c, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * c * 4, 28);
  h.writeUInt16LE(c * 4, 32);
  h.writeUInt16LE(32, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([h, data]));
}
