// Sizes as Spectag prints them everywhere (window, command line): decimal SI units, 1 kB = 1000 bytes and
// 1 GB = 10^9 bytes, as disks are sold and as macOS and GNOME show files; three significant digits.

export const SIZE_UNITS_NOTE = 'decimal units: 1 kB = 1,000 bytes, 1 MB = 1,000,000 bytes, 1 GB = 1,000,000,000 bytes';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–';
  let i = 0;
  let v = n;
  while (v >= 999.5 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  if (i === 0) return `${Math.round(v)} B`;
  const digits = v >= 99.95 ? 0 : v >= 9.995 ? 1 : 2;
  return `${v.toFixed(digits)} ${UNITS[i]}`;
}
