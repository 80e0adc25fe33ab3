// A small seeded pseudo-random generator for simulations and tests: xoshiro128** (Blackman
// and Vigna, 2018) seeded through splitmix32, so any 32-bit seed gives a well-mixed state.
// Not for cryptography (initial sequence numbers and ephemeral ports want a CSPRNG); it is
// for fault injection, property tests and simulated networks, where a run must be
// reproducible from its seed. Every draw is plain 32-bit integer arithmetic: no allocation.

/** Return the splitmix32 output for `x` (a 32-bit mixing function; also a seed expander). */
export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

const TWO_POW_32 = 0x1_0000_0000;

/** A seeded xoshiro128** generator. */
export class Prng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /** Create a generator whose whole output sequence is determined by `seed` (any number; 32 bits are used). */
  constructor(seed: number) {
    this.reseed(seed);
  }

  /** Restart the sequence from `seed`. */
  reseed(seed: number): void {
    let x = seed >>> 0;
    this.s0 = splitmix32(x);
    x = (x + 0x9e3779b9) >>> 0;
    this.s1 = splitmix32(x);
    x = (x + 0x9e3779b9) >>> 0;
    this.s2 = splitmix32(x);
    x = (x + 0x9e3779b9) >>> 0;
    this.s3 = splitmix32(x);
    // xoshiro's state must not be all zero; splitmix32 makes that astronomically unlikely,
    // but a fixed fallback keeps the generator total.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Return the next 32-bit unsigned integer. */
  nextU32(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Return a number uniformly distributed in [0, 1), with 32 bits of resolution. */
  nextFloat(): number {
    return this.nextU32() / TWO_POW_32;
  }

  /** Return an integer in [0, n) for 0 < n <= 2^32 (multiply-shift; the bias is below n / 2^32). */
  nextInt(n: number): number {
    return Math.floor((this.nextU32() * n) / TWO_POW_32);
  }

  /** Return true with probability `p` (always one draw, whatever `p`, so streams stay aligned). */
  chance(p: number): boolean {
    return this.nextU32() < p * TWO_POW_32;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
