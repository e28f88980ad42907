/**
 * EFLAGS with lazily computed arithmetic flags.
 *
 * An ALU instruction records what it did instead of computing six flags:
 *
 *   LAZY_OP   = kind << 2 | size      (size: 0 = 8, 1 = 16, 2 = 32 bits; kind: L_* below; 0 = none)
 *   LAZY_DST  = result                LAZY_SRC1 = first operand    LAZY_SRC2 = second operand
 *
 * While LAZY_OP != 0, CF PF AF ZF SF OF are derived from the record on demand (getCF() ...); the
 * other EFLAGS bits are always in EFLAGS. INC/DEC keep CF: they first fold the current CF into
 * EFLAGS and their getCF() reads it back. ADC/SBB with a carry-in of 1 use their own kinds, with 0
 * they are recorded as ADD/SUB. Instructions with irregular flags (shifts, rotates, MUL, BCD...)
 * compute them eagerly with setArith(). The JIT emits the same record (shared contract).
 */
import { STATE, S_EFLAGS, S_LAZY_OP, S_LAZY_DST, S_LAZY_SRC1, S_LAZY_SRC2, S_CPL } from "../gen/layout";
import { setCplMasks } from "../mmu/tlb";

export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, TF = 0x100, IF = 0x200, DF = 0x400,
  OF = 0x800, IOPL = 0x3000, NT = 0x4000, RF = 0x10000, VM = 0x20000, AC = 0x40000, VIF = 0x80000,
  VIP = 0x100000, ID = 0x200000;
export const ARITH = CF | PF | AF | ZF | SF | OF;

export const L_NONE = 0, L_ADD = 1, L_ADC1 = 2, L_SUB = 3, L_SBB1 = 4, L_LOGIC = 5, L_INC = 6, L_DEC = 7;

// @ts-ignore: decorator
@inline export function lazyOp(): i32 { return load<i32>(STATE + S_LAZY_OP); }
// @ts-ignore: decorator
@inline function dst(): u32 { return load<u32>(STATE + S_LAZY_DST); }
// @ts-ignore: decorator
@inline function src1(): u32 { return load<u32>(STATE + S_LAZY_SRC1); }
// @ts-ignore: decorator
@inline function src2(): u32 { return load<u32>(STATE + S_LAZY_SRC2); }
// @ts-ignore: decorator
@inline export function rawEflags(): i32 { return load<i32>(STATE + S_EFLAGS); }
// @ts-ignore: decorator
@inline export function setRawEflags(v: i32): void { store<i32>(STATE + S_EFLAGS, v); }

/** Record an ALU result. `size` is 0, 1 or 2 (8, 16, 32 bits). */
// @ts-ignore: decorator
@inline export function setLazy(kind: i32, size: i32, result: i32, a: i32, b: i32): void {
  store<i32>(STATE + S_LAZY_OP, (kind << 2) | size);
  store<i32>(STATE + S_LAZY_DST, result);
  store<i32>(STATE + S_LAZY_SRC1, a);
  store<i32>(STATE + S_LAZY_SRC2, b);
}

// @ts-ignore: decorator
@inline function signBit(size: i32): u32 { return size == 2 ? 0x80000000 : (size == 1 ? 0x8000 : 0x80); }
// @ts-ignore: decorator
@inline function sizeMask(size: i32): u32 { return size == 2 ? 0xffffffff : (size == 1 ? 0xffff : 0xff); }

