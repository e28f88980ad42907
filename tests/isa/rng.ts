/**
 * Deterministic PRNG for the generated ISA tests. Every row gets its own stream derived from the
 * base seed and the row id, so adding rows to the table does not change other rows' cases.
 */

/** Base seed: env ISA_SEED (decimal or 0x hex), else a fixed default. */
export function baseSeed(): number {
  const s = process.env.ISA_SEED;
  if (s && s.trim() !== "") {
    const v = Number(s.trim());
    if (!Number.isFinite(v)) throw new Error(`ISA_SEED=${s} is not a number`);
    return v >>> 0;
  }
  return 0x1a2b3c4d;
}

/** FNV-1a over a string, mixed with a seed. */
export function hashSeed(seed: number, s: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0 || 0x9e3779b9; }
  /** mulberry32 */
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** 0 <= x < n */
  int(n: number): number { return n <= 1 ? 0 : Math.floor((this.u32() / 4294967296) * n); }
  range(lo: number, hi: number): number { return lo + this.int(hi - lo + 1); }
  bool(p = 0.5): boolean { return this.u32() / 4294967296 < p; }
  pick<T>(a: readonly T[]): T { return a[this.int(a.length)]; }
}

const MASK = (bits: number) => (bits === 32 ? 0xffffffff : (1 << bits) - 1);

/** An edge-weighted value of `bits` bits (0, 1, all ones, sign boundaries, small, random). */
export function edge(rng: Rng, bits: number): number {
  const m = MASK(bits);
  const top = bits === 32 ? 0x80000000 : 1 << (bits - 1);
  switch (rng.int(14)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return m >>> 0;
    case 3: return (top - 1) >>> 0;
    case 4: return top >>> 0;
    case 5: return (top + 1) >>> 0;
    case 6: return (m - 1) >>> 0;
    case 7: return rng.int(17);
    case 8: return (m - rng.int(17)) >>> 0;
    case 9: return (top - 1 - rng.int(4)) >>> 0;
    case 10: return ((1 << rng.int(bits)) >>> 0) & m;
    default: return (rng.u32() & m) >>> 0;
  }
}

/** A 32-bit register value whose low `bits` (or, for bits = 8 and hi, bits 8-15) are an edge value. */
export function regValue(rng: Rng, bits: number, hi8 = false): number {
  if (bits === 32) return edge(rng, 32);
  const v = edge(rng, bits);
  const upper = rng.pick([0, 0xffffffff, rng.u32(), rng.u32()]);
  if (bits === 8 && hi8) return ((upper & ~0xff00) | (v << 8)) >>> 0;
  const m = MASK(bits);
  return ((upper & ~m) | v) >>> 0;
}

export const hex8 = (v: number) => (v >>> 0).toString(16).padStart(8, "0");
export const hexBytes = (b: ArrayLike<number>) => Array.from(b, (x) => (x & 0xff).toString(16).padStart(2, "0")).join("");
