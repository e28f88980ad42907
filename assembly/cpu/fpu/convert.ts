/**
 * x87 format conversions (SDM vol. 1, 4.2 and 4.8; 8.2): the 80-bit "ext" view of a value
 * (sign, 15-bit biased exponent, 64-bit significand with explicit integer bit), exact f64 <-> ext,
 * the single rounding routine used for every narrowing (ext -> f32/f64/ext with RC and the
 * P/U/O flags), rounding to integers (FIST, FRNDINT, FBSTP), and f32 loads without NaN changes.
 *
 * Results come back in module globals (no allocation): `xs xe xm` hold an ext value, `r*` a
 * rounding outcome.
 */
import { FPU, F_X80 } from "../../gen/layout";
import {
  RC_NEAREST, RC_DOWN, RC_UP, INDEF_BITS, hasShadowP, regF64P, shadowMantP, shadowSEP,
  setRegP, setRegShadowP, phys,
} from "./state";

export const J: u64 = 0x8000000000000000; // explicit integer bit
export const QBIT: u64 = 0x4000000000000000; // quiet bit of an ext NaN

/** The current ext value: sign (0/1), biased exponent field (0..7FFF), significand. */
export let xs: i32 = 0;
export let xe: i32 = 0;
export let xm: u64 = 0;

/** Decompose an f64 into ext exactly (f64 subnormals become normal ext numbers). */
export function f64ToExt(v: f64): void {
  const b = reinterpret<u64>(v);
  xs = <i32>(b >> 63);
  const e = <i32>((b >> 52) & 0x7ff);
  const f = b & 0xfffffffffffff;
  if (e == 0x7ff) { xe = 0x7fff; xm = J | (f << 11); return; }
  if (e == 0) {
    if (f == 0) { xe = 0; xm = 0; return; }
    const k = <i32>clz<u64>(f);
    xm = f << k;
    xe = 16383 - 1011 - k;
    return;
  }
  xe = e - 1023 + 16383;
  xm = J | (f << 11);
}

/** Load ST(i) as ext (the shadow when present). */
export function readX(i: i32): void {
  const p = phys(i);
  if (hasShadowP(p)) { xm = shadowMantP(p); xs = shadowSEP(p) >> 15; xe = shadowSEP(p) & 0x7fff; return; }
  f64ToExt(regF64P(p));
}

// ---------------------------------------------------------------- classification of (e, m)

// @ts-ignore: decorator
@inline export function xIsNaN(e: i32, m: u64): bool { return e == 0x7fff && (m & J) != 0 && (m << 1) != 0; }
// @ts-ignore: decorator
@inline export function xIsInf(e: i32, m: u64): bool { return e == 0x7fff && m == J; }
/** Pseudo-NaN, pseudo-infinity, unnormal: invalid operands on a P6 (SDM vol. 1, 8.2.2). */
// @ts-ignore: decorator
@inline export function xUnsupported(e: i32, m: u64): bool { return e != 0 && (m & J) == 0; }
// @ts-ignore: decorator
@inline export function xIsDenormal(e: i32, m: u64): bool { return e == 0 && m != 0; }

// ---------------------------------------------------------------- rounding

/** Rounding outcome: encoded exponent field and significand of the target format, and flags. */
export let rExp: i32 = 0;
export let rMant: u64 = 0;
export let rInexact: bool = false;
/** The magnitude was rounded up (C1 after a rounded result). */
export let rUp: bool = false;
/** Tiny: below the normal range after rounding to the precision with an unbounded exponent. */
export let rTiny: bool = false;
export let rOverflow: bool = false;

/**
 * Whether a value cut to `kept` rounds away from it (its magnitude up), given the first dropped bit
 * (round bit), whether any later dropped bit is set (sticky), kept's low bit and the sign, under
 * rounding control `rc`. Sets rInexact and rUp.
 */
@inline function decideRounding(rb: bool, sticky: bool, odd: bool, negative: bool, rc: i32): bool {
  rInexact = rb || sticky;
  let up = false;
  if (rInexact) {
    if (rc == RC_NEAREST) up = rb && (sticky || odd);
    else if (rc == RC_DOWN) up = negative;
    else if (rc == RC_UP) up = !negative;
  }
  rUp = up;
  return up;
}

/**
 * Round a finite nonzero value |v| = (m + lo / 2^64) * 2^(ex - 63), m normalised (bit 63 set), to
 * `p` significand bits (24, 53 or 64) with exponent range [emin, emax] under rounding control
 * `rc`. Sets rExp (biased field, bias = emax) and rMant (fraction only for p < 64; with the explicit
 * integer bit for p = 64).
 */
