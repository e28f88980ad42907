/**
 * x87 data transfer (SDM vol. 1, 8.3.3; vol. 2 FLD FST FSTP FILD FIST FISTP FBLD FBSTP FXCH FCMOVcc
 * FLDx constants FFREE FINCSTP FDECSTP FNOP): loads and stores of every memory format, exact where
 * the value fits (docs/fpu.md): m80 round-trips bit for bit through the register shadow, and
 * FILD m64 / FISTP m64 round-trip exactly. Stores probe the whole destination before changing
 * anything (the fault rule, docs/core.md).
 */
import { modReg, modRm, eaSeg, eaOff, opcode } from "../decode";
import { read16, read32, read8, write8, write16, write32, checkWrite, checkRead } from "../../mmu/access";
import { faulted } from "../fault";
import { getCF, getZF, getPF } from "../flags";
import {
  IE, DE, OE, UE, PE, C1, INDEF_BITS, fpuEnter, noteLast, signal, unmasked, stackFault, setCC, isEmpty,
  phys, decTop, setST, copyRegP, freeP, pop, getTop, setTop, getRC, regF64P, hasShadowP,
  shadowMantP, shadowSEP, setRegP, setRegShadowP, RC_NEAREST, RC_UP,
} from "./state";
import {
  J, QBIT, xs, xe, xm, readX, f64ToExt, extToF32Bits, extToF64Bits, setSTExt, setSTInt64, roundInt, normX,
  nEx, nM, rInexact, rUp, rTiny, rOverflow, f32BitsToF64, xIsNaN, xUnsupported,
} from "./convert";

// ---------------------------------------------------------------- memory operands

/** Read an m64 at eaSeg:eaOff (+off); check `faulted` after. */
export function readM64(off: u32): u64 {
  const lo = <u64>(<u32>read32(eaSeg, eaOff + off));
  const hi = <u64>(<u32>read32(eaSeg, eaOff + off + 4));
  return lo | (hi << 32);
}
export function writeM64(off: u32, v: u64): void {
  write32(eaSeg, eaOff + off, <i32>v);
  write32(eaSeg, eaOff + off + 4, <i32>(v >> 32));
}
/** Write the current ext value (xs xe xm) as m80 at +off. */
export function writeM80X(off: u32): void {
  writeM64(off, xm);
  write16(eaSeg, eaOff + off + 8, (xs << 15) | xe);
}
/** ST(i) as m80 bytes at +off (the shadow if present), INDEF if empty is the caller's business. */
export function writeRegM80(off: u32, p: i32): void {
  if (hasShadowP(p)) {
    writeM64(off, shadowMantP(p));
    write16(eaSeg, eaOff + off + 8, shadowSEP(p));
  } else {
    f64ToExt(regF64P(p));
    writeM80X(off);
  }
}

// ---------------------------------------------------------------- pushes

const INDEF: f64 = reinterpret<f64>(INDEF_BITS);

/** Stack overflow check for a push: true when the push may go on (ST(7) empty or IE masked). */
function pushRoom(): bool {
  if (isEmpty(-1)) { setCC(0, C1); return true; }
  if (stackFault(true)) { decTop(); setST(0, INDEF); }
  return false;
}
/** Push an f64 loaded from memory, with its IE (SNaN) / DE (denormal) flags. */
function pushF64(v: f64, exc: i32): void {
  if (!isEmpty(-1)) { if (stackFault(true)) { decTop(); setST(0, INDEF); } return; }
  if (exc != 0) {
    signal(exc);
    if (unmasked(exc)) return;
    if (exc & IE) v = reinterpret<f64>(reinterpret<u64>(v) | 0x8000000000000);
  }
  setCC(0, C1);
  decTop();
  setST(0, v);
}

