/**
 * x87 arithmetic (SDM vol. 1, 8.3.5-8.3.9; vol. 2 FADD FSUB FSUBR FMUL FDIV FDIVR and their P and
 * I forms, FCHS FABS FSQRT FRNDINT FSCALE FXTRACT FPREM FPREM1). Basic operations work on the f64
 * register values with correct RC rounding (round.ts); FCHS/FABS/FRNDINT/FSCALE/FXTRACT/FPREM work
 * on the exact 80-bit view and are exact like the hardware (docs/fpu.md).
 *
 * Encodings: D8 (m32real / ST(0),ST(i)), DC (m64real / ST(i),ST(0)), DA (m32int), DE (m16int /
 * ST(i),ST(0) and pop); ModRM.reg is the operation: 0 ADD 1 MUL 4 SUB 5 SUBR 6 DIV 7 DIVR, with
 * SUB/SUBR and DIV/DIVR swapped in the DC/DE register forms.
 */
import { modReg, modRm, eaSeg, eaOff, opcode } from "../decode";
import { read16, read32 } from "../../mmu/access";
import { faulted } from "../fault";
import {
  IE, DE, ZE, OE, UE, PE, C0, C1, C2, C3, fpuEnter, noteLast, signal, unmasked, stackFault, setCC, isEmpty,
  phys, setST, getST, pop, decTop, getRC, hasShadowP, shadowSEP, regF64P,
} from "./state";
import { readM64 } from "./loadstore";
import {
  INDEF, aexc, aUp, clearArith, addExc, compute, sqrtRC, nanPick, quiet, resExt, resS, resE, resM,
} from "./round";
import {
  xs, xe, xm, readX, setSTExt, normX, approxF64, nEx, nM, roundInt, roundTo, rExp, rMant, rInexact, rUp, rTiny, rOverflow,
  f32BitsToF64, xIsNaN, xIsInf, xUnsupported, xIsDenormal, extFromInt, QBIT,
} from "./convert";

/** Read ST(i) for arithmetic: IE for an unsupported 80-bit encoding, DE for an 80-bit denormal. */
export function opnd(i: i32): f64 {
  const p = phys(i);
  if (hasShadowP(p)) {
    const se = shadowSEP(p);
    const e = se & 0x7fff;
    readX(i);
    if (xUnsupported(e, xm)) { addExc(IE); return INDEF; }
    if (xIsDenormal(e, xm)) addExc(DE);
  }
  return regF64P(p);
}

/**
 * Read ST(i) for the basic operations as m * 2^opE: like opnd(), but a finite shadow outside the
 * f64 normal range comes back as its significand rounded to 53 bits (nearest-even, in [1, 2]) and
 * its true exponent in opE, so arithmetic keeps the 80-bit range. opE is 0 otherwise.
 */
export let opE: i32 = 0;
export function opndS(i: i32): f64 {
  opE = 0;
  const p = phys(i);
  const v = opnd(i);
  if (hasShadowP(p) && (aexc & IE) == 0 && xe != 0x7fff && xm != 0) {
    normX(xe, xm);
    const ex = nEx;
    if (ex < -1022 || ex > 1022) {
      const m = approxF64(xs, 16383, nM);
      opE = ex;
      return m;
    }
  }
  return v;
}

/** Memory source of the current form as an f64 (exact), with DE for denormal reals. */
export let memExc: i32 = 0;
export function memOperand(): f64 {
  memExc = 0;
  switch (opcode) {
    case 0xd8: {
      const b = <u32>read32(eaSeg, eaOff);
      if ((b & 0x7f800000) == 0 && (b & 0x7fffff) != 0) memExc = DE;
      return f32BitsToF64(b);
    }
    case 0xdc: {
      const b = readM64(0);
      if ((b & 0x7ff0000000000000) == 0 && (b & 0xfffffffffffff) != 0) memExc = DE;
      return reinterpret<f64>(b);
    }
    case 0xda: return <f64>read32(eaSeg, eaOff);
    default: return <f64>(<i16>read16(eaSeg, eaOff));
  }
}

/** dst = dst op src for k in 0 1 4 5 6 7; IE/DE/ZE unmasked leave everything unchanged. */
function arith(k: i32, dst: i32, a: f64, b: f64, popAfter: bool, ea: i32 = 0, eb: i32 = 0): void {
  if (k == 5 || k == 7) { const t = a; a = b; b = t; const te = ea; ea = eb; eb = te; k--; }
  const r = compute(k, a, b, ea, eb);
  const exc = deRule(aexc, a, b);
  if (unmasked(exc & (IE | DE | ZE))) { signal(exc); return; }
  writeResult(dst, r);
  setCC(aUp ? C1 : 0, C1);
  signal(exc);
  if (popAfter) pop();
}
/**
 * Exception priority (SDM vol. 1, 8.7): a NaN operand, an invalid operation or a zero divide
 * take precedence over the denormal-operand exception, which is then not reported.
 */
