// A small seeded PRNG (mulberry32): the same seed gives the same run, byte for byte.
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed >>> 0) ^ 0x9e3779b9;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** A 32-bit value. */
  u32(): number {
    return (this.next() * 4294967296) >>> 0;
  }
}

/** A stable 32-bit hash of a few numbers (used where Linux hashes addresses with a secret). */
export function hash32(secret: number, a: number, b = 0, c = 0, d = 0): number {
  let h = secret ^ 0x811c9dc5;
  h = mix(mix(mix(mix(h, a), b), c), d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ (v & 0xffff), 0x01000193);
  return Math.imul(h ^ (v >>> 16), 0x01000193);
}
