/**
 * Correct rounding of f64 arithmetic under the x87 rounding control, and its P/U/O flags
 * (SDM vol. 1, 4.8.4 and 8.5). Wasm computes round-to-nearest-even only; for each basic operation
 * we also find the sign of (exact result - rounded result) with error-free transformations
 * (TwoSum, Veltkamp/Dekker TwoProduct on operands scaled to [1,2)), then step one ulp for the
 * directed modes. The same sign gives PE (inexact) and C1 (rounded up), see docs/fpu.md.
 */
import { INDEF_BITS, IE, OE, UE, PE, getRC, unmasked, RC_NEAREST, RC_DOWN, RC_UP, RC_CHOP } from "./state";
import { J, roundTo, rExp, rMant, rInexact, rUp, rTiny, rOverflow, approxF64 } from "./convert";

export const INDEF: f64 = reinterpret<f64>(INDEF_BITS);
const QUIET: u64 = 0x8000000000000;
const FRAC: u64 = 0xfffffffffffff;
const MIN_NORMAL: f64 = 2.2250738585072014e-308;
const MAX_F64: f64 = 1.7976931348623157e308;

/** Flags raised by the last compute()/finish() and whether its magnitude was rounded up. */
export let aexc: i32 = 0;
export let aUp: bool = false;
/**
 * The last compute()/sqrtRC() result left the f64 normal range (it lives in the 80-bit register
 * range): its exact register pattern is resS resE resM and the returned f64 is only the
 * nearest-even approximation. The destination must be written with setSTExt.
 */
export let resExt: bool = false;
export let resS: i32 = 0;
export let resE: i32 = 0;
export let resM: u64 = 0;
// @ts-ignore: decorator
@inline export function clearArith(): void { aexc = 0; aUp = false; resExt = false; }
export function addExc(f: i32): void { aexc |= f; }

// @ts-ignore: decorator
@inline export function isSNaN(v: f64): bool {
  const b = reinterpret<u64>(v);
  return (b & 0x7ff0000000000000) == 0x7ff0000000000000 && (b & FRAC) != 0 && (b & QUIET) == 0;
}
// @ts-ignore: decorator
@inline export function quiet(v: f64): f64 { return reinterpret<f64>(reinterpret<u64>(v) | QUIET); }

/** NaN operands (SDM vol. 1, table 4-7, x87 column): IE for an SNaN; the result is a QNaN. */
export function nanPick(a: f64, b: f64): f64 {
  const an = isNaN(a), bn = isNaN(b);
  const as = isSNaN(a), bs = isSNaN(b);
  if (as || bs) aexc |= IE;
  if (an && bn) {
    if (as != bs) return quiet(as ? b : a); // SNaN and QNaN: the QNaN
    const fa = reinterpret<u64>(a) & FRAC, fb = reinterpret<u64>(b) & FRAC;
    return quiet(fb > fa ? b : a);
  }
  return quiet(an ? a : b);
}

/** Unbiased exponent of a finite nonzero f64 (floor(log2 |x|)). */
export function ilogb(x: f64): i32 {
  const b = reinterpret<u64>(x);
  const e = <i32>((b >> 52) & 0x7ff);
  if (e != 0) return e - 1023;
  return -1011 - <i32>clz<u64>(b & FRAC);
}
// @ts-ignore: decorator
@inline function pow2(n: i32): f64 { return reinterpret<f64>((<u64>(n + 1023)) << 52); }
/** x * 2^n, exact whenever the result is representable and not below the normal range. */
export function scalb(x: f64, n: i32): f64 {
  while (n > 1023) { x *= pow2(1023); n -= 1023; }
  while (n < -1022) { x *= pow2(-1022); n += 1022; }
  return x * pow2(n);
}
export function nextUp(x: f64): f64 {
  if (x == 0) return reinterpret<f64>(<u64>1);
  const b = reinterpret<u64>(x);
  return reinterpret<f64>(x > 0 ? b + 1 : b - 1);
}
// @ts-ignore: decorator
@inline export function nextDown(x: f64): f64 { return -nextUp(-x); }

/** Error of the product p = RN(a*b) for |a|, |b| in [1, 2): a*b - p exactly. */
function prodErr(a: f64, b: f64, p: f64): f64 {
  const ca = 134217729.0 * a, cb = 134217729.0 * b;
  const ah = ca - (ca - a), al = a - ah;
  const bh = cb - (cb - b), bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}
// @ts-ignore: decorator
@inline function sgn(x: f64): i32 { return x > 0 ? 1 : (x < 0 ? -1 : 0); }

/** Sign of (exact - r) from a scaled pair: exact' = hi + lo, rs = r scaled alike. */
// @ts-ignore: decorator
@inline function dirOf(hi: f64, lo: f64, rs: f64): i32 { return hi != rs ? sgn(hi - rs) : sgn(lo); }