function deRule(exc: i32, a: f64, b: f64): i32 {
  return isNaN(a) || isNaN(b) || (exc & (IE | ZE)) != 0 ? exc & ~DE : exc;
}
/**
 * NaN result of a two-register operation on the exact 80-bit operands ST(0) (first) and ST(1)
 * (SDM vol. 1, table 4-7): the QNaN of an SNaN/QNaN pair, else the larger significand (ST(0) on a
 * tie), quieted; leaves it in xs xe xm and returns IE when an SNaN is involved.
 */
function nanPickX(): i32 {
  readX(1);
  const bs = xs, be = xe, bm = xm;
  readX(0);
  const an = xIsNaN(xe, xm), bn = xIsNaN(be, bm);
  const asn = an && (xm & QBIT) == 0, bsn = bn && (bm & QBIT) == 0;
  let pickA = an;
  if (an && bn) pickA = asn != bsn ? !asn : !(bm > xm);
  if (!pickA) { xs = bs; xe = be; xm = bm; }
  xm |= QBIT;
  return asn || bsn ? IE : 0;
}
/** Write an arithmetic result: the exact register pattern when it left the f64 range. */
function writeResult(dst: i32, r: f64): void {
  if (resExt) setSTExt(dst, resS, resE, resM);
  else setST(dst, r);
}
/** Underflow response: masked -> the destination gets the QNaN indefinite. */
function underflow(dst: i32, popAfter: bool): void {
  if (!stackFault(false)) return;
  setST(dst, INDEF);
  if (popAfter) pop();
}

/** D8/DC/DA/DE memory forms: ST(0) = ST(0) op mem. */
export function farith_mem(): void {
  if (!fpuEnter(true)) return;
  const b = memOperand();
  if (faulted) return;
  noteLast();
  clearArith();
  addExc(memExc);
  if (isEmpty(0)) { underflow(0, false); return; }
  const a = opndS(0);
  arith(modReg, 0, a, b, false, opE, 0);
}
/** D8 register forms: ST(0) = ST(0) op ST(i). */
export function farith_st0(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  clearArith();
  if (isEmpty(0) || isEmpty(modRm)) { underflow(0, false); return; }
  const a = opndS(0);
  const ea = opE;
  const b = opndS(modRm);
  arith(modReg, 0, a, b, false, ea, opE);
}
/** DC and DE register forms: ST(i) = ST(i) op ST(0) (DE pops). */
export function farith_sti(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  clearArith();
  const popAfter = opcode == 0xde;
  if (isEmpty(0) || isEmpty(modRm)) { underflow(modRm, popAfter); return; }
  const a = opndS(modRm);
  const ea = opE;
  const b = opndS(0);
  const k = modReg >= 4 ? modReg ^ 1 : modReg;
  arith(k, modRm, a, b, popAfter, ea, opE);
}

// ---------------------------------------------------------------- one-operand forms

/** FCHS / FABS: sign only, exact on the 80-bit view, never an exception besides underflow. */
function signOp(abs: bool): void {
  if (!fpuEnter(true)) return;
  noteLast();
  if (isEmpty(0)) { underflow(0, false); return; }
  readX(0);
  setSTExt(0, abs ? 0 : xs ^ 1, xe, xm);
  setCC(0, C1);
}
export function fchs(): void { signOp(false); }
export function fabs(): void { signOp(true); }

export function fsqrt(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  clearArith();
  if (isEmpty(0)) { underflow(0, false); return; }
  const a = opndS(0);
  const r = sqrtRC(a, opE);
  const exc = deRule(aexc, a, a);
  if (unmasked(exc & (IE | DE))) { signal(exc); return; }
  writeResult(0, r);
  setCC(aUp ? C1 : 0, C1);
  signal(exc);
}

/**
 * Special operands shared by the exact ext operations: returns true (and has written ST(0)) when
 * ST(0) is a NaN or unsupported; sets the current ext in xs xe xm otherwise.
 */
