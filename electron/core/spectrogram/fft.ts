// Power spectrum of a real frame: a radix-2 FFT of half the size on the packed even/odd samples,
// then the usual split into the real transform. Tables and scratch are made once; no allocation per frame.

export class RealFft {
  readonly size: number;
  /** number of power bins: size / 2 + 1 */
  readonly bins: number;
  private readonly half: number;
  private readonly bitrev: Uint32Array;
  /** log2(half) is odd: one plain radix-2 stage before the fused pairs of stages */
  private readonly oddStages: boolean;
  /** the fused passes, each with its twiddles laid out contiguously: W_2q^k and W_4q^k for k < q */
  private readonly passes: { q: number; w2r: Float64Array; w2i: Float64Array; w4r: Float64Array; w4i: Float64Array }[] = [];
  // twiddles of the real split: e^{-2πik/size}
  private readonly cosFull: Float64Array;
  private readonly sinFull: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(Math.log2(size)) || size < 4) throw new Error(`FFT size must be a power of two >= 4, got ${size}`);
    this.size = size;
    this.half = size / 2;
    this.bins = this.half + 1;
    const m = this.half;
    const bits = Math.log2(m);
    this.bitrev = new Uint32Array(m);
    for (let i = 0; i < m; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.bitrev[i] = r;
    }
    this.cosFull = new Float64Array(m + 1);
    this.sinFull = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      this.cosFull[k] = Math.cos((2 * Math.PI * k) / size);
      this.sinFull[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    this.re = new Float64Array(m);
    this.im = new Float64Array(m);
    this.oddStages = bits % 2 === 1;
    const twiddles = (n: number, count: number) => {
      const r = new Float64Array(count);
      const i = new Float64Array(count);
      for (let k = 0; k < count; k++) {
        r[k] = Math.cos((2 * Math.PI * k) / n);
        i[k] = -Math.sin((2 * Math.PI * k) / n);
      }
      return { r, i };
    };
    for (let q = this.oddStages ? 2 : 1; 4 * q <= m; q *= 4) {
      const w2 = twiddles(2 * q, q);
      const w4 = twiddles(4 * q, q);
      this.passes.push({ q, w2r: w2.r, w2i: w2.i, w4r: w4.r, w4i: w4.i });
    }
  }

  /** |X[k]|² for k = 0..size/2 of the real frame `input` (length `size`), written into `power`. */
  powerSpectrum(input: Float64Array, power: Float64Array): void {
    const m = this.half;
    const re = this.re;
    const im = this.im;
    const bitrev = this.bitrev;
    // pack z[k] = x[2k] + i·x[2k+1] in bit-reversed order; with an odd stage count the trivial first stage (pairs,
    // twiddle 1) is done while packing: positions a and a + 1 hold z[j] and z[j + m/2], j = bitrev[a]
    if (this.oddStages) {
      for (let a = 0; a < m; a += 2) {
        const j = 2 * bitrev[a]!;
        const x0r = input[j]!;
        const x0i = input[j + 1]!;
        const x1r = input[j + m]!;
        const x1i = input[j + m + 1]!;
        re[a] = x0r + x1r;
        im[a] = x0i + x1i;
        re[a + 1] = x0r - x1r;
        im[a + 1] = x0i - x1i;
      }
    } else {
      for (let k = 0; k < m; k++) {
        const j = bitrev[k]!;
        re[j] = input[2 * k]!;
        im[j] = input[2 * k + 1]!;
      }
    }
    for (const pass of this.passes) {
      // four sub-transforms of size q at s, s+q, s+2q, s+3q become one of size 4q: first the two stages' worth
      // of pairs (q → 2q, twiddle W_2q^k), then (2q → 4q, twiddles W_4q^k and W_4q^(k+q) = −i·W_4q^k)
      const { q, w2r, w2i, w4r, w4i } = pass;
      const len = 4 * q;
      for (let s0 = 0; s0 < m; s0 += len) {
        for (let k = 0; k < q; k++) {
          const i0 = s0 + k;
          const i1 = i0 + q;
          const i2 = i1 + q;
          const i3 = i2 + q;
          const ar = w2r[k]!;
          const ai = w2i[k]!;
          const x0r = re[i0]!;
          const x0i = im[i0]!;
          const x1r = re[i1]!;
          const x1i = im[i1]!;
          const x2r = re[i2]!;
          const x2i = im[i2]!;
          const x3r = re[i3]!;
          const x3i = im[i3]!;
          const t1r = x1r * ar - x1i * ai;
          const t1i = x1r * ai + x1i * ar;
          const t3r = x3r * ar - x3i * ai;
          const t3i = x3r * ai + x3i * ar;
          const y0r = x0r + t1r;
          const y0i = x0i + t1i;
          const y1r = x0r - t1r;
          const y1i = x0i - t1i;
          const y2r = x2r + t3r;
          const y2i = x2i + t3i;
          const y3r = x2r - t3r;
          const y3i = x2i - t3i;
          const br = w4r[k]!;
          const bi = w4i[k]!;
          const ur = y2r * br - y2i * bi;
          const ui = y2r * bi + y2i * br;
          // v = −i · W · y3
          const vr = y3r * bi + y3i * br;
          const vi = -(y3r * br - y3i * bi);
          re[i0] = y0r + ur;
          im[i0] = y0i + ui;
          re[i2] = y0r - ur;
          im[i2] = y0i - ui;
          re[i1] = y1r + vr;
          im[i1] = y1i + vi;
          re[i3] = y1r - vr;
          im[i3] = y1i - vi;
        }
      }
    }
    // split: X[k] = E[k] + e^{-2πik/N}·O[k], with E, O the spectra of the even and odd samples
    // (k = 0 and k = m both use Z[0]; the others pair Z[k] with conj(Z[m - k]))
    const cosFull = this.cosFull;
    const sinFull = this.sinFull;
    for (let k = 0; k <= m; k++) {
      const k1 = k === m ? 0 : k;
      const k2 = k === 0 || k === m ? 0 : m - k;
      const zr = re[k1]!;
      const zi = im[k1]!;
      const cr = re[k2]!;
      const ci = -im[k2]!;
      const er = 0.5 * (zr + cr);
      const ei = 0.5 * (zi + ci);
      // O = (Z - conj(Z[-k])) / 2i
      const or = 0.5 * (zi - ci);
      const oi = -0.5 * (zr - cr);
      const wr = cosFull[k]!;
      const wi = sinFull[k]!;
      const xr = er + or * wr - oi * wi;
      const xi = ei + or * wi + oi * wr;
      power[k] = xr * xr + xi * xi;
    }
  }
}