export function fld_m32(): void {
  if (!fpuEnter(true)) return;
  const b = <u32>read32(eaSeg, eaOff);
  if (faulted) return;
  noteLast();
  let exc = 0;
  if ((b & 0x7f800000) == 0x7f800000 && (b & 0x7fffff) != 0 && (b & 0x400000) == 0) exc = IE;
  if ((b & 0x7f800000) == 0 && (b & 0x7fffff) != 0) exc = DE;
  pushF64(f32BitsToF64(b), exc);
}
export function fld_m64(): void {
  if (!fpuEnter(true)) return;
  const b = readM64(0);
  if (faulted) return;
  noteLast();
  let exc = 0;
  const e = b & 0x7ff0000000000000, f = b & 0xfffffffffffff;
  if (e == 0x7ff0000000000000 && f != 0 && (f & 0x8000000000000) == 0) exc = IE;
  if (e == 0 && f != 0) exc = DE;
  pushF64(reinterpret<f64>(b), exc);
}
export function fld_m80(): void {
  if (!fpuEnter(true)) return;
  const m = readM64(0);
  const se = read16(eaSeg, eaOff + 8);
  if (faulted) return;
  noteLast();
  if (!pushRoom()) return;
  decTop();
  setSTExt(0, (se >> 15) & 1, se & 0x7fff, m);
}
export function fld_sti(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  const src = phys(modRm);
  if (isEmpty(modRm)) {
    if (!stackFault(false)) return;
    if (!pushRoom()) return;
    decTop(); setST(0, INDEF); return;
  }
  if (!pushRoom()) return;
  decTop();
  copyRegP(phys(0), src);
}

/** FILD m16 / m32 (exact in f64). */
export function fild_m16(): void {
  if (!fpuEnter(true)) return;
  const v = <i16>read16(eaSeg, eaOff);
  if (faulted) return;
  noteLast();
  if (!pushRoom()) return;
  decTop(); setST(0, <f64>v);
}
export function fild_m32(): void {
  if (!fpuEnter(true)) return;
  const v = read32(eaSeg, eaOff);
  if (faulted) return;
  noteLast();
  if (!pushRoom()) return;
  decTop(); setST(0, <f64>v);
}
/** FILD m64: exact in the shadow; the f64 approximation rounds to nearest beyond 2^53. */
export function fild_m64(): void {
  if (!fpuEnter(true)) return;
  const v = <i64>readM64(0);
  if (faulted) return;
  noteLast();
  if (!pushRoom()) return;
  decTop();
  const neg = v < 0;
  setSTInt64(0, neg, neg ? <u64>(-v) : <u64>v);
}

/** FBLD: 18 packed BCD digits and a sign byte; exact (< 10^18 < 2^63). Invalid digits: undefined. */
export function fbld(): void {
  if (!fpuEnter(true)) return;
  if (!checkRead(eaSeg, eaOff, 10)) return;
  let mag: u64 = 0;
  for (let k = 8; k >= 0; k--) {
    const b = <u64>read8(eaSeg, eaOff + <u32>k);
    mag = mag * 100 + (b >> 4) * 10 + (b & 15);
  }
  const neg = (read8(eaSeg, eaOff + 9) & 0x80) != 0;
  if (faulted) return;
  noteLast();
  if (!pushRoom()) return;
  decTop();
  setSTInt64(0, neg, mag);
}

// ---------------------------------------------------------------- stores

/** ST(0) -> m32/m64 bits with flags in `stExc` (IE for SNaN/unsupported, P U O from rounding). */
let stExc: i32 = 0;
function st0Bits(size: i32): u64 {
  stExc = 0;
  const p = phys(0);
  if (size == 8 && !hasShadowP(p)) {
    const b = reinterpret<u64>(regF64P(p));
    if ((b & 0x7ff0000000000000) == 0x7ff0000000000000 && (b & 0xfffffffffffff) != 0 && (b & 0x8000000000000) == 0) {
      stExc = IE;
      return b | 0x8000000000000;
    }
    setCC(0, C1);
    return b;
  }
  readX(0);
  const nan = xIsNaN(xe, xm);
  if (xUnsupported(xe, xm) || (nan && (xm & QBIT) == 0)) stExc = IE;
  const rc = getRC();
  let bits: u64;
  if (size == 4) {
    bits = <u64>extToF32Bits(xs, xe, xm, rc);
    if (nan) bits |= 0x400000;
  } else {
    bits = extToF64Bits(xs, xe, xm, rc);
    if (nan) bits |= 0x8000000000000;
  }
  if (rInexact) stExc |= PE;
  if (rTiny && (rInexact || unmasked(UE))) stExc |= UE;
  if (rOverflow) stExc |= OE;
  setCC(rUp ? C1 : 0, C1);
  return bits;
}