function extSpecial(): bool {
  readX(0);
  if (xUnsupported(xe, xm)) {
    signal(IE);
    if (!unmasked(IE)) setST(0, INDEF);
    return true;
  }
  if (xIsNaN(xe, xm)) {
    if ((xm & QBIT) == 0) {
      signal(IE);
      if (unmasked(IE)) return true;
      setSTExt(0, xs, xe, xm | QBIT);
    }
    return true;
  }
  return false;
}

/** FRNDINT: round ST(0) to an integer with RC, exactly on the 80-bit value. */
export function frndint(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  if (isEmpty(0)) { underflow(0, false); return; }
  if (extSpecial()) return;
  if (xe == 0x7fff || xm == 0) { setCC(0, C1); return; }
  const s = xs;
  let exc = xIsDenormal(xe, xm) ? DE : 0;
  if (unmasked(exc)) { signal(exc); return; }
  normX(xe, xm);
  if (nEx >= 63) { setCC(0, C1); signal(exc); return; }
  const mag = roundInt(s, nEx, nM, getRC());
  if (rInexact) exc |= PE;
  setCC(rUp ? C1 : 0, C1);
  extFromInt(s, mag);
  setSTExt(0, s, xe, xm);
  signal(exc);
}

/**
 * FSCALE/FPREM/FPREM1 with a NaN or unsupported operand (opnd() has put IE in aexc for the
 * latter): the indefinite, or the NaN picked on the exact 80-bit values; no DE.
 */
function nanResult(): void {
  let exc = aexc & ~DE;
  if ((exc & IE) != 0) {
    if (unmasked(IE)) { signal(exc); return; }
    setST(0, INDEF); signal(exc); return;
  }
  exc |= nanPickX();
  if (unmasked(exc & IE)) { signal(exc); return; }
  setSTExt(0, xs, xe, xm);
  signal(exc);
}

/** FSCALE: ST(0) * 2^trunc(ST(1)), exact except for range (rounded with RC, U/O/P flags). */
export function fscale(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  if (isEmpty(0) || isEmpty(1)) { underflow(0, false); return; }
  clearArith();
  const b = opndS(1); // finite when ST(1) is beyond the f64 range (not infinity)
  const a = opnd(0);
  if (isNaN(a) || isNaN(b) || (aexc & IE) != 0) { nanResult(); return; }
  readX(0);
  const s = xs;
  let exc = aexc;
  if (!isFinite(b)) {
    const zero = xm == 0 && xe == 0;
    const inf = xIsInf(xe, xm);
    if ((b > 0 && zero) || (b < 0 && inf)) {
      exc = (exc | IE) & ~DE; // IE takes precedence over DE
      if (unmasked(exc & (IE | DE))) { signal(exc); return; }
      setST(0, INDEF); signal(exc); return;
    }
    if (unmasked(exc & DE)) { signal(exc); return; }
    if (!zero && !inf) setST(0, b > 0 ? (s ? -Infinity : Infinity) : (s ? -0.0 : 0.0));
    signal(exc); return;
  }
  if (xe == 0x7fff || xm == 0) { if (!unmasked(exc & DE)) { setCC(0, C1); } signal(exc); return; }
  if (unmasked(exc & DE)) { signal(exc); return; }
  let n: f64 = 0;
  if (b != 0) { // trunc(ST(1)) from the exact value (its f64 approximation may round to an integer)
    readX(1);
    normX(xe, xm);
    if (nEx > 16) n = 100000;
    else if (nEx >= 0) n = <f64>(nM >> (63 - nEx));
    if (xs) n = -n;
    readX(0);
  }
  if (n > 100000) n = 100000;
  if (n < -100000) n = -100000;
  normX(xe, xm);
  roundTo(s, nEx + <i32>n, nM, 0, 64, -16382, 16383, getRC());
  if (rInexact) exc |= PE;
  if (rOverflow) exc |= OE;
  if (rTiny && (rInexact || unmasked(UE))) exc |= UE;
  setCC(rUp ? C1 : 0, C1);
  setSTExt(0, s, rExp, rMant);
  signal(exc);
}

