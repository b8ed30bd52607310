// Power spectrum of a real frame: a radix-2 FFT of half the size on the packed even/odd samples,
// then the usual split into the real transform. Tables and scratch are made once; no allocation per frame.

export class RealFft {
  readonly size: number;
  /** number of power bins: size / 2 + 1 */
  readonly bins: number;
  private readonly half: number;
  private readonly bitrev: Uint32Array;
  // twiddles of the half-size complex FFT: e^{-2πik/half}
  private readonly cosHalf: Float64Array;
  private readonly sinHalf: Float64Array;
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
    this.cosHalf = new Float64Array(m / 2);
    this.sinHalf = new Float64Array(m / 2);
    for (let k = 0; k < m / 2; k++) {
      this.cosHalf[k] = Math.cos((2 * Math.PI * k) / m);
      this.sinHalf[k] = -Math.sin((2 * Math.PI * k) / m);
    }
    this.cosFull = new Float64Array(m + 1);
    this.sinFull = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      this.cosFull[k] = Math.cos((2 * Math.PI * k) / size);
      this.sinFull[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    this.re = new Float64Array(m);
    this.im = new Float64Array(m);
  }

  /** |X[k]|² for k = 0..size/2 of the real frame `input` (length `size`), written into `power`. */
  powerSpectrum(input: Float64Array, power: Float64Array): void {
    const m = this.half;
    const re = this.re;
    const im = this.im;
    const bitrev = this.bitrev;
    // pack x[2k] + i·x[2k+1] in bit-reversed order
    for (let k = 0; k < m; k++) {
      const j = bitrev[k]!;
      re[j] = input[2 * k]!;
      im[j] = input[2 * k + 1]!;
    }
    // the first stage (pairs) has the trivial twiddle 1
    for (let a = 0; a < m; a += 2) {
      const br = re[a + 1]!;
      const bi = im[a + 1]!;
      re[a + 1] = re[a]! - br;
      im[a + 1] = im[a]! - bi;
      re[a] = re[a]! + br;
      im[a] = im[a]! + bi;
    }
    // the other radix-2 stages: the twiddle loop outside, so each twiddle is read once per stage
    for (let len = 4; len <= m; len <<= 1) {
      const halfLen = len >> 1;
      const step = m / len;
      for (let k = 0; k < halfLen; k++) {
        const wr = this.cosHalf[k * step]!;
        const wi = this.sinHalf[k * step]!;
        for (let a = k; a < m; a += len) {
          const b = a + halfLen;
          const xr = re[b]!;
          const xi = im[b]!;
          const br = xr * wr - xi * wi;
          const bi = xr * wi + xi * wr;
          re[b] = re[a]! - br;
          im[b] = im[a]! - bi;
          re[a] = re[a]! + br;
          im[a] = im[a]! + bi;
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
