/**
 * Shifts and rotates (SDM vol. 2 pages "RCL/RCR/ROL/ROR", "SAL/SAR/SHL/SHR", "SHLD", "SHRD"):
 * group 2 (C0 C1 Ib, D0 D1 by 1, D2 D3 by CL) and SHLD/SHRD (0F A4 A5 AC AD).
 *
 * The count is masked to 5 bits; a masked count of 0 changes no flags (and leaves the operand as
 * it was). ROL/ROR rotate by the masked count modulo the width; RCL/RCR 8/16-bit rotate the
 * 9/17-bit CF:operand by the masked count modulo 9/17. Flags are set eagerly. Undefined cases get
 * a fixed choice: OF for a count > 1 uses the count-1 formula, AF = 0 for shifts, SHL/SHR counts
 * past the width behave like a bit-by-bit shift (CF = 0, result 0), and a 16-bit SHLD/SHRD with a
 * count > 16 shifts the 48-bit DEST:SRC:DEST.
 */
import { modReg, imm } from "../decode";
import { rmwE8, writeE8, rmwEv, writeEv, readGv, vsize } from "../operands";
import { reg8, ECX } from "../state";
import { faulted } from "../fault";
import { setArith, setEflagsBits, getCF, szp, CF, OF } from "../flags";

export const SH_ROL = 0, SH_ROR = 1, SH_RCL = 2, SH_RCR = 3, SH_SHL = 4, SH_SHR = 5, SH_SAL = 6, SH_SAR = 7;

/** Shift or rotate `a` (operation k = ModRM.reg) by `count` at `size` (0/1/2); sets the flags. */
export function shiftOp(k: i32, a: u32, count: i32, size: i32): u32 {
  const n = count & 31;
  if (n == 0) return a;
  const bits = 8 << size;
  const m: u32 = size == 2 ? 0xffffffff : (size == 1 ? 0xffff : 0xff);
  const sb: u32 = 1 << (bits - 1);
  a &= m;
  let r: u32;
  let cf: bool;
  switch (k) {
    case SH_ROL: {
      const c = n & (bits - 1);
      r = c ? ((a << c) | (a >>> (bits - c))) & m : a;
      cf = (r & 1) != 0;
      setEflagsBits((cf ? CF : 0) | (((r & sb) != 0) != cf ? OF : 0), CF | OF);
      return r;
    }
    case SH_ROR: {
      const c = n & (bits - 1);
      r = c ? ((a >>> c) | (a << (bits - c))) & m : a;
      cf = (r & sb) != 0;
      setEflagsBits((cf ? CF : 0) | (((r ^ (r << 1)) & sb) != 0 ? OF : 0), CF | OF);
      return r;
    }
    case SH_RCL: case SH_RCR: {
      const c = size == 0 ? n % 9 : (size == 1 ? n % 17 : n);
      const w = bits + 1;
      const wm: u64 = (<u64>1 << w) - 1;
      let v: u64 = (<u64>(getCF() ? 1 : 0) << bits) | <u64>a;
      if (c != 0) {
        v = k == SH_RCL ? ((v << c) | (v >> (w - c))) & wm : ((v >> c) | (v << (w - c))) & wm;
      }
      r = <u32>v & m;
      cf = (v >> bits) != 0;
      const ov = k == SH_RCL ? ((r & sb) != 0) != cf : ((r ^ (r << 1)) & sb) != 0;
      setEflagsBits((cf ? CF : 0) | (ov ? OF : 0), CF | OF);
      return r;
    }
    case SH_SHR: {
      cf = ((a >>> (n - 1)) & 1) != 0;
      r = a >>> n;
      setArith(szp(r, size) | (cf ? CF : 0) | ((a & sb) != 0 ? OF : 0));
      return r;
    }
    case SH_SAR: {
      const s: i32 = size == 0 ? <i32><i8>a : (size == 1 ? <i32><i16>a : <i32>a);
      cf = ((s >> (n - 1)) & 1) != 0;
      r = <u32>(s >> n) & m;
      setArith(szp(r, size) | (cf ? CF : 0));
      return r;
    }
    default: { // SHL, SAL
      cf = n <= bits ? ((a >>> (bits - n)) & 1) != 0 : false;
      r = (a << n) & m;
      setArith(szp(r, size) | (cf ? CF : 0) | (((r & sb) != 0) != cf ? OF : 0));
      return r;
    }
  }
}

export function shift_EbIb(): void { const a = rmwE8(); if (!faulted) writeE8(shiftOp(modReg, a, imm, 0)); }
export function shift_Eb1(): void { const a = rmwE8(); if (!faulted) writeE8(shiftOp(modReg, a, 1, 0)); }
export function shift_EbCL(): void { const a = rmwE8(); if (!faulted) writeE8(shiftOp(modReg, a, reg8(ECX), 0)); }
export function shift_EvIb(): void { const a = rmwEv(); if (!faulted) writeEv(shiftOp(modReg, a, imm, vsize())); }
export function shift_Ev1(): void { const a = rmwEv(); if (!faulted) writeEv(shiftOp(modReg, a, 1, vsize())); }
export function shift_EvCL(): void { const a = rmwEv(); if (!faulted) writeEv(shiftOp(modReg, a, reg8(ECX), vsize())); }

// ---------------------------------------------------------------- SHLD, SHRD

/**
 * Double shift of DEST `a` with bits from SRC `b` (left: SHLD, else SHRD) by `count` at `size`
 * (1/2). Builds DEST:SRC (32-bit) or DEST:SRC:DEST (16-bit, which also gives the hardware-style
 * result for the undefined counts 17..31) as a 64-bit value and extracts the result.
 */
export function shiftDouble(left: bool, a: u32, b: u32, count: i32, size: i32): u32 {
  const n = count & 31;
  if (n == 0) return a;
  const bits = 8 << size;
  const m: u32 = size == 2 ? 0xffffffff : 0xffff;
  const sb: u32 = 1 << (bits - 1);
  a &= m;
  b &= m;
  let r: u32;
  let cf: bool;
  if (left) {
    // SHLD: v = DEST:SRC (32) or DEST:SRC:DEST (16) with DEST in bits 32+bits-1 .. 32.
    const v: u64 = size == 2 ? (<u64>a << 32) | <u64>b : (<u64>a << 32) | (<u64>b << 16) | <u64>a;
    r = <u32>(v >> (32 - n)) & m;
    cf = ((v >> (32 + bits - n)) & 1) != 0;
  } else {
    // SHRD: v = SRC:DEST (32) or DEST:SRC:DEST (16) with DEST in bits bits-1 .. 0.
    const v: u64 = size == 2 ? (<u64>b << 32) | <u64>a : (<u64>a << 32) | (<u64>b << 16) | <u64>a;
    r = <u32>(v >> n) & m;
    cf = ((v >> (n - 1)) & 1) != 0;
  }
  setArith(szp(r, size) | (cf ? CF : 0) | (((r ^ a) & sb) != 0 ? OF : 0));
  return r;
}

export function shld_EvGvIb(): void { const a = rmwEv(); if (!faulted) writeEv(shiftDouble(true, a, readGv(), imm, vsize())); }
export function shld_EvGvCL(): void { const a = rmwEv(); if (!faulted) writeEv(shiftDouble(true, a, readGv(), reg8(ECX), vsize())); }
export function shrd_EvGvIb(): void { const a = rmwEv(); if (!faulted) writeEv(shiftDouble(false, a, readGv(), imm, vsize())); }
export function shrd_EvGvCL(): void { const a = rmwEv(); if (!faulted) writeEv(shiftDouble(false, a, readGv(), reg8(ECX), vsize())); }