/** FXTRACT: ST(0) -> exponent (new ST(1)) and significand in [1, 2) (new ST(0)). */
export function fxtract(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  if (isEmpty(0)) {
    // Masked stack underflow: both results are the indefinite (ST(0) and a push).
    if (!stackFault(false)) return;
    setST(0, INDEF); decTop(); setST(0, INDEF); return;
  }
  if (!isEmpty(-1)) {
    if (!stackFault(true)) return;
    setST(0, INDEF); decTop(); setST(0, INDEF); return;
  }
  readX(0);
  const s = xs, e = xe, m = xm;
  if (xUnsupported(e, m)) {
    signal(IE);
    if (unmasked(IE)) return;
    setST(0, INDEF); decTop(); setST(0, INDEF); return;
  }
  if (xIsNaN(e, m)) {
    // Both results are the NaN, quieted (an SNaN raises IE), with its full 64-bit significand.
    if ((m & QBIT) == 0) { signal(IE); if (unmasked(IE)) return; }
    setSTExt(0, s, e, m | QBIT); decTop(); setSTExt(0, s, e, m | QBIT); return;
  }
  if (e == 0 && m == 0) {
    signal(ZE);
    if (unmasked(ZE)) return;
    setST(0, -Infinity); decTop(); setSTExt(0, s, 0, 0); return;
  }
  if (xIsInf(e, m)) { setST(0, Infinity); decTop(); setSTExt(0, s, e, m); return; }
  if (xIsDenormal(e, m)) { signal(DE); if (unmasked(DE)) return; }
  normX(e, m);
  setST(0, <f64>nEx);
  decTop();
  setSTExt(0, s, 16383, nM);
  setCC(0, C1);
}

/**
 * FPREM (truncating quotient) and FPREM1 (IEEE, nearest quotient): exact long division on the
 * 64-bit significands. Exponent difference >= 64: partial remainder (C2=1) reducing the exponent
 * by D - N with N = 32 + (D mod 32). C0 C3 C1 = quotient bits 2 1 0 (0 for a partial remainder).
 */
function fpremOp(ieee: bool): void {
  if (!fpuEnter(true)) return;
  noteLast();
  if (isEmpty(0) || isEmpty(1)) { setCC(0, C2); underflow(0, false); return; }
  clearArith();
  const b = opnd(1);
  const a = opnd(0);
  if (isNaN(a) || isNaN(b) || (aexc & IE) != 0) { setCC(0, C2); nanResult(); return; }
  let exc = aexc;
  readX(1);
  const be = xe, bm = xm;
  readX(0);
  const as = xs;
  if (xIsInf(xe, xm) || bm == 0) {
    exc = (exc | IE) & ~DE; // IE takes precedence over DE
    if (unmasked(exc & (IE | DE))) { signal(exc); return; }
    setST(0, INDEF); setCC(0, C0 | C1 | C2 | C3); signal(exc); return;
  }
  if (unmasked(exc & DE)) { signal(exc); return; }
  if (xIsInf(be, bm) || xm == 0) { setCC(0, C0 | C1 | C2 | C3); signal(exc); return; }
  normX(xe, xm);
  const ea = nEx, ma = nM;
  normX(be, bm);
  const eb = nEx, mb = nM;
  const d = ea - eb;
  let q: u64 = 0, rem: u64 = ma, steps = 0, partial = false, flip = false;
  if (d >= 0) {
    steps = d < 64 ? d : 32 + (d & 31);
    partial = d >= 64;
    if (rem >= mb) { rem -= mb; q = 1; }
    for (let i = 0; i < steps; i++) {
      const carry = (rem >> 63) != 0;
      rem <<= 1; q <<= 1;
      if (carry || rem >= mb) { rem -= mb; q |= 1; }
    }
    if (ieee && !partial && rem != 0) {
      const other = mb - rem;
      if (rem > other || (rem == other && (q & 1) != 0)) { rem = other; q++; flip = true; }
    }
  } else if (ieee && d == -1 && ma > mb) {
    // |a| in (|b|/2, |b|): quotient 1, result |b| - |a| at a's scale.
    rem = mb - (ma - mb); q = 1; flip = true; // 2|b| - |a| at a's scale
  }
  const s = flip ? as ^ 1 : as;
  if (rem == 0) setSTExt(0, as, 0, 0);
  else {
    const k = <i32>clz<u64>(rem);
    roundTo(s, ea - steps - k, rem << k, 0, 64, -16382, 16383, getRC());
    if (rTiny && (rInexact || unmasked(UE))) exc |= UE;
    setSTExt(0, s, rExp, rMant);
  }
  // A partial remainder reports C2 alone (C0 C3 C1 = 0, as the hardware does).
  let cc = 0;
  if (partial) cc = C2;
  else {
    if (q & 4) cc |= C0;
    if (q & 2) cc |= C3;
    if (q & 1) cc |= C1;
  }
  setCC(cc, C0 | C1 | C2 | C3);
  signal(exc);
}
export function fprem(): void { fpremOp(false); }
export function fprem1(): void { fpremOp(true); }