function fstMem(size: i32, popAfter: bool): void {
  if (!fpuEnter(true)) return;
  if (!checkWrite(eaSeg, eaOff, size)) return;
  noteLast();
  let bits: u64;
  if (isEmpty(0)) {
    if (!stackFault(false)) return;
    bits = size == 4 ? 0xffc00000 : INDEF_BITS;
  } else {
    bits = st0Bits(size);
    if (unmasked(stExc & (IE | OE | UE))) { signal(stExc); return; }
    signal(stExc);
  }
  if (size == 4) write32(eaSeg, eaOff, <i32>bits); else writeM64(0, bits);
  if (popAfter) pop();
}
export function fst_m32(): void { fstMem(4, modReg == 3); }
export function fst_m64(): void { fstMem(8, modReg == 3); }

/** FSTP m80: the exact 80 bits (shadow), never an exception except underflow. */
export function fstp_m80(): void {
  if (!fpuEnter(true)) return;
  if (!checkWrite(eaSeg, eaOff, 10)) return;
  noteLast();
  if (isEmpty(0)) {
    if (!stackFault(false)) return;
    writeM64(0, 0xc000000000000000);
    write16(eaSeg, eaOff + 8, 0xffff);
  } else {
    setCC(0, C1);
    writeRegM80(0, phys(0));
  }
  pop();
}

/** FST/FSTP ST(i) (also the undocumented aliases D9 D8+i, DF D0+i, DF D8+i). */
export function fst_sti(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  const popAfter = !(opcode == 0xdd && modReg == 2);
  if (isEmpty(0) && opcode == 0xd9) {
    // The D9 D8+i alias (FSTP1) does not check for an empty ST(0): the empty tag moves to ST(i)
    // and the stack pops, with no exception (observed on P6-and-later hardware).
    setCC(0, C1);
    freeP(phys(modRm));
    pop();
    return;
  }
  if (isEmpty(0)) {
    if (!stackFault(false)) return;
    setST(modRm, INDEF);
  } else {
    setCC(0, C1);
    copyRegP(phys(modRm), phys(0));
  }
  if (popAfter) pop();
}

/**
 * FIST/FISTP m16/m32/m64: round with RC; NaN, infinity, unsupported or out of range give IE and
 * the integer indefinite (the most negative integer).
 */
function fistMem(bytes: i32, popAfter: bool): void {
  if (!fpuEnter(true)) return;
  if (!checkWrite(eaSeg, eaOff, bytes)) return;
  noteLast();
  const limit: u64 = (<u64>1) << (bytes * 8 - 1);
  let out: u64 = limit;
  if (isEmpty(0)) {
    if (!stackFault(false)) return;
  } else {
    readX(0);
    let exc = 0;
    if (xe == 0x7fff || xUnsupported(xe, xm)) {
      exc = IE;
    } else if (xm == 0) {
      out = 0;
      setCC(0, C1);
    } else {
      normX(xe, xm);
      const mag = roundInt(xs, nEx, nM, getRC());
      if (rOverflow || mag > (xs ? limit : limit - 1)) exc = IE;
      else {
        out = xs ? <u64>(-(<i64>mag)) : mag;
        if (rInexact) exc = PE;
        setCC(rUp ? C1 : 0, C1);
      }
    }
    if (exc == IE) {
      setCC(0, C1);
      signal(IE);
      if (unmasked(IE)) return;
    } else signal(exc);
  }
  if (bytes == 2) write16(eaSeg, eaOff, <i32>out);
  else if (bytes == 4) write32(eaSeg, eaOff, <i32>out);
  else writeM64(0, out);
  if (popAfter) pop();
}
export function fist_m16(): void { fistMem(2, modReg == 3); }
export function fist_m32(): void { fistMem(4, modReg == 3); }
export function fistp_m64(): void { fistMem(8, true); }

