/**
 * Multiply and divide (SDM vol. 2 pages MUL, IMUL, DIV, IDIV): group 3 F6/F7 /4-/7 on AL/AX,
 * DX:AX, EDX:EAX, and the two- and three-operand IMUL (0F AF, 69, 6B).
 * MUL/IMUL set CF=OF when the product does not fit the destination width (SF ZF AF PF are
 * undefined: left unchanged here). DIV/IDIV raise #DE for a zero divisor and for a quotient that
 * does not fit, before changing anything; their flags are undefined (left unchanged).
 * Wasm traps on i64.MIN / -1, so that case is caught before dividing.
 */
import { imm, os32 } from "../decode";
import { readE8, readEv, readGv, writeGv } from "../operands";
import { reg8, reg16, setReg16, reg32, setReg32, EAX, EDX } from "../state";
import { faulted, raise, DE } from "../fault";
import { setEflagsBits, CF, OF } from "../flags";

/**
 * Zero-extend an i32 to 64 bits. (Not `<u64><u32>x`: asc folds that cast of an inlined i32 load
 * into a sign-extending i64.load32_s.)
 */
// @ts-ignore: decorator
@inline function zx64(x: i32): u64 { return <u64>x & 0xffffffff; }

// @ts-ignore: decorator
@inline function setCO(over: bool): void { setEflagsBits(over ? CF | OF : 0, CF | OF); }

// ---------------------------------------------------------------- MUL, IMUL (one operand)

export function mul_Eb(): void {
  const b = readE8();
  if (faulted) return;
  const r = reg8(EAX) * b;
  setReg16(EAX, r);
  setCO((r & 0xff00) != 0);
}
export function mul_Ev(): void {
  const b = readEv();
  if (faulted) return;
  if (os32) {
    const r = zx64(reg32(EAX)) * zx64(b);
    setReg32(EAX, <i32>r);
    setReg32(EDX, <i32>(r >>> 32));
    setCO((r >>> 32) != 0);
  } else {
    const r = <u32>reg16(EAX) * <u32>b;
    setReg16(EAX, <i32>r);
    setReg16(EDX, <i32>(r >>> 16));
    setCO((r >>> 16) != 0);
  }
}
export function imul1_Eb(): void {
  const b = readE8();
  if (faulted) return;
  const r = <i32><i8>reg8(EAX) * <i32><i8>b;
  setReg16(EAX, r);
  setCO(r != <i32><i8>r);
}
export function imul1_Ev(): void {
  const b = readEv();
  if (faulted) return;
  if (os32) {
    const r = <i64>reg32(EAX) * <i64>b;
    setReg32(EAX, <i32>r);
    setReg32(EDX, <i32>(r >> 32));
    setCO(r != <i64><i32>r);
  } else {
    const r = <i32><i16>reg16(EAX) * <i32><i16>b;
    setReg16(EAX, r);
    setReg16(EDX, r >> 16);
    setCO(r != <i32><i16>r);
  }
}

// ---------------------------------------------------------------- IMUL (two and three operands)

/** Signed product of a and b truncated to the operand size; CF=OF when truncation changed it. */
// @ts-ignore: decorator
@inline function imulTrunc(a: i32, b: i32): i32 {
  if (os32) {
    const r = <i64>a * <i64>b;
    setCO(r != <i64><i32>r);
    return <i32>r;
  }
  const r = <i32><i16>a * <i32><i16>b;
  setCO(r != <i32><i16>r);
  return r;
}
/** 0F AF: Gv = Gv * Ev. */
export function imul_GvEv(): void {
  const b = readEv();
  if (faulted) return;
  writeGv(imulTrunc(readGv(), b));
}
/** 69 /r Iz, 6B /r Ibs: Gv = Ev * imm (imm already sign-extended). */
export function imul_GvEvI(): void {
  const a = readEv();
  if (faulted) return;
  writeGv(imulTrunc(a, imm));
}

// ---------------------------------------------------------------- DIV, IDIV

export function div_Eb(): void {
  const d = readE8();
  if (faulted) return;
  if (d == 0) { raise(DE, 0); return; }
  const n = <u32>reg16(EAX);
  const q = n / <u32>d;
  if (q > 0xff) { raise(DE, 0); return; }
  setReg16(EAX, <i32>(((n % <u32>d) << 8) | q));
}
export function div_Ev(): void {
  const d = readEv();
  if (faulted) return;
  if (d == 0) { raise(DE, 0); return; }
  if (os32) {
    const n = (zx64(reg32(EDX)) << 32) | zx64(reg32(EAX));
    const q = n / zx64(d);
    if (q > 0xffffffff) { raise(DE, 0); return; }
    setReg32(EAX, <i32>q);
    setReg32(EDX, <i32>(n % zx64(d)));
  } else {
    const n = (<u32>reg16(EDX) << 16) | <u32>reg16(EAX);
    const q = n / <u32>d;
    if (q > 0xffff) { raise(DE, 0); return; }
    setReg16(EAX, <i32>q);
    setReg16(EDX, <i32>(n % <u32>d));
  }
}
export function idiv_Eb(): void {
  const d = <i32><i8>readE8();
  if (faulted) return;
  if (d == 0) { raise(DE, 0); return; }
  const n = <i32><i16>reg16(EAX);
  const q = n / d; // |n| <= 32768, no i32 overflow
  if (q < -128 || q > 127) { raise(DE, 0); return; }
  setReg16(EAX, ((n % d) << 8) | (q & 0xff));
}
export function idiv_Ev(): void {
  const v = readEv();
  if (faulted) return;
  if (os32) {
    const d = <i64>v;
    if (d == 0) { raise(DE, 0); return; }
    const n = (<i64>reg32(EDX) << 32) | <i64>zx64(reg32(EAX));
    if (n == i64.MIN_VALUE && d == -1) { raise(DE, 0); return; }
    const q = n / d;
    if (q < <i64>i32.MIN_VALUE || q > <i64>i32.MAX_VALUE) { raise(DE, 0); return; }
    setReg32(EAX, <i32>q);
    setReg32(EDX, <i32>(n % d));
  } else {
    const d = <i64><i16>v;
    if (d == 0) { raise(DE, 0); return; }
    const n = <i64>((reg16(EDX) << 16) | reg16(EAX)); // i32 dividend, sign-extended to i64
    const q = n / d;
    if (q < -32768 || q > 32767) { raise(DE, 0); return; }
    setReg16(EAX, <i32>q);
    setReg16(EDX, <i32>(n % d));
  }
}