/**
 * k: 0 add, 1 mul, 4 sub (a - b), 6 div (a / b). Returns the result rounded per RC and leaves the
 * flags in aexc (IE, ZE, PE, UE, OE) and aUp. a is the destination operand.
 */
export function compute(k: i32, a: f64, b: f64, ea: i32 = 0, eb: i32 = 0): f64 {
  if (isNaN(a) || isNaN(b)) return nanPick(a, b);
  const finite = isFinite(a) && isFinite(b);
  if (k == 4) { b = -b; k = 0; }
  if (k == 6 && b == 0) {
    if (a == 0) { aexc |= IE; return INDEF; }
    if (isFinite(a)) aexc |= 4; // ZE
    const neg = ((reinterpret<u64>(a) ^ reinterpret<u64>(b)) >> 63) != 0;
    return neg ? -Infinity : Infinity;
  }
  if (finite && (ea | eb) != 0) return wide(k, a, ea, b, eb);
  let r: f64;
  let dir = 0;
  if (k == 0) {
    r = a + b;
    if (isNaN(r)) { aexc |= IE; return INDEF; }
    if (finite && isFinite(r)) {
      const bb = r - a;
      const err = (a - (r - bb)) + (b - bb);
      if (isNaN(err)) return wide(0, a, 0, b, 0); // r - a overflowed near the top: scale
      dir = sgn(err);
      if (r == 0 && dir == 0 && getRC() == RC_DOWN) {
        const bothPos = a == 0 && b == 0 && (reinterpret<u64>(a) >> 63) == 0 && (reinterpret<u64>(b) >> 63) == 0;
        if (!bothPos) r = -0.0;
      }
    }
  } else if (k == 1) {
    r = a * b;
    if (isNaN(r)) { aexc |= IE; return INDEF; }
    if (finite && a != 0 && b != 0 && isFinite(r)) {
      const ea = ilogb(a), eb = ilogb(b);
      const as = scalb(a, -ea), bs = scalb(b, -eb);
      const p = as * bs;
      dir = dirOf(p, prodErr(as, bs, p), scalb(r, -(ea + eb)));
    }
  } else {
    r = a / b;
    if (isNaN(r)) { aexc |= IE; return INDEF; }
    if (finite && a != 0 && isFinite(r)) {
      const ea = ilogb(a), eb = ilogb(b);
      const as = scalb(a, -ea), bs = scalb(b, -eb);
      const q = as / bs;
      const ph = q * bs;
      const rem = (as - ph) - prodErr(q, bs, ph);
      dir = dirOf(q, sgn(rem) * sgn(bs), scalb(r, -(ea - eb)));
    }
  }
  if (finite) {
    // Outside the f64 normal range (or at its edges) the register result differs from the f64
    // one: the x87 keeps a 15-bit exponent. Exact zeros (x + -x, 0 * y, 0 / y) stay here.
    const ar = Math.abs(r);
    if (!(ar > MIN_NORMAL && ar < MAX_F64) && !(r == 0 && (k == 0 || a == 0 || (k == 1 && b == 0)))) {
      return wide(k, a, 0, b, 0);
    }
  }
  return finish(r, dir, finite);
}

/**
 * Finite a*2^ea op b*2^eb (k: 0 add, 1 mul, 6 div with b != 0) with the 80-bit register's exponent
 * range: the operation runs on significands scaled to [1, 2) (ilogb/scalb, exact), giving the
 * nearest-even 53-bit significand, the side of the exact value and the true exponent; place()
 * rounds that with RC into the register format.
 */
function wide(k: i32, a: f64, ea: i32, b: f64, eb: i32): f64 {
  if (k != 0) {
    if (a == 0 || b == 0) return k == 1 ? a * b : a / b; // signed zero, exact
    const la = ilogb(a), lb = ilogb(b);
    const ma = scalb(a, -la), mb = scalb(b, -lb);
    if (k == 1) {
      const p = ma * mb;
      return place(p, sgn(prodErr(ma, mb, p)), ea + eb + la + lb);
    }
    const q = ma / mb;
    const ph = q * mb;
    const rem = (ma - ph) - prodErr(q, mb, ph);
    return place(q, sgn(rem) * sgn(mb), ea - eb + la - lb);
  }
  if (a == 0 && b == 0) return a + b; // (not reached: zeros are never scaled)
  if (a == 0) return place(b, 0, eb);
  if (b == 0) return place(a, 0, ea);
  const ia = ilogb(a), ib = ilogb(b);
  const la = ia + ea, lb = ib + eb; // true exponents
  const ma = scalb(a, -ia), mb = scalb(b, -ib);
  // The smaller operand below a quarter ulp of the larger: only its sign matters (sticky).
  if (la - lb > 66) return place(ma, sgn(mb), la);
  if (lb - la > 66) return place(mb, sgn(ma), lb);
  const e = la > lb ? la : lb;
  const x = scalb(ma, la - e), y = scalb(mb, lb - e); // >= 2^-66: normal, exact
  const r = x + y;
  const bb = r - x;
  const dir = sgn((x - (r - bb)) + (y - bb));
  if (r == 0) return getRC() == RC_DOWN ? -0.0 : 0.0;
  return place(r, dir, e);
}