/** FBSTP: round with RC to 18 BCD digits; out of range, NaN, infinity give IE and BCD indefinite. */
export function fbstp(): void {
  if (!fpuEnter(true)) return;
  if (!checkWrite(eaSeg, eaOff, 10)) return;
  noteLast();
  let mag: u64 = 0;
  let neg = 0;
  let indef = false;
  if (isEmpty(0)) {
    if (!stackFault(false)) return;
    indef = true;
  } else {
    readX(0);
    neg = xs;
    let exc = 0;
    if (xe == 0x7fff || xUnsupported(xe, xm)) exc = IE;
    else if (xm != 0) {
      normX(xe, xm);
      mag = roundInt(xs, nEx, nM, getRC());
      if (rOverflow || mag > 999999999999999999) exc = IE;
      else { if (rInexact) exc = PE; setCC(rUp ? C1 : 0, C1); }
    }
    if (exc == IE) {
      setCC(0, C1);
      signal(IE);
      if (unmasked(IE)) return;
      indef = true;
    } else signal(exc);
  }
  if (indef) {
    for (let k = 0; k < 7; k++) write8(eaSeg, eaOff + <u32>k, 0);
    write8(eaSeg, eaOff + 7, 0xc0);
    write8(eaSeg, eaOff + 8, 0xff);
    write8(eaSeg, eaOff + 9, 0xff);
  } else {
    for (let k = 0; k < 9; k++) {
      const lo = <i32>(mag % 10); mag /= 10;
      const hi = <i32>(mag % 10); mag /= 10;
      write8(eaSeg, eaOff + <u32>k, (hi << 4) | lo);
    }
    write8(eaSeg, eaOff + 9, neg ? 0x80 : 0);
  }
  pop();
}

// ---------------------------------------------------------------- register moves

/** FXCH ST(i) (also the aliases DD C8+i, DF C8+i): empty operands become the QNaN indefinite (IE masked). */
export function fxch(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  const i = modRm;
  if (isEmpty(0) || isEmpty(i)) {
    if (!stackFault(false)) return;
    if (isEmpty(0)) setST(0, INDEF);
    if (isEmpty(i)) setST(i, INDEF);
  } else setCC(0, C1);
  const a = phys(0), b = phys(i);
  if (a == b) return;
  const v = regF64P(a), sh = hasShadowP(a), m = shadowMantP(a), se = shadowSEP(a);
  copyRegP(a, b);
  if (sh) setRegShadowP(b, v, se, m); else setRegP(b, v);
}

/** FCMOVcc ST(0), ST(i): DA (B E BE U) and DB (NB NE NBE NU) by ModRM.reg. */
export function fcmov(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  let c: bool;
  switch (modReg & 3) {
    case 0: c = getCF(); break;
    case 1: c = getZF(); break;
    case 2: c = getCF() || getZF(); break;
    default: c = getPF(); break;
  }
  if (opcode == 0xdb) c = !c;
  if (isEmpty(0) || isEmpty(modRm)) {
    // Stack underflow is checked before the condition: masked, ST(0) gets the indefinite even
    // when the condition is false (as a P6-class CPU does).
    if (!stackFault(false)) return;
    setST(0, INDEF);
    return;
  }
  setCC(0, C1);
  if (c) copyRegP(phys(0), phys(modRm));
}

/** FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ (D9 E8-EE), rounded by RC from the exact constants. */
export function fldconst(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  if (!pushRoom()) return;
  let m: u64 = J, e = 16383, upNearest = false;
  switch (modRm) {
    case 0: break;
    case 1: m = 0xd49a784bcd1b8afe; e = 16384; break;
    case 2: m = 0xb8aa3b295c17f0bb; upNearest = true; break;
    case 3: m = 0xc90fdaa22168c234; e = 16384; upNearest = true; break;
    case 4: m = 0x9a209a84fbcff798; e = 16381; upNearest = true; break;
    case 5: m = 0xb17217f7d1cf79ab; e = 16382; upNearest = true; break;
    default: m = 0; e = 0; break;
  }
  if (modRm >= 1 && modRm <= 5) {
    const rc = getRC();
    if (rc == RC_UP || (rc == RC_NEAREST && upNearest)) m++;
  }
  decTop();
  setSTExt(0, 0, e, m);
}

export function ffree(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  freeP(phys(modRm));
}
/** FFREEP ST(i) (DF C0+i): free, then pop. */
export function ffreep(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  freeP(phys(modRm));
  pop();
}
export function fincstp(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  setCC(0, C1);
  setTop(getTop() + 1);
}
export function fdecstp(): void {
  if (!fpuEnter(true)) return;
  noteLast();
  setCC(0, C1);
  setTop(getTop() - 1);
}
export function fnop(): void {
  if (!fpuEnter(true)) return;
  noteLast();
}