export function roundTo(sign: i32, ex: i32, m: u64, lo: u64, p: i32, emin: i32, emax: i32, rc: i32): void {
  let shift = 64 - p;
  // Tininess after rounding (the x87 way): tiny when the value rounded to p bits with an unbounded
  // exponent is below 2^emin; only just below 2^emin can rounding carry it back to the limit.
  const below = ex < emin;
  rTiny = below && !(ex == emin - 1 && carriesAt(sign, m, lo, p, rc));
  if (below) { shift += emin - ex; ex = emin; }
  let kept: u64, rb: bool, sticky: bool;
  if (shift == 0) {
    kept = m; rb = (lo >> 63) != 0; sticky = (lo << 1) != 0;
  } else if (shift <= 64) {
    kept = shift == 64 ? 0 : m >> shift;
    rb = ((m >> (shift - 1)) & 1) != 0;
    sticky = (shift > 1 && (m << (65 - shift)) != 0) || lo != 0;
  } else {
    kept = 0; rb = false; sticky = true;
  }
  const up = decideRounding(rb, sticky, (kept & 1) != 0, sign != 0, rc);
  if (up) {
    kept++;
    if (p == 64 ? kept == 0 : (kept >> p) != 0) { kept = p == 64 ? J : kept >> 1; ex++; }
  }
  rOverflow = ex > emax;
  const top: u64 = (<u64>1) << (p - 1);
  if (rOverflow) {
    rInexact = true;
    const toInf = rc == RC_NEAREST || (rc == RC_UP && sign == 0) || (rc == RC_DOWN && sign != 0);
    rUp = toInf;
    if (toInf) { rExp = 2 * emax + 1; rMant = p == 64 ? J : 0; }
    else { rExp = 2 * emax; rMant = p == 64 ? 0xffffffffffffffff : top - 1; }
    return;
  }
  if ((kept & top) != 0) rExp = ex + emax; else rExp = 0;
  rMant = p == 64 ? kept : kept & (top - 1);
}

/** Rounding the normalised significand m (+ lo) to p bits with `rc` carries out (gives 2.0). */
function carriesAt(sign: i32, m: u64, lo: u64, p: i32, rc: i32): bool {
  const low = p == 64 ? lo : (m << p) | (lo != 0 ? 1 : 0); // the bits dropped, left-aligned
  const keptAllOnes = p == 64 ? m == 0xffffffffffffffff : (m >> (64 - p)) == ((<u64>1) << p) - 1;
  if (!keptAllOnes || low == 0) return false;
  if (rc == RC_NEAREST) return (low >> 63) != 0; // round bit set; kept is odd (all ones)
  if (rc == RC_UP) return sign == 0;
  if (rc == RC_DOWN) return sign != 0;
  return false;
}

/** Normalise (xe, xm) of a finite nonzero ext into (unbiased exponent, normalised significand). */
export let nEx: i32 = 0;
export let nM: u64 = 0;
export function normX(e: i32, m: u64): void {
  const k = <i32>clz<u64>(m);
  nM = m << k;
  nEx = (e == 0 ? 1 : e) - 16383 - k;
}

/** ext -> f64 bits, rounding with `rc`; NaN payloads keep their high bits, unsupported -> indefinite. */
export function extToF64Bits(s: i32, e: i32, m: u64, rc: i32): u64 {
  rInexact = false; rUp = false; rTiny = false; rOverflow = false;
  const sb = (<u64>s) << 63;
  if (xUnsupported(e, m)) return INDEF_BITS;
  if (e == 0x7fff) {
    let f = (m << 1) >> 12;
    if ((m << 1) == 0) return sb | 0x7ff0000000000000;
    if (f == 0) f = 1; // payload only in the low bits: stay a NaN
    return sb | 0x7ff0000000000000 | f;
  }
  if (m == 0) return sb;
  normX(e, m);
  roundTo(s, nEx, nM, 0, 53, -1022, 1023, rc);
  return sb | ((<u64>rExp) << 52) | rMant;
}
/** ext -> f32 bits with `rc`. */
export function extToF32Bits(s: i32, e: i32, m: u64, rc: i32): u32 {
  rInexact = false; rUp = false; rTiny = false; rOverflow = false;
  const sb = (<u32>s) << 31;
  if (xUnsupported(e, m)) return 0xffc00000;
  if (e == 0x7fff) {
    let f = <u32>((m << 1) >> 41);
    if ((m << 1) == 0) return sb | 0x7f800000;
    if (f == 0) f = 1;
    return sb | 0x7f800000 | f;
  }
  if (m == 0) return sb;
  normX(e, m);
  roundTo(s, nEx, nM, 0, 24, -126, 127, rc);
  return sb | ((<u32>rExp) << 23) | <u32>rMant;
}

