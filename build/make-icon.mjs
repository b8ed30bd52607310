// Draws build/icon.png (512×512): a stylised spectrogram (viridis bars on a dark rounded square).
// electron-builder makes the platform icons (.icns, .ico, Linux sizes) from it. Run: node build/make-icon.mjs
import { Buffer } from 'node:buffer';
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';

const N = 512;
const px = Buffer.alloc(N * N * 4);
const viridis = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
const lerp = (t) => {
  const x = Math.max(0, Math.min(0.9999, t)) * (viridis.length - 1);
  const i = Math.floor(x);
  const f = x - i;
  return viridis[i].map((c, k) => Math.round(c + (viridis[i + 1][k] - c) * f));
};
const r = 96;
for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    const o = (y * N + x) * 4;
    // rounded square mask
    const dx = Math.max(r - x, 0, x - (N - 1 - r));
    const dy = Math.max(r - y, 0, y - (N - 1 - r));
    if (dx * dx + dy * dy > r * r) continue;
    let c = [21, 23, 28];
    const col = Math.floor((x - 64) / 32);
    if (x >= 64 && x < N - 64 && (x - 64) % 32 < 24 && col >= 0) {
      const h = 90 + 300 * Math.abs(Math.sin(col * 1.7 + 0.6)) ** 1.3;
      const bottom = N - 80;
      if (y > bottom - h && y <= bottom) c = lerp((bottom - y) / 360);
    }
    px[o] = c[0];
    px[o + 1] = c[1];
    px[o + 2] = c[2];
    px[o + 3] = 255;
  }
}
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) px.copy(raw, y * (N * 4 + 1) + 1, y * N * 4, (y + 1) * N * 4);
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (b) => {
  let c = 0xffffffff;
  for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8;
ihdr[9] = 6;
const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
console.log(`build/icon.png: ${png.length} bytes`);