/**
 * Round r * 2^e (r a nonzero f64, the nearest-even 53-bit value of the exact result, which lies on
 * side `dir` of it: sign of exact - r) into the register format with RC: 53 significand bits (what
 * f64 arithmetic gives, as PC=53 does), 15-bit exponent range. Sets the flags, resExt and the
 * pattern; returns the f64 approximation. The exact value is rebuilt for roundTo as r's 64-bit
 * significand nudged towards `dir` (a sticky bit above or a borrow below): no rounding boundary at
 * <= 53 bits lies between it and the exact value, so every precision rounds the same.
 */
function place(r: f64, dir: i32, e: i32): f64 {
  if ((reinterpret<u64>(r) & 0x7ff0000000000000) == 0) { const l = ilogb(r); r = scalb(r, -l); e += l; } // f64 subnormal
  const bits = reinterpret<u64>(r);
  const s = <i32>(bits >> 63);
  let ex = <i32>((bits >> 52) & 0x7ff) - 1023 + e;
  let m: u64 = J | ((bits & FRAC) << 11);
  let lo: u64 = 0;
  const md = s != 0 ? -dir : dir; // side of the exact magnitude
  if (md > 0) lo = 1;
  else if (md < 0) {
    if (m == J) { ex--; m = 0xffffffffffffffff; } else m--;
    lo = 0xffffffffffffffff;
  }
  roundTo(s, ex, m, lo, 53, -16382, 16383, getRC());
  if (rInexact) aexc |= PE;
  if (rOverflow) aexc |= OE;
  if (rTiny && (rInexact || unmasked(UE))) aexc |= UE;
  aUp = rUp;
  resS = s;
  if (rExp == 0x7fff) { resE = 0x7fff; resM = J; }
  else { resE = rExp; resM = rExp == 0 ? rMant << 11 : J | (rMant << 11); }
  resExt = true;
  return approxF64(resS, resE, resM);
}

/** Square root with RC; IE for negative nonzero operands. */
export function sqrtRC(a: f64, ea: i32 = 0): f64 {
  if (isNaN(a)) return nanPick(a, a);
  if (a == 0) return a;
  if (a < 0) { aexc |= IE; return INDEF; }
  if (!isFinite(a)) return a;
  if (ea != 0) {
    // a * 2^ea beyond the f64 range: sqrt of the significand scaled to [1, 4), half the exponent.
    const ia = ilogb(a);
    let l = ia + ea;
    let m = scalb(a, -ia);
    if (l & 1) { m *= 2; l--; }
    const sq = Math.sqrt(m);
    const sp = sq * sq;
    return place(sq, sgn((m - sp) - prodErr2(sq, sp)), l >> 1);
  }
  const e = ilogb(a) & ~1;
  const as = scalb(a, -e);
  const s = Math.sqrt(as);
  const ph = s * s;
  const res = (as - ph) - prodErr2(s, ph);
  return finish(Math.sqrt(a), sgn(res), true);
}
/** s*s - ph exactly for s in [1, 2). */
function prodErr2(s: f64, ph: f64): f64 { return prodErr(s, s, ph); }

/** Apply RC to the nearest-even result r whose exact value lies on side `dir`; set P U O, aUp. */
export function finish(r: f64, dir: i32, finite: bool): f64 {
  const rc = getRC();
  if (finite && !isFinite(r)) {
    aexc |= OE | PE;
    const neg = r < 0;
    const toInf = rc == RC_NEAREST || (rc == RC_UP && !neg) || (rc == RC_DOWN && neg);
    aUp = toInf;
    return toInf ? r : (neg ? -1.7976931348623157e308 : 1.7976931348623157e308);
  }
  if (dir != 0) {
    aexc |= PE;
    let adj = false;
    if (rc == RC_UP && dir > 0) { r = nextUp(r); adj = true; }
    else if (rc == RC_DOWN && dir < 0) { r = nextDown(r); adj = true; }
    else if (rc == RC_CHOP && ((r > 0 && dir < 0) || (r < 0 && dir > 0))) { r = r > 0 ? nextDown(r) : nextUp(r); adj = true; }
    const fdir = adj ? -dir : dir; // sign of (exact - r) now
    aUp = (r > 0 && fdir < 0) || (r < 0 && fdir > 0);
    if (!isFinite(r)) aexc |= OE;
    if (Math.abs(r) < MIN_NORMAL) aexc |= UE;
  } else if (r != 0 && Math.abs(r) < MIN_NORMAL && unmasked(UE)) {
    aexc |= UE;
  }
  return r;
}
