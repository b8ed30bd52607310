// Progress output for long CLI jobs: a redrawn bar on a terminal, plain lines when piped.
import type { Writable } from 'node:stream';

export interface ProgressLine {
  done: number;
  total: number;
  errors: number;
  rate: number;
  etaSec: number | null;
  label: string;
  current: string | null;
}

function eta(sec: number | null): string {
  if (sec == null || !Number.isFinite(sec)) return '--:--';
  const s = Math.round(sec);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export class ProgressReporter {
  private lastPlain = 0;
  private drawn = false;
  constructor(private readonly out: Writable & { isTTY?: boolean; columns?: number }, private readonly plainEveryMs = 2000) {}

  update(p: ProgressLine): void {
    const stats = `${p.done}/${p.total} ${p.label}, ${p.errors} errors, ${p.rate.toFixed(0)}/s, ETA ${eta(p.etaSec)}`;
    if (this.out.isTTY) {
      const width = this.out.columns ?? 80;
      const barWidth = 24;
      const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
      const bar = '#'.repeat(Math.round(frac * barWidth)).padEnd(barWidth, '.');
      let line = `[${bar}] ${stats}`;
      if (p.current) line += `  ${p.current}`;
      if (line.length > width - 1) line = line.slice(0, width - 2) + '…';
      this.out.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else {
      const now = Date.now();
      if (now - this.lastPlain < this.plainEveryMs) return;
      this.lastPlain = now;
      this.out.write(`progress: ${stats}\n`);
    }
  }

  end(): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }
}