export function getCF(): bool {
  const op = lazyOp();
  if (op == 0) return (rawEflags() & CF) != 0;
  const size = op & 3, m = sizeMask(size);
  const d = dst() & m, a = src1() & m;
  switch (op >> 2) {
    case L_ADD: return d < a;
    case L_ADC1: return d <= a;
    case L_SUB: return a < (src2() & m);
    case L_SBB1: return a <= (src2() & m);
    case L_LOGIC: return false;
    default: return (rawEflags() & CF) != 0; // INC, DEC
  }
}
export function getZF(): bool {
  const op = lazyOp();
  if (op == 0) return (rawEflags() & ZF) != 0;
  return (dst() & sizeMask(op & 3)) == 0;
}
export function getSF(): bool {
  const op = lazyOp();
  if (op == 0) return (rawEflags() & SF) != 0;
  return (dst() & signBit(op & 3)) != 0;
}
export function getPF(): bool {
  const op = lazyOp();
  if (op == 0) return (rawEflags() & PF) != 0;
  return (popcnt<u32>(dst() & 0xff) & 1) == 0;
}
export function getAF(): bool {
  const op = lazyOp();
  if (op == 0) return (rawEflags() & AF) != 0;
  if ((op >> 2) == L_LOGIC) return false;
  return ((dst() ^ src1() ^ src2()) & 0x10) != 0;
}
export function getOF(): bool {
  const op = lazyOp();
  if (op == 0) return (rawEflags() & OF) != 0;
  const sb = signBit(op & 3);
  const d = dst(), a = src1(), b = src2();
  switch (op >> 2) {
    case L_ADD: case L_ADC1: case L_INC: return ((a ^ d) & (b ^ d) & sb) != 0;
    case L_SUB: case L_SBB1: case L_DEC: return ((a ^ b) & (a ^ d) & sb) != 0;
    default: return false;
  }
}

/** The full EFLAGS value (bit 1 always set). */
export function getEflags(): i32 {
  let f = rawEflags();
  if (lazyOp() == 0) return f | 2;
  f &= ~ARITH;
  if (getCF()) f |= CF;
  if (getPF()) f |= PF;
  if (getAF()) f |= AF;
  if (getZF()) f |= ZF;
  if (getSF()) f |= SF;
  if (getOF()) f |= OF;
  return f | 2;
}

/** Fold the lazy record into EFLAGS. */
export function materialize(): void {
  if (lazyOp() == 0) return;
  const f = getEflags();
  setRawEflags(f);
  store<i32>(STATE + S_LAZY_OP, 0);
}

/**
 * Replace EFLAGS bits selected by `mask` (materialises first). Does not apply mode side effects,
 * except that a change of AC re-arms alignment checking (tlb.ts setCplMasks).
 */
export function setEflagsBits(value: i32, mask: i32): void {
  materialize();
  setRawEflags((rawEflags() & ~mask) | (value & mask) | 2);
  if (mask & AC) setCplMasks(load<i32>(STATE + S_CPL));
}

/** Set the six arithmetic flags eagerly from an explicit value (CF PF AF ZF SF OF bits). */
// @ts-ignore: decorator
@inline export function setArith(value: i32): void {
  store<i32>(STATE + S_LAZY_OP, 0);
  setRawEflags((rawEflags() & ~ARITH) | (value & ARITH));
}

/** Begin an INC/DEC: capture CF so the lazy record can leave it unchanged. */
export function keepCF(): void {
  const cf = getCF();
  setRawEflags((rawEflags() & ~CF) | (cf ? CF : 0));
}

/** Flags of a result for ZF/SF/PF (eager helpers for shifts etc.). */
export function szp(result: u32, size: i32): i32 {
  let f = 0;
  const m = sizeMask(size);
  if ((result & m) == 0) f |= ZF;
  if (result & signBit(size)) f |= SF;
  if ((popcnt<u32>(result & 0xff) & 1) == 0) f |= PF;
  return f;
}

/** Condition codes 0..15 as in Jcc/SETcc/CMOVcc (SDM vol. 1, B.1). */
export function testCC(cc: i32): bool {
  let r: bool;
  switch (cc >> 1) {
    case 0: r = getOF(); break;
    case 1: r = getCF(); break;
    case 2: r = getZF(); break;
    case 3: r = getCF() || getZF(); break;
    case 4: r = getSF(); break;
    case 5: r = getPF(); break;
    case 6: r = getSF() != getOF(); break;
    default: r = getZF() || (getSF() != getOF()); break;
  }
  return (cc & 1) ? !r : r;
}