/** Nearest-even f64 approximation of an 80-bit pattern (the value arithmetic works on). */
export function approxF64(s: i32, e: i32, m: u64): f64 {
  return reinterpret<f64>(extToF64Bits(s, e, m, RC_NEAREST));
}

/**
 * Write an exact ext value to physical register p: the shadow is kept only when the f64 does not
 * hold the value exactly.
 */
export function setRegExtP(p: i32, s: i32, e: i32, m: u64): void {
  const v = approxF64(s, e, m);
  f64ToExt(v);
  if (xs == s && xe == e && xm == m) setRegP(p, v);
  else setRegShadowP(p, v, (s << 15) | e, m);
  xs = s; xe = e; xm = m;
}
// @ts-ignore: decorator
@inline export function setSTExt(i: i32, s: i32, e: i32, m: u64): void { setRegExtP(phys(i), s, e, m); }

/** Build a finite ext from sign, unbiased exponent and (unnormalised) magnitude; exact for m != 0. */
export function extFromInt(s: i32, mag: u64): void {
  xs = s;
  if (mag == 0) { xe = 0; xm = 0; return; }
  const k = <i32>clz<u64>(mag);
  xm = mag << k;
  xe = 16383 + 63 - k;
}

// ---------------------------------------------------------------- integers

/**
 * Round |v| = m * 2^(ex - 63) (m normalised) to an integer with `rc` (sign `s`). Returns the
 * magnitude; rOverflow when it does not fit in 64 bits, rInexact / rUp as for roundTo.
 */
export function roundInt(s: i32, ex: i32, m: u64, rc: i32): u64 {
  rInexact = false; rUp = false; rOverflow = false;
  if (ex >= 64) { rOverflow = true; return 0; }
  if (ex == 63) return m;
  const shift = 63 - ex; // 1..
  let kept: u64, rb: bool, sticky: bool;
  if (shift < 64) {
    kept = m >> shift;
    rb = ((m >> (shift - 1)) & 1) != 0;
    sticky = shift > 1 && (m << (65 - shift)) != 0;
  } else if (shift == 64) {
    kept = 0; rb = (m >> 63) != 0; sticky = (m << 1) != 0;
  } else {
    kept = 0; rb = false; sticky = true;
  }
  const up = decideRounding(rb, sticky, (kept & 1) != 0, s != 0, rc);
  if (up) kept++;
  return kept;
}

// ---------------------------------------------------------------- memory formats

/** m32 real -> f64 bits exactly (SNaN stays SNaN, payload kept). */
export function f32BitsToF64(b: u32): f64 {
  const s = (<u64>(b >> 31)) << 63;
  const e = <i32>((b >> 23) & 0xff);
  const f = <u64>(b & 0x7fffff);
  if (e == 0xff) return reinterpret<f64>(s | 0x7ff0000000000000 | (f << 29));
  if (e == 0) {
    if (f == 0) return reinterpret<f64>(s);
    const k = <i32>clz<u64>(f) - 40; // shift to put the leading 1 at bit 23
    const ff = (f << k) & 0x7fffff;
    return reinterpret<f64>(s | ((<u64>(1023 - 126 - k)) << 52) | (ff << 29));
  }
  return reinterpret<f64>(s | ((<u64>(e - 127 + 1023)) << 52) | (f << 29));
}

/** FILD m64 / FBLD: signed 64-bit magnitude to a register (exact ext; f64 approximation RNE). */
export function setSTInt64(i: i32, neg: bool, mag: u64): void {
  extFromInt(neg ? 1 : 0, mag);
  setSTExt(i, xs, xe, xm);
}

/** Bytes of the current ext value as an m80 image. */
// @ts-ignore: decorator
@inline export function xSE(): i32 { return (xs << 15) | xe; }

/** Shadow storage address (tests and images use setRegExtP instead). */
// @ts-ignore: decorator
@inline export function shadowAddr(p: i32): usize { return FPU + F_X80 + (p << 4); }
